"""The coach's to-do list: each kind of item appears when it is due, and not before or once done.

Participants are saved in the state a test needs (with the SE team's grant, as an enrolment gives
it), so each case reads as the situation the coach is in.
"""

from datetime import date, timedelta
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import assign_perm

from consent.models import Consent
from participants import services
from participants.models import AftercareVisit, Employment, IncomeRecord, Occupation, Participant
from participants.todo import TodoKind, TodoList, todo_counts, todo_for
from referrals import services as referral_services
from referrals.models import AgencyDecision, ExitReason, IncomeSource
from tests import factories
from tests.helpers import today

from .conftest import enrol

_births = count(1)


def participant_in(
    people,
    first_name: str = "Alva",
    last_name: str = "Brandt",
    *,
    municipality_code: str = "nassjo",
    status: str = Participant.Status.ACTIVE,
    decided_on: date | None = None,
    started_on: date | None = None,
    exited_on: date | None = None,
    exit_reason: str = "",
    occupation_after: str = "",
    sus_registered_on: date | None = None,
    sus_deregistered_on: date | None = None,
    income_before: str = IncomeSource.SICKNESS_BENEFIT,
    income_after: str = "",
    gender: str = "woman",
    birth: date | None = None,
    responsible_coach=None,
) -> Participant:
    """A participant of the municipality in the state given, with the SE team's grant. Started on the
    decision day unless queued; exited participants need `exited_on` and `exit_reason`."""
    actor = people[f"coach.{municipality_code}"]
    birth = birth or date(1965, 1, 1) + timedelta(days=97 * next(_births) % (35 * 365))
    person = factories.make_person(actor, first_name=first_name, last_name=last_name, birth=birth, gender=gender)
    municipality = factories.municipality(municipality_code)
    decided_on = decided_on or timezone.localdate() - timedelta(days=200)
    if started_on is None and status != Participant.Status.QUEUED:
        started_on = decided_on
    participant = Participant(
        person=person,
        municipality=municipality,
        status=status,
        decided_on=decided_on,
        started_on=started_on,
        age_at_decision=person.age_on(decided_on),
        exited_on=exited_on,
        exit_reason=exit_reason,
        occupation_after=occupation_after,
        sus_registered_on=sus_registered_on,
        sus_deregistered_on=sus_deregistered_on,
        responsible_coach=responsible_coach,
    )
    participant._history_user = actor
    participant.save()
    for perm in services.PARTICIPANT_PERMISSIONS:
        assign_perm(perm, municipality.se_team.group, participant)
    phases = [
        (IncomeRecord.Phase.BEFORE, income_before, decided_on),
        (IncomeRecord.Phase.AFTER, income_after, exited_on),
    ]
    for phase, source, valid_from in phases:
        if source:
            IncomeRecord.objects.create(
                participant=participant, phase=phase, source=source, valid_from=valid_from, recorded_by=actor
            )
    return participant


def exited(people, exited_on: date, reason: str, **fields) -> Participant:
    """Exited on `exited_on` for `reason`, registered in SUS at the start, details recorded."""
    fields.setdefault("decided_on", exited_on - timedelta(days=300))
    fields.setdefault("sus_registered_on", fields["decided_on"])
    fields.setdefault("occupation_after", Occupation.WORK)
    return participant_in(people, status=Participant.Status.EXITED, exited_on=exited_on, exit_reason=reason, **fields)


def consent_row(people, person, *, given_on: date, valid_until: date, withdrawn_on: date | None = None) -> Consent:
    """A consent saved as it stands on the day of the test (the service refuses past end dates)."""
    return Consent.objects.create(
        person=person,
        given_on=given_on,
        valid_until=valid_until,
        withdrawn_on=withdrawn_on,
        method=Consent.Method.WRITTEN,
        recorded_by=people["coach.nassjo"],
        for_participation=True,
    )


def items_of(kind: TodoKind, user, today: date) -> list:
    return [item for item in todo_for(user, today) if item.kind == kind]


# Aftercare contacts


@pytest.fixture
def employed(people):
    """Employed from 20 days ago: visits on days 7 and 14 are overdue, day 21 is tomorrow."""
    participant = participant_in(people, sus_registered_on=today() - timedelta(days=200))
    services.register_employment(
        actor=people["coach.nassjo"],
        participant=participant,
        employer="Bageriet",
        kind=Employment.Kind.EMPLOYMENT,
        starts_on=today() - timedelta(days=20),
        hours_per_week=20,
    )
    return participant


