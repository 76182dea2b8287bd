"""Referrals from draft to decision, the coach's pre-meeting, remittentgrupp meetings and decisions.

Every function takes the acting user first, checks sehoglandet.access, checks the transition
against the model's ALLOWED_TRANSITIONS, writes history with a reason, and keeps record access in
step through referrals.grants, all in one transaction. E-mail leaves only after commit.
"""

import calendar
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from participants import services as participant_services  # the handover: docs/architecture.md#layers
from sehoglandet import access, dates, events, notifications
from sehoglandet.history import track
from sehoglandet.models import Municipality, Organisation, Person, ReferralGroup

from . import deidentified, grants, selectors
from .events import ReferralEvent
from .models import (
    MIN_ACTIVE_PARTIES,
    AgencyDecision,
    AgendaItem,
    Attendance,
    Consultation,
    Decision,
    ItemResponse,
    Meeting,
    PreMeeting,
    Referral,
)


class AlreadyDecided(Exception):
    """Someone else recorded a decision on the item first."""

    def __init__(self, decision: Decision):
        super().__init__("already decided")
        self.decision = decision


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _transition(referral: Referral, new_status: str, actor: User, code: str, **fields) -> None:
    events.transition(referral, new_status, actor=actor, code=code, person=referral.person_id, **fields)


def _event(actor: User, code: str, record, *, person=None, **payload) -> None:
    events.record(actor=actor, code=code, record=record, person=person, payload=payload)


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("municipality__se_team", "person")
        .get(pk=referral.pk)
    )


