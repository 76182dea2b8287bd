"""The start page, one section for each role the user holds, and the register extract: pages that
draw on every app."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from participants import selectors as participant_selectors
from participants import todo
from referrals import selectors as referral_selectors
from sehoglandet import access, gate, selectors, services
from sehoglandet.audit import log_access
from sehoglandet.models import AccessLog, Role
from sehoglandet.search import SearchForm
from sehoglandet.views import GROUP_ROLES

from . import extract
from .forms import FindPersonForm

QUEUE_PREVIEW = 10
TODO_PREVIEW = 5
# This week's aftercare contacts on the start page; the rest are on the to-do list. A team in a
# large municipality has well over a hundred a week (bench/README.md, sixth pass).
AFTERCARE_PREVIEW = 10
SEARCH_LIMIT = 20


@access.for_any_user
@require_GET
def home(request):
    """The start page: one section for each role the user holds."""
    memberships = access.memberships_of(request.user)
    roles = access.roles_of(request.user)
    context = {"memberships": memberships, "roles": roles, "Role": Role}
    if roles & {Role.COACH, Role.MANAGER}:
        teams = list(
            {
                m.pk: m
                for m in access.municipalities_coached_by(request.user) + access.municipalities_managed_by(request.user)
            }.values()
        )
        use = participant_selectors.capacity_use(teams)
        for team in teams:
            team.active = use[team.pk]["active"]
            team.queued = use[team.pk]["queued"]
            team.queue = list(participant_selectors.queue_of(team)[:QUEUE_PREVIEW])
            team.managed = access.is_manager_of(request.user, team)
            if team.managed:
                team.coaches = participant_selectors.caseload_per_coach(team)
                team.shared = sum(membership.capacity for membership in team.coaches)
                team.without_coach = participant_selectors.without_responsible_coach(team)
        context["teams"] = teams
        if any(team.queue for team in teams):
            log_access(
                request,
                action=AccessLog.Action.LIST,
                object_type="participants.participant",
                purpose=_("Queue on the start page"),
            )
    if Role.COACH in roles:
        context.update(_coach_overview(request))
    if Role.MANAGER in roles:
        context["escalation_count"] = referral_selectors.escalations_for(request.user).count()
    if roles & set(GROUP_ROLES):
        context["referral_groups"] = list(selectors.referral_groups_visible_to(request.user))
    if Role.DIRECTOR in roles:
        context["municipalities"] = list(selectors.municipalities_with_capacity())
        context["totals"] = {
            "fte": sum(m.coach_fte_percent for m in context["municipalities"]),
            "capacity": sum(m.capacity for m in context["municipalities"]),
        }
    return render(request, "project/home.html", context)


def _coach_overview(request) -> dict:
    """The coach's to-do (counts per kind and the first items, counted and cut in the database) and
    the first of this week's aftercare contacts, which are the to-do's from Monday on."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    todo_list = todo.TodoList(request.user, today)
    first = todo_list[:TODO_PREVIEW]
    week = todo_list.aftercare_visits_from(monday)
    aftercare_week = list(participant_selectors.aftercare_visits(week)[:AFTERCARE_PREVIEW]) if week else []
    if aftercare_week or any(item.participant is not None for item in first):
        log_access(
            request,
            action=AccessLog.Action.LIST,
            object_type="participants.participant",
            purpose=_("To-do and aftercare on the start page"),
        )
    return {
        "today": today,
        "todo_total": len(todo_list),
        "todo_counts": todo_list.count_labels(),
        "todo_items": first,
        "aftercare_week": aftercare_week,
        "aftercare_week_more": len(week) - len(aftercare_week),
    }


@access.require_roles(Role.COACH, Role.MANAGER)
@require_GET
def search(request):
    """The search box: participants and referrals the user may see, found by name, whole personnummer,
    reserve identity or case reference, at most SEARCH_LIMIT of each. A search that shows anyone is
    logged as a list access per kind of record, without the query (docs/domain.md#search)."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    participants, referrals = [], []
    if form.is_bound and form.is_valid():
        query = vars(form.cleaned_data["q"])
        participants = participant_selectors.search_participants(request.user, limit=SEARCH_LIMIT, **query)
        referrals = referral_selectors.search_referrals(request.user, limit=SEARCH_LIMIT, **query)
        by_identity = bool(query["number"] or query["reserve_identity"])
        for found, model in ((participants, "participants.participant"), (referrals, "referrals.referral")):
            if found:
                persons = {record.person_id for record in found}
                log_access(
                    request,
                    action=AccessLog.Action.LIST,
                    object_type=model,
                    person_id=persons.pop() if by_identity and len(persons) == 1 else None,
                    purpose=_("Search"),
                )
    return render(
        request,
        "project/search.html",
        {
            "form": form,
            "searched": form.is_bound and form.is_valid(),
            "participants": participants[:SEARCH_LIMIT],
            "more_participants": len(participants) > SEARCH_LIMIT,
            "referrals": referrals[:SEARCH_LIMIT],
            "more_referrals": len(referrals) > SEARCH_LIMIT,
            "limit": SEARCH_LIMIT,
            "total": len(participants[:SEARCH_LIMIT]) + len(referrals[:SEARCH_LIMIT]),
        },
    )


@access.require_roles(Role.COACH, Role.ADMINISTRATOR)
@require_GET
def register_extract(request, pk: int):
    """The register extract (GDPR art. 15) as PDF: the responsible coach or the administrator
    (access.may_export_register_extract). Logged as an export and recorded as a case event before
    it is read, so the extract shows its own making (docs/domain.md#rights-of-the-registered)."""
    person = gate.person_for_register_extract(request, pk, may=access.may_export_register_extract)
    made_at = timezone.now()
    with transaction.atomic():
        log_access(
            request,
            person,
            action=AccessLog.Action.EXPORT,
            person_id=person.pk,
            purpose=_("Register extract for the person (GDPR art. 15)"),
        )
        services.record_register_extract(actor=request.user, person=person)
        pdf = extract.render_pdf(extract.register_extract_of(person, made_by=request.user, made_at=made_at))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, extract.filename(person, made_at))
    return response


@access.require_roles(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def register_extract_requests(request):
    """The administrator's way to a person's register extract and correction: a request from the
    person themself, found by personnummer, samordningsnummer or reserve identity. Posted, so the
    number stays out of addresses and server logs; finding someone is logged."""
    form = FindPersonForm(request.POST or None)
    person, searched = None, False
    if request.method == "POST" and form.is_valid():
        searched = True
        try:
            person = selectors.find_person_by_identity(form.cleaned_data["identity"])
        except ValidationError as error:
            form.add_error("identity", error)
            searched = False
        if person is not None:
            log_access(
                request,
                person,
                person_id=person.pk,
                purpose=_("Request from the person for a register extract or a correction"),
            )
    return render(
        request,
        "project/register_extract_requests.html",
        {
            "form": form,
            "person": person,
            "searched": searched,
            "may_make": person is not None and access.may_export_register_extract(request.user, person),
        },
    )
