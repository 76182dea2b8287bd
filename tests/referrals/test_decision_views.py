"""The group's decision on an agenda item, recorded by the coach who convenes.

Per item: enrol, decline (with recommendation, grounds and who informs the person), send back,
exit (with reason) or book a follow-up meeting; if the group cannot agree, the question goes to
the coach's manager. Two people recording at once: one wins, the other is told and sees the result.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from referrals import services
from referrals.models import Decision, Referral
from sehoglandet.models import AccessLog
from tests import factories
from tests.factories import make_case
from tests.helpers import decision_result, every_row, messages_of, swedish


@pytest.fixture
def item(people):
    """An item on the agenda of a Nässjö meeting that is being held today."""
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting)
    factories.hold_meeting_today(meeting)
    item.refresh_from_db()
    return item


def decide_url(item) -> str:
    return reverse("referrals:item_decide", args=[item.pk])


def test_the_coach_records_an_enrolment_and_the_referral_moves_on(client_for, people, item):
    response = client_for("coach.nassjo").post(
        decide_url(item), {"group_agreed": "yes", "outcome": "enrol"}, follow=True
    )

    decision = Decision.objects.get()
    assert (decision.item, decision.status, decision.group_agreed, decision.outcome, decision.recorded_by) == (
        item,
        Decision.Status.FINAL,
        True,
        Decision.Outcome.ENROL,
        people["coach.nassjo"],
    )
    item.referral.refresh_from_db()
    assert item.referral.status == Referral.Status.ENROLLED
    assert Participant.objects.filter(referral=item.referral).exists()
    assert "Beslutet är registrerat." in messages_of(response)
    assert response.redirect_chain[-1][0].endswith(f"#item-{item.pk}")


def test_a_decline_is_recorded_with_recommendation_grounds_and_who_informs(client_for, item):
    data = {
        "group_agreed": "yes",
        "outcome": "decline",
        "recommendation": "Kontakt med psykiatrin först.",
        "grounds": "Inte aktuell hos två parter.",
        "informs_person": "Remittenten på AF",
        "exit_reason": "work",
        "disagreement": "ignoreras",
    }

    client_for("coach.nassjo").post(decide_url(item), data)

    decision = Decision.objects.get()
    assert (decision.outcome, decision.recommendation, decision.grounds, decision.informs_person) == (
        "decline",
        "Kontakt med psykiatrin först.",
        "Inte aktuell hos två parter.",
        "Remittenten på AF",
    )
    assert (decision.exit_reason, decision.disagreement) == ("", "")
    item.referral.refresh_from_db()
    assert item.referral.status == Referral.Status.DECLINED


def test_a_decline_without_its_details_is_refused_in_swedish_and_nothing_is_saved(client_for, item):
    response = client_for("coach.nassjo").post(decide_url(item), {"group_agreed": "yes", "outcome": "decline"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["recommendation"] == ["Ange gruppens rekommendation."]
    assert errors["grounds"] == ["Ange grunden för beslutet."]
    assert errors["informs_person"] == ["Ange vem som informerar personen om beslutet."]
    body = response.content.decode()
    assert "Rätta följande" in body
    assert 'class="field-error" id="id_grounds_error">Ange grunden för beslutet.</p>' in body
    assert Decision.objects.count() == 0
    item.referral.refresh_from_db()
    assert item.referral.status == Referral.Status.READY


def test_a_follow_up_meeting_is_booked_for_a_day_to_come(client_for, item):
    day = timezone.localdate() + timedelta(days=21)

    client_for("coach.nassjo").post(
        decide_url(item), {"group_agreed": "yes", "outcome": "follow_up", "follow_up_on": day.isoformat()}
    )

    decision = Decision.objects.get()
    assert (decision.outcome, decision.follow_up_on) == ("follow_up", day)
    item.referral.refresh_from_db()
    assert item.referral.status == Referral.Status.READY


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "group_agreed", "Ange om gruppen var enig."),
        ({"group_agreed": "perhaps"}, "group_agreed", "Ange om gruppen var enig."),
        ({"group_agreed": "yes"}, "outcome", "Välj vad som beslutas."),
        ({"group_agreed": "yes", "outcome": "hire"}, "outcome", "Välj ett av besluten."),
        ({"group_agreed": "yes", "outcome": "exit"}, "exit_reason", "Välj varför deltagaren skrivs ut."),
        ({"group_agreed": "yes", "outcome": "follow_up"}, "follow_up_on", "Ange dag för uppföljningsmötet."),
        (
            {"group_agreed": "yes", "outcome": "follow_up", "follow_up_on": "2001-01-01"},
            "follow_up_on",
            "Uppföljningsmötet kan inte ligga i det förflutna.",
        ),
        ({"group_agreed": "no"}, "disagreement", "Beskriv vad gruppen inte kunde enas om."),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_saved(client_for, item, data, field, message):
    response = client_for("coach.nassjo").post(decide_url(item), data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert Decision.objects.count() == 0


def test_a_rule_of_the_service_is_shown_on_the_form_and_nothing_is_saved(client_for, people, item):
    services.withdraw_referral(actor=people["referrer.af"], referral=item.referral)

    response = client_for("coach.nassjo").post(decide_url(item), {"group_agreed": "yes", "outcome": "enrol"})

    assert response.context["form"].errors["outcome"] == [
        swedish("Only a referral that is ready for the group can be enrolled, declined or sent back.")
    ]
    assert Decision.objects.count() == 0
    assert not Participant.objects.exists()


def test_an_exit_of_someone_not_enrolled_is_refused_by_the_service(client_for, item):
    response = client_for("coach.nassjo").post(
        decide_url(item), {"group_agreed": "yes", "outcome": "exit", "exit_reason": "work"}
    )

    assert swedish("Only an enrolled participant can be exited.") in response.context["form"].errors["outcome"]
    assert Decision.objects.count() == 0


def test_a_decision_before_the_meeting_day_is_refused(client_for, people):
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting)
    client = client_for("coach.nassjo")

    page = client.get(decide_url(item)).content.decode()
    response = client.post(decide_url(item), {"group_agreed": "yes", "outcome": "enrol"})

    assert "Beslut registreras på mötesdagen eller senare." in page
    assert response.context["form"].non_field_errors() == [swedish("Decisions are recorded at or after the meeting.")]
    assert Decision.objects.count() == 0


def test_a_group_that_cannot_agree_sends_the_question_to_the_manager(client_for, people, item):
    response = client_for("coach.nassjo").post(
        decide_url(item),
        {"group_agreed": "no", "disagreement": "Om försörjningen är tryggad.", "outcome": "enrol"},
        follow=True,
    )

    decision = Decision.objects.get()
    assert (decision.status, decision.group_agreed, decision.outcome, decision.disagreement) == (
        Decision.Status.ESCALATED,
        False,
        "",
        "Om försörjningen är tryggad.",
    )
    item.referral.refresh_from_db()
    assert item.referral.status == Referral.Status.READY
    assert "Frågan är hänskjuten till chefen, som beslutar." in messages_of(response)
    assert "Hänskjutet till chef" in response.content.decode()


def test_the_decision_page_logs_that_it_showed_the_persons_name(client_for, people, item):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    body = client.get(decide_url(item)).content.decode()

    assert "Alva Brandt" in body
    assert every_row(access_log=False) == before
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.person_id) == (
        people["coach.nassjo"],
        AccessLog.Action.VIEW,
        "referrals.referral",
        item.referral.person_id,
    )


def test_a_decided_item_shows_the_recorded_decision_instead_of_the_form(client_for, people, item):
    factories.decide(people, item, Decision.Outcome.SEND_BACK)

    response = client_for("coach.nassjo").get(decide_url(item))

    assert response.context["form"] is None
    body = response.content.decode()
    assert "Registrerat beslut" in body
    assert decision_result(Decision.Outcome.SEND_BACK) in body


def test_recording_after_someone_else_did_says_so_and_shows_the_result(client_for, people, item):
    client = client_for("coach.nassjo")
    client.get(decide_url(item))  # the form is open ...
    factories.decide(people, item, Decision.Outcome.ENROL)  # ... while someone else records

    response = client.post(decide_url(item), {"group_agreed": "yes", "outcome": "send_back"}, follow=True)

    assert Decision.objects.get().outcome == Decision.Outcome.ENROL
    enrol = decision_result(Decision.Outcome.ENROL)
    assert f"Någon annan har redan registrerat beslutet för den här punkten: {enrol}. Inget ändrades." in messages_of(
        response
    )
    assert response.redirect_chain[-1][0].endswith(f"#item-{item.pk}")
    assert f"<strong>{enrol}</strong>" in response.content.decode()


def test_a_decision_recorded_between_the_check_and_the_save_is_reported_too(client_for, people, item, monkeypatch):
    record = services.record_decision

    def someone_else_first(**kwargs):
        record(actor=people["coach.nassjo"], item=item, group_agreed=True, outcome=Decision.Outcome.ENROL)
        return record(**kwargs)

    monkeypatch.setattr(services, "record_decision", someone_else_first)

    response = client_for("coach.nassjo").post(decide_url(item), {"group_agreed": "yes", "outcome": "send_back"})

    assert response.status_code == 302
    assert Decision.objects.get().outcome == Decision.Outcome.ENROL
    assert "Någon annan har redan registrerat beslutet" in messages_of(client_for("coach.nassjo").get(response.url))[0]


def test_the_chef_may_not_record_the_groups_decision(client_for, item):
    response = client_for("chef.nassjo").post(decide_url(item), {"group_agreed": "yes", "outcome": "enrol"})

    assert response.status_code == 403
    assert Decision.objects.count() == 0


def test_an_item_that_does_not_exist_gives_404(client_for, item):
    response = client_for("coach.nassjo").get(reverse("referrals:item_decide", args=[item.pk + 1000]))

    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_coaches_recording_at_once_leave_exactly_one_decision(people):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database, so the race on a row lock needs PostgreSQL")
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting)
    factories.hold_meeting_today(meeting)
    start = threading.Barrier(2)
    results: list = []

    def record(outcome: str):
        try:
            start.wait(timeout=10)
            decision = services.record_decision(
                actor=people["coach.nassjo"], item=item, group_agreed=True, outcome=outcome
            )
            results.append(("recorded", decision.outcome))
        except services.AlreadyDecided as race:
            results.append(("already decided", race.decision.outcome))
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(outcome,)) for outcome in ("enrol", "send_back")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winner = Decision.objects.get()
    assert sorted(kind for kind, _outcome in results) == ["already decided", "recorded"]
    assert all(outcome == winner.outcome for _kind, outcome in results)
    item.referral.refresh_from_db()
    expected = Referral.Status.ENROLLED if winner.outcome == "enrol" else Referral.Status.SENT_BACK
    assert item.referral.status == expected
