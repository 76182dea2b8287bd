"""Persons and enrolments. Every function takes the acting user first and runs in one transaction."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from sehoglandet import access
from sehoglandet.history import track
from sehoglandet.models import Municipality

from .identity import parse_identity_number
from .models import AftercareVisit, Employment, JournalEntry, Participant, Person, StepChange

ACTIVE_STATUSES = [Participant.Status.ACTIVE, Participant.Status.AFTERCARE]


def next_reserve_identity() -> str:
    """A reserve identity for someone without personnummer or samordningsnummer: R-<year>-<serial>."""
    prefix = f"R-{date.today().year}-"
    last = (
        Person.objects.filter(reserve_identity__startswith=prefix)
        .order_by("-reserve_identity")
        .values_list("reserve_identity", flat=True)
        .first()
    )
    return f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:05d}"


@transaction.atomic
def find_or_create_person(*, actor: User, identity_number: str = "", **details) -> tuple[Person, bool]:
    """The person with this personnummer or samordningsnummer, or a new one from `details`.

    An existing person is returned unchanged: whoever refers someone already known learns nothing
    about earlier cases and cannot overwrite what the coach has recorded. Without a number a new
    person with a reserve identity is created; `details` must then hold the date of birth.
    """
    if identity_number:
        parsed = parse_identity_number(identity_number)
        existing = Person.objects.select_for_update().filter(identity_number=parsed.digits).first()
        if existing is not None:
            return existing, False
        person = Person(
            identity_number=parsed.digits,
            identity_kind=(
                Person.IdentityKind.SAMORDNINGSNUMMER
                if parsed.is_coordination_number
                else Person.IdentityKind.PERSONNUMMER
            ),
            birth_date=parsed.birth_date,
            **{key: value for key, value in details.items() if key != "birth_date"},
        )
    else:
        if not details.get("birth_date"):
            raise ValidationError({"birth_date": _("Give the date of birth for a person without a number.")})
        person = Person(identity_kind=Person.IdentityKind.RESERVE, reserve_identity=next_reserve_identity(), **details)
    track(person, actor, _("Person registered"))
    person.full_clean()
    person.save()
    return person, True


def active_count(municipality: Municipality) -> int:
    return Participant.objects.filter(municipality=municipality, status__in=ACTIVE_STATUSES).count()


def capacity_use(municipalities: list[Municipality]) -> dict[int, dict[str, int]]:
    """Active and queued participants per municipality, in one query."""
    rows = (
        Participant.objects.filter(municipality__in=municipalities)
        .values("municipality")
        .annotate(
            active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
            queued=Count("id", filter=Q(status=Participant.Status.QUEUED)),
        )
    )
    use = {m.pk: {"active": 0, "queued": 0} for m in municipalities}
    for row in rows:
        use[row["municipality"]] = {"active": row["active"], "queued": row["queued"]}
    return use


def enrol(*, actor: User, referral, decided_on: date) -> Participant:
    """Enrol the referred person: active when the municipality has room, otherwise in the queue.

    Called by the decision services inside their transaction; locks the municipality row so two
    enrolments at once cannot both take the last place.
    """
    municipality = Municipality.objects.select_for_update().get(pk=referral.municipality_id)
    has_room = active_count(municipality) < municipality.capacity
    participant = Participant(
        person=referral.person,
        municipality=municipality,
        referral=referral,
        status=Participant.Status.ACTIVE if has_room else Participant.Status.QUEUED,
        decided_on=decided_on,
        started_on=decided_on if has_room else None,
        age_at_decision=referral.person.age_on(decided_on),
    )
    track(participant, actor, _("Enrolled by the referral group"))
    participant.full_clean()
    participant.save()
    assign_perm("participants.view_participant", municipality.se_team.group, participant)
    assign_perm("participants.change_participant", municipality.se_team.group, participant)
    first_step = StepChange(participant=participant, step=participant.step, changed_on=decided_on, changed_by=actor)
    track(first_step, actor, _("Enrolled by the referral group"))
    first_step.save()
    return participant


# The SE step and the journal: the coaches of the participant's current municipality only.


def may_work_on(user, participant: Participant) -> bool:
    """A coach of the SE team of the participant's current municipality, holding the team's grant."""
    return access.is_coach_of(user, participant.municipality) and access.has_object_permission(
        user, "participants.change_participant", participant
    )


def _lock_for_case_work(actor: User, participant: Participant, *, closed_message: str = "") -> Participant:
    """The participant's row, locked, once the actor may work on it and it is still open."""
    if not may_work_on(actor, participant):
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
    check_open(participant, message=_closed_for_aftercare())


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
    track(change, actor, _("Step changed"))
    change.full_clean()
    change.save()
    participant.step = step
    track(participant, actor, _("Step changed"))
    participant.save(update_fields=["step"])
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
    track(entry, actor, _("Journal entry added"))
    entry.full_clean()
    entry.save()
    return entry


