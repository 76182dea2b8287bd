"""The remittentgrupp's decisions: enrolment and capacity, declining, escalation to the manager."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from participants.models import Participant
from participants.selectors import queue_of
from referrals import selectors, services
from referrals.events import ReferralEvent
from referrals.models import AgendaItem, Decision, Referral
from tests import factories

Outcome = Decision.Outcome


def item_at_meeting(people, **referral_kwargs) -> AgendaItem:
    """A ready referral on the agenda of a meeting being held today."""
    referral = factories.make_ready_referral(people, **referral_kwargs)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    return item


def escalate(people, item: AgendaItem) -> Decision:
    return services.record_decision(
        actor=people["coach.nassjo"],
        item=item,
        group_agreed=False,
        disagreement="AF och FK är oense om personen har en insats i dag.",
    )


def referral_of(item: AgendaItem) -> Referral:
    return Referral.objects.get(pk=item.referral_id)


def participants_of(item: AgendaItem):
    return Participant.objects.filter(referral_id=item.referral_id)


# Capacity


@pytest.mark.parametrize(("code", "capacity"), [("nassjo", 36), ("aneby", 15), ("eksjo", 30), ("tranas", 20)])
def test_capacity_is_twenty_participants_per_full_time_coach(people, code, capacity):
    assert factories.municipality(code).capacity == capacity


def test_enrolment_makes_an_active_participant_when_there_is_room(people):
    coach = people["coach.nassjo"]
    factories.fill_places(coach, leave_free=1)
    factories.make_participant(coach, status=Participant.Status.EXITED)
    item = item_at_meeting(people)

    decision = factories.decide(people, item, Outcome.ENROL)

    participant = participants_of(item).get()
    assert participant.status == Participant.Status.ACTIVE
    assert participant.started_on == participant.decided_on == timezone.localdate()
    assert participant.municipality == factories.municipality("nassjo")
    assert participant.person_id == item.referral.person_id
    assert referral_of(item).status == Referral.Status.ENROLLED
    assert (decision.status, decision.outcome, decision.group_agreed) == (Decision.Status.FINAL, Outcome.ENROL, True)
    assert decision.recorded_by == coach
    assert participant.history.first().history_user == coach


def test_enrolment_when_the_municipality_is_full_puts_the_person_in_the_queue(people):
    factories.fill_places(people["coach.nassjo"])
    item = item_at_meeting(people)

    factories.decide(people, item, Outcome.ENROL)

    participant = participants_of(item).get()
    assert participant.status == Participant.Status.QUEUED
    assert participant.started_on is None
    assert list(queue_of(factories.municipality("nassjo"))) == [participant]
    assert referral_of(item).status == Referral.Status.ENROLLED


def only_active_at_af(people, item) -> None:
    """The coach learns before the meeting that the person is active at one party only."""
    services.update_referral(actor=people["coach.nassjo"], referral=referral_of(item), active_at=[factories.org("af")])


def test_enrolment_needs_the_person_active_at_two_or_more_parties(people):
    item = item_at_meeting(people)
    only_active_at_af(people, item)

    with pytest.raises(ValidationError) as refused:
        factories.decide(people, item, Outcome.ENROL)

    assert "outcome" in refused.value.message_dict
    assert not Decision.objects.exists()
    assert not participants_of(item).exists()
    assert referral_of(item).status == Referral.Status.READY


def test_the_group_can_still_decline_someone_active_at_one_party(people):
    item = item_at_meeting(people)
    only_active_at_af(people, item)

    factories.decide(
        people,
        item,
        Outcome.DECLINE,
        recommendation="Kontakt med FK först.",
        grounds="Aktuell hos en part.",
        informs_person="Remittenten",
    )

    assert referral_of(item).status == Referral.Status.DECLINED


# Declining


@pytest.mark.parametrize("left_out", ["recommendation", "grounds", "informs_person"])
def test_declining_needs_the_recommendation_grounds_and_who_informs_the_person(people, left_out):
    item = item_at_meeting(people)
    fields = {
        "recommendation": "Medicinsk rehabilitering hos regionen.",
        "grounds": "Behöver först medicinsk rehabilitering.",
        "informs_person": "Handläggaren på AF",
    }
    fields[left_out] = "   "

    with pytest.raises(ValidationError) as refused:
        factories.decide(people, item, Outcome.DECLINE, **fields)

    assert left_out in refused.value.message_dict
    assert not Decision.objects.exists()
    assert referral_of(item).status == Referral.Status.READY


def test_a_declined_referral_keeps_the_groups_recommendation_grounds_and_who_informs(people):
    item = item_at_meeting(people)

    decision = factories.decide(
        people,
        item,
        Outcome.DECLINE,
        recommendation="Kontakta psykiatrin för stöd först.",
        grounds="Behöver först medicinsk rehabilitering.",
        informs_person="Handläggaren på AF",
    )

    decision.refresh_from_db()
    assert decision.recommendation == "Kontakta psykiatrin för stöd först."
    assert decision.grounds == "Behöver först medicinsk rehabilitering."
    assert decision.informs_person == "Handläggaren på AF"
    assert referral_of(item).status == Referral.Status.DECLINED
    assert not participants_of(item).exists()


def test_decisions_are_recorded_at_or_after_the_meeting(people):
    referral = factories.make_ready_referral(people)
    item = factories.put_on_agenda(people, referral, factories.make_meeting(people))

    with pytest.raises(ValidationError):
        factories.decide(people, item, Outcome.ENROL)

    assert not Decision.objects.exists()
    assert referral_of(item).status == Referral.Status.READY


@pytest.mark.parametrize("outsider", ["coach.eksjo", "fk.nassjo", "chef.nassjo"])
def test_only_the_coach_records_the_groups_decision(people, outsider):
    item = item_at_meeting(people)

    with pytest.raises(PermissionDenied):
        factories.decide(people, item, Outcome.ENROL, coach=outsider)

    assert not Decision.objects.exists()


# Two people recording at once


def test_recording_a_decision_twice_reports_the_first_and_keeps_one(people):
    item = item_at_meeting(people)
    first = factories.decide(people, item, Outcome.ENROL)

    with pytest.raises(services.AlreadyDecided) as second:
        factories.decide(people, item, Outcome.DECLINE, grounds="Annan bedömning.", informs_person="Coachen")

    assert second.value.decision.pk == first.pk
    assert second.value.decision.outcome == Outcome.ENROL
    assert Decision.objects.filter(item=item).count() == 1
    assert referral_of(item).status == Referral.Status.ENROLLED
    assert participants_of(item).count() == 1


# Escalation to the manager


def test_a_group_that_cannot_agree_escalates_the_question_and_changes_nothing_else(people):
    item = item_at_meeting(people)

    decision = escalate(people, item)

    decision.refresh_from_db()
    assert decision.status == Decision.Status.ESCALATED
    assert decision.group_agreed is False
    assert decision.outcome == ""
    assert decision.disagreement
    assert referral_of(item).status == Referral.Status.READY
    assert referral_of(item).decided_at is None
    assert not participants_of(item).exists()
    assert list(selectors.escalations_for(people["chef.nassjo"])) == [decision]
    assert list(selectors.escalations_for(people["chef.eksjo"])) == []


def test_an_escalation_says_what_the_group_could_not_agree_on(people):
    item = item_at_meeting(people)

    with pytest.raises(ValidationError):
        services.record_decision(actor=people["coach.nassjo"], item=item, group_agreed=False, disagreement=" ")

    assert not Decision.objects.exists()


def test_the_manager_decides_an_escalated_question_as_their_own_decision(people):
    chef = people["chef.nassjo"]
    item = item_at_meeting(people)
    escalated = escalate(people, item)

    decision = services.decide_escalated(actor=chef, decision=escalated, outcome=Outcome.ENROL)

    decision.refresh_from_db()
    assert decision.status == Decision.Status.FINAL
    assert decision.outcome == Outcome.ENROL
    assert decision.decided_by_manager == chef
    assert decision.manager_decided_at is not None
    assert decision.group_agreed is False, "the record still shows the group did not agree"
    assert decision.recorded_by == people["coach.nassjo"]
    last = decision.history.first()
    assert (last.history_user, last.history_change_reason) == (chef, ReferralEvent.DECIDED_BY_MANAGER)
    assert referral_of(item).status == Referral.Status.ENROLLED
    assert referral_of(item).history.first().history_user == chef
    assert participants_of(item).get().status == Participant.Status.ACTIVE
    assert list(selectors.escalations_for(chef)) == []


def test_the_managers_decline_needs_grounds_too(people):
    escalated = escalate(people, item_at_meeting(people))

    with pytest.raises(ValidationError):
        services.decide_escalated(actor=people["chef.nassjo"], decision=escalated, outcome=Outcome.DECLINE)

    escalated.refresh_from_db()
    assert escalated.status == Decision.Status.ESCALATED


@pytest.mark.parametrize("outsider", ["chef.eksjo", "coach.nassjo"])
def test_only_the_municipalitys_manager_decides_an_escalated_question(people, outsider):
    item = item_at_meeting(people)
    escalated = escalate(people, item)

    with pytest.raises(PermissionDenied):
        services.decide_escalated(actor=people[outsider], decision=escalated, outcome=Outcome.ENROL)

    escalated.refresh_from_db()
    assert escalated.status == Decision.Status.ESCALATED
    assert escalated.decided_by_manager is None
    assert referral_of(item).status == Referral.Status.READY
    assert not participants_of(item).exists()


def test_an_escalation_already_decided_cannot_be_decided_again(people):
    chef = people["chef.nassjo"]
    item = item_at_meeting(people)
    escalated = escalate(people, item)
    services.decide_escalated(actor=chef, decision=escalated, outcome=Outcome.ENROL)

    with pytest.raises(services.AlreadyDecided) as refused:
        services.decide_escalated(
            actor=chef,
            decision=escalated,
            outcome=Outcome.DECLINE,
            recommendation="Annat stöd.",
            grounds="Ångrar mig.",
            informs_person="Chefen",
        )

    assert refused.value.decision.outcome == Outcome.ENROL

    escalated.refresh_from_db()
    assert escalated.outcome == Outcome.ENROL
    assert referral_of(item).status == Referral.Status.ENROLLED
    assert participants_of(item).count() == 1
