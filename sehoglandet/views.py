"""The core's pages: the health check, the remittentgrupper, the auditor's access log and purge runs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from . import access, gate, selectors, services
from .audit import log_access
from .filters import AccessLogFilter
from .forms import PersonCorrectionForm, add_service_errors
from .http import safe_next
from .models import AccessLog, Role

ACCESS_LOG_PAGE_SIZE = 50
PURGE_RUN_PAGE_SIZE = 50
GROUP_ROLES = (Role.COACH, Role.MANAGER, Role.GROUP_MEMBER)


@login_not_required
@require_safe
def health(request):
    """For load balancers: 200 when the database answers, 503 otherwise. Reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@access.require_roles(*GROUP_ROLES)
@require_GET
def referral_group_list(request):
    groups = selectors.referral_groups_visible_to(request.user)
    return render(request, "sehoglandet/referral_group_list.html", {"groups": groups})


@access.require_roles(*GROUP_ROLES)
@require_GET
def referral_group_detail(request, pk: int):
    group = gate.referral_group(request, pk)
    members = selectors.referral_group_members(group)
    return render(request, "sehoglandet/referral_group_detail.html", {"group": group, "members": members})


@access.require_roles(Role.AUDITOR)
@require_GET
def access_log(request):
    """The access log for auditors, filterable by user, person, date and action. Viewing it is logged.

    The visit is logged before the page is read, so the row counts and the page agree.
    """
    log_access(
        request,
        action=AccessLog.Action.LIST,
        object_type=AccessLog._meta.label_lower,
        purpose=_("Audit of the access log"),
    )
    filterset = AccessLogFilter(request.GET or None, queryset=selectors.access_log_entries())
    if filterset.is_bound and not filterset.is_valid():
        entries = AccessLog.objects.none()
    else:
        entries = filterset.qs
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sehoglandet/access_log.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@access.require_roles(Role.COACH, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def person_correct(request, pk: int):
    """Correct a person's identity and contact details, with the reason (GDPR art. 16): the
    responsible coach or the administrator (access.may_correct_person). Showing the form is logged."""
    person = gate.person_for_register_extract(request, pk, may=access.may_correct_person)
    form = PersonCorrectionForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_person(
                actor=request.user, person=person, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The person's details have been corrected."))
            return redirect(safe_next(request) or request.path)
    log_access(request, person, person_id=person.pk, purpose=_("Correction of the person's details"))
    return render(
        request,
        "sehoglandet/person_correct.html",
        {"person": person, "form": form, "corrections": selectors.corrections_of(person), "next": safe_next(request)},
    )


@access.require_roles(Role.AUDITOR)
@require_GET
def purge_runs(request):
    """The retention purge's runs: when, dry run or not, the periods in force, and how many rows of
    each kind went. Counts only, never who, so viewing it is not an access to personal data."""
    page = Paginator(selectors.purge_runs().select_related("started_by"), PURGE_RUN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "sehoglandet/purge_runs.html", {"page": page})
