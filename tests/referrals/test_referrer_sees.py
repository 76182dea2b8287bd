"""What the referrer and the others see of a referral once the group has decided, and what a consent
leaves out (issue 14, points 1, 2, 3, 4 and 8).

AF's referrer wrote the referrals; Nässjö's coach and manager are the team; FK's member sits in
Nässjö's group; Eksjö's coach is the outsider.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from consent.models import Purpose
from consent.selectors import parties_left_out
from participants import services as participant_services
from referrals.models import Decision, Participation, Referral
from sehoglandet.models import ReferralGroup
from tests import factories
from tests.helpers import decision_result, every_row, messages_of

GROUNDS = "Behöver stöd från psykiatrin först."
RECOMMENDATION = "Kontakta psykiatrins mottagning."
INFORMS = "Handläggaren på AF"
DISAGREEMENT = "Om motivationen räcker nu"
RESPONSE_NOTE = "Aktuell hos oss sedan i våras."


def detail(referral: Referral) -> str:
    return reverse("referrals:referral_detail", args=[referral.pk])


def text(response) -> str:
    return response.content.decode()


def label(choice) -> str:
    with translation.override("sv"):
        return str(choice.label)


@pytest.fixture
def declined(people) -> Referral:
    """A Nässjö referral the group declined, with FK's member's answer on the item."""
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    from referrals import services

    services.respond_to_item(actor=people["fk.nassjo"], item=item, active="yes", note=RESPONSE_NOTE)
    factories.hold_meeting_today(meeting)
    factories.decide(
        people,
        item,
        Decision.Outcome.DECLINE,
        grounds=GROUNDS,
        recommendation=RECOMMENDATION,
        informs_person=INFORMS,
    )
    referral.refresh_from_db()
    return referral


def decided(people, outcome: str, **fields) -> Referral:
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    factories.decide(people, item, outcome, **fields)
    referral.refresh_from_db()
    return referral


# Point 1: the grounds of a decline.


def test_the_referrer_of_a_declined_referral_reads_the_grounds_the_recommendation_and_who_informs(client_for, declined):
    body = text(client_for("referrer.af").get(detail(declined)))

    assert decision_result(Decision.Outcome.DECLINE) in body
    assert GROUNDS in body
    assert RECOMMENDATION in body
    assert INFORMS in body


def test_the_referrer_reads_nothing_else_of_the_groups_discussion(client_for, declined):
    body = text(client_for("referrer.af").get(detail(declined)))

    assert RESPONSE_NOTE not in body
    assert "Motiverad, vill arbeta inom handel." not in body  # the pre-meeting notes


def test_the_referrer_does_not_read_what_the_group_could_not_agree_on(client_for, people):
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    from referrals import services

    decision = services.record_decision(
        actor=people["coach.nassjo"], item=item, group_agreed=False, disagreement=DISAGREEMENT
    )
    services.decide_escalated(
        actor=people["chef.nassjo"],
        decision=decision,
        outcome=Decision.Outcome.DECLINE,
        grounds=GROUNDS,
        recommendation=RECOMMENDATION,
        informs_person=INFORMS,
    )

    body = text(client_for("referrer.af").get(detail(referral)))

    assert GROUNDS in body
    assert DISAGREEMENT not in body


def test_the_referrer_of_a_referral_sent_back_reads_the_grounds_too(client_for, people):
    referral = decided(people, Decision.Outcome.SEND_BACK, grounds=GROUNDS, recommendation=RECOMMENDATION)

    body = text(client_for("referrer.af").get(detail(referral)))

    assert decision_result(Decision.Outcome.SEND_BACK) in body
    assert GROUNDS in body
    assert RECOMMENDATION in body


def test_the_decision_form_keeps_the_grounds_of_a_send_back(client_for, people):
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)

    client_for("coach.nassjo").post(
        reverse("referrals:item_decide", args=[item.pk]),
        {"group_agreed": "yes", "outcome": "send_back", "grounds": GROUNDS, "recommendation": RECOMMENDATION},
    )

    assert Decision.objects.get(item=item).grounds == GROUNDS


@pytest.mark.parametrize("username", ["coach.eksjo", "fk.eksjo"])
def test_an_outsider_gets_404_on_a_declined_referral(client_for, declined, username):
    assert client_for(username).get(detail(declined)).status_code == 404


def test_the_member_reads_no_grounds_on_the_pre_read(client_for, declined):
    response = client_for("fk.nassjo").get(detail(declined))

    assert response.status_code == 200
    assert GROUNDS not in text(response)
    assert INFORMS not in text(response)


@pytest.mark.parametrize("username", ["referrer.af", "coach.nassjo", "chef.nassjo", "fk.nassjo"])
def test_opening_a_decided_referral_changes_no_row_but_the_access_log(client_for, declined, username):
    client = client_for(username)
    before = every_row(access_log=False)

    client.get(detail(declined))

    assert every_row(access_log=False) == before


# Point 3: queued or started, and nothing more.


def test_the_referrer_sees_that_an_enrolled_person_waits_in_the_queue(client_for, people):
    factories.fill_places(people["coach.nassjo"])
    referral = decided(people, Decision.Outcome.ENROL)
    assert referral.participant.is_queued

    body = text(client_for("referrer.af").get(detail(referral)))

    assert decision_result(Decision.Outcome.ENROL) in body
    assert label(Participation.QUEUED) in body
    assert label(Participation.STARTED) not in body


def test_the_referrer_sees_that_an_enrolled_person_has_started_but_not_the_step(client_for, people):
    referral = decided(people, Decision.Outcome.ENROL)
    assert referral.participant.status == "active"

    body = text(client_for("referrer.af").get(detail(referral)))

    assert label(Participation.STARTED) in body
    assert label(Participation.QUEUED) not in body
    assert str(referral.participant.get_step_display()) not in body
    assert reverse("participants:participant_detail", args=[referral.participant.pk]) not in body


def test_the_referrer_sees_the_start_once_the_coach_takes_the_person_from_the_queue(client_for, people):
    filled = factories.fill_places(people["coach.nassjo"])
    referral = decided(people, Decision.Outcome.ENROL)
    filled[0].delete()
    participant_services.start_support(
        actor=people["coach.nassjo"], participant=referral.participant, started_on=referral.participant.decided_on
    )

    body = text(client_for("referrer.af").get(detail(referral)))

    assert label(Participation.STARTED) in body


# Point 4: one wording.


def test_the_status_column_words_a_decline_as_the_decision_does(client_for, declined):
    body = text(client_for("referrer.af").get(reverse("referrals:referral_list")))

    assert decision_result(Decision.Outcome.DECLINE) in body


def test_the_results_are_not_the_commands():
    with translation.override("sv"):
        for outcome in Decision.Outcome:
            assert str(outcome.result_label) != str(outcome.label)


def test_a_decided_referral_says_its_status_as_the_decisions_result():
    assert Referral(status=Referral.Status.DECLINED).status_label == Decision.Outcome.DECLINE.result_label
    assert Referral(status=Referral.Status.ENROLLED).status_label == Decision.Outcome.ENROL.result_label
    assert Referral(status=Referral.Status.SENT_BACK).status_label == Decision.Outcome.SEND_BACK.result_label
    assert Referral(status=Referral.Status.DRAFT).status_label == Referral.Status.DRAFT.label


# Point 8: next steps by status.


def test_a_declined_referral_offers_the_coach_no_stale_next_step(client_for, declined):
    body = text(client_for("coach.nassjo").get(detail(declined)))

    assert reverse("consent:consent_create", args=[declined.person_id]) not in body
    assert reverse("referrals:agency_decision_add", args=[declined.pk]) not in body
    assert reverse("referrals:pre_meeting_book", args=[declined.pk]) not in body
    assert INFORMS in body


def test_an_enrolled_referral_sends_the_coach_to_the_participant_page(client_for, people):
    referral = decided(people, Decision.Outcome.ENROL)

    body = text(client_for("coach.nassjo").get(detail(referral)))

    assert reverse("participants:participant_detail", args=[referral.participant.pk]) in body
    assert reverse("referrals:pre_meeting_book", args=[referral.pk]) not in body


def test_a_submitted_referral_tells_the_referrer_the_team_prepares_it(client_for, people):
    referral = factories.make_referral(people)

    response = client_for("referrer.af").get(detail(referral))

    assert response.context["referral"].is_open
    assert reverse("referrals:referral_edit", args=[referral.pk]) not in text(response)
    assert reverse("referrals:referral_withdraw", args=[referral.pk]) in text(response)


# Point 2: the parties a consent leaves out.


def test_the_selector_names_the_group_parties_no_consent_covers(people):
    person = factories.make_referral(people, consent=factories.WITHOUT_FK, submit=False).person
    group = ReferralGroup.objects.get(municipality__code="nassjo")

    assert [o.code for o in parties_left_out(person, [group])] == ["fk"]
    fk = factories.org("fk")
    assert parties_left_out(person, [group], choice=([fk], [Purpose.REFERRAL_GROUP])) == []
    assert [o.code for o in parties_left_out(person, [group], choice=([fk], [Purpose.PARTICIPATION]))] == ["fk"]


def test_the_referrer_of_a_draft_sees_which_parties_the_consent_leaves_out(client_for, people):
    referral = factories.make_referral(people, consent=factories.WITHOUT_FK, submit=False)

    response = client_for("referrer.af").get(detail(referral))

    assert [o.code for o in response.context["without_consent"]] == ["fk"]
    consent_section = text(response).split('id="consents-heading"')[1]
    assert "notice--warning" in consent_section
    assert "Försäkringskassan" in consent_section


def test_the_referrer_learns_nothing_of_a_consent_someone_else_recorded(client_for, people):
    referral = factories.make_referral(people, consent=factories.WITHOUT_FK)
    factories.give_consent(people["coach.nassjo"], referral.person, org_codes=["fk"])

    response = client_for("referrer.af").get(detail(referral))

    assert [o.code for o in response.context["without_consent"]] == ["fk"]


def test_the_coach_sees_the_parties_left_out_of_an_open_referral(client_for, people):
    referral = factories.make_referral(people, consent=factories.WITHOUT_FK)

    response = client_for("coach.nassjo").get(detail(referral))

    assert [o.code for o in response.context["without_consent"]] == ["fk"]


def test_a_decided_referral_warns_no_more(client_for, declined):
    assert client_for("referrer.af").get(detail(declined)).context["without_consent"] == []


def consent_url(referral: Referral) -> str:
    return reverse("consent:consent_create", args=[referral.person_id]) + f"?next={detail(referral)}"


def consent_post(org_codes: list[str], **overrides) -> dict:
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "organisations": [factories.org(code).pk for code in org_codes],
        "purposes": ["referral_group", "participation"],
        "given_on": today.isoformat(),
        "method": "written",
        "valid_until": today.replace(year=today.year + 1).isoformat(),
        **overrides,
    }


def test_the_consent_form_names_the_groups_parties(client_for, people):
    referral = factories.make_referral(people, consent=False, submit=False)

    response = client_for("referrer.af").get(consent_url(referral))

    assert [o.code for o in response.context["group_parties"]] == sorted(
        ["af", "fk", "region-psykiatri", "nassjo-bistand"], key=lambda code: factories.org(code).name
    )
    assert 'id="parties-heading"' in text(response)


def test_recording_a_consent_that_leaves_out_a_party_says_so_at_once(client_for, people):
    referral = factories.make_referral(people, consent=False, submit=False)

    response = client_for("referrer.af").post(
        consent_url(referral), consent_post(["nassjo-se", "af", "fk", "nassjo-bistand"]), follow=True
    )

    warnings = [m for m in messages_of(response) if "Region" in m]
    assert len(warnings) == 1
    assert referral.person.consents.count() == 1


def test_recording_a_consent_that_covers_every_party_gives_no_warning(client_for, people):
    referral = factories.make_referral(people, consent=False, submit=False)

    response = client_for("referrer.af").post(
        consent_url(referral),
        consent_post(["nassjo-se", "af", "fk", "region-psykiatri", "nassjo-bistand"]),
        follow=True,
    )

    assert not [m for m in messages_of(response) if "Region" in m]


def test_a_consent_form_sent_back_with_an_error_warns_of_the_chosen_parties_left_out(client_for, people):
    referral = factories.make_referral(people, consent=False, submit=False)

    response = client_for("referrer.af").post(
        consent_url(referral), consent_post(["nassjo-se", "af", "fk", "nassjo-bistand"], valid_until="")
    )

    assert response.status_code == 200
    assert "Region" in response.context["left_out"]
    assert referral.person.consents.count() == 0
