"""Demo cases for Nässjö and Eksjö: referrals in every status, a published agenda with one item
that FK's consent does not cover, a held meeting with decisions, a withdrawn consent and a
question escalated to the manager. Every person is fictional; the numbers are made up with a
correct check digit. Runs through the services, as the demo users, and only once.
"""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from consent import services as consent_services
from consent.models import Consent, Purpose
from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.models import AftercareVisit, Employment, JournalEntry, Occupation, Participant
from referrals import services as referral_services
from referrals.events import ReferralEvent
from referrals.models import AgendaItem, Decision, ExitReason, IncomeSource, Meeting, PreMeeting, Referral
from reporting.services import refresh_all_statistics
from sehoglandet.history import track
from sehoglandet.identity import with_check_digit
from sehoglandet.models import Municipality, Organisation, Person, ReferralGroup
from sehoglandet.services import find_or_create_person

# first name, last name, gender, date of birth, serial (the first marks the demo cases as loaded)
PERSONS = [
    ("Alva", "Lindgren", "woman", date(1999, 3, 14), 902),
    ("Bilal", "Karimi", "man", date(1996, 7, 2), 913),
    ("Clara", "Nordin", "woman", date(1988, 11, 23), 924),
    ("David", "Ekström", "man", date(2001, 1, 9), 935),
    ("Elsa", "Bergkvist", "woman", date(1993, 5, 30), 946),
    ("Farid", "Haddad", "man", date(1985, 9, 17), 957),
    ("Greta", "Sjöberg", "woman", date(2000, 12, 4), 968),
    ("Hugo", "Lundmark", "man", date(1979, 4, 21), 979),
    ("Iris", "Strand", "other", date(1997, 8, 8), 981),
    ("Jonas", "Öberg", "man", date(1990, 2, 27), 992),
    ("Kim", "Wallin", "other", date(1994, 6, 11), 903),
    ("Lova", "Hedlund", "woman", date(1998, 10, 19), 914),
    ("Max", "Engström", "man", date(1983, 3, 3), 925),
]
# Lova Hedlund has a protected identity: only Nässjö's coaches see her name.
PROTECTED = {"Lova"}
# More fictional people for a full caseload, combined from these names.
MORE_WOMEN = ["Anna", "Britt", "Cecilia", "Dalia", "Emma", "Fatima", "Hanna", "Ida", "Julia", "Karin", "Linnea"]
MORE_MEN = ["Adam", "Björn", "Carl", "Elias", "Filip", "Gustav", "Hassan", "Isak", "Johan", "Leo", "Oskar"]
MORE_LAST = ["Andersson", "Berg", "Dahl", "Forsberg", "Holm", "Jansson", "Lund", "Myrén", "Sandberg", "Törnqvist"]


