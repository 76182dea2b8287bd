"""Demo cases for Nässjö and Eksjö that tell one coherent story: referrals in every status, a held
meeting with decisions, a coming one with its agenda published (one item FK's consent does not
cover) and a consultation, a withdrawn consent, a question escalated to the manager, participants
at every step with two coaches in Nässjö, and a full Nässjö whose queue shows the 18–29 rule.

Every person is fictional; the numbers are made up with a correct check digit. The cases are built
through the services, as the demo users, on the story's own days: each step runs with the clock set
to its day and hour (`_Demo.at`), so the timestamps, history, case events and statistical records
say what they would in real use. A referral is written before its pre-meeting, which comes before
the group's decision and the start; meetings fall on weekdays in working hours. Runs only once.
"""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from consent import services as consent_services
from consent.models import Consent, Purpose
from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.models import AftercareVisit, Employment, JournalEntry, Occupation, Participant
from referrals import services as referral_services
from referrals.models import AgendaItem, Consultation, Decision, ExitReason, IncomeSource, Meeting, PreMeeting, Referral
from reporting.services import refresh_all_statistics
from sehoglandet import demo as demo_users
from sehoglandet.identity import with_check_digit
from sehoglandet.models import CaseEvent, Municipality, Organisation, Person, ReferralGroup
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
# Nässjö's queue: the older person was enrolled first, the young one (18–29) later, yet she is first
# in line (docs/domain.md#queue).
QUEUED_OLDER = ("Margareta", "Fors", "woman", date(1971, 5, 12), 936)
QUEUED_YOUNG = ("Nora", "Pettersson", "woman", date(2003, 9, 5), 947)
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