def _next_reference(year: int) -> str:
    """SE-<year>-NNNN, numbered within the year (the longest, then highest, reference is the last)."""
    prefix = f"SE-{year}-"
    last = (
        Referral.objects.filter(reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


# Referral


class DraftExists(Exception):
    """The writer already has a draft for this person: a second "Ny remiss" (a double submit, a
    second tab) continues that draft instead of starting another."""

    def __init__(self, referral: Referral):
        super().__init__("draft exists")
        self.referral = referral


def person_as_registered(person: Person) -> dict:
    """A referral's person fields from the registry's row, for writers that type nothing themselves
    (imports, demo data)."""
    return {name: getattr(person, Referral.person_field(name)) for name in Referral.PERSON_FIELDS}


@transaction.atomic
def create_referral(
    *,
    actor: User,
    person: Person,
    municipality: Municipality,
    referring_organisation: Organisation,
    active_at: list[Organisation],
    income_source: str,
    motivation: str,
    question: str,
    grounds: dict[str, bool],
    referrer: User | None = None,
    as_written: dict | None = None,
) -> Referral:
    """A draft referral written by a referrer, or by a coach for a referrer (`referrer`).

    `as_written` is the person as the writer described them (Referral.PERSON_FIELDS); the referral
    shows that, never the registry's row (docs/domain.md#identity-lookup). The referrer gets a user
    grant on it at once; the municipality's SE team when it is submitted. Raises DraftExists when
    the writer already has a draft for the person; the person's row is locked first, so two posts at
    once cannot both start one.
    """
    referrer = referrer or actor
    _check(
        access.may_write_referral(
            actor, municipality=municipality, referring_organisation=referring_organisation, referrer=referrer
        )
    )
    if not any(grounds.values()):
        raise ValidationError(_("Choose at least one target-group ground."))
    person = Person.objects.select_for_update().get(pk=person.pk)
    draft = Referral.objects.filter(person=person, written_by=actor, status=Referral.Status.DRAFT).first()
    if draft is not None:
        raise DraftExists(draft)
    as_written = as_written if as_written is not None else person_as_registered(person)
    for attempt in range(3):
        referral = Referral(
            reference=_next_reference(timezone.localdate().year),
            person=person,
            municipality=municipality,
            referring_organisation=referring_organisation,
            referrer=referrer,
            written_by=actor,
            income_source=income_source,
            motivation=motivation,
            question=question,
            **grounds,
            **{name: as_written[name] for name in Referral.PERSON_FIELDS},
        )
        track(referral, actor, ReferralEvent.WRITTEN)
        referral.full_clean(exclude=["reference"])
        try:
            with transaction.atomic():
                referral.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
    referral.active_at.set(active_at)
    grants.grant_referrer(referral)
    _event(actor, ReferralEvent.WRITTEN, referral, person=person, municipality=municipality.pk)
    return referral


@transaction.atomic
def update_referral(*, actor: User, referral: Referral, active_at: list[Organisation], **fields) -> Referral:
    """Change what the referral says, while the policy allows the actor to edit it."""
    referral = _lock(referral)
    _check(access.may_edit_referral(actor, referral))
    grounds = {name: fields.get(name, getattr(referral, name)) for name in Referral.GROUND_FIELDS}
    if not any(grounds.values()):
        raise ValidationError(_("Choose at least one target-group ground."))
    for name, value in fields.items():
        setattr(referral, name, value)
    track(referral, actor, ReferralEvent.CHANGED)
    referral.full_clean()
    referral.save(update_fields=list(fields))
    referral.active_at.set(active_at)
    _event(actor, ReferralEvent.CHANGED, referral, person=referral.person_id)
    return referral


@transaction.atomic
def add_agency_decision(
    *, actor: User, referral: Referral, organisation: Organisation, reference: str, decided_on: date, valid_until=None
) -> AgencyDecision:
    """Record the reference of an individual decision on insats that AF, FK or the municipality made."""
    referral = _lock(referral)
    _check(access.may_add_agency_decision(actor, referral))
    decision = AgencyDecision(
        referral=referral,
        organisation=organisation,
        reference=reference,
        decided_on=decided_on,
        valid_until=valid_until,
    )
    if organisation.kind not in (
        Organisation.Kind.EMPLOYMENT_SERVICE,
        Organisation.Kind.SOCIAL_INSURANCE,
        Organisation.Kind.MUNICIPALITY,
    ):
        raise ValidationError({"organisation": _("Only AF, FK or the municipality decide on insats.")})
    track(decision, actor, ReferralEvent.AGENCY_DECISION_ADDED)
    decision.full_clean()
    decision.save()
    _event(
        actor,
        ReferralEvent.AGENCY_DECISION_ADDED,
        referral,
        person=referral.person_id,
        agency_decision=decision.pk,
        organisation=organisation.pk,
    )
    return decision


@transaction.atomic
def submit_referral(*, actor: User, referral: Referral) -> Referral:
    """Send a draft to the municipality's SE team. Needs a ground and consent in force covering the
    referring organisation and the SE team; the team gets access in the same transaction."""
    referral = _lock(referral)
    _check(access.may_edit_referral(actor, referral))
    problems = selectors.submission_problems(referral)
    if problems:
        raise ValidationError(problems)
    _transition(referral, Referral.Status.SUBMITTED, actor, ReferralEvent.SUBMITTED, submitted_at=timezone.now())
    grants.sync_referral_access(referral)
    _notify_team_of_referral(referral)
    return referral


def _notify_team_of_referral(referral: Referral) -> None:
    """The municipality's coaches learn that a referral arrived: its reference and a link, after commit."""
    names = {"reference": referral.reference, "municipality": referral.municipality.name}
    notifications.send_after_commit(
        notifications.coach_addresses(referral.municipality),
        _("New referral %(reference)s for the SE team of %(municipality)s") % names,
        _(
            "A referral has been submitted to the SE team of %(municipality)s: %(reference)s. Read it here "
            "(you sign in first):\n\n%(url)s\n\nThis e-mail holds no personal data."
        )
        % (names | {"url": notifications.link(reverse("referrals:referral_detail", args=[referral.pk]))}),
    )


@transaction.atomic
def withdraw_referral(*, actor: User, referral: Referral) -> Referral:
    """The referrer or the coach withdraws a referral that has not been decided."""
    referral = _lock(referral)
    _check(access.may_withdraw_referral(actor, referral))
    _transition(referral, Referral.Status.WITHDRAWN, actor, ReferralEvent.WITHDRAWN)
    grants.sync_referral_access(referral)
    return referral


# Pre-meeting


@transaction.atomic
def book_pre_meeting(*, actor: User, referral: Referral, booked_for: datetime) -> PreMeeting:
    """The coach books the intake meeting with the person."""
    referral = _lock(referral)
    _check(access.may_hold_pre_meeting(actor, referral))
    pre_meeting = PreMeeting(referral=referral, booked_for=booked_for, coach=actor)
    track(pre_meeting, actor, ReferralEvent.PRE_MEETING_BOOKED)
    pre_meeting.full_clean()
    pre_meeting.save()
    if referral.status != Referral.Status.PRE_MEETING_BOOKED:
        _transition(referral, Referral.Status.PRE_MEETING_BOOKED, actor, ReferralEvent.PRE_MEETING_BOOKED)
    else:
        _event(actor, ReferralEvent.PRE_MEETING_BOOKED, referral, person=referral.person_id)
    return pre_meeting


PRE_MEETING_NEXT_STATUS = {
    PreMeeting.Outcome.MEETS: Referral.Status.READY,
    PreMeeting.Outcome.DOES_NOT_MEET: Referral.Status.READY,
    PreMeeting.Outcome.NEEDS_PREPARATION: Referral.Status.SUBMITTED,
}


@transaction.atomic
def record_pre_meeting(*, actor: User, pre_meeting: PreMeeting, held_on: date, outcome: str, **fields) -> PreMeeting:
    """Record the held pre-meeting: the checklist, notes and outcome. A referral that meets (or does
    not meet) the criteria goes to the group; one that needs more preparation waits for a new booking."""
    pre_meeting = PreMeeting.objects.select_for_update().get(pk=pre_meeting.pk)
    referral = _lock(pre_meeting.referral)
    _check(access.may_hold_pre_meeting(actor, referral))
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A pre-meeting cannot be recorded as held in the future.")})
    if outcome == PreMeeting.Outcome.DOES_NOT_MEET and not fields.get("outcome_reason", "").strip():
        raise ValidationError({"outcome_reason": _("Say why the criteria are not met.")})
    pre_meeting.held_on = held_on
    pre_meeting.outcome = outcome
    for name, value in fields.items():
        setattr(pre_meeting, name, value)
    track(pre_meeting, actor, ReferralEvent.PRE_MEETING_RECORDED)
    pre_meeting.full_clean()
    pre_meeting.save()
    next_status = PRE_MEETING_NEXT_STATUS[outcome]
    if referral.status != next_status:
        _transition(referral, next_status, actor, ReferralEvent.PRE_MEETING_RECORDED, payload={"outcome": outcome})
    else:
        _event(actor, ReferralEvent.PRE_MEETING_RECORDED, referral, person=referral.person_id, outcome=outcome)
    return pre_meeting


HOLD_NOW_FROM = (Referral.Status.SUBMITTED, Referral.Status.SENT_BACK)


@transaction.atomic
def hold_pre_meeting_now(
    *, actor: User, referral: Referral, outcome: str, meeting: Meeting | None = None, **fields
) -> PreMeeting:
    """The coach holds the pre-meeting on the spot: booked for now, held today and recorded in one
    step (docs/domain.md#pre-meeting-on-the-spot). A referral that meets (or does not meet) the
    criteria is ready for the group and, when `meeting` is given, goes on that meeting's agenda in
    the same transaction; anything refused leaves nothing saved. A referral that needs more
    preparation keeps its status and waits for a new pre-meeting.

    Checks that the actor coaches the referral's municipality and that the referral is submitted or
    was sent back (one with a booked pre-meeting has that one recorded instead)."""
    referral = _lock(referral)
    _check(access.may_hold_pre_meeting(actor, referral))
    if referral.status not in HOLD_NOW_FROM:
        raise ValidationError(
            _("A pre-meeting is held now only for a submitted referral or one sent back; record the booked one.")
        )
    if outcome == PreMeeting.Outcome.DOES_NOT_MEET and not fields.get("outcome_reason", "").strip():
        raise ValidationError({"outcome_reason": _("Say why the criteria are not met.")})
    next_status = PRE_MEETING_NEXT_STATUS[outcome]
    if meeting is not None and next_status != Referral.Status.READY:
        raise ValidationError({"meeting": _("A referral that needs more preparation cannot go on an agenda yet.")})
    code = ReferralEvent.PRE_MEETING_HELD_NOW
    pre_meeting = PreMeeting(
        referral=referral, booked_for=timezone.now(), held_on=timezone.localdate(), coach=actor, outcome=outcome
    )
    for name, value in fields.items():
        setattr(pre_meeting, name, value)
    track(pre_meeting, actor, code)
    pre_meeting.full_clean()
    pre_meeting.save()
    if next_status == Referral.Status.READY:
        _transition(referral, next_status, actor, code, payload={"outcome": outcome})
    else:
        _event(actor, code, referral, person=referral.person_id, outcome=outcome)
    if meeting is not None:
        kind = selectors.default_agenda_kind(referral)
        try:
            add_agenda_item(actor=actor, meeting=meeting, referral=referral, kind=kind)
        except ValidationError as error:
            raise ValidationError({"meeting": error.messages}) from error
    return pre_meeting


# Meetings


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
    return days[min(nth, len(days)) - 1]


@transaction.atomic
def create_meetings_for_year(
    *,
    actor: User,
    referral_group: ReferralGroup,
    year: int,
    weekday: int,
    nth: int,
    starts: time,
    location: str = "",
    deadline_days: int = 7,
) -> list[Meeting]:
    """Create the year's monthly meetings in one go (e.g. the second Tuesday at 13.00). Past dates
    and dates that already have a meeting are skipped."""
    _check(access.may_run_meetings(actor, referral_group))
    now = timezone.now()
    created = []
    for month in range(1, 13):
        day = _nth_weekday(year, month, weekday, nth)
        starts_at = timezone.make_aware(datetime.combine(day, starts))
        if starts_at <= now or Meeting.objects.filter(referral_group=referral_group, starts_at=starts_at).exists():
            continue
        meeting = Meeting(
            referral_group=referral_group,
            starts_at=starts_at,
            location=location,
            item_deadline=day - timedelta(days=deadline_days),
        )
        track(meeting, actor, ReferralEvent.MEETING_PLANNED)
        meeting.save()
        _event(actor, ReferralEvent.MEETING_PLANNED, meeting)
        created.append(meeting)
    return created


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The day as a half-open range of local midnights."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# As far ahead as the year's plan reaches (meeting_forms.PLAN_YEARS_AHEAD).
EXTRA_MEETING_YEARS_AHEAD = 2


@transaction.atomic
def create_extra_meeting(
    *, actor: User, referral_group: ReferralGroup, day: date, starts: time, location: str = ""
) -> Meeting:
    """One meeting of the group besides the year's plan (docs/domain.md#extra-meeting). Items can be
    added until it starts (its last day for items is its own day); as at any meeting, the agenda is
    published before it starts and decisions are recorded from its day on.

    Refused when the time has passed, the day lies beyond the years the plan reaches, or the day
    already has a meeting of the group that is not cancelled. The group's row is locked, so two
    coaches cannot both create one for the same day."""
    _check(access.may_run_meetings(actor, referral_group))
    referral_group = ReferralGroup.objects.select_for_update().get(pk=referral_group.pk)
    starts_at = timezone.make_aware(datetime.combine(day, starts))
    if day < timezone.localdate():
        raise ValidationError({"day": _("The date has passed; choose today or a later day.")})
    if day.year > timezone.localdate().year + EXTRA_MEETING_YEARS_AHEAD:
        raise ValidationError({"day": _("Plan at most %(years)d years ahead.") % {"years": EXTRA_MEETING_YEARS_AHEAD}})
    if starts_at <= timezone.now():
        raise ValidationError({"starts": _("The time has passed; choose a later time.")})
    same_day = (
        Meeting.objects.filter(referral_group=referral_group, starts_at__range=_day_bounds(day))
        .exclude(status=Meeting.Status.CANCELLED)
        .first()
    )
    if same_day is not None:
        raise ValidationError(
            {
                "day": _("The group already has a meeting on %(date)s, at %(time)s; add the items to that one.")
                % {"date": dates.long_date(day), "time": timezone.localtime(same_day.starts_at).strftime("%H:%M")}
            }
        )
    meeting = Meeting(referral_group=referral_group, starts_at=starts_at, location=location, item_deadline=day)
    track(meeting, actor, ReferralEvent.EXTRA_MEETING_PLANNED)
    meeting.full_clean()
    meeting.save()
    _event(actor, ReferralEvent.EXTRA_MEETING_PLANNED, meeting, referral_group=referral_group.pk)
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("referral_group__municipality")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def add_agenda_item(*, actor: User, meeting: Meeting, referral: Referral, kind: str) -> AgendaItem:
    """Put a referral (or an enrolled participant's case) on a coming meeting's agenda. Members of
    organisations the consent covers get to see the item; the others see only that consent is missing."""
    meeting = _lock_meeting(meeting)
    referral = _lock(referral)
    _check(access.may_run_meetings(actor, meeting.referral_group))
    problems = selectors.agenda_problems(referral, meeting)
    if problems:
        raise ValidationError(problems)
    if AgendaItem.objects.filter(meeting=meeting, referral=referral).exists():
        raise ValidationError(_("The case is already on this meeting's agenda."))
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem(meeting=meeting, referral=referral, kind=kind, position=position, added_by=actor)
    track(item, actor, ReferralEvent.ITEM_ADDED)
    item.full_clean()
    item.save()
    grants.sync_referral_access(referral)
    _event(actor, ReferralEvent.ITEM_ADDED, item, person=referral.person_id, meeting=meeting.pk, kind=kind)
    return item


def _meeting_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("referrals:meeting_detail", args=[meeting.pk])


@transaction.atomic
def publish_agenda(*, actor: User, meeting: Meeting) -> Meeting:
    """Publish the agenda to the group's members and e-mail each of them a link (no personal data)."""
    meeting = _lock_meeting(meeting)
    _check(access.may_run_meetings(actor, meeting.referral_group))
    if Meeting.Status.PUBLISHED not in Meeting.ALLOWED_TRANSITIONS[meeting.status]:
        raise ValidationError(_("The agenda has already been published."))
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("The meeting has already taken place."))
    events.transition(
        meeting, Meeting.Status.PUBLISHED, actor=actor, code=ReferralEvent.AGENDA_PUBLISHED, published_at=timezone.now()
    )
    recipients = selectors.agenda_mail_recipients(meeting)
    subject = _("Agenda published: referral group %(municipality)s, %(date)s") % {
        "municipality": meeting.referral_group.municipality.name,
        "date": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d"),
    }
    body = _(
        "The agenda for the referral group's meeting is published. Read it, and mark the cases that are "
        "active with your organisation, here:\n\n%(url)s\n"
    ) % {"url": _meeting_url(meeting)}
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return meeting


@transaction.atomic
def respond_to_item(*, actor: User, item: AgendaItem, active: str, note: str = "") -> ItemResponse:
    """A member marks whether the person is active with their organisation and adds what is relevant.
    Allowed only for seats whose organisation the person's consent covers."""
    item = AgendaItem.objects.select_related("meeting__referral_group", "referral").get(pk=item.pk)
    _check(access.may_respond_to_item(actor, item))
    seats = access.seats_of(actor, item.meeting.referral_group)
    if item.meeting.status != Meeting.Status.PUBLISHED or item.meeting.starts_at <= timezone.now():
        raise ValidationError(_("Responses can be given only while the agenda is published and before the meeting."))
    organisation = seats[0].organisation
    response = ItemResponse.objects.select_for_update().filter(item=item, organisation=organisation).first()
    if response is None:
        response = ItemResponse(item=item, organisation=organisation)
    response.responded_by = actor
    response.active = active
    response.note = note
    track(response, actor, ReferralEvent.MEMBER_RESPONDED)
    response.full_clean()
    response.save()
    _event(
        actor,
        ReferralEvent.MEMBER_RESPONDED,
        item,
        person=item.referral.person_id,
        organisation=organisation.pk,
        active=active,
    )
    return response


@transaction.atomic
def record_attendance(*, actor: User, meeting: Meeting, present: dict[int, str]) -> list[Attendance]:
    """Who attended, per seat: `present` maps seat id to the attendee's name (absent seats omitted)."""
    meeting = _lock_meeting(meeting)
    _check(access.may_run_meetings(actor, meeting.referral_group))
    rows = []
    for seat in meeting.referral_group.seats.all():
        row = Attendance.objects.filter(meeting=meeting, seat=seat).first() or Attendance(meeting=meeting, seat=seat)
        row.present = seat.pk in present
        row.attendee = present.get(seat.pk, "")
        track(row, actor, ReferralEvent.ATTENDANCE_RECORDED)
        row.save()
        rows.append(row)
    _event(actor, ReferralEvent.ATTENDANCE_RECORDED, meeting, present=sorted(present))
    return rows


# Decisions

DECISION_FIELDS = ["recommendation", "grounds", "informs_person", "exit_reason", "follow_up_on"]


def _validate_outcome(item: AgendaItem, outcome: str, fields: dict) -> None:
    errors = {}
    if outcome == Decision.Outcome.DECLINE:
        if not fields.get("recommendation", "").strip():
            errors["recommendation"] = _("Give the group's recommendation.")
        if not fields.get("grounds", "").strip():
            errors["grounds"] = _("Give the grounds for declining.")
        if not fields.get("informs_person", "").strip():
            errors["informs_person"] = _("Say who informs the person.")
    if outcome == Decision.Outcome.EXIT and not fields.get("exit_reason"):
        errors["exit_reason"] = _("Choose the reason for the exit.")
    if outcome == Decision.Outcome.FOLLOW_UP and not fields.get("follow_up_on"):
        errors["follow_up_on"] = _("Give the date of the follow-up meeting.")
    participant = getattr(item.referral, "participant", None)
    if outcome == Decision.Outcome.ENROL and participant is not None:
        errors["outcome"] = _("The person is already enrolled from this referral.")
    if outcome == Decision.Outcome.ENROL and len(item.referral.active_at.all()) < MIN_ACTIVE_PARTIES:
        errors["outcome"] = _("Enrolment needs the person to be active at two or more parties.")
    if outcome in (Decision.Outcome.ENROL, Decision.Outcome.DECLINE, Decision.Outcome.SEND_BACK) and (
        item.referral.status not in (Referral.Status.READY, Referral.Status.SENT_BACK)
    ):
        errors["outcome"] = _("Only a referral that is ready for the group can be enrolled, declined or sent back.")
    if outcome == Decision.Outcome.EXIT and (participant is None or not participant.is_open):
        errors["outcome"] = _("Only an enrolled participant can be exited.")
    if errors:
        raise ValidationError(errors)


def _apply(actor: User, item: AgendaItem, decision: Decision, decided_on: date) -> None:
    """Carry out a final decision taken on `decided_on`: the meeting's day for the group, the day
    the manager decided for an escalated question."""
    referral = _lock(item.referral)
    outcome = decision.outcome
    if outcome == Decision.Outcome.ENROL:
        _transition(referral, Referral.Status.ENROLLED, actor, ReferralEvent.ENROLLED, decided_at=timezone.now())
        participant_services.enrol(actor=actor, referral=referral, decided_on=decided_on)
    elif outcome == Decision.Outcome.DECLINE:
        _transition(referral, Referral.Status.DECLINED, actor, ReferralEvent.DECLINED, decided_at=timezone.now())
    elif outcome == Decision.Outcome.SEND_BACK and referral.status != Referral.Status.SENT_BACK:
        _transition(referral, Referral.Status.SENT_BACK, actor, ReferralEvent.SENT_BACK, decided_at=timezone.now())
    elif outcome == Decision.Outcome.EXIT:
        participant_services.exit_by_decision(
            actor=actor, participant=referral.participant, decision=decision, exited_on=decided_on
        )


@transaction.atomic
def record_decision(
    *, actor: User, item: AgendaItem, group_agreed: bool, outcome: str = "", disagreement: str = "", **fields
) -> Decision:
    """Record the group's decision on one item. When the group could not agree, the question goes
    to the coach's manager (status escalated) and nothing else changes yet.

    Two people recording at once: the item row is locked, so the second waits and then gets
    AlreadyDecided carrying the decision that won."""
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__referral_group__municipality")
        .get(pk=item.pk)
    )
    _check(access.may_run_meetings(actor, item.meeting.referral_group))
    existing = Decision.objects.filter(item=item).first()
    if existing is not None:
        raise AlreadyDecided(existing)
    if timezone.localdate(item.meeting.starts_at) > timezone.localdate():
        raise ValidationError(_("Decisions are recorded at or after the meeting."))
    if group_agreed:
        if not outcome:
            raise ValidationError({"outcome": _("Choose the decision.")})
        _validate_outcome(item, outcome, fields)
    elif not disagreement.strip():
        raise ValidationError({"disagreement": _("Describe what the group could not agree on.")})
    decision = Decision(
        item=item,
        group_agreed=group_agreed,
        status=Decision.Status.FINAL if group_agreed else Decision.Status.ESCALATED,
        outcome=outcome if group_agreed else "",
        disagreement=disagreement,
        recorded_by=actor,
        **{name: fields.get(name) or ("" if name != "follow_up_on" else None) for name in DECISION_FIELDS},
    )
    code = ReferralEvent.DECISION_RECORDED if group_agreed else ReferralEvent.DECISION_ESCALATED
    track(decision, actor, code)
    decision.save()
    _event(actor, code, decision, person=item.referral.person_id, outcome=decision.outcome, meeting=item.meeting_id)
    if group_agreed:
        _apply(actor, item, decision, timezone.localdate(item.meeting.starts_at))
    else:
        _notify_manager_of_escalation(decision, item)
    return decision


