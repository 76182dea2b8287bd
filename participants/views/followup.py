"""Follow-up: the coach's to-do list, the SUS list (page, CSV and marking) and the referral
group's follow-up summary.

Thin views over participants.todo, participants.selectors and services.mark_sus. Every page that
shows names writes an access-log row; the CSV export writes one with the action export.
"""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.choices import choice_label
from sehoglandet.forms import errors_as_messages
from sehoglandet.models import AccessLog, Role
from sehoglandet.paging import CappedPaginator, CountedWithPagePaginator
from sehoglandet.spreadsheets import csv_safe

from .. import fetch, selectors, services, todo
from ..followup_forms import SusBulkRegisterForm, SusMarkForm, SusMonthForm, month_of
from ..models import Participant, add_months

FOLLOWUP_PAGE_SIZE = 25
TODO_PAGE_SIZE = 50
SUS_PAGE_SIZE = 50
# Each of the SUS page's two lists has a page of its own.
SUS_PAGE_PARAMS = ("register_page", "deregister_page")
PARTICIPANT = Participant._meta.label_lower


@access.require_roles(Role.COACH)
@require_GET
def todo_list(request):
    """What is due for the participants of the coach's municipalities: overdue first, then by date,
    TODO_PAGE_SIZE items a page; the counts are of the whole list."""
    today = timezone.localdate()
    todo_list = todo.TodoList(request.user, today)
    page = Paginator(todo_list, TODO_PAGE_SIZE).get_page(request.GET.get("page"))
    items = page.object_list
    if any(item.participant is not None for item in items):
        log_access(request, action=AccessLog.Action.LIST, object_type=PARTICIPANT, purpose=_("The coach's to-do list"))
    groups = [
        ([item for item in items if item.overdue_on(today)], "overdue-heading", _("Overdue")),
        ([item for item in items if not item.overdue_on(today)], "coming-heading", _("Due today or later")),
    ]
    return render(
        request,
        "participants/todo_list.html",
        {"today": today, "groups": groups, "counts": todo_list.count_labels(), "page": page},
    )


# SUS, the national follow-up system (docs/domain.md#sus).


def _sus_lists(request, form: SusMonthForm):
    """The month asked for, and who to register and de-register then; empty lists for a bad month."""
    month = form.chosen_month()
    if month is None:
        return None, [], []
    register, deregister = todo.sus_list(request.user, month)
    return month, register, deregister


@access.require_roles(Role.COACH)
@require_GET
def sus_list(request):
    """The month's SUS work: who to register in SUS and who to de-register, with what SUS asks for,
    SUS_PAGE_SIZE of each a page."""
    form = SusMonthForm(request.GET or None, initial={"month": timezone.localdate().replace(day=1)})
    month = form.chosen_month()
    if month is None:
        return _render_sus(request, form, month, [], [])
    pages = [
        CappedPaginator(rows, SUS_PAGE_SIZE).get_page(request.GET.get(param))
        for rows, param in zip(todo.sus_querysets(request.user, month), SUS_PAGE_PARAMS, strict=True)
    ]
    for page in pages:
        page.object_list = todo.with_sus_incomes(page.object_list)
    register, deregister = pages
    # Each list's page links keep the month and where the other list is.
    queries = {
        "register_query": urlencode({"month": month_of(month), SUS_PAGE_PARAMS[1]: deregister.number}),
        "deregister_query": urlencode({"month": month_of(month), SUS_PAGE_PARAMS[0]: register.number}),
    }
    return _render_sus(request, form, month, register, deregister, **queries)


def _render_sus(request, form: SusMonthForm, month, register, deregister, **extra):
    """The SUS page; 400 with the form's error when the month asked for is not a month. `register`
    and `deregister` are pages (or, for a bad month, empty lists)."""
    if register or deregister:
        log_access(request, action=AccessLog.Action.LIST, object_type=PARTICIPANT, purpose=_("The SUS list"))
    context = {
        "form": form,
        "register": register,
        "deregister": deregister,
        "today": timezone.localdate(),
        "today_iso": timezone.localdate().isoformat(),
        "any_to_register": any(participant.sus_registered_on is None for participant in register),
        **extra,
    }
    if month is not None:
        first, last = todo.sus_month_bounds(month)
        context.update(
            month=month,
            month_value=month_of(month),
            last_day=last,
            previous_month=month_of(add_months(first, -1)),
            next_month=month_of(add_months(first, 1)),
        )
    return render(request, "participants/sus_list.html", context, status=200 if month is not None else 400)


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _sus_row(request, direction: str, participant: Participant) -> list:
    person = participant.person
    visible = access.may_see_identity(request.user, person, participant.municipality)
    before, after = participant.income_before, participant.income_after
    return [
        direction,
        person.identity_display if visible else "",
        person.full_name if visible else _("Protected identity"),
        participant.municipality.name,
        choice_label(person, "gender"),
        str(person.birth_date.year) if visible else "",
        _iso(participant.started_on),
        choice_label(before, "source") or "",
        _iso(participant.sus_registered_on),
        _iso(participant.exited_on),
        choice_label(participant, "exit_reason"),
        choice_label(participant, "occupation_after"),
        choice_label(after, "source") or "",
        _iso(participant.sus_deregistration_due_on),
        _iso(participant.sus_deregistered_on),
    ]


