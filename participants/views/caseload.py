"""The coach's caseload and the participant page: the person, status, the SE step, the journal,
employments and the aftercare plan, income, insurance, the responsible coach, the municipality
history, the start of the support and the exit.

Thin views over participants.selectors and participants.services: each declares its roles, fetches
through a scoped selector (404 for anyone no grant reaches, and the attempt is logged), parses a
form, calls one service and redirects with a message. Every page that shows a person's data writes
an access-log row.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sehoglandet import access, gate
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors, errors_as_messages
from sehoglandet.models import AccessLog, Role
from sehoglandet.paging import UncountedPaginator

from .. import case, fetch, selectors, services, todo
from ..filters import ParticipantFilter
from ..forms import (
    AssignCoachForm,
    EmploymentForm,
    EndEmploymentForm,
    ExitDetailsForm,
    ExitForm,
    IncomeBeforeForm,
    IncomeForm,
    JournalEntryForm,
    MarkVisitForm,
    StartSupportForm,
    StepChangeForm,
    TimelineFilterForm,
)
from ..models import AftercareVisit, IncomeRecord, Participant

CASELOAD_PAGE_SIZE = 25


def _refused(request, form, error: ValidationError, participant: Participant):
    """A service's refusal: on the form's fields when it names them and the page again, otherwise
    (the participant has exited, say) as a message on the participant page."""
    if hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return None
    errors_as_messages(request, error)
    return _to_detail(participant)


@access.require_roles(Role.COACH, Role.MANAGER)
@require_GET
def participant_list(request):
    """The participants of the user's municipalities, the coach's caseload and the manager's view:
    open ones by status unless the filters say otherwise (closed included, one coach or "mine", by
    name or decision date), 25 a page."""
    municipalities = selectors.list_municipalities_of(request.user)
    filters = ParticipantFilter(
        request.GET,
        queryset=selectors.caseload_of(request.user),
        user=request.user,
        coaches=selectors.coaches_of_municipalities(municipalities),
        coached=[m.pk for m in access.municipalities_coached_by(request.user)],
        open_statuses=selectors.OPEN_STATUSES,
    )
    participants = filters.qs if filters.is_valid() else filters.queryset.none()
    page = UncountedPaginator(participants, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if page.object_list:
        is_coach = bool(access.municipalities_coached_by(request.user))
        log_access(
            request,
            action=AccessLog.Action.LIST,
            object_type=Participant._meta.label_lower,
            purpose=_("The coach's caseload") if is_coach else _("The manager's list of participants"),
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "participants/participant_list.html",
        {"form": filters.form, "page": page, "query": query.urlencode()},
    )


@access.require_roles(Role.COACH, Role.MANAGER)
@require_GET
def participant_detail(request, pk: int):
    """The case page: a header with who, where the case stands and what is due, the buttons that
    open each action's form, the timeline, then the records."""
    participant = fetch.participant(request, pk, may=access.may_open_participant)
    return _render_detail(request, participant)