def _notify_manager_of_escalation(decision: Decision, item: AgendaItem) -> None:
    """The coach's manager learns that a question waits for their decision: the case reference and a link."""
    municipality = item.meeting.referral_group.municipality
    names = {"reference": item.referral.reference, "municipality": municipality.name}
    notifications.send_after_commit(
        notifications.manager_addresses(municipality),
        _("A question for you to decide: %(reference)s, referral group %(municipality)s") % names,
        _(
            "The referral group of %(municipality)s could not agree on %(reference)s, so the question goes to "
            "you. Decide it here (you sign in first):\n\n%(url)s\n\nThis e-mail holds no personal data."
        )
        % (names | {"url": notifications.link(reverse("referrals:escalation_decide", args=[decision.pk]))}),
    )


@transaction.atomic
def decide_escalated(*, actor: User, decision: Decision, outcome: str, **fields) -> Decision:
    """The coach's manager decides a question the group could not agree on; recorded as theirs."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("item__meeting__referral_group__municipality", "item__referral")
        .get(pk=decision.pk)
    )
    _check(access.may_decide_escalation(actor, decision))
    if decision.status != Decision.Status.ESCALATED:
        raise AlreadyDecided(decision)
    if not outcome:
        raise ValidationError({"outcome": _("Choose the decision.")})
    _validate_outcome(decision.item, outcome, fields)
    events.transition(
        decision,
        Decision.Status.FINAL,
        actor=actor,
        code=ReferralEvent.DECIDED_BY_MANAGER,
        person=decision.item.referral.person_id,
        payload={"outcome": outcome},
        outcome=outcome,
        decided_by_manager=actor,
        manager_decided_at=timezone.now(),
        **{name: fields.get(name) or ("" if name != "follow_up_on" else None) for name in DECISION_FIELDS},
    )
    _apply(actor, decision.item, decision, timezone.localdate())
    return decision


@transaction.atomic
def close_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    """Mark the meeting held once it has taken place."""
    meeting = _lock_meeting(meeting)
    _check(access.may_run_meetings(actor, meeting.referral_group))
    if Meeting.Status.HELD not in Meeting.ALLOWED_TRANSITIONS[meeting.status]:
        raise ValidationError(_("Only a meeting with a published agenda can be marked as held."))
    if timezone.localdate(meeting.starts_at) > timezone.localdate():
        raise ValidationError(_("The meeting has not taken place yet."))
    events.transition(meeting, Meeting.Status.HELD, actor=actor, code=ReferralEvent.MEETING_HELD)
    return meeting


# Consultations (docs/domain.md#consultations)


def _refuse_identifying(field: str, text: str) -> None:
    problems = deidentified.identifying_details(
        text, allowed=deidentified.allowed_words(selectors.names_allowed_in_consultations())
    )
    if problems:
        raise ValidationError({field: problems})


@transaction.atomic
def raise_consultation(
    *, actor: User, meeting: Meeting, kind: str, question: str, asking_organisation: Organisation | None = None
) -> Consultation:
    """A member or the convening coach puts a consultation question on a coming meeting's agenda.

    Internal: asked by the actor's own organisation (their seat's, or the SE team). External: asked
    on behalf of someone outside the group, named only as `asking_organisation`, and announced by
    the last day to add items. Refused unless the question is de-identified (referrals.deidentified).
    The group's seats and the SE team get to read it. No person is attached, ever."""
    meeting = _lock_meeting(meeting)
    _check(access.may_raise_consultation(actor, meeting))
    problems = selectors.consultation_problems(meeting, kind)
    if problems:
        raise ValidationError(problems)
    if kind == Consultation.Kind.EXTERNAL:
        if asking_organisation is None:
            raise ValidationError({"asking_organisation": _("Choose the organisation of the person asking.")})
    else:
        seats = access.seats_of(actor, meeting.referral_group)
        asking_organisation = seats[0].organisation if seats else meeting.referral_group.municipality.se_team
    question = question.strip()
    _refuse_identifying("question", question)
    number = (meeting.consultations.aggregate(last=Max("number"))["last"] or 0) + 1
    consultation = Consultation(
        meeting=meeting,
        number=number,
        kind=kind,
        asking_organisation=asking_organisation,
        question=question,
        raised_by=actor,
    )
    track(consultation, actor, ReferralEvent.CONSULTATION_RAISED)
    consultation.full_clean()
    consultation.save()
    grants.grant_consultation(consultation)
    _event(actor, ReferralEvent.CONSULTATION_RAISED, consultation, meeting=meeting.pk, kind=kind)
    return consultation


