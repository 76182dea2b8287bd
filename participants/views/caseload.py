"""The coach's caseload and the participant page: the person, status, the SE step, the journal,
employments and the aftercare plan, income, insurance, the responsible coach, the municipality
history, the start of the support and the exit.

Thin views over participants.selectors and participants.services: each declares its roles, fetches
through a scoped selector (404 for anyone no grant reaches, and the attempt is logged), parses a
form, calls one service and redirects with a message. Every page that shows a person's data writes
an access-log row.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors, errors_as_messages
from sehoglandet.models import AccessLog, Role

from .. import fetch, selectors, services
from ..filters import ParticipantFilter
from ..forms import (
    AssignCoachForm,
    EmploymentForm,
    EndEmploymentForm,
    ExitDetailsForm,
    ExitForm,
    IncomeForm,
    JournalEntryForm,
    MarkVisitForm,
    StartSupportForm,
    StepChangeForm,
)
from ..models import AftercareVisit, IncomeRecord, Participant

CASELOAD_PAGE_SIZE = 25
JOURNAL_PAGE_SIZE = 20


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
    page = Paginator(participants, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
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
    participant = fetch.participant(request, pk, may=access.may_open_participant)
    return _render_detail(request, participant)


def _render_detail(request, participant: Participant, **forms):
    """The participant page. The SE team's coach sees the journal and may add to it; the manager sees
    the person, status and steps, read-only, and not the coach's notes, but may change the
    responsible coach. `forms` are bound forms to show again with their errors (`journal_form`,
    `step_form`, `employment_form`, `income_form`, `start_form`, `assign_form`, `exit_form`,
    `exit_details_form`)."""
    user = request.user
    is_coach = access.may_read_journal(user, participant)
    is_open = participant.is_open
    incomes = selectors.incomes_of(participant)
    context = {
        "participant": participant,
        "is_coach": is_coach,
        "may_write": is_coach and is_open,
        "step_changes": selectors.step_changes_of(participant),
        "employments": selectors.employments_of(participant),
        "aftercare_plan": selectors.aftercare_plan_of(participant),
        "incomes": incomes,
        "income_after": next((i for i in incomes if i.phase == IncomeRecord.Phase.AFTER), None),
        "municipality_history": selectors.municipality_history_of(participant),
        "pending_transfer": selectors.pending_transfer_of(participant) if is_coach else None,
        "referring_organisation": participant.referral.referring_organisation if participant.referral else None,
        "may_export_extract": is_coach and access.may_export_register_extract(user, participant.person),
    }
    if is_coach:
        journal = selectors.journal_of(participant)
        page = Paginator(journal, JOURNAL_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        context["page"] = page
    if context["may_write"]:
        context["journal_form"] = forms.get("journal_form") or JournalEntryForm()
        context["step_form"] = forms.get("step_form") or StepChangeForm()
        context["employment_form"] = forms.get("employment_form") or EmploymentForm()
        context["income_form"] = forms.get("income_form") or IncomeForm()
        context["exit_form"] = forms.get("exit_form") or ExitForm()
        if participant.status == Participant.Status.QUEUED:
            context["start_form"] = forms.get("start_form") or StartSupportForm()
    if is_open:
        context["assign_form"] = forms.get("assign_form") or AssignCoachForm(
            coaches=selectors.coaches_of(participant.municipality),
            initial={"coach": participant.responsible_coach_id},
        )
    if is_coach and participant.exit_details_missing:
        context["exit_details_form"] = forms.get("exit_details_form") or ExitDetailsForm()
    purpose = _("Case work in the SE team") if is_coach else _("Manager's review of the case")
    log_access(request, participant, person_id=participant.person_id, purpose=purpose)
    return render(request, "participants/participant_detail.html", context)


def _to_detail(participant: Participant):
    return redirect("participants:participant_detail", pk=participant.pk)


@access.require_roles(Role.COACH)
@require_POST
def journal_entry_add(request, pk: int):
    """Add one entry from the short form at the top of the participant page."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    form = JournalEntryForm(request.POST)
    try:
        services.check_open(participant)
    except ValidationError as error:
        return _refused(request, form, error, participant)
    if form.is_valid():
        try:
            services.add_journal_entry(actor=request.user, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            if response := _refused(request, form, error, participant):
                return response
        else:
            messages.success(request, _("The journal entry has been added."))
            return _to_detail(participant)
    return _render_detail(request, participant, journal_form=form)


@access.require_roles(Role.COACH)
@require_POST
def step_change(request, pk: int):
    """Move the participant to another SE step, with the date of the change."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    form = StepChangeForm(request.POST)
    try:
        services.check_open(participant)
    except ValidationError as error:
        return _refused(request, form, error, participant)
    if form.is_valid():
        try:
            services.change_step(actor=request.user, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            if response := _refused(request, form, error, participant):
                return response
        else:
            messages.success(
                request,
                _("The participant is now at step %(step)s.")
                % {"step": Participant.Step(form.cleaned_data["step"]).label},
            )
            return _to_detail(participant)
    return _render_detail(request, participant, step_form=form)


@access.require_roles(Role.COACH)
@require_POST
def employment_add(request, pk: int):
    """Register an employment, studies or a placement; an employment also gets its aftercare plan."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    form = EmploymentForm(request.POST)
    try:
        services.check_open_for_aftercare(participant)
    except ValidationError as error:
        return _refused(request, form, error, participant)
    if form.is_valid():
        try:
            employment = services.register_employment(actor=request.user, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            if response := _refused(request, form, error, participant):
                return response
        else:
            if employment.starts_aftercare:
                messages.success(request, _("The employment has been registered and the aftercare plan created."))
            else:
                messages.success(request, _("The employment has been registered."))
            return _to_detail(participant)
    return _render_detail(request, participant, employment_form=form)


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


def _write(request, participant: Participant, form, form_name: str, service, success, *, closed: str = ""):
    """The shape of the short forms below: refuse at once when the participant has exited (`closed`
    is the message), otherwise validate the form, call `service(**cleaned_data)` and redirect with
    `success` (a text, or a function of the cleaned data); a refusal goes on the form (the page
    again, the form under its `form_name`) or into a message."""
    if closed:
        try:
            services.check_open(participant, message=closed)
        except ValidationError as error:
            return _refused(request, form, error, participant)
    if form.is_valid():
        try:
            service(**form.cleaned_data)
        except ValidationError as error:
            if response := _refused(request, form, error, participant):
                return response
        else:
            messages.success(request, success(form.cleaned_data) if callable(success) else success)
            return _to_detail(participant)
    return _render_detail(request, participant, **{form_name: form})


@access.require_roles(Role.COACH)
@require_POST
def support_start(request, pk: int):
    """Start the support of a participant waiting in the queue; a full municipality is refused."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _write(
        request,
        participant,
        StartSupportForm(request.POST),
        "start_form",
        lambda **data: services.start_support(actor=request.user, participant=participant, **data),
        _("The support has started."),
        closed=_("The participant has exited: the support cannot be started."),
    )


@access.require_roles(Role.COACH, Role.MANAGER)
@require_POST
def coach_assign(request, pk: int):
    """The municipality's coach or manager chooses the responsible coach among its coaches."""
    participant = fetch.participant(request, pk, may=access.may_assign_coach)
    return _write(
        request,
        participant,
        AssignCoachForm(request.POST, coaches=selectors.coaches_of(participant.municipality)),
        "assign_form",
        lambda **data: services.assign_coach(actor=request.user, participant=participant, **data),
        lambda data: (
            _("%(coach)s is now the responsible coach.")
            % {"coach": data["coach"].get_full_name() or data["coach"].username}
        ),
        closed=_("The participant has exited: the responsible coach can no longer change."),
    )


@access.require_roles(Role.COACH)
@require_POST
def income_add(request, pk: int):
    """Record a change of income during the support, with a review date if the decision ends."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _write(
        request,
        participant,
        IncomeForm(request.POST),
        "income_form",
        lambda **data: services.record_income(actor=request.user, participant=participant, **data),
        _("The income has been recorded."),
        closed=_("The participant has exited: the income can no longer be changed."),
    )


@access.require_roles(Role.COACH)
@require_POST
def participant_exit(request, pk: int):
    """The coach ends the participation with date, reason, occupation and income after."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    return _write(
        request,
        participant,
        ExitForm(request.POST),
        "exit_form",
        lambda **data: services.exit_participant(actor=request.user, participant=participant, **data),
        _("The participation has ended."),
        closed=_("The participant has already exited."),
    )


@access.require_roles(Role.COACH)
@require_POST
def exit_complete(request, pk: int):
    """Record occupation and income after an exit the referral group decided."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    if not participant.exit_details_missing:
        messages.error(
            request,
            _("The exit details have already been recorded.")
            if participant.occupation_after
            else _("The participant has not exited."),
        )
        return _to_detail(participant)
    return _write(
        request,
        participant,
        ExitDetailsForm(request.POST),
        "exit_details_form",
        lambda **data: services.complete_exit(actor=request.user, participant=participant, **data),
        _("The exit details have been recorded."),
    )
