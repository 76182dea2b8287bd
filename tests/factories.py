"""Build persons, consents, referrals and meetings in any state, through the services.

Every function drives the real services, so a referral "in the queue for a decision" got there the
way a user would get it there. All persons are fictional; numbers are valid test personnummer.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import count

from django.contrib.auth.models import User
from django.utils import timezone

from consent import services as consent_services
from consent.models import Consent, Purpose
from referrals import selectors, services
from referrals.models import AgendaItem, Decision, Meeting, PreMeeting, Referral
from sehoglandet.identity import with_check_digit
from sehoglandet.models import Municipality, Organisation, Person, ReferralGroup
from sehoglandet.services import find_or_create_person

_serial = count(1)


def valid_personnummer(birth: date, serial: int) -> str:
    """A personnummer with a correct check digit for `birth` and the three-digit `serial`."""
    return with_check_digit(birth, serial)


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def orgs(codes: Iterable[str]) -> list[Organisation]:
    """The organisations of these codes, in their order, read in one query."""
    codes = list(codes)
    found = Organisation.objects.in_bulk(codes, field_name="code")
    if missing := [code for code in codes if code not in found]:
        raise Organisation.DoesNotExist(f"No organisation has the code {missing}.")
    return [found[code] for code in codes]


def municipality(code: str = "nassjo") -> Municipality:
    return Municipality.objects.get(code=code)


def make_person(
    actor: User, *, first_name="Test", last_name="Testsson", birth: date | None = None, gender="woman", **details
) -> Person:
    birth = birth or date(1995, 5, 17)
    person, _created = find_or_create_person(
        actor=actor,
        identity_number=valid_personnummer(birth, next(_serial)),
        first_name=first_name,
        last_name=last_name,
        gender=gender,
        **details,
    )
    return person


GROUP_ORGS = ["af", "fk", "region-psykiatri", "{m}-bistand"]
# A consent for the SE team and every member organisation but Försäkringskassan.
WITHOUT_FK = ["{m}-se", "af", "region-psykiatri", "{m}-bistand"]


def give_consent(
    actor: User,
    person: Person,
    *,
    municipality_code: str = "nassjo",
    org_codes: list[str] | None = None,
    purposes: list[Purpose] | None = None,
    valid_days: int = 365,
) -> Consent:
    """A written consent given today. By default it covers the SE team and every member organisation
    of the municipality's remittentgrupp, for discussion in the group and participation."""
    codes = org_codes if org_codes is not None else [f"{municipality_code}-se", *GROUP_ORGS]
    organisations = orgs(code.format(m=municipality_code) for code in codes)
    today = timezone.localdate()
    return consent_services.record_consent(
        actor=actor,
        person=person,
        organisations=organisations,
        purposes=purposes or [Purpose.REFERRAL_GROUP, Purpose.PARTICIPATION],
        given_on=today,
        method=Consent.Method.WRITTEN,
        valid_until=today + timedelta(days=valid_days),
    )


def make_referral(
    people: dict[str, User],
    *,
    person: Person | None = None,
    referrer: str = "referrer.af",
    municipality_code: str = "nassjo",
    active_at: tuple[str, ...] = ("af", "fk"),
    consent: bool | list[str] = True,
    submit: bool = True,
) -> Referral:
    """A referral from AF's referrer (by default), with consent, submitted to Nässjö."""
    actor = people[referrer]
    person = person or make_person(actor)
    referring = next(o for o in selectors.referring_organisations(actor))
    referral = services.create_referral(
        actor=actor,
        person=person,
        municipality=municipality(municipality_code),
        referring_organisation=referring,
        active_at=orgs(active_at),
        income_source="sickness_benefit",
        motivation="Jag vill ha ett riktigt jobb.",
        question="Deltagande i SE-Höglandet?",
        grounds={"ground_mental_ill_health": True},
    )
    if consent:
        codes = None if consent is True else consent
        codes = codes if codes is None else [c.format(m=municipality_code) for c in codes]
        give_consent(actor, person, municipality_code=municipality_code, org_codes=codes)
    if submit:
        services.submit_referral(actor=actor, referral=referral)
    referral.refresh_from_db()
    return referral