def _people():
    """The named demo persons, then as many more as needed, each with a made-up valid number."""
    yield from PERSONS
    for index in itertools.count():
        women = index % 2 == 0
        pool = MORE_WOMEN if women else MORE_MEN
        first = pool[(index // 2) % len(pool)]
        last = MORE_LAST[(index * 7) % len(MORE_LAST)]
        birth = date(1962 + (index * 5) % 44, 1 + index % 12, 1 + (index * 3) % 28)
        yield first, last, "woman" if women else "man", birth, 100 + index


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


class _Demo:
    def __init__(self, users: dict[str, User]):
        self.users = users
        self.today = timezone.localdate()
        self.persons = _people()

    def person(self, municipality: Municipality) -> Person:
        first, last, gender, birth, serial = next(self.persons)
        person, _created = find_or_create_person(
            actor=self.users["referrer.af"],
            identity_number=with_check_digit(birth, serial),
            first_name=first,
            last_name=last,
            gender=gender,
            phone="070-000 00 00",
            municipality=municipality,
            protected_identity=first in PROTECTED,
        )
        return person

    def referral(self, code: str = "nassjo", *, consent_orgs=None, submit=True, days_ago: int = 21) -> Referral:
        municipality = Municipality.objects.get(code=code)
        referrer = self.users["referrer.af"]
        person = self.person(municipality)
        referral = referral_services.create_referral(
            actor=referrer,
            person=person,
            municipality=municipality,
            referring_organisation=_org("af"),
            active_at=[_org("af"), _org("fk")],
            income_source="activity_support",
            motivation="Jag vill komma ut i arbete och klara mig själv.",
            question="Är SE-Höglandet rätt stöd för att nå ett arbete på den öppna arbetsmarknaden?",
            grounds={"ground_mental_ill_health": True},
        )
        referral_services.add_agency_decision(
            actor=referrer,
            referral=referral,
            organisation=_org("af"),
            reference=f"AF-{person.pk:05d}",
            decided_on=self.today - timedelta(days=days_ago - 1),
            valid_until=self.today + timedelta(days=160),
        )
        codes = consent_orgs or [f"{code}-se", "af", "fk", "region-psykiatri", f"{code}-bistand"]
        consent_services.record_consent(
            actor=referrer,
            person=person,
            organisations=[_org(c) for c in codes],
            purposes=[Purpose.REFERRAL_GROUP, Purpose.PARTICIPATION],
            given_on=self.today - timedelta(days=days_ago),
            method=Consent.Method.WRITTEN,
            valid_until=self.today + timedelta(days=344),
        )
        if submit:
            referral_services.submit_referral(actor=referrer, referral=referral)
        return referral

    def ready(self, code="nassjo", coach="coach.nassjo", *, days_ago: int = 21, **kwargs) -> Referral:
        referral = self.referral(code, days_ago=days_ago, **kwargs)
        held_on = self.today - timedelta(days=days_ago - 14)
        pre_meeting = referral_services.book_pre_meeting(
            actor=self.users[coach],
            referral=referral,
            booked_for=timezone.make_aware(datetime.combine(held_on, time(10, 0))),
        )
        referral_services.record_pre_meeting(
            actor=self.users[coach],
            pre_meeting=pre_meeting,
            held_on=held_on,
            outcome=PreMeeting.Outcome.MEETS,
            target_group=True,
            needs_two_parties=True,
            motivated=True,
            income_secured=True,
            notes="Berättar om tidigare arbete i butik. Vill prova lager eller handel.",
        )
        return referral

    def meeting(self, code: str, days_ahead: int) -> Meeting:
        group = ReferralGroup.objects.get(municipality__code=code)
        day = self.today + timedelta(days=days_ahead)
        meeting = Meeting(
            referral_group=group,
            starts_at=timezone.make_aware(datetime.combine(day, time(13, 0))),
            location="Stadshuset, rum Lotsen",
            item_deadline=day - timedelta(days=7),
        )
        track(meeting, self.users[f"coach.{code}"], ReferralEvent.MEETING_PLANNED)
        meeting.save()
        return meeting

    def enrolled(self, code: str, days_ago: int, count: int, *, first_persons=None) -> list[Participant]:
        """`count` people enrolled at a meeting `days_ago` days ago (prepared a month before it)."""
        coach = self.users[f"coach.{code}"]
        meeting = self.meeting(code, days_ahead=10)
        referrals = [self.ready(code, f"coach.{code}", days_ago=days_ago + 30) for _ in range(count)]
        items = [
            referral_services.add_agenda_item(
                actor=coach, meeting=meeting, referral=referral, kind=AgendaItem.Kind.NEW_REFERRAL
            )
            for referral in referrals
        ]
        referral_services.publish_agenda(actor=coach, meeting=meeting)
        moved = timedelta(days=days_ago + 10)
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=meeting.starts_at - moved, item_deadline=meeting.item_deadline - moved
        )
        meeting.refresh_from_db()
        referral_services.record_attendance(
            actor=coach,
            meeting=meeting,
            present={seat.pk: seat.organisation.short_name for seat in meeting.referral_group.seats.all()},
        )
        for item in items:
            referral_services.record_decision(actor=coach, item=item, group_agreed=True, outcome=Decision.Outcome.ENROL)
        referral_services.close_meeting(actor=coach, meeting=meeting)
        return [Participant.objects.get(referral=referral) for referral in referrals]


def _journal(coach: User, participant: Participant, entries: list[tuple[int, str, str]], today: date) -> None:
    for days_ago, kind, text in entries:
        participant_services.add_journal_entry(
            actor=coach, participant=participant, date=today - timedelta(days=days_ago), kind=kind, text=text
        )


def _create_demo_participants(demo: _Demo) -> None:
    """Participants in every status and step: the SE journey from the queue to exit, an aftercare
    plan with a contact due this week, a change of income to review, exits to de-register in SUS,
    an exit whose details the coach must complete, a waiting transfer to Eksjö and a full Nässjö
    with two people in its queue."""
    users, today = demo.users, demo.today
    coach, eksjo_coach = users["coach.nassjo"], users["coach.eksjo"]

    # Enrolled half a year ago: one exited to work (SUS de-registration now due), one moved away.
    to_work, moved_away = demo.enrolled("nassjo", days_ago=200, count=2)
    for participant in (to_work, moved_away):
        participant_services.assign_coach(actor=coach, participant=participant, coach=coach)
        participant_services.mark_sus(actor=coach, participant=participant, registered=True, on=today - timedelta(199))
    participant_services.register_employment(
        actor=coach,
        participant=to_work,
        employer="Höglandets Trädgård AB",
        kind=Employment.Kind.EMPLOYMENT,
        starts_on=today - timedelta(days=150),
        hours_per_week=Decimal("30"),
    )
    participant_services.exit_participant(
        actor=coach,
        participant=to_work,
        exited_on=today - timedelta(days=100),
        reason=ExitReason.WORK,
        occupation_after=Occupation.WORK,
        income_after=IncomeSource.SALARY,
        note="Tillsvidareanställd efter provanställningen.",
    )
    participant_services.exit_participant(
        actor=coach,
        participant=moved_away,
        exited_on=today - timedelta(days=30),
        reason=ExitReason.MOVED,
        occupation_after=Occupation.JOB_SEEKING,
        income_after=IncomeSource.ACTIVITY_SUPPORT,
    )

    # Enrolled six weeks ago: one at each step, an aftercare plan, a transfer on its way to Eksjö.
    step1, step2, step3, step4, working, moving = demo.enrolled("nassjo", days_ago=42, count=6)
    for participant in (step1, step2, step3, step4, working, moving):
        participant_services.assign_coach(actor=coach, participant=participant, coach=coach)
    participant_services.mark_sus(actor=coach, participant=step2, registered=True, on=today - timedelta(days=40))
    for participant, step in ((step2, 2), (step3, 3), (step4, 4), (working, 5), (moving, 2)):
        for reached in range(2, step + 1):
            participant_services.change_step(
                actor=coach, participant=participant, step=reached, changed_on=today - timedelta(days=42 - 7 * reached)
            )
    _journal(
        coach,
        step2,
        [
            (35, JournalEntry.Kind.MEETING, "Första samtalet. Vill arbeta med djur eller natur."),
            (21, JournalEntry.Kind.STUDY_VISIT, "Studiebesök på ett stall i Malmbäck, mycket positiv."),
        ],
        today,
    )
    _journal(coach, step3, [(14, JournalEntry.Kind.MEETING, "Yrkesprofilen klar. Söker lager och logistik.")], today)
    _journal(coach, step4, [(5, JournalEntry.Kind.EMPLOYER_CONTACT, "Träffade Nässjö Byggvaror, intresserade.")], today)
    participant_services.record_income(
        actor=coach,
        participant=step3,
        source=IncomeSource.SICKNESS_BENEFIT,
        valid_from=today - timedelta(days=20),
        review_on=today + timedelta(days=14),
    )
    participant_services.register_employment(
        actor=coach,
        participant=working,
        employer="Nässjö Byggvaror AB",
        kind=Employment.Kind.SUBSIDISED_EMPLOYMENT,
        starts_on=today - timedelta(days=21),
        hours_per_week=Decimal("25"),
    )
    for visit in working.aftercare_visits.filter(due_on__lt=today).order_by("due_on"):
        participant_services.mark_visit(
            actor=coach, visit=visit, status=AftercareVisit.Status.DONE, done_on=visit.due_on
        )
    consent_services.record_consent(
        actor=coach,
        person=moving.person,
        organisations=[_org("nassjo-se"), _org("eksjo-se")],
        purposes=[Purpose.TRANSFER],
        given_on=today - timedelta(days=3),
        method=Consent.Method.ORAL,
        valid_until=today + timedelta(days=90),
    )
    participant_services.start_transfer(
        actor=coach,
        participant=moving,
        to_municipality=Municipality.objects.get(code="eksjo"),
        note="Flyttar till Eksjö nästa månad. Har kontakt med en arbetsgivare i Eksjö.",
        meeting_at=timezone.make_aware(datetime.combine(today + timedelta(days=5), time(14, 0))),
        meeting_place="SE-teamet i Eksjö",
    )

    # Eksjö's own participant.
    (eksjo_participant,) = demo.enrolled("eksjo", days_ago=60, count=1)
    participant_services.assign_coach(actor=eksjo_coach, participant=eksjo_participant, coach=eksjo_coach)

    # Nässjö fills up: the rest of its places, then two people wait in the queue.
    nassjo = Municipality.objects.get(code="nassjo")
    free = nassjo.capacity - participant_selectors.active_count(nassjo)
    filled = demo.enrolled("nassjo", days_ago=20, count=free + 2)
    # The coach registers in SUS as people start; the two who started last are still to do.
    started = [participant for participant in filled if participant.status == Participant.Status.ACTIVE]
    for participant in [step1, step3, step4, working, moving, *started[:-2]]:
        participant_services.mark_sus(actor=coach, participant=participant, registered=True, on=participant.started_on)


@transaction.atomic
def create_demo_cases(users: dict[str, User]) -> bool:
    """Create the demo cases unless they exist. Returns whether anything was created."""
    _first, _last, _gender, birth, serial = PERSONS[0]
    if Person.objects.filter(identity_number=with_check_digit(birth, serial).replace("-", "")).exists():
        return False
    demo = _Demo(users)
    coach = users["coach.nassjo"]

    demo.referral(submit=False)  # draft
    demo.referral()  # submitted, waiting for the coach
    booked = demo.referral()
    referral_services.book_pre_meeting(
        actor=coach,
        referral=booked,
        booked_for=timezone.make_aware(datetime.combine(demo.today + timedelta(days=3), time(9, 30))),
    )
    withdrawn = demo.referral()
    referral_services.withdraw_referral(actor=users["referrer.af"], referral=withdrawn)

    # A held meeting two weeks ago: enrolled, declined, sent back, and one question escalated.
    held = demo.meeting("nassjo", days_ahead=10)
    held_items = [
        referral_services.add_agenda_item(
            actor=coach, meeting=held, referral=demo.ready(), kind=AgendaItem.Kind.NEW_REFERRAL
        )
        for _ in range(4)
    ]
    referral_services.publish_agenda(actor=coach, meeting=held)
    Meeting.objects.filter(pk=held.pk).update(
        starts_at=held.starts_at - timedelta(days=24), item_deadline=held.item_deadline - timedelta(days=24)
    )
    held.refresh_from_db()
    referral_services.record_attendance(
        actor=coach,
        meeting=held,
        present={
            seat.pk: seat.organisation.short_name
            for seat in held.referral_group.seats.exclude(organisation__code="region-psykiatri")
        },
    )
    enrolled, declined, sent_back, escalated = held_items
    referral_services.record_decision(actor=coach, item=enrolled, group_agreed=True, outcome=Decision.Outcome.ENROL)
    referral_services.record_decision(
        actor=coach,
        item=declined,
        group_agreed=True,
        outcome=Decision.Outcome.DECLINE,
        recommendation="Kontakt med psykiatrin för utredning först.",
        grounds="Behov av insats hos två parter är inte styrkt.",
        informs_person="Handläggaren på Arbetsförmedlingen",
    )
    referral_services.record_decision(
        actor=coach, item=sent_back, group_agreed=True, outcome=Decision.Outcome.SEND_BACK
    )
    referral_services.record_decision(
        actor=coach,
        item=escalated,
        group_agreed=False,
        disagreement="Oenighet om försörjningen är tryggad under deltagandet.",
    )
    referral_services.close_meeting(actor=coach, meeting=held)

    # The coming meeting, agenda published: one item FK's consent does not cover.
    coming = demo.meeting("nassjo", days_ahead=12)
    referral_services.add_agenda_item(
        actor=coach, meeting=coming, referral=demo.ready(), kind=AgendaItem.Kind.NEW_REFERRAL
    )
    without_fk = demo.ready(consent_orgs=["nassjo-se", "af", "region-psykiatri", "nassjo-bistand"])
    referral_services.add_agenda_item(
        actor=coach, meeting=coming, referral=without_fk, kind=AgendaItem.Kind.NEW_REFERRAL
    )
    referral_services.publish_agenda(actor=coach, meeting=coming)

    # A withdrawn consent on a submitted referral: the case shows what must follow.
    consent_withdrawn = demo.referral()
    consent = consent_withdrawn.person.consents.get()
    consent_services.withdraw_consent(actor=coach, consent=consent, withdrawn_on=demo.today)

    # Eksjö has its own submitted referral, which Nässjö's people never see.
    demo.referral("eksjo")

    _create_demo_participants(demo)
    # The services kept the statistical records in step; the run also covers what a later change to
    # the demo may write straight to the tables, like the back-dated meetings (docs/domain.md#statistical-record).
    refresh_all_statistics()
    return True
