"""The exit, income, start of the support and the responsible coach as services: who may, what is
refused, what is saved with its history."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import Purpose
from participants import services
from participants.events import ParticipantEvent
from participants.models import IncomeRecord, Occupation, Participant, Transfer
from referrals import services as referral_services
from referrals.models import AgendaItem, Decision, ExitReason, IncomeSource, Meeting
from sehoglandet import services as core_services
from sehoglandet.models import Role
from tests import factories
from tests.helpers import today

from .conftest import enrol, exit_directly


def exit_values(**overrides) -> dict:
    values = {
        "exited_on": today(),
        "reason": ExitReason.WORK,
        "occupation_after": Occupation.SUBSIDISED_WORK,
        "income_after": IncomeSource.SALARY,
        "note": "  Anställd på bageriet med lönebidrag.  ",
    }
    values.update(overrides)
    return values


def exit_by_group(people: dict[str, User], participant: Participant, reason: str = ExitReason.WORK) -> Decision:
    """The referral group of Nässjö decides the participant's exit at a meeting held a minute ago."""
    meeting = factories.make_meeting(people)
    item = referral_services.add_agenda_item(
        actor=people["coach.nassjo"], meeting=meeting, referral=participant.referral, kind=AgendaItem.Kind.PROPOSED_EXIT
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    item.refresh_from_db()
    decision = factories.decide(people, item, Decision.Outcome.EXIT, exit_reason=reason)
    participant.refresh_from_db()
    return decision


def second_coach(system_user: User, municipality_code: str = "nassjo") -> User:
    """Another coach of the municipality's SE team."""
    user = User.objects.create_user("coach2", first_name="Ella", last_name="Berg")
    core_services.add_membership(
        actor=system_user, user=user, organisation=factories.org(f"{municipality_code}-se"), role=Role.COACH
    )
    return user


# The coach's exit


def test_the_coach_exits_with_reason_occupation_and_income_after(people, participant):
    services.exit_participant(actor=people["coach.nassjo"], participant=participant, **exit_values())

    participant.refresh_from_db()
    income = participant.incomes.get(phase=IncomeRecord.Phase.AFTER)
    assert (participant.status, participant.exited_on, participant.exit_reason, participant.occupation_after) == (
        Participant.Status.EXITED,
        today(),
        "work",
        "subsidised_work",
    )
    assert participant.exit_note == "Anställd på bageriet med lönebidrag."
    assert participant.exit_decision is None
    assert not participant.exit_details_missing
    assert (income.source, income.valid_from, income.recorded_by) == ("salary", today(), people["coach.nassjo"])
    record = participant.history.first()
    assert (record.history_user, record.history_change_reason) == (
        people["coach.nassjo"],
        ParticipantEvent.EXITED,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"exited_on": timezone.localdate() - timedelta(days=1)},
            "exited_on",
            "The exit date cannot be before the decision on enrolment.",
        ),
        ({"exited_on": timezone.localdate() + timedelta(days=1)}, "exited_on", "The date cannot be in the future."),
        ({"reason": "holiday"}, "reason", "Choose a reason from the list."),
        ({"occupation_after": "astronaut"}, "occupation_after", "Choose what the participant does after the exit."),
        ({"income_after": ""}, "income_after", "Choose the income after the exit."),
    ],
    ids=["before the enrolment", "in the future", "reason outside the list", "unknown occupation", "no income"],
)
def test_a_bad_exit_is_refused_on_its_field_and_nothing_is_saved(people, participant, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        services.exit_participant(actor=people["coach.nassjo"], participant=participant, **exit_values(**overrides))

    participant.refresh_from_db()
    assert refused.value.message_dict[field] == [_(message)]
    assert participant.status == Participant.Status.ACTIVE
    assert not participant.incomes.filter(phase=IncomeRecord.Phase.AFTER).exists()


def test_a_participant_cannot_exit_twice(people, participant):
    services.exit_participant(actor=people["coach.nassjo"], participant=participant, **exit_values())

    with pytest.raises(ValidationError) as refused:
        services.exit_participant(
            actor=people["coach.nassjo"], participant=participant, **exit_values(reason=ExitReason.STUDIES)
        )

    participant.refresh_from_db()
    assert refused.value.messages == [_("The participant has already exited.")]
    assert participant.exit_reason == "work"
    assert participant.incomes.filter(phase=IncomeRecord.Phase.AFTER).count() == 1


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo", "chef.eksjo", "referrer.af", "fk.nassjo"])
def test_only_the_municipalitys_coach_may_exit(people, participant, username):
    with pytest.raises(PermissionDenied):
        services.exit_participant(actor=people[username], participant=participant, **exit_values())

    participant.refresh_from_db()
    assert participant.status == Participant.Status.ACTIVE


def test_the_exit_cancels_a_waiting_transfer(people, participant):
    coach = people["coach.nassjo"]
    factories.give_consent(coach, participant.person, org_codes=["eksjo-se"], purposes=[Purpose.TRANSFER])
    transfer = services.start_transfer(
        actor=coach, participant=participant, to_municipality=factories.municipality("eksjo")
    )

    services.exit_participant(actor=coach, participant=participant, **exit_values(reason=ExitReason.MOVED))

    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (Transfer.Status.CANCELLED, coach)


# The group's exit, completed by the coach


def test_a_group_exit_leaves_occupation_and_income_to_the_coach_who_completes_it(people, participant):
    decision = exit_by_group(people, participant)

    assert (participant.status, participant.exit_reason, participant.exit_decision) == ("exited", "work", decision)
    assert participant.exit_details_missing

    services.complete_exit(
        actor=people["coach.nassjo"],
        participant=participant,
        occupation_after=Occupation.WORK,
        income_after=IncomeSource.SALARY,
    )

    participant.refresh_from_db()
    assert participant.occupation_after == "work"
    assert not participant.exit_details_missing
    assert participant.incomes.get(phase=IncomeRecord.Phase.AFTER).source == "salary"
    assert participant.history.first().history_change_reason == ParticipantEvent.EXIT_COMPLETED


def test_the_exit_details_are_recorded_once(people, participant):
    exit_by_group(people, participant)
    coach = people["coach.nassjo"]
    services.complete_exit(
        actor=coach, participant=participant, occupation_after=Occupation.WORK, income_after=IncomeSource.SALARY
    )

    with pytest.raises(ValidationError) as refused:
        services.complete_exit(
            actor=coach, participant=participant, occupation_after=Occupation.STUDIES, income_after=IncomeSource.NONE
        )

    participant.refresh_from_db()
    assert refused.value.messages == [_("The exit details have already been recorded.")]
    assert participant.occupation_after == "work"


def test_completing_needs_values_from_the_lists(people, participant):
    exit_by_group(people, participant)

    with pytest.raises(ValidationError) as refused:
        services.complete_exit(
            actor=people["coach.nassjo"], participant=participant, occupation_after="", income_after="lottery"
        )

    participant.refresh_from_db()
    assert set(refused.value.message_dict) == {"occupation_after", "income_after"}
    assert participant.exit_details_missing
    assert not participant.incomes.filter(phase=IncomeRecord.Phase.AFTER).exists()


def test_an_outsider_coach_may_not_complete_the_exit(people, participant):
    exit_by_group(people, participant)

    with pytest.raises(PermissionDenied):
        services.complete_exit(
            actor=people["coach.eksjo"],
            participant=participant,
            occupation_after=Occupation.WORK,
            income_after=IncomeSource.SALARY,
        )


# Income during the support


def test_the_coach_records_a_change_of_income_with_a_review_date(people, participant):
    income = services.record_income(
        actor=people["coach.nassjo"],
        participant=participant,
        source=IncomeSource.ACTIVITY_COMPENSATION,
        valid_from=today(),
        review_on=today() + timedelta(days=180),
    )

    assert (income.phase, income.source, income.review_on) == (
        "during",
        "activity_compensation",
        today() + timedelta(days=180),
    )
    assert list(participant.incomes.order_by("id").values_list("phase", flat=True)) == ["before", "during"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": "lottery"}, "source"),
        ({"valid_from": timezone.localdate() - timedelta(days=1)}, "valid_from"),
        ({"valid_from": timezone.localdate() + timedelta(days=1)}, "valid_from"),
        ({"review_on": timezone.localdate() - timedelta(days=1)}, "review_on"),
    ],
    ids=["source outside the list", "before the enrolment", "in the future", "review before the start"],
)
def test_a_bad_income_is_refused_and_nothing_is_saved(people, participant, overrides, field):
    values = {"source": IncomeSource.SALARY, "valid_from": today(), "review_on": None, **overrides}

    with pytest.raises(ValidationError) as refused:
        services.record_income(actor=people["coach.nassjo"], participant=participant, **values)

    assert list(refused.value.message_dict) == [field]
    assert participant.incomes.count() == 1


