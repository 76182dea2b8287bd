"""Persons and enrolments. Every function takes the acting user first and runs in one transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals import grants as referral_grants
from referrals.models import ExitReason, IncomeSource, Referral
from sehoglandet import access, events, notifications
from sehoglandet.history import track
from sehoglandet.models import Municipality, Person

from . import selectors
from .events import ParticipantEvent
from .models import (
    AftercareVisit,
    Employment,
    IncomeRecord,
    JournalEntry,
    MunicipalityPeriod,
    Occupation,
    Participant,
    ReminderDelivery,
    StepChange,
    Transfer,
)
from .record_names import participant_case


def enrol(*, actor: User, referral, decided_on: date) -> Participant:
    """Enrol the referred person: active when the municipality has room, otherwise in the queue.

    Called by the decision services inside their transaction; locks the municipality row so two
    enrolments at once cannot both take the last place.
    """
    municipality = Municipality.objects.select_for_update().get(pk=referral.municipality_id)
    _take_details_from(referral, actor)
    has_room = selectors.active_count(municipality) < municipality.capacity
    participant = Participant(
        person=referral.person,
        municipality=municipality,
        referral=referral,
        status=Participant.Status.ACTIVE if has_room else Participant.Status.QUEUED,
        decided_on=decided_on,
        started_on=decided_on if has_room else None,
        age_at_decision=referral.person.age_on(decided_on),
    )
    track(participant, actor, ParticipantEvent.ENROLLED)
    participant.full_clean()
    participant.save()
    _grant_team(municipality, participant)
    period = MunicipalityPeriod(participant=participant, municipality=municipality, moved_in_on=decided_on)
    track(period, actor, ParticipantEvent.ENROLLED)
    period.save()
    income = IncomeRecord(
        participant=participant,
        phase=IncomeRecord.Phase.BEFORE,
        source=referral.income_source,
        valid_from=decided_on,
        recorded_by=actor,
    )
    track(income, actor, ParticipantEvent.ENROLLED)
    income.save()
    first_step = StepChange(participant=participant, step=participant.step, changed_on=decided_on, changed_by=actor)
    track(first_step, actor, ParticipantEvent.ENROLLED)
    first_step.save()
    _event(actor, ParticipantEvent.ENROLLED, participant, status=participant.status, municipality=municipality.pk)
    return participant


def _take_details_from(referral, actor: User) -> None:
    """At enrolment the registry's row takes the person's details from the referral that enrolled
    them: the latest the person gave, and the ones the team has worked with. A protected identity
    is never dropped this way (docs/domain.md#identity-lookup)."""
    person = Person.objects.select_for_update().get(pk=referral.person_id)
    changed = []
    for name in Referral.PERSON_FIELDS:
        if name == "protected_identity":
            continue
        field = Person._meta.get_field(Referral.person_field(name)).attname
        value = getattr(referral, Referral._meta.get_field(name).attname)
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if referral.protected_identity and not person.protected_identity:
        person.protected_identity = True
        changed.append("protected_identity")
    if changed:
        track(person, actor, ParticipantEvent.ENROLLED)
        person.save(update_fields=changed)
    referral.person = person


PARTICIPANT_PERMISSIONS = ("participants.view_participant", "participants.change_participant")


def _event(actor: User, code: str, record, *, participant: Participant | None = None, **payload) -> None:
    """The case event of `record`, about the participant's person (`record` itself by default)."""
    participant = participant or record
    events.record(actor=actor, code=code, record=record, person=participant.person_id, payload=payload)


def _team_grants(municipality: Municipality) -> set[tuple[int, str]]:
    return {(municipality.se_team.group_id, perm) for perm in PARTICIPANT_PERMISSIONS}


def _grant_team(municipality: Municipality, participant: Participant) -> None:
    access.add_grants(participant, groups=_team_grants(municipality))


def _revoke_team(municipality: Municipality, participant: Participant) -> None:
    access.remove_grants(participant, groups=_team_grants(municipality))


# The SE step and the journal: the coaches of the participant's current municipality only.


def _lock_for_case_work(actor: User, participant: Participant, *, closed_message: str = "") -> Participant:
    """The participant's row, locked, once the actor may work on it and it is still open."""
    if not access.may_work_on_participant(actor, participant):
        raise PermissionDenied
    locked = Participant.objects.select_for_update().select_related("municipality").get(pk=participant.pk)
    check_open(locked, message=closed_message)
    return locked


def check_open(participant: Participant, *, message: str = "") -> None:
    """The journal and the step are read-only once the participant has exited."""
    if participant.status == Participant.Status.EXITED:
        raise ValidationError(
            message or _("The participant has exited: the journal and the step can no longer be changed.")
        )


def check_open_for_aftercare(participant: Participant) -> None:
    """Employments and the aftercare plan are read-only once the participant has exited."""
    check_open(participant, message=closed_for_aftercare())


def _check_not_future(field: str, day: date) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def change_step(*, actor: User, participant: Participant, step: int, changed_on: date) -> StepChange:
    """Move the participant to another SE step from `changed_on`, keeping the date of the change.

    Checks that the actor coaches the participant's current municipality, that the participant has
    not exited, that the step is one of the five and differs from the current one, and that the date
    lies between the enrolment decision and today. The caller owns the message to the user.
    """
    participant = _lock_for_case_work(actor, participant)
    if step not in Participant.Step.values:
        raise ValidationError({"step": _("Choose one of the five steps.")})
    if step == participant.step:
        raise ValidationError({"step": _("The participant is already at this step.")})
    _check_not_future("changed_on", changed_on)
    if changed_on < participant.decided_on:
        raise ValidationError({"changed_on": _("The date cannot be before the decision on enrolment.")})
    change = StepChange(participant=participant, step=step, changed_on=changed_on, changed_by=actor)
    track(change, actor, ParticipantEvent.STEP_CHANGED)
    change.full_clean()
    change.save()
    before = participant.step
    participant.step = step
    track(participant, actor, ParticipantEvent.STEP_CHANGED)
    participant.save(update_fields=["step"])
    _event(actor, ParticipantEvent.STEP_CHANGED, participant, **{"from": before, "to": step, "on": changed_on})
    return change


@transaction.atomic
def add_journal_entry(*, actor: User, participant: Participant, date: date, kind: str, text: str) -> JournalEntry:
    """Add a dated note or contact to the participant's journal.

    Checks that the actor coaches the participant's current municipality, that the participant has
    not exited (the journal is read-only after exit), that the date is not in the future, the kind
    is one of the list and the text is not empty.
    """
    participant = _lock_for_case_work(actor, participant)
    _check_not_future("date", date)
    if kind not in JournalEntry.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of contact from the list.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what happened.")})
    entry = JournalEntry(participant=participant, date=date, kind=kind, text=text, author=actor)
    track(entry, actor, ParticipantEvent.JOURNAL_ENTRY_ADDED)
    entry.full_clean()
    entry.save()
    _event(actor, ParticipantEvent.JOURNAL_ENTRY_ADDED, entry, participant=participant, kind=kind, date=date)
    return entry


# Employment and the aftercare plan (efterstöd).

# The aftercare model (docs/domain.md#aftercare), in days from the first day of work: month 1 a workplace
# visit every week, month 2 two visits, month 3 one visit, months 4-6 a phone call a month.
AFTERCARE_PLAN: tuple[tuple[int, str], ...] = (
    (7, AftercareVisit.Kind.VISIT),
    (14, AftercareVisit.Kind.VISIT),
    (21, AftercareVisit.Kind.VISIT),
    (28, AftercareVisit.Kind.VISIT),
    (38, AftercareVisit.Kind.VISIT),
    (52, AftercareVisit.Kind.VISIT),
    (75, AftercareVisit.Kind.VISIT),
    (105, AftercareVisit.Kind.PHONE),
    (135, AftercareVisit.Kind.PHONE),
    (165, AftercareVisit.Kind.PHONE),
)
# An extension adds a phone call a month after the last contact of the plan.
EXTENSION_INTERVAL_DAYS = 30
MAX_EXTENSION_MONTHS = 6
# The last start from which the plan still has dates (9999-12-31 is the last there is).
LATEST_EMPLOYMENT_START = date.max - timedelta(days=AFTERCARE_PLAN[-1][0])


@transaction.atomic
def register_employment(
    *,
    actor: User,
    participant: Participant,
    employer: str,
    kind: str,
    starts_on: date,
    ends_on: date | None = None,
    hours_per_week: Decimal,
) -> Employment:
    """Register a job, studies or a placement; an employment (with or without wage subsidy) also
    generates the aftercare plan (docs/domain.md#aftercare) from `starts_on` and moves an active participant to
    aftercare.

    Checks that the actor coaches the participant's current municipality, that the participant has
    started (not queued) and not exited, the kind is one of the list, the employer is named, the
    hours lie between 0 and 80, the start leaves room for the aftercare plan's dates and the end is
    not before the start. Nothing is saved when refused.
    """
    participant = _lock_for_case_work(actor, participant, closed_message=closed_for_aftercare())
    if participant.status == Participant.Status.QUEUED:
        raise ValidationError(_("The participant is still in the queue: start the support before registering work."))
    if kind not in Employment.Kind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    if starts_on > LATEST_EMPLOYMENT_START:
        raise ValidationError({"starts_on": _("The date lies too far in the future.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The employment cannot end before it starts.")})
    employment = Employment(
        participant=participant,
        employer=employer.strip(),
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_week=hours_per_week,
        created_by=actor,
    )
    track(employment, actor, ParticipantEvent.EMPLOYMENT_REGISTERED)
    employment.full_clean()
    employment.save()
    _event(
        actor,
        ParticipantEvent.EMPLOYMENT_REGISTERED,
        employment,
        participant=participant,
        kind=kind,
        starts_on=starts_on,
    )
    if employment.starts_aftercare:
        for days, visit_kind in AFTERCARE_PLAN:
            _plan_visit(actor, employment, starts_on + timedelta(days=days), visit_kind)
        if participant.status != Participant.Status.AFTERCARE:
            _move_status(actor, participant, Participant.Status.AFTERCARE, ParticipantEvent.AFTERCARE_STARTED)
    return employment


@transaction.atomic
def end_employment(*, actor: User, employment: Employment, ends_on: date) -> Employment:
    """Record that an employment, studies or a placement ended on `ends_on`.

    The aftercare contacts of that employment planned after the end are cancelled; when it was the
    participant's last running employment in aftercare, the participant is active again (back to
    finding work). Checks that the actor coaches the participant's current municipality, the
    participant has not exited, the employment has no end yet, and the end lies between its start
    and today."""
    participant = _lock_for_case_work(actor, employment.participant, closed_message=closed_for_aftercare())
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    if employment.ends_on is not None and employment.ends_on <= timezone.localdate():
        raise ValidationError(_("The employment has already ended."))
    if ends_on < employment.starts_on:
        raise ValidationError({"ends_on": _("The employment cannot end before it starts.")})
    _check_not_future("ends_on", ends_on)
    employment.ends_on = ends_on
    track(employment, actor, ParticipantEvent.EMPLOYMENT_ENDED)
    employment.save(update_fields=["ends_on"])
    _event(actor, ParticipantEvent.EMPLOYMENT_ENDED, employment, participant=participant, ends_on=ends_on)
    for visit in employment.aftercare_visits.filter(status__in=AftercareVisit.OPEN_STATUSES, due_on__gt=ends_on):
        events.transition(
            visit,
            AftercareVisit.Status.CANCELLED,
            actor=actor,
            code=ParticipantEvent.VISIT_CANCELLED,
            person=participant.person_id,
        )
    still_working = participant.employments.filter(
        kind__in=Employment.AFTERCARE_KINDS, starts_on__lte=timezone.localdate()
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=timezone.localdate()))
    if participant.status == Participant.Status.AFTERCARE and not still_working.exists():
        _move_status(actor, participant, Participant.Status.ACTIVE, ParticipantEvent.BACK_TO_FINDING_WORK)
    return employment


