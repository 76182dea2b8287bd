"""Whole cases for the purge tests, built through the services as users would build them.

All persons are fictional; their numbers are valid test personnummer (tests/factories.py).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from consent import services as consent_services
from consent.models import Consent, Purpose
from participants import services as participant_services
from participants.models import Participant
from referrals import services as referral_services
from referrals.models import Decision, ExitReason, ItemResponse, Meeting, Referral
from sehoglandet.models import Person
from tests import factories


@dataclass
class Case:
    person: Person
    referral: Referral
    participant: Participant | None = None


def decided_at_a_meeting(people: dict[str, User], referral: Referral, outcome: str, **fields) -> Decision:
    """Put the referral on a new meeting's agenda, let AF answer, hold the meeting today and decide."""
    meeting = factories.make_meeting(people, days_ahead=10 + Meeting.objects.count())
    item = factories.put_on_agenda(people, referral, meeting)
    referral_services.respond_to_item(
        actor=people["af.nassjo"], item=item, active=ItemResponse.Active.YES, note="Aktuell hos oss."
    )
    _hold_today(meeting)
    item.refresh_from_db()
    return factories.decide(people, item, outcome, **fields)


def _hold_today(meeting: Meeting) -> None:
    """Move the meeting to earlier today, a minute after any other meeting held today."""
    held_today = Meeting.objects.filter(starts_at__date=timezone.localdate()).count()
    start = datetime.combine(timezone.localdate(), time(0, 5)) + timedelta(minutes=held_today)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.make_aware(start))
    meeting.refresh_from_db()


def build_declined_case(
    people: dict[str, User], first_name: str, last_name: str, *, outcome: str = Decision.Outcome.DECLINE, **details
) -> Case:
    """A person whose referral the group declined today (or sent back, with `outcome`)."""
    person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name, **details)
    referral = factories.make_ready_referral(people, person=person)
    fields = {"recommendation": "Kontakta vården först.", "grounds": "Behöver annat stöd nu.", "informs_person": "AF"}
    if outcome == Decision.Outcome.SEND_BACK:
        fields = {"grounds": "Förmötet behöver kompletteras."}
    decided_at_a_meeting(people, referral, outcome, **fields)
    referral.refresh_from_db()
    return Case(person=person, referral=referral)


def build_open_referral(people: dict[str, User], first_name: str, last_name: str) -> Case:
    person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name)
    return Case(person=person, referral=factories.make_referral(people, person=person))


def build_participant(people: dict[str, User], first_name: str, last_name: str, *, exit_today: bool, **details) -> Case:
    """A person enrolled today by Nässjö's group; with `exit_today`, also exited today."""
    person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name, **details)
    referral = factories.make_ready_referral(people, person=person)
    decided_at_a_meeting(people, referral, Decision.Outcome.ENROL)
    participant = Participant.objects.get(referral=referral)
    if exit_today:
        participant_services.exit_participant(
            actor=people["coach.nassjo"],
            participant=participant,
            exited_on=timezone.localdate(),
            reason=ExitReason.WORK,
            occupation_after="work",
            income_after="salary",
        )
    referral.refresh_from_db()
    participant.refresh_from_db()
    return Case(person=person, referral=referral, participant=participant)


def build_full_case(people: dict[str, User], first_name: str, last_name: str, **details) -> Case:
    """A participant with a row of every kind, exited today: an individual decision, a member's
    answer, a step, a journal entry, an employment with its aftercare plan, an income, a cancelled
    transfer, a SUS registration, and a consent with its signed form on disk."""
    coach = people["coach.nassjo"]
    case = build_participant(people, first_name, last_name, exit_today=False, **details)
    participant = case.participant
    today = timezone.localdate()
    referral_services.add_agency_decision(
        actor=coach,
        referral=case.referral,
        organisation=factories.org("af"),
        reference="AF-4711",
        decided_on=today,
    )
    consent_services.record_consent(
        actor=coach,
        person=case.person,
        organisations=[factories.org("nassjo-se"), factories.org("eksjo-se")],
        purposes=[Purpose.EMPLOYER_CONTACT, Purpose.TRANSFER],
        given_on=today,
        method=Consent.Method.WRITTEN,
        valid_until=today.replace(year=today.year + 1),
        document=ContentFile(b"%PDF-1.4 signed", name=f"samtycke-{last_name}.pdf"),
    )
    participant_services.change_step(actor=coach, participant=participant, step=2, changed_on=today)
    participant_services.add_journal_entry(
        actor=coach, participant=participant, date=today, kind="meeting", text=f"Träffade {first_name} på kontoret."
    )
    factories.employ(coach, participant, days_ago=0, hours_per_week=Decimal("20"))
    participant_services.record_income(actor=coach, participant=participant, source="salary", valid_from=today)
    participant_services.mark_sus(actor=coach, participant=participant, registered=True, on=today)
    transfer = participant_services.start_transfer(
        actor=coach, participant=participant, to_municipality=factories.municipality("eksjo")
    )
    participant_services.cancel_transfer(actor=coach, transfer=transfer)
    participant_services.exit_participant(
        actor=coach,
        participant=participant,
        exited_on=today,
        reason=ExitReason.WORK,
        occupation_after="work",
        income_after="salary",
    )
    participant.refresh_from_db()
    return case
