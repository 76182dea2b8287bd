"""E-mail that something waits: to the municipality's coaches when a referral arrives, to the manager when
the group could not agree. A link and a case reference, never a name; only after the change commits."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from referrals import services
from tests import factories

from .test_decision_services import escalate, item_at_meeting


def addressed_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


def test_the_team_s_coaches_get_an_e_mail_with_the_reference_and_a_link_when_a_referral_arrives(
    people, django_capture_on_commit_callbacks
):
    person = factories.make_person(people["referrer.af"], first_name="Alva", last_name="Brandt")
    referral = factories.make_referral(people, person=person, submit=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_referral(actor=people["referrer.af"], referral=referral)

    (message,) = addressed_to(people["coach.nassjo"])
    assert message.to == [people["coach.nassjo"].email]
    assert referral.reference in message.subject
    assert f"/remisser/{referral.pk}/" in message.body
    for secret in ("Alva", "Brandt", person.identity_number):
        assert secret not in message.subject + message.body
    assert addressed_to(people["coach.eksjo"]) == []
    assert addressed_to(people["chef.nassjo"]) == []


def test_nothing_is_sent_while_the_submission_has_not_committed(people, django_capture_on_commit_callbacks):
    referral = factories.make_referral(people, submit=False)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_referral(actor=people["referrer.af"], referral=referral)

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_refused_submission_sends_nothing(people, django_capture_on_commit_callbacks):
    referral = factories.make_referral(people, consent=False, submit=False)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.submit_referral(actor=people["referrer.af"], referral=referral)

    assert mail.outbox == []


def test_the_manager_gets_an_e_mail_with_a_link_when_the_group_cannot_agree(people, django_capture_on_commit_callbacks):
    item = item_at_meeting(people)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decision = escalate(people, item)

    (message,) = addressed_to(people["chef.nassjo"])
    assert item.referral.reference in message.subject
    assert f"/eskaleringar/{decision.pk}/" in message.body
    assert "oense" not in message.body
    assert addressed_to(people["chef.eksjo"]) == []
    assert addressed_to(people["coach.nassjo"]) == []