def closed_for_aftercare() -> str:
    return _("The participant has exited: employments and aftercare can no longer be changed.")


def _plan_visit(
    actor: User, employment: Employment, due_on: date, kind: str, code: str = ParticipantEvent.EMPLOYMENT_REGISTERED
) -> AftercareVisit:
    """One contact of the aftercare plan; its history names the action that planned it."""
    visit = AftercareVisit(participant=employment.participant, employment=employment, due_on=due_on, kind=kind)
    track(visit, actor, code)
    visit.save()
    return visit


def _move_status(actor: User, participant: Participant, status: str, code: str, **fields) -> None:
    events.transition(participant, status, actor=actor, code=code, person=participant.person_id, **fields)


@transaction.atomic
def mark_visit(
    *,
    actor: User,
    visit: AftercareVisit,
    status: str,
    done_on: date | None = None,
    moved_to: date | None = None,
    note: str = "",
) -> AftercareVisit:
    """Mark an aftercare visit done (on `done_on`, today if not given), missed, or moved to `moved_to`.

    Checks that the actor coaches the participant's current municipality, that the participant has
    not exited, that the visit is still planned (or moved) and the status is done, missed or moved;
    a done date may not lie in the future and a move needs a new date. Moving changes the due date;
    the history keeps the old one.
    """
    participant = _lock_for_case_work(actor, visit.participant, closed_message=closed_for_aftercare())
    visit = AftercareVisit.objects.select_for_update().select_related("employment").get(pk=visit.pk)
    if not visit.is_open:
        raise ValidationError(_("The visit has already been marked done or missed."))
    fields = {"note": note.strip()}
    if status == AftercareVisit.Status.DONE:
        done_on = done_on or timezone.localdate()
        _check_not_future("done_on", done_on)
        fields["done_on"] = done_on
    elif status == AftercareVisit.Status.MOVED:
        if moved_to is None:
            raise ValidationError({"moved_to": _("Give the new date for the visit.")})
        if moved_to < visit.employment.starts_on:
            raise ValidationError({"moved_to": _("The new date cannot be before the employment starts.")})
        fields["due_on"] = moved_to
    elif status != AftercareVisit.Status.MISSED:
        raise ValidationError({"status": _("Mark the visit done, missed or moved.")})
    events.transition(
        visit,
        status,
        actor=actor,
        code=ParticipantEvent.VISIT_MARKED,
        person=participant.person_id,
        payload={key: value for key, value in fields.items() if key != "note"},
        **fields,
    )
    return visit


