"""The association's statistics for a period, on the page and as PDF, XLSX and CSV.

The förbundschef reports on every municipality or one; a manager on their own municipality only.
The figures are aggregates from reporting/report.py, never a name, a personnummer or a note about a
person; each page and each export writes an access-log row naming the period. For an adopted half-year
or year the page and the files show the adopted figures (reporting/views/adoption.py).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.models import AccessLog, Municipality, Role

from .. import exports
from ..forms import ReportForm
from ..report import build_report
from . import adoption

REPORT_ROLES = (Role.DIRECTOR, Role.MANAGER)


def _form(request, *, bound: bool = False) -> ReportForm:
    """The period form on the query string (unbound when it is empty, unless `bound`). The
    förbundschef may choose one municipality or all of them; a manager only their own, and asking
    for another one is a 404 (and logged)."""
    user = request.user
    data = request.GET if bound or request.GET else None
    if access.may_report_on_every_municipality(user):
        municipalities = list(Municipality.objects.order_by("name"))
        return ReportForm(data, municipalities=municipalities, allow_all=True)
    managed = sorted(access.municipalities_managed_by(user), key=lambda municipality: municipality.name)
    if not managed:
        raise PermissionDenied
    code = request.GET.get("municipality", "")
    if code and code not in {municipality.code for municipality in managed}:
        log_access(
            request,
            action=AccessLog.Action.REFUSED,
            object_type=exports.OBJECT_TYPE,
            object_id=code[:64],
            purpose=_("Refused: the report of another municipality"),
        )
        raise Http404
    return ReportForm(data, municipalities=managed, allow_all=False)


def _report(request, form: ReportForm) -> exports.ShownReport:
    report = build_report(
        form.cleaned_data["period"],
        municipality=form.cleaned_data["municipality"],
        generated_by=request.user.get_full_name() or request.user.username,
        # The förbundschef's form holds every municipality already, for the caseload.
        municipalities=list(form.municipalities.values()) if form.allow_all else None,
    )
    return exports.present(report)


def _page(
    request,
    form: ReportForm,
    shown: exports.ShownReport | None = None,
    *,
    status: int = 200,
    version: adoption.Version | None = None,
):
    query = request.GET.urlencode()
    links = [(name.upper(), f"{reverse(f'reporting:report_{name}')}?{query}") for name in exports.FORMAT_NAMES]
    return render(
        request,
        "reporting/report.html",
        {"form": form, "report": shown, "links": links if shown else [], "version": version},
        status=status,
    )


@access.require_roles(*REPORT_ROLES)
@require_GET
def report_page(request):
    """The form, and with a period chosen the report: every table, the goals, the caseload, the
    survey and the certifications, and links to the same report as files."""
    form = _form(request)
    if not form.is_bound or not form.is_valid():
        return _page(request, form)
    version = adoption.version_of(request, form, _report(request, form))
    log_access(request, action=AccessLog.Action.LIST, object_type=exports.OBJECT_TYPE, purpose=version.purpose)
    return _page(request, form, version.shown, version=version)


def _export(request, file_format: str):
    """The report as a file (an adopted period's from its archive); with bad input the page again with
    the errors, and no file."""
    form = _form(request, bound=True)
    if not form.is_valid():
        return _page(request, form, status=400)
    archived = adoption.archived_file(request, form, file_format)
    if archived is None:
        shown = _report(request, form)
        content, content_type, filename = exports.render(shown, file_format)
        purpose = exports.access_purpose(shown)
    else:
        content, content_type, filename, purpose = archived
    log_access(
        request, action=AccessLog.Action.EXPORT, object_type=exports.OBJECT_TYPE, object_id=file_format, purpose=purpose
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@access.require_roles(*REPORT_ROLES)
@require_GET
def report_pdf(request):
    return _export(request, "pdf")


@access.require_roles(*REPORT_ROLES)
@require_GET
def report_xlsx(request):
    return _export(request, "xlsx")


@access.require_roles(*REPORT_ROLES)
@require_GET
def report_csv(request):
    return _export(request, "csv")