# Employment and the aftercare plan (efterstöd).

# The aftercare model of seed 003 §8.2, in days from the first day of work: month 1 a workplace
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
    generates the aftercare plan of 003 §8.2 from `starts_on` and moves an active participant to
    aftercare.

    Checks that the actor coaches the participant's current municipality, that the participant has
    started (not queued) and not exited, the kind is one of the list, the employer is named, the
    hours lie between 0 and 80 and the end is not before the start. Nothing is saved when refused.
    """
    participant = _lock_for_case_work(actor, participant, closed_message=_closed_for_aftercare())
    if participant.status == Participant.Status.QUEUED:
        raise ValidationError(_("The participant is still in the queue: start the support before registering work."))
    if kind not in Employment.Kind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
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
    track(employment, actor, _("Employment registered"))
    employment.full_clean()
    employment.save()
    if employment.starts_aftercare:
        for days, visit_kind in AFTERCARE_PLAN:
            _plan_visit(actor, employment, starts_on + timedelta(days=days), visit_kind, _("Aftercare plan generated"))
        if participant.status != Participant.Status.AFTERCARE:
            _move_status(actor, participant, Participant.Status.AFTERCARE, _("Employment started: aftercare"))
    return employment


def _closed_for_aftercare() -> str:
    return _("The participant has exited: employments and aftercare can no longer be changed.")


def _plan_visit(actor: User, employment: Employment, due_on: date, kind: str, reason: str) -> AftercareVisit:
    visit = AftercareVisit(participant=employment.participant, employment=employment, due_on=due_on, kind=kind)
    track(visit, actor, reason)
    visit.save()
    return visit


def _move_status(actor: User, participant: Participant, status: str, reason: str) -> None:
    if status not in Participant.ALLOWED_TRANSITIONS[participant.status]:
        raise ValidationError(_("The participant cannot move to this status."))
    participant.status = status
    track(participant, actor, reason)
    participant.save(update_fields=["status"])


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
    _lock_for_case_work(actor, visit.participant, closed_message=_closed_for_aftercare())
    visit = AftercareVisit.objects.select_for_update().get(pk=visit.pk)
    if not visit.is_open:
        raise ValidationError(_("The visit has already been marked done or missed."))
    update_fields = ["status", "note"]
    if status == AftercareVisit.Status.DONE:
        done_on = done_on or timezone.localdate()
        _check_not_future("done_on", done_on)
        visit.done_on = done_on
        update_fields.append("done_on")
    elif status == AftercareVisit.Status.MOVED:
        if moved_to is None:
            raise ValidationError({"moved_to": _("Give the new date for the visit.")})
        if moved_to < visit.employment.starts_on:
            raise ValidationError({"moved_to": _("The new date cannot be before the employment starts.")})
        visit.due_on = moved_to
        update_fields.append("due_on")
    elif status != AftercareVisit.Status.MISSED:
        raise ValidationError({"status": _("Mark the visit done, missed or moved.")})
    visit.status = status
    visit.note = note.strip()
    track(visit, actor, _("Aftercare visit marked"))
    visit.save(update_fields=update_fields)
    return visit


@transaction.atomic
def extend_aftercare(*, actor: User, participant: Participant, months: int = 1) -> list[AftercareVisit]:
    """Extend the aftercare plan by a phone call a month after its last contact, for `months` months.

    Checks that the actor coaches the participant's current municipality, that the participant has
    not exited, has an aftercare plan, and that `months` is between 1 and 6.
    """
    participant = _lock_for_case_work(actor, participant, closed_message=_closed_for_aftercare())
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ValidationError({"months": _("Extend by one to six months.")})
    last = participant.aftercare_visits.select_related("employment").order_by("-due_on", "-id").first()
    if last is None:
        raise ValidationError(_("The participant has no aftercare plan to extend."))
    return [
        _plan_visit(
            actor,
            last.employment,
            last.due_on + timedelta(days=EXTENSION_INTERVAL_DAYS * month),
            AftercareVisit.Kind.PHONE,
            _("Aftercare extended"),
        )
        for month in range(1, months + 1)
    ]