@transaction.atomic
def extend_aftercare(*, actor: User, participant: Participant, months: int = 1) -> list[AftercareVisit]:
    """Extend the aftercare plan by a phone call a month after its last contact, for `months` months.

    Checks that the actor coaches the participant's current municipality, that the participant has
    not exited, has an aftercare plan, that `months` is between 1 and 6, and that the new contacts
    have dates (a contact moved to 9999-12-31 leaves none after it).
    """
    participant = _lock_for_case_work(actor, participant, closed_message=closed_for_aftercare())
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ValidationError({"months": _("Extend by one to six months.")})
    last = participant.aftercare_visits.select_related("employment").order_by("-due_on", "-id").first()
    if last is None:
        raise ValidationError(_("The participant has no aftercare plan to extend."))
    if last.due_on > date.max - timedelta(days=EXTENSION_INTERVAL_DAYS * months):
        raise ValidationError(_("The date lies too far in the future."))
    visits = [
        _plan_visit(
            actor,
            last.employment,
            last.due_on + timedelta(days=EXTENSION_INTERVAL_DAYS * month),
            AftercareVisit.Kind.PHONE,
            ParticipantEvent.AFTERCARE_EXTENDED,
        )
        for month in range(1, months + 1)
    ]
    _event(actor, ParticipantEvent.AFTERCARE_EXTENDED, participant, months=months)
    return visits


