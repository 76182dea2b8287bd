"""A referral from draft to decision, and the person it is about, driven through the services."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consent.models import Purpose
from referrals import selectors, services
from referrals.events import ReferralEvent
from referrals.models import Decision, PreMeeting, Referral
from sehoglandet.models import Person
from sehoglandet.services import find_or_create_person
from tests import factories
from tests.helpers import sees

Status = Referral.Status


def book(people, referral: Referral, *, coach: str = "coach.nassjo") -> PreMeeting:
    return services.book_pre_meeting(
        actor=people[coach], referral=referral, booked_for=timezone.now() - timedelta(hours=1)
    )


def record(people, pre_meeting: PreMeeting, outcome: str, *, coach: str = "coach.nassjo", **fields) -> Referral:
    services.record_pre_meeting(
        actor=people[coach], pre_meeting=pre_meeting, held_on=timezone.localdate(), outcome=outcome, **fields
    )
    return Referral.objects.get(pk=pre_meeting.referral_id)


def decided(people, outcome: str, **fields) -> Referral:
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    factories.decide(people, item, outcome, **fields)
    referral.refresh_from_db()
    return referral


DECLINE_FIELDS = {
    "recommendation": "Medicinsk utredning hos regionen först.",
    "grounds": "Behöver först medicinsk utredning.",
    "informs_person": "Remittenten på AF",
}


def referral_in(people, status: str) -> Referral:
    """A referral brought to `status` the way users would bring it there."""
    if status == Status.DRAFT:
        return factories.make_referral(people, submit=False)
    if status == Status.SUBMITTED:
        return factories.make_referral(people)
    if status == Status.PRE_MEETING_BOOKED:
        referral = factories.make_referral(people)
        book(people, referral)
        referral.refresh_from_db()
        return referral
    if status == Status.READY:
        return factories.make_ready_referral(people)
    if status == Status.ENROLLED:
        return decided(people, Decision.Outcome.ENROL)
    if status == Status.DECLINED:
        return decided(people, Decision.Outcome.DECLINE, **DECLINE_FIELDS)
    if status == Status.SENT_BACK:
        return decided(people, Decision.Outcome.SEND_BACK)
    raise AssertionError(status)


def history_count(referral: Referral) -> int:
    return referral.history.count()


# Draft and submission


def test_a_new_referral_is_a_draft_that_only_its_referrer_sees(people):
    referral = factories.make_referral(people, submit=False)

    assert referral.status == Status.DRAFT
    assert referral.submitted_at is None
    assert sees(people["referrer.af"], referral)
    for outsider in ["coach.nassjo", "chef.nassjo", "af.nassjo", "fk.nassjo", "coach.eksjo"]:
        assert not sees(people[outsider], referral), outsider


def test_submitting_sends_the_referral_to_the_municipalitys_se_team(people):
    referral = factories.make_referral(people, submit=False)

    services.submit_referral(actor=people["referrer.af"], referral=referral)

    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert referral.submitted_at is not None
    assert sees(people["referrer.af"], referral)
    assert sees(people["coach.nassjo"], referral)
    assert sees(people["chef.nassjo"], referral)
    assert not sees(people["coach.eksjo"], referral)
    assert not sees(people["chef.eksjo"], referral)
    assert not sees(people["fk.nassjo"], referral), "members see a referral only once it is on an agenda"


def test_a_referral_needs_at_least_one_target_group_ground(people):
    actor = people["referrer.af"]
    person = factories.make_person(actor)

    with pytest.raises(ValidationError):
        services.create_referral(
            actor=actor,
            person=person,
            municipality=factories.municipality(),
            referring_organisation=factories.org("af"),
            active_at=[factories.org("af"), factories.org("fk")],
            income_source="sickness_benefit",
            motivation="Jag vill jobba.",
            question="Deltagande?",
            grounds={"ground_disability": False, "ground_mental_ill_health": False},
        )

    assert not Referral.objects.exists()


def test_the_last_ground_cannot_be_removed_from_a_draft(people):
    referral = factories.make_referral(people, submit=False)

    with pytest.raises(ValidationError):
        services.update_referral(
            actor=people["referrer.af"],
            referral=referral,
            active_at=list(referral.active_at.all()),
            ground_mental_ill_health=False,
        )

    referral.refresh_from_db()
    assert referral.ground_mental_ill_health


@pytest.mark.parametrize(
    ("consent_codes", "purposes", "missing"),
    [
        (None, None, ["af", "nassjo-se"]),
        (["af"], None, ["nassjo-se"]),
        (["nassjo-se"], None, ["af"]),
        (["af", "eksjo-se"], None, ["nassjo-se"]),
        (["af", "nassjo-se"], [Purpose.PARTICIPATION], ["af", "nassjo-se"]),
    ],
    ids=[
        "no consent at all",
        "consent for the referrer only",
        "consent for the SE team only",
        "consent for another municipality's SE team",
        "consent for another purpose",
    ],
)
def test_a_referral_without_consent_for_the_referrer_and_the_se_team_cannot_be_submitted(
    people, consent_codes, purposes, missing
):
    referral = factories.make_referral(people, consent=False, submit=False)
    if consent_codes is not None:
        factories.give_consent(people["referrer.af"], referral.person, org_codes=consent_codes, purposes=purposes)
    missing_names = {factories.org(code).name for code in missing}
    present_names = {factories.org(code).name for code in ["af", "nassjo-se"]} - missing_names

    problems = selectors.submission_problems(referral)

    assert len(problems) == len(missing)
    for name in missing_names:
        assert sum(name in problem for problem in problems) == 1, name
    for name in present_names:
        assert not any(name in problem for problem in problems), name

    with pytest.raises(ValidationError) as refused:
        services.submit_referral(actor=people["referrer.af"], referral=referral)

    assert refused.value.messages == problems
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert referral.submitted_at is None
    assert not sees(people["coach.nassjo"], referral)


def test_a_coach_referring_for_their_own_se_team_is_told_of_its_missing_consent_once(people):
    coach = people["coach.nassjo"]
    referral = services.create_referral(
        actor=coach,
        person=factories.make_person(coach),
        municipality=factories.municipality("nassjo"),
        referring_organisation=factories.org("nassjo-se"),
        active_at=[factories.org("af"), factories.org("fk")],
        income_source="sickness_benefit",
        motivation="Vill arbeta.",
        question="Deltagande?",
        grounds={"ground_mental_ill_health": True},
    )

    problems = selectors.submission_problems(referral)

    assert len(problems) == 1 and factories.org("nassjo-se").name in problems[0]


def test_a_referral_with_consent_has_nothing_stopping_its_submission(people):
    referral = factories.make_referral(people, submit=False)

    assert selectors.submission_problems(referral) == []


# Pre-meeting


def test_booking_a_pre_meeting_moves_the_referral_on(people):
    referral = factories.make_referral(people)

    pre_meeting = book(people, referral)

    referral.refresh_from_db()
    assert referral.status == Status.PRE_MEETING_BOOKED
    assert pre_meeting.coach == people["coach.nassjo"]
    assert pre_meeting.held_on is None


def test_a_coach_of_another_municipality_cannot_book_the_pre_meeting(people):
    referral = factories.make_referral(people)

    with pytest.raises(PermissionDenied):
        book(people, referral, coach="coach.eksjo")

    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert not PreMeeting.objects.filter(referral=referral).exists()


def test_a_pre_meeting_that_finds_the_criteria_met_makes_the_referral_ready(people):
    referral = factories.make_referral(people)
    pre_meeting = book(people, referral)

    referral = record(
        people, pre_meeting, PreMeeting.Outcome.MEETS, target_group=True, needs_two_parties=True, motivated=True
    )

    assert referral.status == Status.READY
    pre_meeting.refresh_from_db()
    assert pre_meeting.held_on == timezone.localdate()
    assert pre_meeting.outcome == PreMeeting.Outcome.MEETS
    assert (pre_meeting.target_group, pre_meeting.needs_two_parties, pre_meeting.motivated) == (True, True, True)
    assert pre_meeting.income_secured is False


def test_a_referral_that_does_not_meet_the_criteria_still_goes_to_the_group_with_the_reason(people):
    referral = factories.make_referral(people)
    pre_meeting = book(people, referral)

    referral = record(
        people, pre_meeting, PreMeeting.Outcome.DOES_NOT_MEET, outcome_reason="Saknar insats från två parter."
    )

    assert referral.status == Status.READY
    pre_meeting.refresh_from_db()
    assert pre_meeting.outcome_reason == "Saknar insats från två parter."


def test_does_not_meet_the_criteria_needs_a_reason(people):
    referral = factories.make_referral(people)
    pre_meeting = book(people, referral)

    with pytest.raises(ValidationError) as refused:
        record(people, pre_meeting, PreMeeting.Outcome.DOES_NOT_MEET, outcome_reason="  ")

    assert "outcome_reason" in refused.value.message_dict
    referral.refresh_from_db()
    pre_meeting.refresh_from_db()
    assert referral.status == Status.PRE_MEETING_BOOKED
    assert pre_meeting.held_on is None
    assert pre_meeting.outcome == ""


def test_a_pre_meeting_cannot_be_recorded_as_held_in_the_future(people):
    referral = factories.make_referral(people)
    pre_meeting = book(people, referral)

    with pytest.raises(ValidationError):
        services.record_pre_meeting(
            actor=people["coach.nassjo"],
            pre_meeting=pre_meeting,
            held_on=timezone.localdate() + timedelta(days=1),
            outcome=PreMeeting.Outcome.MEETS,
        )

    referral.refresh_from_db()
    assert referral.status == Status.PRE_MEETING_BOOKED


def test_a_referral_that_needs_more_preparation_goes_back_to_submitted_and_can_be_booked_again(people):
    referral = factories.make_referral(people)
    pre_meeting = book(people, referral)

    referral = record(people, pre_meeting, PreMeeting.Outcome.NEEDS_PREPARATION, notes="Behöver stöd med boende.")

    assert referral.status == Status.SUBMITTED
    book(people, referral)
    referral.refresh_from_db()
    assert referral.status == Status.PRE_MEETING_BOOKED
    assert referral.pre_meetings.count() == 2


# Decided


@pytest.mark.parametrize(
    ("outcome", "fields", "status"),
    [
        (Decision.Outcome.ENROL, {}, Status.ENROLLED),
        (Decision.Outcome.DECLINE, DECLINE_FIELDS, Status.DECLINED),
        (Decision.Outcome.SEND_BACK, {}, Status.SENT_BACK),
    ],
)
def test_the_groups_decision_decides_the_referral(people, outcome, fields, status):
    referral = decided(people, outcome, **fields)

    assert referral.status == status
    assert referral.decided_at is not None
    assert Referral.objects.filter(pk=referral.pk, participant__isnull=False).exists() == (status == Status.ENROLLED)


def test_a_referral_sent_back_can_be_prepared_again(people):
    referral = decided(people, Decision.Outcome.SEND_BACK)

    book(people, referral)

    referral.refresh_from_db()
    assert referral.status == Status.PRE_MEETING_BOOKED


# Withdrawal


OPEN = [Status.SUBMITTED, Status.PRE_MEETING_BOOKED, Status.READY, Status.SENT_BACK]


@pytest.mark.parametrize(
    ("status", "actor"),
    [(Status.DRAFT, "referrer.af")]
    + [(status, "referrer.af") for status in OPEN]
    + [(status, "coach.nassjo") for status in OPEN],
)
def test_an_open_referral_can_be_withdrawn(people, status, actor):
    referral = referral_in(people, status)
    assert referral.status == status

    services.withdraw_referral(actor=people[actor], referral=referral)

    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    last = referral.history.first()
    assert last.history_user == people[actor]
    assert last.history_change_reason == ReferralEvent.WITHDRAWN


@pytest.mark.parametrize("outsider", ["coach.eksjo", "fk.nassjo", "chef.eksjo"])
def test_only_the_referrer_or_the_coach_may_withdraw_a_referral(people, outsider):
    referral = factories.make_referral(people)

    with pytest.raises(PermissionDenied):
        services.withdraw_referral(actor=people[outsider], referral=referral)

    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


# Illegal transitions


def submit_again(people, referral):
    services.submit_referral(actor=people["coach.nassjo"], referral=referral)


def withdraw(people, referral):
    services.withdraw_referral(actor=people["coach.nassjo"], referral=referral)


def book_for(people, referral):
    book(people, referral)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.SUBMITTED, submit_again),
        (Status.READY, submit_again),
        (Status.ENROLLED, withdraw),
        (Status.DECLINED, withdraw),
        (Status.ENROLLED, book_for),
        (Status.DECLINED, book_for),
    ],
    ids=[
        "submit a submitted referral",
        "submit a ready referral",
        "withdraw an enrolled referral",
        "withdraw a declined referral",
        "book a pre-meeting for an enrolled referral",
        "book a pre-meeting for a declined referral",
    ],
)
def test_an_illegal_transition_is_refused_and_changes_nothing(people, status, action):
    referral = referral_in(people, status)
    before = (history_count(referral), referral.pre_meetings.count())

    with pytest.raises(ValidationError):
        action(people, referral)

    referral.refresh_from_db()
    assert referral.status == status
    assert (history_count(referral), referral.pre_meetings.count()) == before


def test_a_withdrawn_referral_stays_withdrawn(people):
    referral = factories.make_referral(people)
    services.withdraw_referral(actor=people["referrer.af"], referral=referral)
    rows = history_count(referral)

    for action in (withdraw, book_for):
        with pytest.raises(ValidationError):
            action(people, referral)

    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    assert history_count(referral) == rows
    assert not referral.pre_meetings.exists()


def test_recording_the_pre_meeting_of_a_referral_withdrawn_meanwhile_is_refused(people):
    referral = factories.make_referral(people)
    pre_meeting = book(people, referral)
    services.withdraw_referral(actor=people["referrer.af"], referral=referral)

    with pytest.raises(ValidationError):
        record(people, pre_meeting, PreMeeting.Outcome.MEETS)

    referral.refresh_from_db()
    pre_meeting.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    assert pre_meeting.held_on is None
    assert pre_meeting.outcome == ""


# History


def test_every_status_change_is_in_the_history_with_who_and_why(people):
    referrer, coach = people["referrer.af"], people["coach.nassjo"]
    referral = factories.make_referral(people, submit=False)
    services.submit_referral(actor=referrer, referral=referral)
    pre_meeting = book(people, referral)
    record(people, pre_meeting, PreMeeting.Outcome.MEETS)
    services.withdraw_referral(actor=coach, referral=referral)

    rows = list(referral.history.order_by("history_id"))
    changes, previous = [], None
    for row in rows:
        if row.status != previous:
            changes.append((row.status, row.history_user, row.history_change_reason))
            previous = row.status

    assert changes == [
        (Status.DRAFT, referrer, ReferralEvent.WRITTEN),
        (Status.SUBMITTED, referrer, ReferralEvent.SUBMITTED),
        (Status.PRE_MEETING_BOOKED, coach, ReferralEvent.PRE_MEETING_BOOKED),
        (Status.READY, coach, ReferralEvent.PRE_MEETING_RECORDED),
        (Status.WITHDRAWN, coach, ReferralEvent.WITHDRAWN),
    ]
    assert all(row.history_user is not None and row.history_change_reason for row in rows)
    pre_meeting_rows = list(pre_meeting.history.all())
    assert pre_meeting_rows
    assert all(row.history_user == coach and row.history_change_reason for row in pre_meeting_rows)


# The person


def number_forms(birth: date) -> tuple[str, str, str]:
    """One personnummer as (12 digits with "-", 10 digits with "-", 12 digits without)."""
    written = factories.valid_personnummer(birth, 238)
    return written, written[2:], written.replace("-", "")


@pytest.mark.parametrize("second_form", [1, 2], ids=["10 digits with dash", "12 digits"])
def test_a_second_referral_for_the_same_personnummer_finds_the_same_person_unchanged(people, second_form):
    forms = number_forms(date(1995, 5, 17))
    first_referrer, second_referrer = people["referrer.af"], people["coach.eksjo"]
    person, created = find_or_create_person(
        actor=first_referrer,
        identity_number=forms[0],
        first_name="Anna",
        last_name="Andersson",
        gender=Person.Gender.WOMAN,
        phone="070-111 11 11",
        city="Nässjö",
    )
    assert created
    first = factories.make_referral(people, person=person)

    found, created_again = find_or_create_person(
        actor=second_referrer,
        identity_number=forms[second_form],
        first_name="Annika",
        last_name="Svensson",
        gender=Person.Gender.OTHER,
        phone="073-999 99 99",
        city="Eksjö",
    )
    second = factories.make_referral(people, person=found, referrer="coach.eksjo", municipality_code="eksjo")

    assert not created_again
    assert found.pk == person.pk
    assert Person.objects.count() == 1
    stored = Person.objects.get()
    assert (stored.first_name, stored.last_name, stored.gender, stored.phone, stored.city) == (
        "Anna",
        "Andersson",
        Person.Gender.WOMAN,
        "070-111 11 11",
        "Nässjö",
    )
    assert stored.identity_number == forms[2]
    assert stored.identity_display == forms[0]
    assert stored.history.count() == 1, "the second referrer's input must not be written to the person"
    assert second.person_id == first.person_id
    assert not sees(second_referrer, first), "the second referrer must learn nothing of the earlier referral"


def test_a_person_without_a_number_gets_a_reserve_identity(people):
    actor = people["referrer.af"]
    year = timezone.localdate().year

    first, created = find_or_create_person(
        actor=actor, first_name="Ny", last_name="Person", gender=Person.Gender.MAN, birth_date=date(1990, 1, 2)
    )
    second, _created = find_or_create_person(
        actor=actor, first_name="Annan", last_name="Person", gender=Person.Gender.MAN, birth_date=date(1990, 1, 2)
    )

    assert created
    for person in (first, second):
        person.refresh_from_db()
        assert person.identity_kind == Person.IdentityKind.RESERVE
        assert person.identity_number is None
        assert re.fullmatch(rf"R-{year}-\d{{5}}", person.reserve_identity), person.reserve_identity
        assert person.birth_date == date(1990, 1, 2)
    assert first.reserve_identity != second.reserve_identity


def test_a_person_without_a_number_needs_a_date_of_birth(people):
    with pytest.raises(ValidationError) as refused:
        find_or_create_person(
            actor=people["referrer.af"], first_name="Ny", last_name="Person", gender=Person.Gender.WOMAN
        )

    assert "birth_date" in refused.value.message_dict
    assert not Person.objects.exists()


def test_a_personnummer_with_a_wrong_check_digit_is_refused(people):
    with pytest.raises(ValidationError):
        find_or_create_person(
            actor=people["referrer.af"],
            identity_number="19900101-1234",
            first_name="Fel",
            last_name="Siffra",
            gender=Person.Gender.WOMAN,
        )

    assert not Person.objects.exists()