def _lock_consultation(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("meeting__referral_group__municipality")
        .get(pk=consultation.pk)
    )


@transaction.atomic
def answer_consultation(*, actor: User, consultation: Consultation, answer: str) -> Consultation:
    """The convening coach records the group's answer, at or after the meeting; the answer is
    de-identified like the question. The minutes say only that it was answered."""
    consultation = _lock_consultation(consultation)
    _check(access.may_answer_consultation(actor, consultation))
    meeting = consultation.meeting
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("The meeting is cancelled."))
    if timezone.localdate(meeting.starts_at) > timezone.localdate():
        raise ValidationError(_("The group's answer is recorded at or after the meeting."))
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the group's answer.")})
    _refuse_identifying("answer", answer)
    events.transition(
        consultation,
        Consultation.Status.ANSWERED,
        actor=actor,
        code=ReferralEvent.CONSULTATION_ANSWERED,
        payload={"meeting": meeting.pk},
        clean=True,
        answer=answer,
        answered_by=actor,
        answered_at=timezone.now(),
    )
    return consultation


@transaction.atomic
def withdraw_consultation(*, actor: User, consultation: Consultation) -> Consultation:
    """Whoever raised the question, or the convening coach, takes it off the agenda before it is
    answered and before the meeting is marked held. It keeps its number; the minutes say it was withdrawn."""
    consultation = _lock_consultation(consultation)
    _check(access.may_withdraw_consultation(actor, consultation))
    if consultation.meeting.status == Meeting.Status.HELD:
        raise ValidationError(_("The meeting is held: the consultation can no longer be withdrawn."))
    events.transition(
        consultation,
        Consultation.Status.WITHDRAWN,
        actor=actor,
        code=ReferralEvent.CONSULTATION_WITHDRAWN,
        payload={"meeting": consultation.meeting_id},
    )
    return consultation


