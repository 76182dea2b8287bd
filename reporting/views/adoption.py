"""Adopted (fastställda) reports (docs/domain.md#adopted-reports).

The förbundschef adopts a half-year or year that has ended, through a confirmation page. From then
on the report page and its files show, for that period and scope, the figures that were adopted
(`version_of`, `archived_file`, asked by reporting/views/report.py), with a banner saying so and a
note when the live figures have moved since; `live=1` shows the live figures, labelled as not
adopted. The list of adopted reports offers each scope's archived PDF to those who may see it: the
förbundschef every scope, a manager their own municipality's. Every display and download writes an
access-log row; nothing here shows a name or a personnummer.
"""

import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sehoglandet import access, gate
from sehoglandet.audit import log_access
from sehoglandet.forms import errors_as_messages
from sehoglandet.models import AccessLog, Municipality, Role

from .. import archive, exports, selectors, services
from ..forms import PeriodKind, ReportForm
from ..models import AdoptedReport, AdoptedReportScope
from ..report import Period

REPORT_ROLES = (Role.DIRECTOR, Role.MANAGER)
PAGE_SIZE = 25
HALF_YEAR_OR_YEAR = re.compile(r"(\d{4})(?:H([12]))?")


def report_url(period_code: str, municipality: Municipality | None = None, *, live: bool = False) -> str:
    """The report page for a half-year or year code (2026H1, 2026), for all municipalities or one."""
    match = HALF_YEAR_OR_YEAR.fullmatch(period_code)
    if not match:
        return reverse("reporting:report_page")
    year, half = match.groups()
    query = QueryDict(mutable=True)
    query["kind"] = {"1": PeriodKind.FIRST_HALF, "2": PeriodKind.SECOND_HALF}.get(half, PeriodKind.YEAR)
    query["year"] = year
    if municipality is not None:
        query["municipality"] = municipality.code
    if live:
        query["live"] = "1"
    return f"{reverse('reporting:report_page')}?{query.urlencode()}"


def adopted_purpose(shown: exports.ShownReport) -> str:
    """The access log's purpose for an adopted report shown or downloaded."""
    return _("Adopted statistics for %(period)s, %(scope)s") % {"period": shown.period, "scope": shown.scope}


def _adopted_filename(shown: exports.ShownReport, file_format: str) -> str:
    return f"{shown.filename_stem}-faststalld.{file_format}"


def _adopter(scope: AdoptedReportScope) -> str:
    user = scope.adoption.adopted_by
    return user.get_full_name() or user.username


# The report page and its files (reporting/views/report.py)


@dataclass(frozen=True)
class Version:
    """What the report page shows for its period and scope (`shown`), and what its banner says:
    the period's adoption for the scope, whether the live figures are shown instead, whether they
    differ from the adopted ones, and the links between the two (or to adopt the period)."""

    shown: exports.ShownReport
    scope: AdoptedReportScope | None = None
    live: bool = False
    changed: bool = False
    live_url: str = ""
    adopted_url: str = ""
    adopt_url: str = ""

    @property
    def adopted_by(self) -> str:
        return _adopter(self.scope) if self.scope else ""

    @property
    def adopted_on(self) -> str:
        return timezone.localdate(self.scope.adoption.adopted_at).isoformat() if self.scope else ""

    @property
    def purpose(self) -> str:
        if self.scope is not None and not self.live:
            return adopted_purpose(self.shown)
        return exports.access_purpose(self.shown)


def _wants_live(request) -> bool:
    return request.GET.get("live") == "1"


def _adopt_url(user, period: Period) -> str:
    """The way to adopt the period, for the förbundschef once it has ended; the service checks again."""
    if not access.may_adopt_report(user) or period.end >= timezone.localdate() or selectors.is_adopted(period.code):
        return ""
    return reverse("reporting:report_adopt_confirm", args=[period.code])


def version_of(request, form: ReportForm, live: exports.ShownReport) -> Version:
    """For a valid form: the adopted figures of its half-year or year and scope if adopted (the
    live ones with `live=1`), else the live figures."""
    period, municipality = form.cleaned_data["period"], form.cleaned_data["municipality"]
    scope = selectors.adopted_scope(period.code, municipality)
    if scope is None:
        return Version(live, adopt_url=_adopt_url(request.user, period))
    adopted = archive.from_data(scope.figures)
    wants_live = _wants_live(request)
    query = request.GET.copy()
    query.pop("live", None)
    page = reverse("reporting:report_page")
    return Version(
        live if wants_live else adopted,
        scope=scope,
        live=wants_live,
        changed=archive.differs(adopted, live),
        live_url=f"{page}?{query.urlencode()}&live=1",
        adopted_url=f"{page}?{query.urlencode()}",
    )