def _workday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _workday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class _Demo:
    def __init__(self, users: dict[str, User]):
        self.users = users
        self.today = timezone.localdate()
        self.persons = _people()
        self.plan = []

    def ago(self, days: int) -> date:
        """The working day `days` days ago, or the Friday before it."""
        return _workday_on_or_before(self.today - timedelta(days=days))

    def ahead(self, days: int) -> date:
        """The working day `days` days from today, or the Monday after it."""
        return _workday_on_or_after(self.today + timedelta(days=days))

    @contextmanager
    def at(self, day: date, hour: int = 10, minute: int = 0) -> Iterator[None]:
        """Run the services as on `day` at the hour: the clock they read (timezone.now, and so
        localdate, auto_now and the history's dates) shows that moment. Never later than now."""
        moment = min(timezone.make_aware(datetime.combine(day, time(hour, minute))), timezone.now())
        # A case event's time defaults to the function timezone.now as it was when the model loaded,
        # which the first patch does not reach: its field's default is set to the moment as well.
        occurred_at = CaseEvent._meta.get_field("occurred_at")
        with (
            mock.patch("django.utils.timezone.now", return_value=moment),
            mock.patch.object(occurred_at, "_get_default", lambda: moment),
        ):
            yield

    def later(self, day: date, hour: int, minute: int, action) -> None:
        """Keep an action for `run_in_order`."""
        self.plan.append(((day, hour, minute), len(self.plan), action))

    def run_in_order(self) -> None:
        """Run the kept actions in the order of their moments, so that every record's history and
        case events follow each other as they happened."""
        for (day, hour, minute), _index, action in sorted(self.plan, key=lambda planned: planned[:2]):
            with self.at(day, hour, minute):
                action()
        self.plan.clear()

    def person(self, municipality: Municipality, who: tuple | None = None) -> Person:
        first, last, gender, birth, serial = who or next(self.persons)
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

    def referral(self, code: str = "nassjo", *, written: date, who=None, consent_orgs=None, submit=True) -> Referral:
        """A referral the AF referrer writes and submits on `written`, a week after AF's own decision."""
        municipality = Municipality.objects.get(code=code)
        referrer = self.users["referrer.af"]
        with self.at(written, 9, 15):
            person = self.person(municipality, who)
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
                decided_on=written - timedelta(days=7),
                valid_until=written + timedelta(days=365),
            )
            codes = consent_orgs or [f"{code}-se", "af", "fk", "region-psykiatri", f"{code}-bistand"]
            consent_services.record_consent(
                actor=referrer,
                person=person,
                organisations=[_org(c) for c in codes],
                purposes=[Purpose.REFERRAL_GROUP, Purpose.PARTICIPATION],
                given_on=written,
                method=Consent.Method.WRITTEN,
                valid_until=written + timedelta(days=365),
            )
        if submit:
            with self.at(written, 11):
                referral_services.submit_referral(actor=referrer, referral=referral)
        return referral

    def ready(self, code: str = "nassjo", *, written: date, who=None, **kwargs) -> Referral:
        """A referral whose pre-meeting was booked the next working day and held a week after."""
        referral = self.referral(code, written=written, who=who, **kwargs)
        coach = self.users[f"coach.{code}"]
        held_on = _workday_on_or_after(written + timedelta(days=7))
        with self.at(_workday_on_or_after(written + timedelta(days=1)), 14):
            pre_meeting = referral_services.book_pre_meeting(
                actor=coach,
                referral=referral,
                booked_for=timezone.make_aware(datetime.combine(held_on, time(10, 0))),
            )
        with self.at(held_on, 11, 30):
            referral_services.record_pre_meeting(
                actor=coach,
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

    def meeting(self, code: str, day: date, starts: time = time(13, 30)) -> Meeting:
        """A meeting of the group on `day`, which the coach planned four weeks before (at 13.30: the
        tests' own meetings are at 13.00, and a group has one meeting at a time)."""
        with self.at(self.ago((self.today - day).days + 28), 8, 30):
            return referral_services.create_extra_meeting(
                actor=self.users[f"coach.{code}"],
                referral_group=ReferralGroup.objects.get(municipality__code=code),
                day=day,
                starts=starts,
                location="Stadshuset, rum Lotsen",
            )

    def publish(self, meeting: Meeting, referrals: list[Referral], on: date) -> list[AgendaItem]:
        """The coach puts the referrals on the agenda and publishes it on `on`."""
        coach = self.users[f"coach.{meeting.referral_group.municipality.code}"]
        with self.at(on, 10):
            items = [
                referral_services.add_agenda_item(
                    actor=coach, meeting=meeting, referral=referral, kind=AgendaItem.Kind.NEW_REFERRAL
                )
                for referral in referrals
            ]
            referral_services.publish_agenda(actor=coach, meeting=meeting)
        return items

    def hold(self, meeting: Meeting, decisions: list[tuple[AgendaItem, dict]], absent=()) -> None:
        """The meeting held on its day: attendance, the decisions in agenda order, then closed."""
        coach = self.users[f"coach.{meeting.referral_group.municipality.code}"]
        day = timezone.localdate(meeting.starts_at)
        with self.at(day, 13, 35):
            referral_services.record_attendance(
                actor=coach,
                meeting=meeting,
                present={
                    seat.pk: seat.organisation.short_name
                    for seat in meeting.referral_group.seats.exclude(organisation__code__in=absent)
                },
            )
        with self.at(day, 14, 30):
            for item, decision in decisions:
                referral_services.record_decision(actor=coach, item=item, **decision)
        with self.at(day, 15, 30):
            referral_services.close_meeting(actor=coach, meeting=meeting)

    def enrolled(self, code: str, days_ago: int, count: int, *, also=()) -> list[Participant]:
        """`count` people (then the persons in `also`) enrolled at a meeting about `days_ago` days
        ago: referred five weeks before it, on the agenda published a week before it."""
        day = self.ago(days_ago)
        meeting = self.meeting(code, day)
        written = self.ago(days_ago + 35)
        referrals = [self.ready(code, written=written) for _ in range(count)]
        referrals += [self.ready(code, written=written, who=who) for who in also]
        items = self.publish(meeting, referrals, on=self.ago(days_ago + 7))
        enrol = {"group_agreed": True, "outcome": Decision.Outcome.ENROL}
        self.hold(meeting, [(item, enrol) for item in items])
        return [Participant.objects.get(referral=referral) for referral in referrals]

    def assign(self, participants: list[Participant], coach: str) -> None:
        """The coach takes on the participants, the afternoon of the group's decision."""
        for participant in participants:
            with self.at(participant.decided_on, 16):
                participant_services.assign_coach(
                    actor=self.users[coach], participant=participant, coach=self.users[coach]
                )


def _create_nassjo_participants(demo: _Demo) -> None:
    """Nässjö's participants, meeting by meeting in the order they happened: the SE journey from
    enrolment to exit, an aftercare plan with a contact due, a change of income to review, exits to
    de-register in SUS, a waiting transfer to Eksjö, then Nässjö filling up and a queue. What
    follows each meeting is kept with `later` and run in the order of its moments."""
    users = demo.users
    coach = users["coach.nassjo"]
    services = participant_services

    def sus(participant: Participant) -> None:
        """Registered in SUS the working day after the start."""
        demo.later(
            _workday_on_or_after(participant.started_on + timedelta(days=1)),
            8,
            45,
            lambda: services.mark_sus(actor=coach, participant=participant, registered=True, on=participant.started_on),
        )

    def steps(participant: Participant, days_ago: list[int]) -> None:
        """Step 2, 3, … reached on the working days that many days ago."""
        for step, days in enumerate(days_ago, start=2):
            day = demo.ago(days)
            demo.later(
                day,
                15,
                0,
                lambda p=participant, s=step, d=day: services.change_step(
                    actor=coach, participant=p, step=s, changed_on=d
                ),
            )

    def journal(participant: Participant, days: int, kind: str, text: str) -> None:
        day = demo.ago(days)
        demo.later(
            day,
            16,
            0,
            lambda: services.add_journal_entry(actor=coach, participant=participant, date=day, kind=kind, text=text),
        )

    # Enrolled about 200 days ago: one exited to work (SUS de-registration now due), one moved away.
    to_work, moved_away = demo.enrolled("nassjo", days_ago=200, count=2)
    demo.assign([to_work, moved_away], "coach.nassjo")
    sus(to_work)
    sus(moved_away)
    demo.later(
        demo.ago(150),
        15,
        0,
        lambda: services.register_employment(
            actor=coach,
            participant=to_work,
            employer="Höglandets Trädgård AB",
            kind=Employment.Kind.EMPLOYMENT,
            starts_on=demo.ago(150),
            hours_per_week=Decimal("30"),
        ),
    )
    demo.later(
        demo.ago(100),
        15,
        0,
        lambda: services.exit_participant(
            actor=coach,
            participant=to_work,
            exited_on=demo.ago(100),
            reason=ExitReason.WORK,
            occupation_after=Occupation.WORK,
            income_after=IncomeSource.SALARY,
            note="Tillsvidareanställd efter provanställningen.",
        ),
    )
    demo.run_in_order()

    # Enrolled six weeks ago: one at each step, an aftercare plan, a transfer on its way to Eksjö.
    step1, step2, step3, step4, working, moving = demo.enrolled("nassjo", days_ago=42, count=6)
    demo.assign([step1, step2, step3, step4, working, moving], "coach.nassjo")
    for participant in (step1, step2, step3, step4, working, moving):
        sus(participant)
    steps(step2, [28])
    steps(step3, [28, 21])
    steps(step4, [28, 21, 14])
    steps(working, [35, 30, 25, 22])
    steps(moving, [28])
    journal(step2, 35, JournalEntry.Kind.MEETING, "Första samtalet. Vill arbeta med djur eller natur.")
    journal(step2, 21, JournalEntry.Kind.STUDY_VISIT, "Studiebesök på ett stall i Malmbäck, mycket positiv.")
    journal(step3, 14, JournalEntry.Kind.MEETING, "Yrkesprofilen klar. Söker lager och logistik.")
    journal(step4, 5, JournalEntry.Kind.EMPLOYER_CONTACT, "Träffade Nässjö Byggvaror, intresserade.")
    demo.later(
        demo.ago(20),
        11,
        0,
        lambda: services.record_income(
            actor=coach,
            participant=step3,
            source=IncomeSource.SICKNESS_BENEFIT,
            valid_from=demo.ago(20),
            review_on=demo.ahead(14),
        ),
    )
    job_start = demo.ago(21)
    demo.later(
        job_start,
        9,
        0,
        lambda: services.register_employment(
            actor=coach,
            participant=working,
            employer="Nässjö Byggvaror AB",
            kind=Employment.Kind.SUBSIDISED_EMPLOYMENT,
            starts_on=job_start,
            hours_per_week=Decimal("25"),
        ),
    )
    for days in (7, 14):  # the first two visits of the aftercare plan, done; the next are to come
        done_on = _workday_on_or_before(job_start + timedelta(days=days))
        demo.later(
            done_on,
            14,
            0,
            lambda d=done_on: services.mark_visit(
                actor=coach,
                visit=working.aftercare_visits.filter(status=AftercareVisit.Status.PLANNED).earliest("due_on"),
                status=AftercareVisit.Status.DONE,
                done_on=d,
            ),
        )
    # Moved away a month ago, which frees a place.
    demo.later(
        demo.ago(30),
        15,
        0,
        lambda: services.exit_participant(
            actor=coach,
            participant=moved_away,
            exited_on=demo.ago(30),
            reason=ExitReason.MOVED,
            occupation_after=Occupation.JOB_SEEKING,
            income_after=IncomeSource.ACTIVITY_SUPPORT,
        ),
    )
    demo.run_in_order()

    # Three weeks ago Nässjö fills up: its last places, and one more, who waits in the queue. Maja
    # (a full post, 20 places) and Ali (80 %, 16 places) share the 36 places (docs/domain.md#capacity).
    nassjo = Municipality.objects.get(code="nassjo")
    free = nassjo.capacity - participant_selectors.active_count(nassjo)
    *filled, older_in_queue = demo.enrolled("nassjo", days_ago=20, count=free, also=[QUEUED_OLDER])
    coach_share = users["coach.nassjo"].memberships.get(role="coach").capacity - 6
    demo.assign(filled[:coach_share], "coach.nassjo")
    demo.assign([*filled[coach_share:], older_in_queue], "coach2.nassjo")
    # The coach registers in SUS as people start; the two who started last are still to do.
    for participant in filled[:-2]:
        sus(participant)
    demo.run_in_order()

    # Moving to Eksjö: the transfer meeting is next week.
    with demo.at(demo.ago(3), 10):
        consent_services.record_consent(
            actor=coach,
            person=moving.person,
            organisations=[_org("nassjo-se"), _org("eksjo-se")],
            purposes=[Purpose.TRANSFER],
            given_on=demo.ago(3),
            method=Consent.Method.ORAL,
            valid_until=demo.ago(3) + timedelta(days=90),
        )
        participant_services.start_transfer(
            actor=coach,
            participant=moving,
            to_municipality=Municipality.objects.get(code="eksjo"),
            note="Flyttar till Eksjö nästa månad. Har kontakt med en arbetsgivare i Eksjö.",
            meeting_at=timezone.make_aware(datetime.combine(demo.ahead(5), time(14, 0))),
            meeting_place="SE-teamet i Eksjö",
        )


def _create_held_meeting(demo: _Demo) -> None:
    """A meeting held ten days ago, FK's psychiatry seat absent: one enrolled (Nässjö being full,
    she waits in the queue, first in line as she is 23), one declined, one sent back, and one
    question escalated to the manager."""
    coach = demo.users["coach.nassjo"]
    day = demo.ago(10)
    held = demo.meeting("nassjo", day)
    written = demo.ago(45)
    referrals = [
        demo.ready(written=written, who=QUEUED_YOUNG),
        demo.ready(written=written),
        demo.ready(written=written),
        demo.ready(written=written),
    ]
    enrolled, declined, sent_back, escalated = demo.publish(held, referrals, on=demo.ago(17))
    demo.hold(
        held,
        [
            (enrolled, {"group_agreed": True, "outcome": Decision.Outcome.ENROL}),
            (
                declined,
                {
                    "group_agreed": True,
                    "outcome": Decision.Outcome.DECLINE,
                    "recommendation": "Kontakt med psykiatrin för utredning först.",
                    "grounds": "Behov av insats hos två parter är inte styrkt.",
                    "informs_person": "Handläggaren på Arbetsförmedlingen",
                },
            ),
            (sent_back, {"group_agreed": True, "outcome": Decision.Outcome.SEND_BACK}),
            (
                escalated,
                {"group_agreed": False, "disagreement": "Oenighet om försörjningen är tryggad under deltagandet."},
            ),
        ],
        absent=["region-psykiatri"],
    )
    (queued,) = Participant.objects.filter(referral=enrolled.referral)
    with demo.at(day, 16):
        participant_services.assign_coach(actor=coach, participant=queued, coach=coach)


def _create_coming_meetings(demo: _Demo) -> None:
    """The next meeting, agenda published yesterday, with one item FK's consent does not cover and
    a consultation question from Arbetsförmedlingen; and an extra meeting planned after it."""
    coach = demo.users["coach.nassjo"]
    coming = demo.meeting("nassjo", demo.ahead(10))
    written = demo.ago(30)
    with_fk = demo.ready(written=written)
    without_fk = demo.ready(written=written, consent_orgs=["nassjo-se", "af", "region-psykiatri", "nassjo-bistand"])
    demo.publish(coming, [with_fk, without_fk], on=demo.ago(1))
    with demo.at(demo.ago(1), 14):
        referral_services.raise_consultation(
            actor=demo.users["af.nassjo"],
            meeting=coming,
            kind=Consultation.Kind.INTERNAL,
            question="Hur samordnar vi stödet när en deltagare går från aktivitetsstöd till sjukpenning under "
            "insatsen? Vem kontaktar vem, och hur snabbt?",
        )
    with demo.at(demo.ago(1), 15):
        referral_services.create_extra_meeting(
            actor=coach,
            referral_group=coming.referral_group,
            day=demo.ahead(24),
            starts=time(9, 0),
            location="SE-teamets lokal, Storgatan",
        )


@transaction.atomic
def create_demo_cases(users: dict[str, User]) -> bool:
    """Create the demo cases unless they exist. Returns whether anything was created."""
    _first, _last, _gender, birth, serial = PERSONS[0]
    if Person.objects.filter(identity_number=with_check_digit(birth, serial).replace("-", "")).exists():
        return False
    demo_users.create_demo_only_users()
    everyone = {
        user.username: user for user in User.objects.filter(username__in=[u for u, *_r in demo_users.DEMO_ONLY_USERS])
    }
    demo = _Demo({**users, **everyone})
    coach, referrer = demo.users["coach.nassjo"], demo.users["referrer.af"]

    _create_nassjo_participants(demo)
    _create_held_meeting(demo)

    # Eksjö's own participant, and its own submitted referral, which Nässjö's people never see.
    (eksjo_participant,) = demo.enrolled("eksjo", days_ago=60, count=1)
    demo.assign([eksjo_participant], "coach.eksjo")
    demo.referral("eksjo", written=demo.ago(4))

    _create_coming_meetings(demo)

    # Referrals on their way: a draft, one waiting for the coach, one with its pre-meeting booked,
    # one the referrer withdrew, and one whose consent was withdrawn, which the case shows must follow.
    demo.referral(written=demo.ago(1), submit=False)
    demo.referral(written=demo.ago(2))
    booked = demo.referral(written=demo.ago(6))
    with demo.at(demo.ago(1), 13):
        referral_services.book_pre_meeting(
            actor=coach,
            referral=booked,
            booked_for=timezone.make_aware(datetime.combine(demo.ahead(3), time(9, 30))),
        )
    withdrawn = demo.referral(written=demo.ago(12))
    with demo.at(demo.ago(5), 10):
        referral_services.withdraw_referral(actor=referrer, referral=withdrawn)
    consent_withdrawn = demo.referral(written=demo.ago(8))
    with demo.at(demo.ago(1), 11):
        consent_services.withdraw_consent(
            actor=coach, consent=consent_withdrawn.person.consents.get(), withdrawn_on=demo.ago(1)
        )

    # The services kept the statistical records in step; the run also covers any later change to the
    # demo that writes straight to the tables (docs/domain.md#statistical-record).
    refresh_all_statistics()
    return True