def test_aftercare_contacts_due_by_the_end_of_the_week_are_listed(people, employed):
    coach = people["coach.nassjo"]
    start = today() - timedelta(days=20)
    week_end = today() + timedelta(days=6 - today().weekday())
    expected = [start + timedelta(days=d) for d in (7, 14, 21, 28) if start + timedelta(days=d) <= week_end]

    items = items_of(TodoKind.AFTERCARE, coach, today())

    assert [item.due_on for item in items] == expected
    assert {item.participant for item in items} == {employed}
    assert str(items[0].detail) == "Arbetsplatsbesök"
    assert items[0].overdue_on(today())


def test_an_aftercare_contact_marked_done_leaves_the_list(people, employed):
    coach = people["coach.nassjo"]
    first = employed.aftercare_visits.order_by("due_on").first()

    services.mark_visit(actor=coach, visit=first, status=AftercareVisit.Status.DONE)

    assert first.due_on not in [item.due_on for item in items_of(TodoKind.AFTERCARE, coach, today())]


# Decisions on insats


@pytest.fixture
def with_referral(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    return alva


def decision(participant, organisation_code: str, *, valid_until: date | None, decided_on: date | None = None):
    return AgencyDecision.objects.create(
        referral=participant.referral,
        organisation=factories.org(organisation_code),
        reference=f"{organisation_code}-{valid_until}",
        decided_on=decided_on or today() - timedelta(days=100),
        valid_until=valid_until,
    )


def test_a_decision_on_insats_ending_within_30_days_is_listed_and_one_ending_later_is_not(people, with_referral):
    decision(with_referral, "fk", valid_until=today() + timedelta(days=30))
    decision(with_referral, "af", valid_until=today() + timedelta(days=31))

    items = items_of(TodoKind.AGENCY_DECISION, people["coach.nassjo"], today())

    assert [(item.due_on, item.detail) for item in items] == [(today() + timedelta(days=30), "FK")]


@pytest.mark.parametrize(
    "newer_until", [60, None], ids=["a later decision of the same party", "an open-ended decision of the same party"]
)
def test_a_new_decision_of_the_same_party_clears_the_reminder(people, with_referral, newer_until):
    decision(with_referral, "fk", valid_until=today() + timedelta(days=10))
    decision(
        with_referral,
        "fk",
        valid_until=None if newer_until is None else today() + timedelta(days=newer_until),
        decided_on=today(),
    )

    assert items_of(TodoKind.AGENCY_DECISION, people["coach.nassjo"], today()) == []


def test_another_partys_decision_does_not_clear_the_reminder(people, with_referral):
    decision(with_referral, "fk", valid_until=today() - timedelta(days=3))
    decision(with_referral, "af", valid_until=None)

    items = items_of(TodoKind.AGENCY_DECISION, people["coach.nassjo"], today())

    assert [(item.due_on, item.overdue_on(today())) for item in items] == [(today() - timedelta(days=3), True)]


def test_the_coach_renews_a_decision_after_enrolment_through_the_service_and_the_reminder_goes(people, with_referral):
    decision(with_referral, "fk", valid_until=today() + timedelta(days=10))

    referral_services.add_agency_decision(
        actor=people["coach.nassjo"],
        referral=with_referral.referral,
        organisation=factories.org("fk"),
        reference="FK-förnyat",
        decided_on=today(),
        valid_until=today() + timedelta(days=180),
    )

    assert items_of(TodoKind.AGENCY_DECISION, people["coach.nassjo"], today()) == []


def test_the_referrer_cannot_add_a_decision_once_the_person_is_enrolled(people, with_referral):
    with pytest.raises(PermissionDenied):
        referral_services.add_agency_decision(
            actor=people["referrer.af"],
            referral=with_referral.referral,
            organisation=factories.org("af"),
            reference="AF-sent",
            decided_on=today(),
        )


# Income to review


def record_income(people, participant, *, valid_from: date, review_on: date | None):
    return services.record_income(
        actor=people["coach.nassjo"],
        participant=participant,
        source=IncomeSource.ACTIVITY_COMPENSATION,
        valid_from=valid_from,
        review_on=review_on,
    )


def test_an_income_to_review_within_30_days_is_listed(people):
    participant = participant_in(people)
    record_income(people, participant, valid_from=today() - timedelta(days=50), review_on=today() + timedelta(days=5))
    later = participant_in(people, "Bo", "Cederholm")
    record_income(people, later, valid_from=today() - timedelta(days=50), review_on=today() + timedelta(days=31))

    items = items_of(TodoKind.INCOME_REVIEW, people["coach.nassjo"], today())

    assert [(item.participant, item.due_on, str(item.detail)) for item in items] == [
        (participant, today() + timedelta(days=5), "Aktivitetsersättning")
    ]


@pytest.mark.parametrize("days_later", [1, 0], ids=["a later income", "a new income the same day"])
def test_a_new_income_clears_the_review(people, days_later):
    participant = participant_in(people)
    start = today() - timedelta(days=50)
    record_income(people, participant, valid_from=start, review_on=today() + timedelta(days=5))

    record_income(people, participant, valid_from=start + timedelta(days=days_later), review_on=None)

    assert items_of(TodoKind.INCOME_REVIEW, people["coach.nassjo"], today()) == []


# Consent


@pytest.mark.parametrize(
    ("ends_in", "listed"),
    [(30, True), (0, True), (-5, True), (31, False)],
    ids=["ends in 30 days", "ends today", "ended 5 days ago", "ends in 31 days"],
)
def test_a_consent_that_ends_is_listed_until_a_new_one_is_given(people, ends_in, listed):
    participant = participant_in(people)
    ends = today() + timedelta(days=ends_in)
    consent_row(people, participant.person, given_on=today() - timedelta(days=300), valid_until=ends)

    items = items_of(TodoKind.CONSENT_EXPIRING, people["coach.nassjo"], today())

    assert [(item.participant, item.due_on) for item in items] == ([(participant, ends)] if listed else [])


def test_of_two_consents_that_end_the_later_end_is_the_one_listed_and_a_future_consent_clears_nothing(people):
    participant = participant_in(people)
    consent_row(
        people, participant.person, given_on=today() - timedelta(days=300), valid_until=today() + timedelta(days=3)
    )
    consent_row(
        people, participant.person, given_on=today() - timedelta(days=200), valid_until=today() + timedelta(days=9)
    )
    consent_row(
        people, participant.person, given_on=today() + timedelta(days=1), valid_until=today() + timedelta(days=365)
    )

    items = items_of(TodoKind.CONSENT_EXPIRING, people["coach.nassjo"], today())

    assert [(item.participant, item.due_on) for item in items] == [(participant, today() + timedelta(days=9))]


def test_a_new_consent_or_a_withdrawal_clears_the_consent_reminder(people):
    renewed, withdrawn = participant_in(people), participant_in(people, "Bo", "Cederholm")
    consent_row(people, renewed.person, given_on=today() - timedelta(days=300), valid_until=today() + timedelta(days=3))
    consent_row(people, renewed.person, given_on=today(), valid_until=today() + timedelta(days=365))
    consent_row(
        people,
        withdrawn.person,
        given_on=today() - timedelta(days=300),
        valid_until=today() + timedelta(days=3),
        withdrawn_on=today(),
    )

    assert items_of(TodoKind.CONSENT_EXPIRING, people["coach.nassjo"], today()) == []


# SUS registration


def test_a_started_participant_not_yet_in_sus_is_to_be_registered(people):
    started = participant_in(people, decided_on=today() - timedelta(days=10))
    participant_in(people, "Bo", "Cederholm", sus_registered_on=today() - timedelta(days=100))
    participant_in(people, "Cia", "Dahl", status=Participant.Status.QUEUED)

    items = items_of(TodoKind.SUS_REGISTER, people["coach.nassjo"], today())

    assert [(item.participant, item.due_on) for item in items] == [(started, today() - timedelta(days=10))]


def test_an_exited_participant_never_registered_in_sus_is_still_to_be_registered(people):
    never = exited(people, today() - timedelta(days=40), ExitReason.MOVED, sus_registered_on=None)

    items = items_of(TodoKind.SUS_REGISTER, people["coach.nassjo"], today())

    assert [item.participant for item in items] == [never]


@pytest.mark.parametrize(
    ("exited_on", "reason", "due"),
    [
        (date(2024, 11, 30), ExitReason.WORK, date(2025, 2, 28)),
        (date(2023, 11, 30), ExitReason.STUDIES, date(2024, 2, 29)),
        (date(2025, 1, 31), ExitReason.WORK, date(2025, 4, 30)),
        (date(2024, 11, 30), ExitReason.MOVED, date(2024, 11, 30)),
        (date(2024, 11, 30), ExitReason.WORSE_HEALTH, date(2024, 11, 30)),
    ],
    ids=["work, 30 Nov", "studies, 30 Nov before a leap year", "work, 31 Jan", "moved", "worse health"],
)
def test_sus_de_registration_is_due_three_months_after_work_or_studies_and_at_once_otherwise(
    people, exited_on, reason, due
):
    participant = exited(people, exited_on, reason)
    coach = people["coach.nassjo"]

    day_before = items_of(TodoKind.SUS_DEREGISTER, coach, due - timedelta(days=1))
    on_the_day = items_of(TodoKind.SUS_DEREGISTER, coach, due)

    assert participant.sus_deregistration_due_on == due
    assert day_before == []
    assert [(item.participant, item.due_on) for item in on_the_day] == [(participant, due)]


def test_no_de_registration_once_done_or_when_never_registered(people):
    exited(people, date(2024, 5, 2), ExitReason.MOVED, sus_deregistered_on=date(2024, 5, 3))
    exited(people, date(2024, 5, 2), ExitReason.MOVED, sus_registered_on=None)

    assert items_of(TodoKind.SUS_DEREGISTER, people["coach.nassjo"], date(2025, 1, 1)) == []


# Exit details and the survey


def test_an_exit_without_occupation_after_asks_for_the_details(people):
    missing = exited(people, today() - timedelta(days=3), ExitReason.WORK, occupation_after="")
    exited(people, today() - timedelta(days=3), ExitReason.WORK)

    items = items_of(TodoKind.EXIT_DETAILS, people["coach.nassjo"], today())

    assert [(item.participant, item.due_on) for item in items] == [(missing, today() - timedelta(days=3))]


def test_the_survey_is_offered_in_october_only_with_the_number_of_participants(people):
    participant_in(people)
    participant_in(people, "Bo", "Cederholm", status=Participant.Status.AFTERCARE)
    participant_in(people, "Cia", "Dahl", status=Participant.Status.QUEUED)
    coach = people["coach.nassjo"]

    october = items_of(TodoKind.SURVEY, coach, date(2025, 10, 6))

    assert [(item.due_on, item.detail, item.participant) for item in october] == [(date(2025, 10, 31), "2", None)]
    assert items_of(TodoKind.SURVEY, coach, date(2025, 9, 30)) == []
    assert items_of(TodoKind.SURVEY, coach, date(2025, 11, 1)) == []
    assert items_of(TodoKind.SURVEY, people["coach.eksjo"], date(2025, 10, 6)) == []


# The list as a whole


def test_the_list_is_in_date_order_with_the_overdue_first(people):
    participant_in(people, decided_on=today() - timedelta(days=10))
    exited(people, today() - timedelta(days=30), ExitReason.MOVED, occupation_after="")

    items = todo_for(people["coach.nassjo"], today())

    assert [(item.kind, item.due_on) for item in items] == [
        (TodoKind.EXIT_DETAILS, today() - timedelta(days=30)),
        (TodoKind.SUS_DEREGISTER, today() - timedelta(days=30)),
        (TodoKind.SUS_REGISTER, today() - timedelta(days=10)),
    ]


def test_the_list_holds_only_the_coachs_own_municipality(people):
    participant_in(people, municipality_code="eksjo")

    assert todo_for(people["coach.nassjo"], today()) == []
    assert len(todo_for(people["coach.eksjo"], today())) == 1
    assert todo_for(people["chef.eksjo"], today()) == []


def test_the_counts_give_every_kind(people):
    participant_in(people, decided_on=today() - timedelta(days=10))
    participant_in(people, "Bo", "Cederholm", decided_on=today() - timedelta(days=9))

    counts = todo_counts(people["coach.nassjo"], today())

    assert set(counts) == set(TodoKind)
    assert {kind: n for kind, n in counts.items() if n} == {TodoKind.SUS_REGISTER: 2}


def test_de_registrations_are_in_order_of_their_due_date_not_of_the_exit(people):
    to_work = exited(people, date(2024, 1, 31), ExitReason.WORK)
    moved = exited(people, date(2024, 2, 15), ExitReason.MOVED)

    items = items_of(TodoKind.SUS_DEREGISTER, people["coach.nassjo"], date(2024, 6, 1))

    assert [(item.participant, item.due_on) for item in items] == [
        (moved, date(2024, 2, 15)),
        (to_work, date(2024, 4, 30)),
    ]


def test_in_october_the_survey_takes_its_place_in_the_list_and_in_every_slice_of_it(people):
    october = date(2025, 10, 6)
    exited(people, date(2025, 10, 1), ExitReason.MOVED, occupation_after="", decided_on=date(2025, 1, 2))
    participant_in(people, "Bo", "Cederholm", decided_on=date(2025, 10, 31))
    coach = people["coach.nassjo"]

    todo = TodoList(coach, october)
    items = todo[0 : len(todo)]

    assert [(item.kind, item.due_on) for item in items] == [
        (TodoKind.EXIT_DETAILS, date(2025, 10, 1)),
        (TodoKind.SUS_DEREGISTER, date(2025, 10, 1)),
        (TodoKind.SURVEY, date(2025, 10, 31)),
        (TodoKind.SUS_REGISTER, date(2025, 10, 31)),
    ]
    assert [todo[n : n + 1] for n in range(len(todo))] == [[item] for item in items]
    assert todo[1:3] == items[1:3]
    assert todo_counts(coach, october)[TodoKind.SURVEY] == 1