def test_no_income_is_recorded_after_exit_or_by_an_outsider(people, participant):
    with pytest.raises(PermissionDenied):
        services.record_income(
            actor=people["coach.eksjo"], participant=participant, source=IncomeSource.SALARY, valid_from=today()
        )
    exit_directly(participant)
    with pytest.raises(ValidationError):
        services.record_income(
            actor=people["coach.nassjo"], participant=participant, source=IncomeSource.SALARY, valid_from=today()
        )

    assert participant.incomes.count() == 1


# Starting the support from the queue


@pytest.fixture
def queued(people) -> tuple[Participant, list[Participant]]:
    """Nässjö full, and Alva Brandt waiting in its queue (with the participants filling the places)."""
    filled = factories.fill_places(people["coach.nassjo"])
    (alva,) = enrol(people, ("Alva", "Brandt"))
    assert alva.status == Participant.Status.QUEUED
    return alva, filled


def test_a_queued_participant_is_started_when_a_place_is_free(people, queued):
    alva, filled = queued
    exit_directly(filled[0])

    services.start_support(actor=people["coach.nassjo"], participant=alva, started_on=today())

    alva.refresh_from_db()
    assert (alva.status, alva.started_on, alva.responsible_coach) == ("active", today(), people["coach.nassjo"])
    assert alva.history.first().history_change_reason == ParticipantEvent.SUPPORT_STARTED


