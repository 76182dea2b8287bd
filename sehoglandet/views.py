"""The core's pages: the health check, the remittentgrupper, the auditor's pages and purge runs."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from . import access, gate, selectors, services, trail
from .audit import log_access
from .filters import AccessLogFilterForm, PersonTrailForm
from .forms import PersonCorrectionForm, add_service_errors
from .http import safe_next
from .keyset import BadCursor, Cursor, KeysetPage
from .middleware import renew_session
from .models import AccessLog, Role
from .record_names import person_number
from .spreadsheets import csv_safe

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


def _cursor(request) -> tuple[Cursor | None, bool]:
    """The page asked for: after the cursor in `after`, before the one in `before`, or the newest."""
    if "before" in request.GET:
        return Cursor.parse(request.GET["before"]), True
    if "after" in request.GET:
        return Cursor.parse(request.GET["after"]), False
    return None, False


def _keyset_page(request, read) -> tuple[KeysetPage | None, str]:
    """The page `read(cursor, backwards)` gives, and the query string its links keep; a cursor no
    page of ours wrote gives a message and no rows."""
    query = request.GET.copy()
    for name in ("after", "before"):
        query.pop(name, None)
    try:
        cursor, backwards = _cursor(request)
    except BadCursor:
        messages.error(request, _("The link to this page is not valid. Start again from the first page."))
        return None, query.urlencode()
    return read(cursor, backwards), query.urlencode()


@access.require_roles(Role.AUDITOR)
@require_GET
def access_log(request):
    """The access log for auditors, filterable by user, person, period and action, newest first and
    paged by key (never counted). Viewing it is logged, before the page is read, so the page shows
    the visit too."""
    log_access(
        request,
        action=AccessLog.Action.LIST,
        object_type=AccessLog._meta.label_lower,
        purpose=_("Audit of the access log"),
    )
    form = AccessLogFilterForm(request.GET)
    page, query = None, ""
    if form.is_valid():
        page, query = _keyset_page(
            request, lambda cursor, backwards: trail.access_log_page(form.entries(), cursor=cursor, backwards=backwards)
        )
    return render(request, "sehoglandet/access_log.html", {"form": form, "page": page, "query": query})


@access.require_roles(Role.AUDITOR)
@require_GET
def person_trail(request):
    """Who saw and who changed one person's records, and why: found by personnummer (never an
    internal id), filtered by period and kind, newest first and paged by key. Looking is logged."""
    form = PersonTrailForm(request.GET if "person" in request.GET else None)
    context = {"form": form, "page": None, "query": ""}
    if form.is_bound and form.is_valid():
        person = form.cleaned_data["person"]
        log_access(
            request,
            action=AccessLog.Action.LIST,
            object_type=AccessLog._meta.label_lower,
            person_id=person.pk,
            purpose=_("Audit"),
        )
        data = form.cleaned_data
        context["page"], context["query"] = _keyset_page(
            request,
            lambda cursor, backwards: trail.person_trail_page(
                person.pk,
                since=data["date_from"],
                until=data["date_to"],
                kind=data["kind"],
                cursor=cursor,
                backwards=backwards,
            ),
        )
        context["person"] = person
        context["number"] = person_number(person)
    elif form.is_bound and form.has_error("person", "unknown"):
        log_access(request, action=AccessLog.Action.LIST, object_type=AccessLog._meta.label_lower, purpose=_("Audit"))
    return render(request, "sehoglandet/person_trail.html", context)


@access.require_roles(Role.AUDITOR)
@require_GET
def person_trail_csv(request):
    """The person's trail as a CSV for Excel (semicolons, UTF-8 with BOM, ISO times), with the
    person, the period, who exported it and when on its first lines. Logged as an export."""
    form = PersonTrailForm(request.GET)
    if not form.is_valid():
        return render(request, "sehoglandet/person_trail.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data
    person = data["person"]
    log_access(
        request,
        action=AccessLog.Action.EXPORT,
        object_type=AccessLog._meta.label_lower,
        person_id=person.pk,
        purpose=_("Audit"),
    )

    now = timezone.localtime()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"granskning-{now:%Y-%m-%d-%H%M}.csv")
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    heading = [
        _("Who saw and who changed person %(number)s") % {"number": person_number(person)},
        _period_label(data["date_from"], data["date_to"]),
        _("Exported by %(name)s") % {"name": trail.user_label(request.user)},
        now.strftime("%Y-%m-%d %H:%M"),
    ]
    writer.writerow(csv_safe(cell) for cell in heading)
    writer.writerow([_("Time"), _("User"), _("Organisation"), _("Role"), _("Record"), _("Action"), _("Purpose")])
    for row in trail.person_trail(person.pk, since=data["date_from"], until=data["date_to"], kind=data["kind"]):
        writer.writerow(
            csv_safe(cell)
            for cell in [
                timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                trail.user_label(row.user),
                row.organisations,
                row.roles,
                row.what,
                row.action,
                row.purpose,
            ]
        )
    return response


def _period_label(since, until) -> str:
    if since and until:
        return _("Period: %(from)s – %(to)s") % {"from": since.isoformat(), "to": until.isoformat()}
    if since:
        return _("Period: from %(from)s") % {"from": since.isoformat()}
    if until:
        return _("Period: until %(to)s") % {"to": until.isoformat()}
    return _("Period: the whole log")


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


@access.for_any_user
@require_POST
def session_keep_alive(request):
    """ "Stay signed in" in the warning before the session ends (static/js/session_expiry.js): the request
    renews the session (middleware.renew_session) and nothing else is written. From the script the
    answer is an empty 204; a plain form (no script) goes back to the page it came from."""
    renew_session(request)
    if request.headers.get("x-requested-with") == "fetch":
        return HttpResponse(status=204)
    return redirect(safe_next(request) or "home")
