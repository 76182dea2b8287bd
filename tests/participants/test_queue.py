"""The queue of a full municipality: 18–29-year-olds first, then the earliest decision."""

from datetime import date, timedelta

from django.utils import timezone

from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.models import Participant
from participants.selectors import queue_of
from referrals import services as referral_services
from referrals.models import Decision
from tests import factories


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def referral_for(people, birth: date):
    person = factories.make_person(people["referrer.af"], birth=birth)
    return factories.make_referral(people, person=person)


def test_the_queue_puts_18_to_29_year_olds_first_then_the_earliest_decision(people, django_assert_num_queries):
    coach = people["coach.nassjo"]
    nassjo = factories.municipality("nassjo")
    factories.fill_places(coach)
    factories.make_participant(coach, municipality_code="eksjo", status=Participant.Status.QUEUED)
    today = timezone.localdate()

    def days_ago(n: int) -> date:
        return today - timedelta(days=n)

    # label: (decision day, date of birth)
    waiting = {
        "55, decided first": (days_ago(100), years_before(days_ago(100), 55)),
        "30 on the decision day": (days_ago(90), years_before(days_ago(90), 30)),
        "19": (days_ago(80), years_before(days_ago(80), 19) - timedelta(days=40)),
        "29 on the decision day": (days_ago(70), years_before(days_ago(70), 30) + timedelta(days=1)),
        "18 on the decision day": (days_ago(60), years_before(days_ago(60), 18)),
        "52, decided last": (days_ago(50), years_before(days_ago(50), 52)),
    }
    enrolled = {}
    for label, (decided_on, birth) in reversed(waiting.items()):
        enrolled[label] = participant_services.enrol(
            actor=coach, referral=referral_for(people, birth), decided_on=decided_on
        )

    with django_assert_num_queries(1):
        queue = [(p.person.last_name, p.referral.reference, p.pk) for p in queue_of(nassjo)]

    labels = {participant.pk: label for label, participant in enrolled.items()}
    assert [labels[pk] for *_rest, pk in queue] == [
        "19",
        "29 on the decision day",
        "18 on the decision day",
        "55, decided first",
        "30 on the decision day",
        "52, decided last",
    ]
    assert enrolled["29 on the decision day"].age_at_decision == 29
    assert enrolled["30 on the decision day"].age_at_decision == 30
    assert enrolled["18 on the decision day"].age_at_decision == 18
    assert all(p.status == Participant.Status.QUEUED and p.started_on is None for p in enrolled.values())


def test_a_29_year_old_decided_today_goes_before_a_30_year_old_decided_earlier_today(people):
    coach = people["coach.nassjo"]
    factories.fill_places(coach)
    today = timezone.localdate()
    thirty = factories.make_ready_referral(people, person=factories.make_person(coach, birth=years_before(today, 30)))
    twenty_nine = factories.make_ready_referral(
        people, person=factories.make_person(coach, birth=years_before(today, 30) + timedelta(days=1))
    )
    meeting = factories.make_meeting(people)
    items = [factories.put_on_agenda(people, referral, meeting, publish=False) for referral in (thirty, twenty_nine)]
    referral_services.publish_agenda(actor=coach, meeting=meeting)
    factories.hold_meeting_today(meeting)

    for item in items:
        factories.decide(people, item, Decision.Outcome.ENROL)

    queue = list(queue_of(factories.municipality("nassjo")))
    assert [p.referral_id for p in queue] == [twenty_nine.pk, thirty.pk]
    assert [p.age_at_decision for p in queue] == [29, 30]
    assert [p.is_young for p in queue] == [True, False]


def test_the_capacity_use_counts_active_and_queued_participants_per_municipality(people):
    coach = people["coach.nassjo"]
    factories.fill_places(coach, leave_free=6)
    factories.make_participant(coach, status=Participant.Status.QUEUED)
    factories.make_participant(coach, status=Participant.Status.EXITED)
    factories.make_participant(coach, municipality_code="eksjo", status=Participant.Status.QUEUED)
    nassjo, eksjo, aneby = (factories.municipality(code) for code in ("nassjo", "eksjo", "aneby"))

    use = participant_selectors.capacity_use([nassjo, eksjo, aneby])

    assert use[nassjo.pk] == {"active": 30, "queued": 1}
    assert use[eksjo.pk] == {"active": 0, "queued": 1}
    assert use[aneby.pk] == {"active": 0, "queued": 0}
