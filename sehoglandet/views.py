from collections import Counter
from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants import selectors as participant_selectors
from participants import services as participant_services
from participants import todo
from referrals import selectors as referral_selectors

from . import access, selectors
from .audit import log_access
from .filters import AccessLogFilter
from .models import AccessLog, Role

ACCESS_LOG_PAGE_SIZE = 50
QUEUE_PREVIEW = 10
TODO_PREVIEW = 5
GROUP_ROLES = (Role.COACH, Role.MANAGER, Role.GROUP_MEMBER)


@login_not_required
@never_cache
@require_GET
def health(request):
    """For load balancers: 200 when the database answers, 503 otherwise. Reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


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
        use = participant_services.capacity_use(teams)
        for team in teams:
            team.active = use[team.pk]["active"]
            team.queued = use[team.pk]["queued"]
            team.queue = list(participant_selectors.queue_of(team)[:QUEUE_PREVIEW])
            team.managed = access.is_manager_of(request.user, team)
            if team.managed:
                team.coaches = participant_selectors.caseload_per_coach(team)
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
    return render(request, "sehoglandet/home.html", context)


def _coach_overview(request) -> dict:
    """The coach's to-do (counts per kind and the first items) and this week's aftercare contacts."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    items = todo.todo_for(request.user, today)
    counts = Counter(item.kind for item in items)
    aftercare_week = list(participant_selectors.aftercare_due(request.user, monday, monday + timedelta(days=6)))
    if aftercare_week or any(item.participant is not None for item in items[:TODO_PREVIEW]):
        log_access(
            request,
            action=AccessLog.Action.LIST,
            object_type="participants.participant",
            purpose=_("To-do and aftercare on the start page"),
        )
    return {
        "today": today,
        "todo_total": len(items),
        "todo_counts": [(kind.label, counts[kind]) for kind in todo.TodoKind if counts[kind]],
        "todo_items": items[:TODO_PREVIEW],
        "aftercare_week": aftercare_week,
    }


@access.require_roles(*GROUP_ROLES)
@require_GET
def referral_group_list(request):
    groups = selectors.referral_groups_visible_to(request.user)
    return render(request, "sehoglandet/referral_group_list.html", {"groups": groups})


@access.require_roles(*GROUP_ROLES)
@require_GET
def referral_group_detail(request, pk: int):
    group = selectors.get_referral_group_for_user(request.user, pk)
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
