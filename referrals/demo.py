"""Demo cases for Nässjö and Eksjö: referrals in every status, a published agenda with one item
that FK's consent does not cover, a held meeting with decisions, a withdrawn consent and a
question escalated to the manager. Every person is fictional; the numbers are made up with a
correct check digit. Runs through the services, as the demo users, and only once.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from consent import services as consent_services
from consent.models import Consent, Purpose
from participants.identity import with_check_digit
from participants.models import Person
from participants.services import find_or_create_person
from sehoglandet.history import track
from sehoglandet.models import Municipality, Organisation, ReferralGroup

from . import services
from .models import AgendaItem, Decision, Meeting, PreMeeting, Referral

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


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


class _Demo:
    def __init__(self, users: dict[str, User]):
        self.users = users
        self.today = timezone.localdate()
        self.persons = iter(PERSONS)

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

    def referral(self, code: str = "nassjo", *, consent_orgs=None, submit=True) -> Referral:
        municipality = Municipality.objects.get(code=code)
        referrer = self.users["referrer.af"]
        person = self.person(municipality)
        referral = services.create_referral(
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
        services.add_agency_decision(
            actor=referrer,
            referral=referral,
            organisation=_org("af"),
            reference=f"AF-{person.pk:05d}",
            decided_on=self.today - timedelta(days=20),
            valid_until=self.today + timedelta(days=160),
        )
        codes = consent_orgs or [f"{code}-se", "af", "fk", "region-psykiatri", f"{code}-bistand"]
        consent_services.record_consent(
            actor=referrer,
            person=person,
            organisations=[_org(c) for c in codes],
            purposes=[Purpose.REFERRAL_GROUP, Purpose.PARTICIPATION],
            given_on=self.today - timedelta(days=21),
            method=Consent.Method.WRITTEN,
            valid_until=self.today + timedelta(days=344),
        )
        if submit:
            services.submit_referral(actor=referrer, referral=referral)
        return referral

    def ready(self, code="nassjo", coach="coach.nassjo", **kwargs) -> Referral:
        referral = self.referral(code, **kwargs)
        pre_meeting = services.book_pre_meeting(
            actor=self.users[coach],
            referral=referral,
            booked_for=timezone.make_aware(datetime.combine(self.today - timedelta(days=7), time(10, 0))),
        )
        services.record_pre_meeting(
            actor=self.users[coach],
            pre_meeting=pre_meeting,
            held_on=self.today - timedelta(days=7),
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
        track(meeting, self.users[f"coach.{code}"], "Demo meeting planned")
        meeting.save()
        return meeting


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
    services.book_pre_meeting(
        actor=coach,
        referral=booked,
        booked_for=timezone.make_aware(datetime.combine(demo.today + timedelta(days=3), time(9, 30))),
    )
    withdrawn = demo.referral()
    services.withdraw_referral(actor=users["referrer.af"], referral=withdrawn)

    # A held meeting two weeks ago: enrolled, declined, sent back, and one question escalated.
    held = demo.meeting("nassjo", days_ahead=10)
    held_items = [
        services.add_agenda_item(actor=coach, meeting=held, referral=demo.ready(), kind=AgendaItem.Kind.NEW_REFERRAL)
        for _ in range(4)
    ]
    services.publish_agenda(actor=coach, meeting=held)
    Meeting.objects.filter(pk=held.pk).update(
        starts_at=held.starts_at - timedelta(days=24), item_deadline=held.item_deadline - timedelta(days=24)
    )
    held.refresh_from_db()
    services.record_attendance(
        actor=coach,
        meeting=held,
        present={
            seat.pk: seat.organisation.short_name
            for seat in held.referral_group.seats.exclude(organisation__code="region-psykiatri")
        },
    )
    enrolled, declined, sent_back, escalated = held_items
    services.record_decision(actor=coach, item=enrolled, group_agreed=True, outcome=Decision.Outcome.ENROL)
    services.record_decision(
        actor=coach,
        item=declined,
        group_agreed=True,
        outcome=Decision.Outcome.DECLINE,
        recommendation="Kontakt med psykiatrin för utredning först.",
        grounds="Behov av insats hos två parter är inte styrkt.",
        informs_person="Handläggaren på Arbetsförmedlingen",
    )
    services.record_decision(actor=coach, item=sent_back, group_agreed=True, outcome=Decision.Outcome.SEND_BACK)
    services.record_decision(
        actor=coach,
        item=escalated,
        group_agreed=False,
        disagreement="Oenighet om försörjningen är tryggad under deltagandet.",
    )
    services.close_meeting(actor=coach, meeting=held)

    # The coming meeting, agenda published: one item FK's consent does not cover.
    coming = demo.meeting("nassjo", days_ahead=12)
    services.add_agenda_item(actor=coach, meeting=coming, referral=demo.ready(), kind=AgendaItem.Kind.NEW_REFERRAL)
    without_fk = demo.ready(consent_orgs=["nassjo-se", "af", "region-psykiatri", "nassjo-bistand"])
    services.add_agenda_item(actor=coach, meeting=coming, referral=without_fk, kind=AgendaItem.Kind.NEW_REFERRAL)
    services.publish_agenda(actor=coach, meeting=coming)

    # A withdrawn consent on a submitted referral: the case shows what must follow.
    consent_withdrawn = demo.referral()
    consent = consent_withdrawn.person.consents.get()
    consent_services.withdraw_consent(actor=coach, consent=consent, withdrawn_on=demo.today)

    # Eksjö has its own submitted referral, which Nässjö's people never see.
    demo.referral("eksjo")
    return True
