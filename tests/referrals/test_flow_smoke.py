from referrals import selectors
from referrals.models import Referral
from tests import factories


def test_a_referral_goes_from_draft_to_enrolment(people):
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)

    factories.decide(people, item)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ENROLLED
    assert referral.participant.status == "active"
    assert selectors.referrals_visible_to(people["fk.nassjo"]).filter(pk=referral.pk).exists()
    assert not selectors.referrals_visible_to(people["coach.eksjo"]).filter(pk=referral.pk).exists()