def follow_person_correction(event) -> None:
    """A correction of the person's details (sehoglandet.services.correct_person) reaches the copies
    their open referrals keep as the writer typed them, field by field, where the copy held the value
    that was corrected: the referral's writer learns only the right value of what they typed
    themselves (GDPR art. 19), and the enrolment, which takes the person's details from the referral,
    does not undo the correction. For a person with protected identity only the protection itself is
    copied: a new address must not reach the writer (docs/domain.md#rights-of-the-registered).

    Subscribed to CoreEvent.PERSON_CORRECTED; runs in the correction's transaction."""
    person = Person.objects.get(pk=event.person_id)
    latest = person.history.order_by("-history_id").first()
    before = latest.prev_record if latest is not None else None
    if before is None:
        return
    corrected = {Referral.person_field(name): name for name in Referral.PERSON_FIELDS}
    fields = [corrected[name] for name in event.payload.get("fields", []) if name in corrected]
    if person.protected_identity:
        fields = ["protected_identity"] if "protected_identity" in fields else []
    referrals = Referral.objects.select_for_update().filter(person=person, status__in=Referral.OPEN_STATUSES)
    for referral in referrals.order_by("pk"):
        changed = []
        for name in fields:
            attname = Referral._meta.get_field(name).attname
            person_attname = Person._meta.get_field(Referral.person_field(name)).attname
            if name == "protected_identity":
                if person.protected_identity and not referral.protected_identity:
                    referral.protected_identity = True
                    changed.append(name)
            elif getattr(before, person_attname) not in ("", None) and getattr(referral, attname) == getattr(
                before, person_attname
            ):
                setattr(referral, attname, getattr(person, person_attname))
                changed.append(name)
        if changed:
            track(referral, event.actor, ReferralEvent.PERSON_CORRECTED)
            referral.save(update_fields=changed)
            _event(event.actor, ReferralEvent.PERSON_CORRECTED, referral, person=person.pk, fields=changed)