def archived_file(request, form: ReportForm, file_format: str) -> tuple[bytes, str, str, str] | None:
    """For a valid form of an adopted half-year or year (without `live=1`): the file's bytes, its
    content type, its name and the access log's purpose. The PDF is the archived one; the XLSX and
    the CSV are made from the stored figures, so all three agree with the page. None otherwise."""
    if _wants_live(request):
        return None
    period, municipality = form.cleaned_data["period"], form.cleaned_data["municipality"]
    scope = selectors.adopted_scope(period.code, municipality, with_pdf=file_format == "pdf")
    if scope is None:
        return None
    shown = archive.from_data(scope.figures)
    if file_format == "pdf":
        content, content_type = bytes(scope.pdf), exports.RENDERERS["pdf"][1]
    else:
        content, content_type, _name = exports.render(shown, file_format)
    return content, content_type, _adopted_filename(shown, file_format), adopted_purpose(shown)


# Adopting


def _confirm(request, period_code: str, **context):
    back = {"back_url": report_url(period_code), "back_label": _("Back to the report")}
    return render(request, "confirm.html", back | context)


@access.require_roles(Role.DIRECTOR)
@require_GET
def adopt_confirm(request, period_code: str):
    """What adopting the period will do, before it is done; when it cannot be adopted (not ended,
    adopted already), why, and no form."""
    try:
        period = services.adoptable_period(period_code)
    except ValidationError as error:
        if error.code == "unknown":
            raise Http404 from None
        return _confirm(request, period_code, heading=_("Adopt the report"), done=" ".join(error.messages))
    names = {"period": exports.describe_period(period), "count": Municipality.objects.count()}
    return _confirm(
        request,
        period.code,
        heading=_("Adopt the report for %(period)s") % names,
        consequences=[
            _(
                "The report for %(period)s is adopted in one act: for all municipalities together and for each of "
                "the %(count)s municipalities."
            )
            % names,
            _(
                "Its figures are stored and its PDF archived, for each of them. The report page and its files show "
                "the adopted figures from then on."
            ),
            _(
                "Registrations made later do not change the adopted report. The report page says when the live "
                "figures have moved, and shows them on request, marked as not adopted."
            ),
            _("Each manager sees the adopted report of their own municipality."),
            _("An adoption cannot be undone, and the period cannot be adopted again."),
        ],
        action_url=reverse("reporting:report_adopt", args=[period.code]),
        button=_("Yes, adopt the report"),
    )


@access.require_roles(Role.DIRECTOR)
@require_POST
def adopt(request, period_code: str):
    """Adopt the period (reporting.services.adopt_report), then back to its report, now adopted."""
    try:
        adoption = services.adopt_report(actor=request.user, period_code=period_code)
    except ValidationError as error:
        if error.code == "unknown":
            raise Http404 from None
        errors_as_messages(request, error)
        return redirect(report_url(period_code))
    period = Period(adoption.period_start, adoption.period_end, adoption.period_code)
    messages.success(
        request,
        _("The report for %(period)s is adopted. Its figures and PDF are archived and will not change.")
        % {"period": exports.describe_period(period)},
    )
    return redirect(report_url(adoption.period_code))


# The list of adopted reports and their archived PDFs


def _scope_link(adoption: AdoptedReport, scope: AdoptedReportScope) -> tuple[str, str]:
    name = scope.municipality.name if scope.municipality else _("All municipalities")
    url = reverse("reporting:adopted_pdf", args=[adoption.pk, selectors.scope_code(scope.municipality)])
    return name, url


@access.require_roles(*REPORT_ROLES)
@require_GET
def adopted_list(request):
    """The adopted reports, newest period first, 25 a page: the period, who adopted it and when,
    and the archived PDF of each scope the user may see."""
    page = Paginator(selectors.adoptions_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            adoption,
            exports.describe_period(Period(adoption.period_start, adoption.period_end, adoption.period_code)),
            report_url(adoption.period_code),
            [_scope_link(adoption, scope) for scope in adoption.visible_scopes],
        )
        for adoption in page
    ]
    log_access(
        request, action=AccessLog.Action.LIST, object_type=exports.OBJECT_TYPE, purpose=_("List of adopted reports")
    )
    return render(request, "reporting/adopted_list.html", {"page": page, "rows": rows})


@access.require_roles(*REPORT_ROLES)
@require_GET
def adopted_pdf(request, pk: int, scope: str):
    """The archived PDF of one scope of an adoption, as it was made when the period was adopted."""
    found = gate.fetch(
        request,
        lambda user, pk: selectors.get_adopted_scope_for_user(user, pk, scope),
        AdoptedReport,
        pk,
    )
    shown = archive.from_data(found.figures)
    log_access(
        request,
        action=AccessLog.Action.EXPORT,
        object_type=exports.OBJECT_TYPE,
        object_id="pdf",
        purpose=adopted_purpose(shown),
    )
    response = HttpResponse(bytes(found.pdf), content_type=exports.RENDERERS["pdf"][1])
    response["Content-Disposition"] = content_disposition_header(True, _adopted_filename(shown, "pdf"))
    return response
