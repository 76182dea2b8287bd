"""Questions the remittentgrupp could not agree on go to the coach's manager (chef), who decides.

chef.nassjo sees Nässjö's escalated questions and decides them; chef.eksjo holds the same role in
another municipality and gets 404 for Nässjö's.
"""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from participants.models import Participant
from referrals.models import Decision, Meeting, Referral
from sehoglandet.models import AccessLog
from tests import factories
from tests.factories import make_case
from tests.helpers import MANAGERS, PERSONAS, every_row, messages_of, outcomes_by_persona, statuses_by_persona


def escalate(people, first_name="Alva", last_name="Brandt", *, days_ago=0, **kwargs) -> Decision:
    """A Nässjö item the group could not agree on, at a meeting held `days_ago` days ago."""
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, make_case(people, first_name, last_name, **kwargs), meeting)
    held = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(9, 0)))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=held)
    return factories.services.record_decision(
        actor=people["coach.nassjo"], item=item, group_agreed=False, disagreement="Om försörjningen är tryggad."
    )


@pytest.fixture
def escalated(people) -> Decision:
    return escalate(people)


def decide_url(decision: Decision) -> str:
    return reverse("referrals:escalation_decide", args=[decision.pk])


LIST_STATUSES = {p: 200 if p in MANAGERS else 403 for p in PERSONAS}
DECIDE_STATUSES = {p: 200 if p == "chef.nassjo" else 404 if p == "chef.eksjo" else 403 for p in PERSONAS}


def test_only_managers_open_the_escalation_list(client_for, escalated):
    url = reverse("referrals:escalation_list")

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url))

    assert statuses == LIST_STATUSES


def test_only_the_manager_of_the_municipality_opens_an_escalated_question(client_for, escalated):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(decide_url(escalated)))

    assert statuses == DECIDE_STATUSES


def test_only_the_manager_of_the_municipality_decides(client_for, escalated):
    def decide(client):
        response = client.post(decide_url(escalated), {"outcome": "enrol"})
        escalated.refresh_from_db()
        return response.status_code, escalated.status

    outcomes = outcomes_by_persona(client_for, PERSONAS, decide)

    assert outcomes == {
        username: (302, Decision.Status.FINAL) if status == 200 else (status, Decision.Status.ESCALATED)
        for username, status in DECIDE_STATUSES.items()
    }


def test_the_manager_sees_the_question_and_decides_and_the_referral_moves_on(client_for, people, escalated):
    client = client_for("chef.nassjo")
    reference = escalated.item.referral.reference

    listing = client.get(reverse("referrals:escalation_list")).content.decode()
    assert reference in listing
    assert "Om försörjningen är tryggad." in listing
    assert "1 fråga väntar på ditt beslut" in listing

    response = client.post(decide_url(escalated), {"outcome": "enrol"}, follow=True)

    escalated.refresh_from_db()
    assert (escalated.status, escalated.outcome, escalated.decided_by_manager) == (
        Decision.Status.FINAL,
        Decision.Outcome.ENROL,
        people["chef.nassjo"],
    )
    assert escalated.manager_decided_at is not None
    referral = escalated.item.referral
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ENROLLED
    assert Participant.objects.filter(referral=referral).exists()
    assert f"Ditt beslut om {reference} är registrerat." in messages_of(response)
    assert list(response.context["page"]) == []
    assert "Ingen fråga väntar på ditt beslut." in response.content.decode()


def test_the_meeting_page_shows_it_was_decided_by_the_manager(client_for, people, escalated):
    client_for("chef.nassjo").post(decide_url(escalated), {"outcome": "send_back"})

    body = (
        client_for("coach.nassjo")
        .get(reverse("referrals:meeting_detail", args=[escalated.item.meeting_id]))
        .content.decode()
    )

    assert "(beslutat av chef," in body


def test_the_list_shows_no_names(client_for, escalated):
    body = client_for("chef.nassjo").get(reverse("referrals:escalation_list")).content.decode()

    assert "Brandt" not in body
    assert AccessLog.objects.count() == 0


def test_the_other_municipalitys_manager_sees_none_of_it(client_for, escalated):
    body = client_for("chef.eksjo").get(reverse("referrals:escalation_list")).content.decode()

    assert escalated.item.referral.reference not in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "outcome", "Välj vad som beslutas."),
        ({"outcome": "decline"}, "grounds", "Ange grunden för beslutet."),
        ({"outcome": "exit"}, "exit_reason", "Välj varför deltagaren skrivs ut."),
        ({"outcome": "follow_up", "follow_up_on": "not a date"}, "follow_up_on", "Fyll i ett giltigt datum."),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_saved(client_for, escalated, data, field, message):
    response = client_for("chef.nassjo").post(decide_url(escalated), data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    escalated.refresh_from_db()
    assert escalated.status == Decision.Status.ESCALATED


def test_a_rule_of_the_service_is_shown_on_the_form(client_for, people, escalated):
    factories.services.withdraw_referral(actor=people["referrer.af"], referral=escalated.item.referral)

    response = client_for("chef.nassjo").post(decide_url(escalated), {"outcome": "enrol"})

    with translation.override("sv"):
        expected = gettext("Only a referral that is ready for the group can be enrolled, declined or sent back.")
    assert response.context["form"].errors["outcome"] == [expected]
    escalated.refresh_from_db()
    assert escalated.status == Decision.Status.ESCALATED


def test_a_question_already_decided_shows_the_decision_and_refuses_a_second(client_for, people, escalated):
    factories.services.decide_escalated(actor=people["chef.nassjo"], decision=escalated, outcome="send_back")
    client = client_for("chef.nassjo")

    page = client.get(decide_url(escalated))
    response = client.post(decide_url(escalated), {"outcome": "enrol"}, follow=True)

    assert page.context["form"] is None
    assert "Registrerat beslut" in page.content.decode()
    escalated.refresh_from_db()
    assert escalated.outcome == Decision.Outcome.SEND_BACK
    assert any(message.startswith("Frågan är redan avgjord:") for message in messages_of(response))


def test_opening_the_question_logs_that_the_name_was_shown_and_changes_nothing_else(client_for, people, escalated):
    client = client_for("chef.nassjo")
    before = every_row(access_log=False)

    body = client.get(decide_url(escalated)).content.decode()

    assert "Alva Brandt" in body
    assert every_row(access_log=False) == before
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.person_id) == (
        people["chef.nassjo"],
        AccessLog.Action.VIEW,
        escalated.item.referral.person_id,
    )


def test_the_list_takes_as_many_queries_for_three_questions_as_for_one(
    client_for, people, escalated, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("chef.nassjo")
    url = reverse("referrals:escalation_list")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    escalate(people, "Bo", "Cederholm", days_ago=1)
    escalate(people, "Cim", "Dahl", days_ago=2)

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["page"]) == 3