def _render_detail(request, participant: Participant, *, exit_details_form=None):
    """The case page; `exit_details_form` is a bound form to show again with its errors."""
    user = request.user
    is_coach = access.may_read_journal(user, participant)
    is_open = participant.is_open
    incomes = selectors.incomes_of(participant)
    timeline_form = TimelineFilterForm(request.GET or None)
    kind = timeline_form.cleaned_data["kind"] if timeline_form.is_bound and timeline_form.is_valid() else ""
    today = timezone.localdate()
    context = {
        "participant": participant,
        "is_coach": is_coach,
        "may_write": is_coach and is_open,
        "may_assign": is_open and access.may_assign_coach(user, participant),
        "may_see_changes": access.may_see_changes_of(user, participant),
        "today": today,
        "due": todo.todo_for(user, today, participant=participant) if is_coach else [],
        "step_changes": selectors.step_changes_of(participant),
        "employments": selectors.employments_of(participant),
        "aftercare_plan": selectors.aftercare_plan_of(participant),
        "incomes": incomes,
        "income_before": next((i for i in incomes if i.phase == IncomeRecord.Phase.BEFORE), None),
        "income_after": next((i for i in incomes if i.phase == IncomeRecord.Phase.AFTER), None),
        "municipality_history": selectors.municipality_history_of(participant),
        "pending_transfer": selectors.pending_transfer_of(participant) if is_coach else None,
        "referring_organisation": participant.referral.referring_organisation if participant.referral else None,
        "may_export_extract": is_coach and access.may_export_register_extract(user, participant.person),
        "timeline_form": timeline_form,
        "page": case.timeline_of(participant, with_journal=is_coach, kind=kind, page_number=request.GET.get("page")),
        "query": _query_without_page(request),
    }
    context["next_visit"] = next((v for v in context["aftercare_plan"] if v.is_open), None)
    if is_coach and participant.exit_details_missing:
        context["exit_details_form"] = exit_details_form or ExitDetailsForm()
    purpose = _("Case work in the SE team") if is_coach else _("Manager's review of the case")
    log_access(request, participant, person_id=participant.person_id, purpose=purpose)
    return render(request, "participants/participant_detail.html", context)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@access.require_roles(Role.COACH, Role.AUDITOR)
@require_GET
def participant_changes(request, pk: int):
    """What changed in the participant's record and its parts, who changed it, when and why: for the
    SE team's coaches and the auditor. Looking is logged."""
    participant = gate.fetch(request, case.get_participant_for_changes, Participant, pk, may=access.may_see_changes_of)
    page = case.changes_of(participant, page_number=request.GET.get("page"))
    log_access(
        request,
        participant,
        action=AccessLog.Action.VIEW,
        person_id=participant.person_id,
        purpose=_("Change history of the case"),
    )
    return render(
        request,
        "participants/participant_changes.html",
        {
            "participant": participant,
            "page": page,
            "query": "",
            "is_coach": access.may_read_journal(request.user, participant),
        },
    )


def _to_detail(participant: Participant):
    return redirect("participants:participant_detail", pk=participant.pk)


@dataclass(frozen=True)
class Action:
    """One action of the case page: its own page (GET shows the form, POST saves and goes back to the
    case), or the same form inline, when htmx asks for it."""

    url_name: str
    title: str
    submit: str
    help: str = ""
    danger: bool = False
    keep_draft: bool = False


ACTIONS = {
    "journal": Action(
        "participants:journal_entry_add",
        gettext_lazy("New journal entry"),
        gettext_lazy("Add to the journal"),
        keep_draft=True,
    ),
    "step": Action("participants:step_change", gettext_lazy("Change the step"), gettext_lazy("Change the step")),
    "employment": Action(
        "participants:employment_add",
        gettext_lazy("Register employment"),
        gettext_lazy("Register"),
        help=gettext_lazy("An employment also gets its aftercare plan."),
    ),
    "income": Action(
        "participants:income_add", gettext_lazy("Record a change of income"), gettext_lazy("Record the income")
    ),
    "income_before": Action(
        "participants:income_before_correct",
        gettext_lazy("Correct the income at enrolment"),
        gettext_lazy("Correct the income"),
        help=gettext_lazy(
            "The income at enrolment came from the referral. Correct it when it was wrong there; the earlier "
            "value and your reason are kept in the change history."
        ),
    ),
    "start": Action(
        "participants:support_start",
        gettext_lazy("Start the support"),
        gettext_lazy("Start the support"),
        help=gettext_lazy(
            "The participant is waiting in the queue. Start the support when the municipality has a free place."
        ),
    ),
    "assign": Action(
        "participants:coach_assign",
        gettext_lazy("Change the responsible coach"),
        gettext_lazy("Change the responsible coach"),
    ),
    "exit": Action(
        "participants:participant_exit",
        gettext_lazy("End the participation"),
        gettext_lazy("End the participation"),
        help=gettext_lazy("After the exit the journal, the step, employment and income can no longer be changed."),
        danger=True,
    ),
}