def test_the_queue_start_is_refused_while_the_municipality_is_full(people, queued):
    alva, _filled = queued

    with pytest.raises(ValidationError) as refused:
        services.start_support(actor=people["coach.nassjo"], participant=alva, started_on=today())

    alva.refresh_from_db()
    assert refused.value.messages == [
        _("%(municipality)s has no free place: all %(capacity)s places are taken.")
        % {"municipality": "Nässjö", "capacity": 36}
    ]
    assert (alva.status, alva.started_on) == ("queued", None)


def test_only_a_queued_participant_is_started_and_not_before_the_decision(people, participant, queued):
    alva, filled = queued
    exit_directly(filled[0])
    coach = people["coach.nassjo"]

    with pytest.raises(ValidationError) as active:
        services.start_support(actor=coach, participant=participant, started_on=today())
    with pytest.raises(ValidationError) as early:
        services.start_support(actor=coach, participant=alva, started_on=today() - timedelta(days=1))

    assert active.value.messages == [_("Only a participant in the queue can be started.")]
    assert list(early.value.message_dict) == ["started_on"]
    alva.refresh_from_db()
    assert alva.status == Participant.Status.QUEUED


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo"])
def test_only_the_municipalitys_coach_starts_the_support(people, queued, username):
    alva, filled = queued
    exit_directly(filled[0])

    with pytest.raises(PermissionDenied):
        services.start_support(actor=people[username], participant=alva, started_on=today())


# The responsible coach


@pytest.mark.parametrize("username", ["coach.nassjo", "chef.nassjo"])
def test_the_coach_or_the_manager_makes_another_coach_responsible(people, system_user, participant, username):
    ella = second_coach(system_user)

    services.assign_coach(actor=people[username], participant=participant, coach=ella)

    participant.refresh_from_db()
    assert participant.responsible_coach == ella
    record = participant.history.first()
    assert (record.history_user, record.history_change_reason) == (people[username], ParticipantEvent.COACH_ASSIGNED)


@pytest.mark.parametrize("username", ["chef.nassjo", "coach.eksjo", "fk.nassjo"])
def test_only_a_coach_of_the_municipality_can_be_made_responsible(people, participant, username):
    with pytest.raises(ValidationError) as refused:
        services.assign_coach(actor=people["coach.nassjo"], participant=participant, coach=people[username])

    participant.refresh_from_db()
    assert refused.value.message_dict == {"coach": [_("Choose one of the municipality's coaches.")]}
    assert participant.responsible_coach is None


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.eksjo", "referrer.af", "bistand.nassjo"])
def test_an_outsider_may_not_change_the_responsible_coach(people, participant, username):
    with pytest.raises(PermissionDenied):
        services.assign_coach(actor=people[username], participant=participant, coach=people["coach.nassjo"])

    participant.refresh_from_db()
    assert participant.responsible_coach is None


def test_the_responsible_coach_does_not_change_after_exit(people, participant):
    exit_directly(participant)

    with pytest.raises(ValidationError):
        services.assign_coach(actor=people["coach.nassjo"], participant=participant, coach=people["coach.nassjo"])

    participant.refresh_from_db()
    assert participant.responsible_coach is None