def make_case(people: dict[str, User], first_name: str, last_name: str, **kwargs) -> Referral:
    """A ready referral of a new person of that name, written by AF's referrer."""
    person = make_person(people["referrer.af"], first_name=first_name, last_name=last_name)
    return make_ready_referral(people, person=person, **kwargs)


def make_ready_referral(people: dict[str, User], *, coach: str = "coach.nassjo", **kwargs) -> Referral:
    """A submitted referral whose pre-meeting found the criteria met: ready for the group."""
    referral = make_referral(people, **kwargs)
    pre_meeting = services.book_pre_meeting(
        actor=people[coach], referral=referral, booked_for=timezone.now() - timedelta(hours=2)
    )
    services.record_pre_meeting(
        actor=people[coach],
        pre_meeting=pre_meeting,
        held_on=timezone.localdate(),
        outcome=PreMeeting.Outcome.MEETS,
        target_group=True,
        needs_two_parties=True,
        motivated=True,
        income_secured=True,
        notes="Motiverad, vill arbeta inom handel.",
    )
    referral.refresh_from_db()
    return referral


def make_meeting(
    people: dict[str, User], *, municipality_code: str = "nassjo", days_ahead: int = 14, coach: str = "coach.nassjo"
) -> Meeting:
    """A planned meeting of the municipality's remittentgrupp, `days_ahead` days from now (13.00)."""
    group = ReferralGroup.objects.get(municipality__code=municipality_code)
    day = timezone.localdate() + timedelta(days=days_ahead)
    meeting = Meeting(
        referral_group=group,
        starts_at=timezone.make_aware(datetime.combine(day, time(13, 0))),
        item_deadline=day - timedelta(days=7),
    )
    meeting._history_user = people[coach]
    meeting.save()
    return meeting


def put_on_agenda(people, referral: Referral, meeting: Meeting, *, coach="coach.nassjo", publish=True) -> AgendaItem:
    item = services.add_agenda_item(
        actor=people[coach], meeting=meeting, referral=referral, kind=AgendaItem.Kind.NEW_REFERRAL
    )
    meeting.refresh_from_db()
    if publish and meeting.status == Meeting.Status.PLANNED:
        services.publish_agenda(actor=people[coach], meeting=meeting)
    return item


def hold_meeting_today(meeting: Meeting) -> Meeting:
    """Move a meeting to earlier today, as if it is being held now (decisions need that)."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 5)))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start)
    meeting.refresh_from_db()
    return meeting


def decide(people, item: AgendaItem, outcome: str = Decision.Outcome.ENROL, *, coach="coach.nassjo", **fields):
    return services.record_decision(actor=people[coach], item=item, group_agreed=True, outcome=outcome, **fields)


def make_participant(
    actor: User,
    *,
    municipality_code: str = "nassjo",
    status: str = "active",
    decided_on: date | None = None,
    birth: date | None = None,
):
    """A participant saved directly, bypassing the group's decision: to fill a municipality's places
    (a test of the enrolment itself goes through the decision services)."""
    from participants.models import Participant
    from referrals.models import ExitReason

    person = make_person(actor, birth=birth)
    decided_on = decided_on or timezone.localdate()
    participant = Participant(
        person=person,
        municipality=municipality(municipality_code),
        status=status,
        decided_on=decided_on,
        started_on=decided_on if status in (Participant.Status.ACTIVE, Participant.Status.AFTERCARE) else None,
        age_at_decision=person.age_on(decided_on),
    )
    if status == Participant.Status.EXITED:
        participant.exited_on, participant.exit_reason = decided_on, ExitReason.OTHER
    participant._history_user = actor
    participant.save()
    return participant


def fill_places(actor: User, *, municipality_code: str = "nassjo", leave_free: int = 0) -> list:
    """Active participants until the municipality has only `leave_free` places left."""
    capacity = municipality(municipality_code).capacity
    return [make_participant(actor, municipality_code=municipality_code) for _ in range(capacity - leave_free)]


def employ(actor: User, participant, *, days_ago: int = 10, **overrides):
    """An employment that started `days_ago` days ago, with its aftercare plan, through the service."""
    from decimal import Decimal

    from participants.services import register_employment

    values = {
        "employer": "Lagret AB",
        "kind": "employment",
        "starts_on": timezone.localdate() - timedelta(days=days_ago),
        "hours_per_week": Decimal("30"),
        **overrides,
    }
    return register_employment(actor=actor, participant=participant, **values)