# Starting the support and the responsible coach.


def _check_free_place(municipality: Municipality) -> None:
    """Refuse when the municipality's places (20 per full-time coach post) are all taken; the caller
    has locked the municipality row."""
    if selectors.active_count(municipality) >= municipality.capacity:
        raise ValidationError(
            _("%(municipality)s has no free place: all %(capacity)s places are taken.")
            % {"municipality": municipality.name, "capacity": municipality.capacity}
        )


@transaction.atomic
def start_support(*, actor: User, participant: Participant, started_on: date) -> Participant:
    """Start the support for a participant waiting in the queue, with the actor as responsible coach
    unless one is set. Checks that the actor coaches the municipality, that the participant is
    queued, that the start lies between the decision and today, and that the municipality has a
    free place (20 per full-time coach post)."""
    participant = _lock_for_case_work(actor, participant)
    if participant.status != Participant.Status.QUEUED:
        raise ValidationError(_("Only a participant in the queue can be started."))
    _check_not_future("started_on", started_on)
    if started_on < participant.decided_on:
        raise ValidationError({"started_on": _("The start cannot be before the decision on enrolment.")})
    _check_free_place(Municipality.objects.select_for_update().get(pk=participant.municipality_id))
    _move_status(
        actor,
        participant,
        Participant.Status.ACTIVE,
        ParticipantEvent.SUPPORT_STARTED,
        started_on=started_on,
        responsible_coach=participant.responsible_coach or actor,
    )
    return participant


@transaction.atomic
def assign_coach(*, actor: User, participant: Participant, coach: User) -> Participant:
    """Make `coach` the participant's responsible coach. The actor is a coach or the manager of the
    participant's municipality; `coach` must be one of its coaches."""
    if not access.may_assign_coach(actor, participant):
        raise PermissionDenied
    participant = Participant.objects.select_for_update().select_related("municipality").get(pk=participant.pk)
    check_open(participant, message=_("The participant has exited: the responsible coach can no longer change."))
    if not access.is_coach_of(coach, participant.municipality):
        raise ValidationError({"coach": _("Choose one of the municipality's coaches.")})
    participant.responsible_coach = coach
    track(participant, actor, ParticipantEvent.COACH_ASSIGNED)
    participant.save(update_fields=["responsible_coach"])
    _event(actor, ParticipantEvent.COACH_ASSIGNED, participant, coach=coach.pk)
    return participant


# Income (försörjning) during the support.


@transaction.atomic
def record_income(
    *, actor: User, participant: Participant, source: str, valid_from: date, review_on: date | None = None
) -> IncomeRecord:
    """Record a change of income during the support, with the date it is to be reviewed if any.
    Checks that the actor coaches the municipality, the participant is open, the source is one of
    the list, the start lies between the decision and today and the review is not before the start."""
    participant = _lock_for_case_work(actor, participant)
    if source not in IncomeSource.values:
        raise ValidationError({"source": _("Choose an income from the list.")})
    _check_not_future("valid_from", valid_from)
    if valid_from < participant.decided_on:
        raise ValidationError({"valid_from": _("The date cannot be before the decision on enrolment.")})
    if review_on is not None and review_on < valid_from:
        raise ValidationError({"review_on": _("The review date cannot be before the income starts.")})
    income = IncomeRecord(
        participant=participant,
        phase=IncomeRecord.Phase.DURING,
        source=source,
        valid_from=valid_from,
        review_on=review_on,
        recorded_by=actor,
    )
    track(income, actor, ParticipantEvent.INCOME_RECORDED)
    income.full_clean()
    income.save()
    _event(actor, ParticipantEvent.INCOME_RECORDED, income, participant=participant, source=source)
    return income