@access.require_roles(Role.COACH)
@require_GET
def sus_csv(request):
    """The month's two SUS lists as one CSV for Excel: semicolons, UTF-8 with BOM, ISO dates."""
    form = SusMonthForm(request.GET or None)
    month, register, deregister = _sus_lists(request, form)
    if month is None:
        return _render_sus(request, form, month, register, deregister)
    log_access(
        request,
        action=AccessLog.Action.EXPORT,
        object_type=PARTICIPANT,
        purpose=_("SUS list for %(month)s exported") % {"month": month_of(month)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sus-{month_of(month)}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    now = timezone.localtime()
    writer.writerow(
        csv_safe(cell)
        for cell in [
            _("SUS list for %(month)s") % {"month": month_of(month)},
            _("Exported by %(name)s") % {"name": request.user.get_full_name() or request.user.username},
            now.strftime("%Y-%m-%d %H:%M"),
        ]
    )
    writer.writerow(
        [
            _("In or out"),
            _("Personal identity number"),
            _("Name"),
            _("Municipality"),
            _("Gender"),
            _("Year of birth"),
            _("Started"),
            _("Income before"),
            _("Registered in SUS"),
            _("Exit date"),
            _("Exit reason"),
            _("Occupation after"),
            _("Income after"),
            _("De-register by"),
            _("De-registered in SUS"),
        ]
    )
    for direction, participants in ((_("In"), register), (_("Out"), deregister)):
        for participant in participants:
            writer.writerow(csv_safe(cell) for cell in _sus_row(request, direction, participant))
    return response


@access.require_roles(Role.COACH)
@require_POST
def sus_mark(request, pk: int):
    """Record that the coach registered or de-registered the participant in SUS, then back to the list."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    form = SusMarkForm(request.POST)
    if not form.is_valid():
        errors_as_messages(request, form, labelled=True)
        return _to_sus(form.cleaned_data.get("month") or timezone.localdate())
    registered, on = form.cleaned_data["registered"], form.cleaned_data["on"]
    try:
        services.mark_sus(actor=request.user, participant=participant, registered=registered, on=on)
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        done = _("registered in SUS") if registered else _("de-registered in SUS")
        messages.success(
            request,
            _("%(name)s is marked %(done)s on %(date)s.")
            % {"name": _display_name(request, participant), "done": done, "date": on.isoformat()},
        )
    return _to_sus(form.cleaned_data["month"] or on)


@access.require_roles(Role.COACH)
@require_POST
def sus_mark_many(request):
    """Mark the participants ticked on the SUS list registered in SUS, in one transaction: each row
    checked, one message for those marked and one for each row left as it was, and why."""
    form = SusBulkRegisterForm(request.POST, queryset=todo.sus_markable(request.user))
    if not form.is_valid():
        errors_as_messages(request, form, labelled=True)
        return _to_sus(form.cleaned_data.get("month") or timezone.localdate())
    on = form.cleaned_data["on"]
    try:
        outcome = services.mark_sus_registered_many(
            actor=request.user, participants=list(form.cleaned_data["participants"]), on=on
        )
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        if outcome.marked:
            messages.success(
                request,
                ngettext(
                    "%(count)d participant is marked registered in SUS on %(date)s.",
                    "%(count)d participants are marked registered in SUS on %(date)s.",
                    len(outcome.marked),
                )
                % {"count": len(outcome.marked), "date": on.isoformat()},
            )
        for participant, reason in outcome.refused:
            messages.error(
                request,
                _("%(name)s was not marked: %(reason)s")
                % {"name": _display_name(request, participant), "reason": reason},
            )
    return _to_sus(form.cleaned_data["month"] or on)


def _display_name(request, participant: Participant) -> str:
    if access.may_see_identity(request.user, participant.person, participant.municipality):
        return participant.person.full_name
    return _("The participant")


def _to_sus(month):
    return redirect(f"{reverse('participants:sus_list')}?month={month_of(month)}")


# The referral group's follow-up summary.


@access.require_roles(Role.GROUP_MEMBER)
@require_GET
def followup_summary(request):
    """For the referral group's members: the status, step and next follow-up of the group's
    participants whose consent covers the member's organisation. Never the journal or notes."""
    participants = selectors.followup_summary_for(request.user, timezone.localdate())
    page = CountedWithPagePaginator(participants, FOLLOWUP_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if page.object_list:
        log_access(
            request,
            action=AccessLog.Action.LIST,
            object_type=PARTICIPANT,
            purpose=_("The referral group's follow-up of participants"),
        )
    return render(request, "participants/followup_summary.html", {"page": page})
