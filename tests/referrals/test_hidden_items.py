"""A member sees that an item is hidden from them, and its number, and nothing else of it
(issue 14, point 9; the decision and its reason are in docs/domain.md#hidden-items)."""

import pytest
from django.urls import reverse

from referrals.models import Decision
from tests import factories
from tests.factories import WITHOUT_FK, make_case
from tests.helpers import decision_result

HIDDEN_NOTE = "Aktuell hos oss, pågående utredning."


@pytest.fixture
def meeting(people):
    """A Nässjö meeting held today: item 1 FK may read, item 2 (declined) FK's consent does not cover."""
    meeting = factories.make_meeting(people)
    shown = factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting)
    hidden = factories.put_on_agenda(people, make_case(people, "Dan", "Ekström", consent=WITHOUT_FK), meeting)
    from referrals import services

    services.respond_to_item(actor=people["af.nassjo"], item=hidden, active="yes", note=HIDDEN_NOTE)
    factories.hold_meeting_today(meeting)
    factories.decide(
        people,
        hidden,
        Decision.Outcome.DECLINE,
        recommendation="Kontakt med psykiatrin",
        grounds="Pågående behandling",
        informs_person="Handläggaren på AF",
    )
    meeting.shown, meeting.hidden = shown, hidden
    return meeting


def page(client, meeting) -> str:
    return client.get(reverse("referrals:meeting_detail", args=[meeting.pk])).content.decode()


def test_the_member_sees_the_hidden_items_number_and_that_they_do_not_take_part(client_for, meeting):
    body = page(client_for("fk.nassjo"), meeting)

    assert f'id="item-{meeting.hidden.pk}"' in body
    hidden = body.split(f'id="item-{meeting.hidden.pk}"')[1].split("</article>")[0]
    assert "Punkt 2" in hidden or "Item 2" in hidden
    assert meeting.shown.referral.reference in body


def test_the_member_sees_nothing_else_of_the_hidden_item(client_for, meeting):
    body = page(client_for("fk.nassjo"), meeting)

    referral = meeting.hidden.referral
    for secret in (referral.reference, referral.first_name, referral.last_name, HIDDEN_NOTE, "Pågående behandling"):
        assert secret not in body
    hidden = body.split(f'id="item-{meeting.hidden.pk}"')[1].split("</article>")[0]
    assert decision_result(Decision.Outcome.DECLINE) not in hidden


def test_the_coach_and_the_member_number_the_items_alike(client_for, meeting):
    coach_body = page(client_for("coach.nassjo"), meeting)

    coach_item = coach_body.split(f'id="item-{meeting.hidden.pk}"')[1].split("</article>")[0]
    assert meeting.hidden.referral.reference in coach_item
    assert "Punkt 2" in coach_item or "Item 2" in coach_item