@transaction.atomic
def correct_income_before(*, actor: User, participant: Participant, source: str, reason: str) -> IncomeRecord:
    """Correct the income at enrolment, which came from the referral, giving the reason. The history
    keeps the earlier value, who changed it and why.

    Checks that the actor coaches the municipality, the participant is open, the source is one of
    the list and differs from the recorded one, and a reason is given."""
    participant = _lock_for_case_work(
        actor, participant, closed_message=_("The participant has exited: the income can no longer be changed.")
    )
    errors = {}
    if source not in IncomeSource.values:
        errors["source"] = _("Choose an income from the list.")
    if not reason.strip():
        errors["reason"] = _("Write why the income is corrected.")
    if errors:
        raise ValidationError(errors)
    income = (
        IncomeRecord.objects.select_for_update()
        .filter(participant=participant, phase=IncomeRecord.Phase.BEFORE)
        .first()
    )
    if income is None:
        income = IncomeRecord(
            participant=participant,
            phase=IncomeRecord.Phase.BEFORE,
            valid_from=participant.decided_on,
            recorded_by=actor,
        )
    elif income.source == source:
        raise ValidationError({"source": _("That is already the income at enrolment.")})
    previous = income.source
    income.source = source
    income.correction_reason = reason.strip()
    track(income, actor, ParticipantEvent.INCOME_BEFORE_CORRECTED)
    income.full_clean()
    income.save()
    _event(
        actor,
        ParticipantEvent.INCOME_BEFORE_CORRECTED,
        income,
        participant=participant,
        source=source,
        previous=previous,
    )
    return income


# Exit.


def _check_exit_values(exited_on: date, decided_on: date, reason: str) -> None:
    errors = {}
    if reason not in ExitReason.values:
        errors["reason"] = _("Choose a reason from the list.")
    if exited_on > timezone.localdate():
        errors["exited_on"] = _("The date cannot be in the future.")
    elif exited_on < decided_on:
        errors["exited_on"] = _("The exit date cannot be before the decision on enrolment.")
    if errors:
        raise ValidationError(errors)


def _check_after_values(occupation_after: str, income_after: str) -> None:
    errors = {}
    if occupation_after not in Occupation.values:
        errors["occupation_after"] = _("Choose what the participant does after the exit.")
    if income_after not in IncomeSource.values:
        errors["income_after"] = _("Choose the income after the exit.")
    if errors:
        raise ValidationError(errors)


def _record_income_after(actor: User, participant: Participant, income_after: str, code: str, exited_on: date) -> None:
    income = IncomeRecord(
        participant=participant,
        phase=IncomeRecord.Phase.AFTER,
        source=income_after,
        valid_from=exited_on,
        recorded_by=actor,
    )
    track(income, actor, code)
    income.save()


def _close(actor: User, participant: Participant, code: str, *, exited_on: date, reason: str, **fields) -> None:
    """Exit the participant (the transition writes the event) and call off a waiting transfer."""
    _move_status(
        actor,
        participant,
        Participant.Status.EXITED,
        code,
        payload={"reason": reason, "exited_on": exited_on},
        clean=True,
        exited_on=exited_on,
        exit_reason=reason,
        **fields,
    )
    for transfer in participant.transfers.filter(status=Transfer.Status.PENDING).select_for_update():
        _end_transfer(actor, transfer, Transfer.Status.CANCELLED, ParticipantEvent.TRANSFER_CANCELLED_BY_EXIT)


@transaction.atomic
def exit_participant(
    *,
    actor: User,
    participant: Participant,
    exited_on: date,
    reason: str,
    occupation_after: str,
    income_after: str,
    note: str = "",
) -> Participant:
    """The coach ends the participation, with the reason recorded (docs/domain.md#exit-reasons).

    Checks that the actor coaches the municipality, the participant has not exited, the reason,
    occupation and income after are from their lists and the date lies between the decision on
    enrolment and today. A pending transfer is cancelled. The journal is read-only afterwards."""
    participant = _lock_for_case_work(actor, participant, closed_message=_("The participant has already exited."))
    _check_exit_values(exited_on, participant.decided_on, reason)
    _check_after_values(occupation_after, income_after)
    # The income first: the exit's event is the last write, so what follows it (the statistics,
    # docs/domain.md#statistical-record) sees the whole exit.
    _record_income_after(actor, participant, income_after, ParticipantEvent.EXITED, exited_on)
    _close(
        actor,
        participant,
        ParticipantEvent.EXITED,
        exited_on=exited_on,
        reason=reason,
        exit_note=note.strip(),
        occupation_after=occupation_after,
    )
    return participant


