"""A realistic random population for the disclosure tests: a few hundred fictional persons referred,
prepared and decided through the services, then dated back and spread over the municipalities.

The services decide only today, so, as the report journey does, each case is built today and then
given its dates: a decision between October 2025 and November 2026, a start, for some an exit with
a reason, an occupation and an income after, for some a move to another municipality or a new
income during the support. Every municipality's referral group is represented, so a small
municipality has the handful of participants that makes disclosure control matter.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from participants.models import IncomeRecord, MunicipalityPeriod, Occupation, Participant
from referrals.models import Decision, ExitReason, IncomeSource, Meeting, Referral
from reporting.report import OCCUPATION_GROUPS
from reporting.services import refresh_all_statistics
from sehoglandet.models import Municipality, Organisation
from tests import factories

FIRST_DAY = date(2025, 10, 1)
LAST_DAY = date(2026, 11, 30)
# Uneven, as the association's municipalities are: Nässjö and Vetlanda large, Aneby and Sävsjö small.
MUNICIPALITY_WEIGHTS = {"nassjo": 30, "vetlanda": 25, "eksjo": 18, "tranas": 15, "savsjo": 7, "aneby": 5}
GENDER_WEIGHTS = {"woman": 48, "man": 48, "other": 4}
EXIT_REASON_WEIGHTS = {
    ExitReason.WORK: 30,
    ExitReason.STUDIES: 8,
    ExitReason.LACK_OF_MOTIVATION: 12,
    ExitReason.RELAPSE: 6,
    ExitReason.WORSE_HEALTH: 12,
    ExitReason.OTHER_SUPPORT: 10,
    ExitReason.MOVED: 8,
    ExitReason.DECEASED: 1,
    ExitReason.OTHER: 5,
}
OCCUPATION_AFTER = {
    ExitReason.WORK: [Occupation.WORK, Occupation.SUBSIDISED_WORK],
    ExitReason.STUDIES: [Occupation.STUDIES],
}
# Every other occupation, as a municipality's report groups them.
OTHER_OCCUPATIONS = OCCUPATION_GROUPS["other"][1]
INCOME_AT_ENROLMENT = [
    IncomeSource.ACTIVITY_COMPENSATION,
    IncomeSource.SICKNESS_COMPENSATION,
    IncomeSource.SICKNESS_BENEFIT,
    IncomeSource.ACTIVITY_SUPPORT,
    IncomeSource.SOCIAL_ASSISTANCE,
    IncomeSource.UNEMPLOYMENT_INSURANCE,
    IncomeSource.NONE,
]
REFERRING = ["af", "fk", "region-psykiatri", "{m}-bistand"]
BATCH = 25


@dataclass
class Population:
    participants: int
    referrals: int


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def build_population(people, *, size: int, seed: int) -> Population:
    """`size` persons referred to and decided by Nässjö's group through the services (most enrolled,
    some declined or sent back), then dated and spread as described above."""
    rng = random.Random(seed)
    coach = people["coach.nassjo"]
    # Room for everyone, so the decision starts the support instead of queueing (the queue is
    # made below by leaving some without a start).
    Municipality.objects.filter(code="nassjo").update(coach_fte_percent=100 * (size // 20 + 1))
    referrals = []
    for first in range(0, size, BATCH):
        meeting = factories.make_meeting(people, days_ahead=10 + Meeting.objects.count())
        items = []
        for number in range(first, min(first + BATCH, size)):
            person = factories.make_person(
                people["referrer.af"],
                first_name=f"Urval{number}",
                last_name="Statistiksson",
                gender=_weighted(rng, GENDER_WEIGHTS),
                birth=date(1962 + rng.randrange(44), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            )
            referral = factories.make_ready_referral(people, person=person)
            referrals.append(referral)
            if rng.random() < 0.05:
                continue  # still waiting for the group
            items.append(factories.put_on_agenda(people, referral, meeting))
        _hold_today(meeting, first // BATCH)
        for item in items:
            item.refresh_from_db()
            outcome = rng.choices(
                [Decision.Outcome.ENROL, Decision.Outcome.DECLINE, Decision.Outcome.SEND_BACK], weights=[85, 10, 5]
            )[0]
            fields = {}
            if outcome == Decision.Outcome.DECLINE:
                fields = {"recommendation": "Kontakta vården.", "grounds": "Annat stöd behövs.", "informs_person": "AF"}
            elif outcome == Decision.Outcome.SEND_BACK:
                fields = {"grounds": "Förmötet behöver kompletteras."}
            factories.decide(people, item, outcome, **fields)
    for referral in referrals:
        _date_back(rng, people, coach, referral)
    refresh_all_statistics()
    return Population(participants=Participant.objects.count(), referrals=len(referrals))


def _hold_today(meeting: Meeting, number: int) -> None:
    """Move the meeting to earlier today, a minute after the one before (decisions need that)."""
    start = datetime.combine(timezone.localdate(), time(0, 5)) + timedelta(minutes=number)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.make_aware(start))
    meeting.refresh_from_db()


def _date_back(rng: random.Random, people, coach, referral: Referral) -> None:
    """Give the case built today its place in time and in a municipality."""
    referral.refresh_from_db()
    code = _weighted(rng, MUNICIPALITY_WEIGHTS)
    municipality = factories.municipality(code)
    referring = Organisation.objects.get(code=rng.choice(REFERRING).format(m=code))
    submitted = _day_between(rng, FIRST_DAY - timedelta(days=40), LAST_DAY - timedelta(days=60))
    decided = submitted + timedelta(days=20 + rng.randrange(30))
    Referral.objects.filter(pk=referral.pk).update(
        municipality=municipality,
        referring_organisation=referring,
        submitted_at=_moment(submitted),
        decided_at=_moment(decided) if referral.decided_at else None,
    )
    participant = Participant.objects.filter(referral=referral).first()
    if participant is None:
        return
    started = None if rng.random() < 0.08 else min(decided + timedelta(days=rng.randrange(40)), LAST_DAY)
    exited = None
    if started and rng.random() < 0.45:
        exited = min(started + timedelta(days=30 + rng.randrange(300)), LAST_DAY)
    reason = _weighted(rng, EXIT_REASON_WEIGHTS) if exited else ""
    occupation = rng.choice(OCCUPATION_AFTER.get(reason, OTHER_OCCUPATIONS)) if exited else ""
    Participant.objects.filter(pk=participant.pk).update(
        municipality=municipality,
        decided_on=decided,
        started_on=started,
        exited_on=exited,
        exit_reason=reason,
        occupation_after=occupation,
        status="exited" if exited else "active" if started else "queued",
        age_at_decision=participant.person.age_on(decided),
    )
    MunicipalityPeriod.objects.filter(participant=participant).update(municipality=municipality, moved_in_on=decided)
    IncomeRecord.objects.filter(participant=participant).update(
        source=rng.choice(INCOME_AT_ENROLMENT), valid_from=decided
    )
    last_active = exited or LAST_DAY
    if started and rng.random() < 0.1 and (last_active - started).days > 20:
        moved = started + timedelta(days=10 + rng.randrange((last_active - started).days - 10))
        MunicipalityPeriod.objects.filter(participant=participant).update(moved_out_on=moved)
        other = rng.choice([m for m in MUNICIPALITY_WEIGHTS if m != code])
        MunicipalityPeriod.objects.create(
            participant=participant, municipality=factories.municipality(other), moved_in_on=moved
        )
        Participant.objects.filter(pk=participant.pk).update(municipality=factories.municipality(other))
    if started and rng.random() < 0.3 and (last_active - started).days > 10:
        changed = started + timedelta(days=5 + rng.randrange((last_active - started).days - 5))
        _income(participant, coach, IncomeRecord.Phase.DURING, IncomeSource.SALARY, changed)
    if exited:
        after = IncomeSource.SALARY if reason == ExitReason.WORK else rng.choice(INCOME_AT_ENROLMENT)
        if reason == ExitReason.STUDIES:
            after = IncomeSource.STUDENT_FINANCE
        _income(participant, coach, IncomeRecord.Phase.AFTER, after, exited)


def _income(participant: Participant, coach, phase: str, source: str, valid_from: date) -> None:
    IncomeRecord.objects.create(
        participant=participant, phase=phase, source=source, valid_from=valid_from, recorded_by=coach
    )