def _action(request, participant: Participant, name: str, form, service, success, *, closed: str = ""):
    """The shape of every action: refuse at once when the participant has exited (`closed` is the
    message); on GET show the form (inline when htmx asks); on POST validate, call
    `service(**cleaned_data)` and go back to the case with `success` (a text, or a function of the
    cleaned data); a refusal goes on the form (the action page again) or into a message."""
    if closed:
        try:
            services.check_open(participant, message=closed)
        except ValidationError as error:
            errors_as_messages(request, error)
            return _to_detail(participant)
    if form.is_bound and form.is_valid():
        try:
            service(**form.cleaned_data)
        except ValidationError as error:
            if response := _refused(request, form, error, participant):
                return response
        else:
            messages.success(request, success(form.cleaned_data) if callable(success) else success)
            return _to_detail(participant)
    log_access(request, participant, person_id=participant.person_id, purpose=_("Case work in the SE team"))
    template = "participants/detail/_action_form.html" if request.htmx else "participants/action.html"
    return render(
        request,
        template,
        {"participant": participant, "form": form, "action": ACTIONS[name], "inline": bool(request.htmx)},
    )


def _bound(request, form_class, **kwargs):
    return form_class(request.POST, **kwargs) if request.method == "POST" else form_class(**kwargs)


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def journal_entry_add(request, pk: int):
    """Write a journal entry: one tap from the top of the case page."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _action(
        request,
        participant,
        "journal",
        _bound(request, JournalEntryForm),
        lambda **data: services.add_journal_entry(actor=request.user, participant=participant, **data),
        _("The journal entry has been added."),
        closed=_("The participant has exited: the journal and the step can no longer be changed."),
    )


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def step_change(request, pk: int):
    """Move the participant to another SE step, with the date of the change."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _action(
        request,
        participant,
        "step",
        _bound(request, StepChangeForm),
        lambda **data: services.change_step(actor=request.user, participant=participant, **data),
        lambda data: _("The participant is now at step %(step)s.") % {"step": Participant.Step(data["step"]).label},
        closed=_("The participant has exited: the journal and the step can no longer be changed."),
    )


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def employment_add(request, pk: int):
    """Register an employment, studies or a placement; an employment also gets its aftercare plan."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)

    def register(**data):
        employment = services.register_employment(actor=request.user, participant=participant, **data)
        registered.append(employment)

    registered = []
    return _action(
        request,
        participant,
        "employment",
        _bound(request, EmploymentForm),
        register,
        lambda data: (
            _("The employment has been registered and the aftercare plan created.")
            if registered and registered[0].starts_aftercare
            else _("The employment has been registered.")
        ),
        closed=services.closed_for_aftercare(),
    )


@access.require_roles(Role.COACH)
@require_POST
def employment_end(request, pk: int):
    """Record the end of an employment; its later aftercare contacts are cancelled."""
    employment = fetch.employment(request, pk, may=access.may_work_on_record_of)
    form = EndEmploymentForm(request.POST)
    if form.is_valid():
        try:
            services.end_employment(actor=request.user, employment=employment, **form.cleaned_data)
        except ValidationError as error:
            errors_as_messages(request, error)
        else:
            messages.success(
                request, _("The employment at %(employer)s has been ended.") % {"employer": employment.employer}
            )
    else:
        errors_as_messages(request, form)
    return _to_detail(employment.participant)


@access.require_roles(Role.COACH)
@require_POST
def aftercare_visit_mark(request, pk: int):
    """Mark one aftercare visit done, missed or moved, from the buttons in the plan."""
    visit = fetch.aftercare_visit(request, pk, may=access.may_work_on_record_of)
    form = MarkVisitForm(request.POST)
    if form.is_valid():
        try:
            services.mark_visit(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            errors_as_messages(request, error)
        else:
            messages.success(
                request,
                _("The aftercare contact on %(date)s is marked: %(status)s.")
                % {
                    "date": visit.due_on.isoformat(),
                    "status": AftercareVisit.Status(form.cleaned_data["status"]).label,
                },
            )
    else:
        errors_as_messages(request, form)
    return _to_detail(visit.participant)


@access.require_roles(Role.COACH)
@require_POST
def aftercare_extend(request, pk: int):
    """Extend the aftercare plan by one phone call a month after its last contact."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    try:
        services.extend_aftercare(actor=request.user, participant=participant, months=1)
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        messages.success(request, _("The aftercare has been extended by one month."))
    return _to_detail(participant)


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def support_start(request, pk: int):
    """Start the support of a participant waiting in the queue; a full municipality is refused."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _action(
        request,
        participant,
        "start",
        _bound(request, StartSupportForm),
        lambda **data: services.start_support(actor=request.user, participant=participant, **data),
        _("The support has started."),
        closed=_("The participant has exited: the support cannot be started."),
    )


@access.require_roles(Role.COACH, Role.MANAGER)
@require_http_methods(["GET", "POST"])
def coach_assign(request, pk: int):
    """The municipality's coach or manager chooses the responsible coach among its coaches."""
    participant = fetch.participant(request, pk, may=access.may_assign_coach)
    return _action(
        request,
        participant,
        "assign",
        _bound(
            request,
            AssignCoachForm,
            coaches=selectors.coaches_of(participant.municipality),
            initial={"coach": participant.responsible_coach_id},
        ),
        lambda **data: services.assign_coach(actor=request.user, participant=participant, **data),
        lambda data: (
            _("%(coach)s is now the responsible coach.")
            % {"coach": data["coach"].get_full_name() or data["coach"].username}
        ),
        closed=_("The participant has exited: the responsible coach can no longer change."),
    )


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def income_add(request, pk: int):
    """Record a change of income during the support, with a review date if the decision ends."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _action(
        request,
        participant,
        "income",
        _bound(request, IncomeForm),
        lambda **data: services.record_income(actor=request.user, participant=participant, **data),
        _("The income has been recorded."),
        closed=_("The participant has exited: the income can no longer be changed."),
    )


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def income_before_correct(request, pk: int):
    """Correct the income at enrolment (which came from the referral), with the reason."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    before = participant.incomes.filter(phase=IncomeRecord.Phase.BEFORE).first()
    return _action(
        request,
        participant,
        "income_before",
        _bound(request, IncomeBeforeForm, initial={"source": before.source if before else ""}),
        lambda **data: services.correct_income_before(actor=request.user, participant=participant, **data),
        _("The income at enrolment has been corrected."),
        closed=_("The participant has exited: the income can no longer be changed."),
    )


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def participant_exit(request, pk: int):
    """The coach ends the participation with date, reason, occupation and income after."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _action(
        request,
        participant,
        "exit",
        _bound(request, ExitForm),
        lambda **data: services.exit_participant(actor=request.user, participant=participant, **data),
        _("The participation has ended."),
        closed=_("The participant has already exited."),
    )


@access.require_roles(Role.COACH)
@require_POST
def exit_complete(request, pk: int):
    """Record occupation and income after an exit the referral group decided (the form is on the
    case page, where the exit is summed up)."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    if not participant.exit_details_missing:
        messages.error(
            request,
            _("The exit details have already been recorded.")
            if participant.occupation_after
            else _("The participant has not exited."),
        )
        return _to_detail(participant)
    form = ExitDetailsForm(request.POST)
    if form.is_valid():
        try:
            services.complete_exit(actor=request.user, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            if response := _refused(request, form, error, participant):
                return response
        else:
            messages.success(request, _("The exit details have been recorded."))
            return _to_detail(participant)
    return _render_detail(request, participant, exit_details_form=form)