def exit_by_decision(*, actor: User, participant: Participant, decision, exited_on: date) -> Participant:
    """The referral group decided the exit (called by the decision services, in their transaction,
    after their own permission check). Occupation and income after are left to the coach."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == Participant.Status.EXITED:
        raise ValidationError({"outcome": _("Only an enrolled participant can be exited.")})
    _check_exit_values(max(exited_on, participant.decided_on), participant.decided_on, decision.exit_reason)
    _close(
        actor,
        participant,
        ParticipantEvent.EXITED_BY_DECISION,
        exited_on=max(exited_on, participant.decided_on),
        reason=decision.exit_reason,
        exit_decision=decision,
    )
    return participant


@transaction.atomic
def complete_exit(*, actor: User, participant: Participant, occupation_after: str, income_after: str) -> Participant:
    """Record occupation and income after an exit the referral group decided. Checks that the actor
    coaches the municipality, that the participant has exited and the details are still missing."""
    if not access.may_work_on_participant(actor, participant):
        raise PermissionDenied
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not participant.exit_details_missing:
        raise ValidationError(_("The exit details have already been recorded."))
    _check_after_values(occupation_after, income_after)
    participant.occupation_after = occupation_after
    track(participant, actor, ParticipantEvent.EXIT_COMPLETED)
    participant.save(update_fields=["occupation_after"])
    _record_income_after(actor, participant, income_after, ParticipantEvent.EXIT_COMPLETED, participant.exited_on)
    _event(actor, ParticipantEvent.EXIT_COMPLETED, participant, occupation_after=occupation_after)
    return participant


# SUS, the national follow-up system (docs/domain.md#sus): the coach registers and de-registers by hand.


@transaction.atomic
def mark_sus(*, actor: User, participant: Participant, registered: bool, on: date) -> Participant:
    """Record that the coach registered (`registered`) or de-registered the participant in SUS on `on`.
    Registration needs a started participant, de-registration an exit and an earlier registration."""
    if not access.may_work_on_participant(actor, participant):
        raise PermissionDenied
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _check_not_future("on", on)
    if registered:
        if participant.sus_registered_on is not None:
            raise ValidationError(_("The participant is already registered in SUS."))
        if participant.started_on is None:
            raise ValidationError(_("Register in SUS when the support has started."))
        if on < participant.decided_on:
            raise ValidationError({"on": _("The date cannot be before the decision on enrolment.")})
        participant.sus_registered_on = on
        field, code = "sus_registered_on", ParticipantEvent.SUS_REGISTERED
    else:
        if participant.sus_deregistered_on is not None:
            raise ValidationError(_("The participant is already de-registered in SUS."))
        if participant.sus_registered_on is None or participant.exited_on is None:
            raise ValidationError(_("Only an exited participant who is registered in SUS can be de-registered."))
        if on < participant.exited_on:
            raise ValidationError({"on": _("The date cannot be before the exit.")})
        participant.sus_deregistered_on = on
        field, code = "sus_deregistered_on", ParticipantEvent.SUS_DEREGISTERED
    track(participant, actor, code)
    participant.save(update_fields=[field])
    _event(actor, code, participant, on=on)
    return participant


@dataclass(frozen=True)
class SusOutcome:
    """What marking several participants in SUS did: who was marked, and why the others were not."""

    marked: list[Participant]
    refused: list[tuple[Participant, str]]


@transaction.atomic
def mark_sus_registered_many(*, actor: User, participants: list[Participant], on: date) -> SusOutcome:
    """Record that the coach registered each of `participants` in SUS on `on`, in one transaction.

    Each row is checked as `mark_sus` checks it; a row already registered, not started, not the
    actor's to work on, or with a date before its decision is left as it is and named in `refused`
    with the reason, while the others are marked. A date in the future refuses them all."""
    _check_not_future("on", on)
    marked, refused = [], []
    for participant in participants:
        if not access.may_work_on_participant(actor, participant):
            refused.append((participant, _("You do not work on this participant.")))
            continue
        try:  # mark_sus is atomic itself: a refused row rolls back to its own savepoint.
            marked.append(mark_sus(actor=actor, participant=participant, registered=True, on=on))
        except ValidationError as error:
            refused.append((participant, " ".join(error.messages)))
    return SusOutcome(marked=marked, refused=refused)


# Transfers between municipalities (docs/domain.md#transfers).


@transaction.atomic
def start_transfer(
    *,
    actor: User,
    participant: Participant,
    to_municipality: Municipality,
    note: str = "",
    meeting_at=None,
    meeting_place: str = "",
) -> Transfer:
    """The handing-over coach starts a transfer to another municipality. The participant joins the
    end of the receiving municipality's transfer queue; the handing-over coach stays responsible.

    Checks that the actor coaches the participant's municipality, the participant has not exited,
    the municipality differs, no transfer is waiting and a consent in force covers informing the
    receiving SE team. A meeting booked at the start cannot be in the past."""
    participant = _lock_for_case_work(
        actor, participant, closed_message=_("The participant has exited and cannot be transferred.")
    )
    if to_municipality.pk == participant.municipality_id:
        raise ValidationError({"to_municipality": _("The participant already belongs to this municipality.")})
    if to_municipality.se_team is None:
        raise ValidationError({"to_municipality": _("The municipality has no SE team to receive the participant.")})
    if participant.transfers.filter(status=Transfer.Status.PENDING).exists():
        raise ValidationError(_("The participant already has a transfer waiting."))
    if selectors.transfer_consent_missing(participant, to_municipality):
        raise ValidationError(
            _(
                "There is no consent in force to inform %(team)s. Record the participant's consent to the "
                "transfer first."
            )
            % {"team": to_municipality.se_team.name}
        )
    if meeting_at is not None and meeting_at < timezone.now():
        raise ValidationError({"meeting_at": _("The meeting cannot be in the past.")})
    last = (
        Transfer.objects.select_for_update()
        .filter(to_municipality=to_municipality, status=Transfer.Status.PENDING)
        .order_by("-queue_position")
        .values_list("queue_position", flat=True)
        .first()
    )
    transfer = Transfer(
        participant=participant,
        from_municipality=participant.municipality,
        to_municipality=to_municipality,
        note=note.strip(),
        meeting_at=meeting_at,
        meeting_place=meeting_place.strip(),
        queue_position=(last or 0) + 1,
        requested_by=actor,
    )
    track(transfer, actor, ParticipantEvent.TRANSFER_STARTED)
    transfer.full_clean()
    transfer.save()
    _event(actor, ParticipantEvent.TRANSFER_STARTED, transfer, participant=participant, to=to_municipality.pk)
    _notify_receiving_team(transfer)
    return transfer


def _notify_receiving_team(transfer: Transfer) -> None:
    """The receiving municipality's coaches learn that a transfer waits in their queue: the case reference
    and a link, after commit."""
    names = {
        "case": participant_case(transfer.participant),
        "from": transfer.from_municipality.name,
        "to": transfer.to_municipality.name,
    }
    notifications.send_after_commit(
        notifications.coach_addresses(transfer.to_municipality),
        _("A transfer from %(from)s waits for the SE team of %(to)s") % names,
        _(
            "%(from)s wants to transfer a participant (%(case)s) to %(to)s. The transfer waits in your transfer "
            "queue (you sign in first):\n\n%(url)s\n\nThis e-mail holds no personal data."
        )
        % (names | {"url": notifications.link(reverse("participants:transfer_list"))}),
    )


def _lock_transfer(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("participant", "from_municipality__se_team", "to_municipality__se_team")
        .get(pk=transfer.pk)
    )


def _check_pending(transfer: Transfer) -> None:
    if transfer.status == Transfer.Status.ACCEPTED:
        raise ValidationError(_("The transfer has already been accepted."))
    if transfer.status != Transfer.Status.PENDING:
        raise ValidationError(_("The transfer has been cancelled."))


@transaction.atomic
def book_transfer_meeting(*, actor: User, transfer: Transfer, meeting_at, meeting_place: str = "") -> Transfer:
    """Book the meeting with the participant, the handing-over and the receiving coach. Either
    coach may book it while the transfer waits; the meeting cannot be in the past."""
    transfer = _lock_transfer(transfer)
    if not access.may_take_part_in_transfer(actor, transfer):
        raise PermissionDenied
    _check_pending(transfer)
    if meeting_at is None:
        raise ValidationError({"meeting_at": _("Give the date and time of the meeting.")})
    if meeting_at < timezone.now():
        raise ValidationError({"meeting_at": _("The meeting cannot be in the past.")})
    transfer.meeting_at = meeting_at
    transfer.meeting_place = meeting_place.strip()
    track(transfer, actor, ParticipantEvent.TRANSFER_MEETING_BOOKED)
    transfer.save(update_fields=["meeting_at", "meeting_place"])
    _event(actor, ParticipantEvent.TRANSFER_MEETING_BOOKED, transfer, participant=transfer.participant, at=meeting_at)
    return transfer


@transaction.atomic
def move_in_transfer_queue(*, actor: User, transfer: Transfer, up: bool) -> Transfer:
    """The receiving coach moves a waiting transfer one place up or down in the transfer queue."""
    transfer = _lock_transfer(transfer)
    if not access.may_receive_transfer(actor, transfer):
        raise PermissionDenied
    _check_pending(transfer)
    queue = Transfer.objects.select_for_update().filter(
        to_municipality=transfer.to_municipality, status=Transfer.Status.PENDING
    )
    neighbour = (
        queue.filter(queue_position__lt=transfer.queue_position).order_by("-queue_position").first()
        if up
        else queue.filter(queue_position__gt=transfer.queue_position).order_by("queue_position").first()
    )
    if neighbour is None:
        raise ValidationError(
            _("The transfer is already first in the queue.") if up else _("The transfer is already last in the queue.")
        )
    transfer.queue_position, neighbour.queue_position = neighbour.queue_position, transfer.queue_position
    for moved in (transfer, neighbour):
        track(moved, actor, ParticipantEvent.TRANSFER_QUEUE_REORDERED)
        moved.save(update_fields=["queue_position"])
    _event(
        actor,
        ParticipantEvent.TRANSFER_QUEUE_REORDERED,
        transfer,
        participant=transfer.participant,
        position=transfer.queue_position,
    )
    return transfer


def _end_transfer(actor: User, transfer: Transfer, status: str, code: str) -> None:
    events.transition(
        transfer,
        status,
        actor=actor,
        code=code,
        person=transfer.participant.person_id,
        payload={"from_municipality": transfer.from_municipality_id, "to_municipality": transfer.to_municipality_id},
        decided_by=actor,
        decided_at=timezone.now(),
    )


@transaction.atomic
def accept_transfer(*, actor: User, transfer: Transfer) -> Participant:
    """The receiving coach accepts: in one transaction the participant moves to the receiving
    municipality with the actor as responsible coach, the receiving SE team gets access and the
    handing-over team loses it (it sees no new entries), the referral's grants follow the case to the
    receiving municipality's referral group, and the municipality history gets a new period from today.

    Checks that the actor coaches the receiving municipality, the transfer still waits (accepting
    twice is refused) and an active participant finds a free place there."""
    transfer = _lock_transfer(transfer)
    if not access.may_receive_transfer(actor, transfer):
        raise PermissionDenied
    _check_pending(transfer)
    participant = Participant.objects.select_for_update().get(pk=transfer.participant_id)
    check_open(participant, message=_("The participant has exited and cannot be transferred."))
    receiving = Municipality.objects.select_for_update().get(pk=transfer.to_municipality_id)
    if participant.status != Participant.Status.QUEUED:
        _check_free_place(receiving)
    today = timezone.localdate()
    why = ParticipantEvent.TRANSFER_ACCEPTED
    current = MunicipalityPeriod.objects.select_for_update().get(participant=participant, moved_out_on__isnull=True)
    current.moved_out_on = max(today, current.moved_in_on)
    track(current, actor, why)
    current.save(update_fields=["moved_out_on"])
    period = MunicipalityPeriod(participant=participant, municipality=receiving, moved_in_on=current.moved_out_on)
    track(period, actor, why)
    period.save()
    _revoke_team(transfer.from_municipality, participant)
    _grant_team(receiving, participant)
    participant.municipality = receiving
    participant.responsible_coach = actor
    track(participant, actor, why)
    participant.save(update_fields=["municipality", "responsible_coach"])
    if participant.referral is not None:
        # The case now comes before the receiving municipality's referral group (docs/domain.md#group-of-the-case).
        referral_grants.sync_referral_access(participant.referral)
    person = participant.person
    if person.municipality_id != receiving.pk:
        person.municipality = receiving
        track(person, actor, why)
        person.save(update_fields=["municipality"])
    _end_transfer(actor, transfer, Transfer.Status.ACCEPTED, why)
    return participant


@transaction.atomic
def cancel_transfer(*, actor: User, transfer: Transfer) -> Transfer:
    """The handing-over coach withdraws a waiting transfer, or the receiving coach declines it."""
    transfer = _lock_transfer(transfer)
    if not access.may_take_part_in_transfer(actor, transfer):
        raise PermissionDenied
    _check_pending(transfer)
    _end_transfer(actor, transfer, Transfer.Status.CANCELLED, ParticipantEvent.TRANSFER_CANCELLED)
    return transfer


def send_reminder(*, actor: User, coach: User, day: date, items: int, send: Callable[[], object]) -> bool:
    """Send a coach their reminder for `day` unless they already got it; False when they had.

    The delivery row and the e-mail succeed or fail together: the row is written first, inside the
    transaction, and a failed `send` rolls it back, so a rerun tries again. Two runs at once cannot
    both send: the second one's insert waits for the first and then meets the unique constraint.
    """
    delivery = ReminderDelivery(coach=coach, day=day, items=items)
    track(delivery, actor, ParticipantEvent.REMINDER_SENT)
    try:
        with transaction.atomic():
            delivery.save()
            events.record(actor=actor, code=ParticipantEvent.REMINDER_SENT, record=delivery, payload={"items": items})
            send()
    except IntegrityError:
        return False
    return True


def follow_person_correction(event) -> None:
    """A corrected personnummer may bring another birth date: the age at each enrolment's decision,
    which the queue and the reports read, follows it (docs/domain.md#rights-of-the-registered).
    Subscribed to CoreEvent.PERSON_CORRECTED; runs in the correction's transaction."""
    if "birth_date" not in event.payload.get("fields", []):
        return
    person = Person.objects.get(pk=event.person_id)
    for participant in Participant.objects.select_for_update().filter(person=person).order_by("pk"):
        age = person.age_on(participant.decided_on)
        if participant.age_at_decision != age:
            participant.age_at_decision = age
            track(participant, event.actor, event.code)
            participant.save(update_fields=["age_at_decision"])
