from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from consent.models import Consent
from referrals import selectors
from tests import factories


def test_a_member_loses_access_the_day_after_the_consent_expired(people):
    referral = factories.make_ready_referral(people)
    factories.put_on_agenda(people, referral, factories.make_meeting(people))
    assert selectors.referrals_visible_to(people["fk.nassjo"]).filter(pk=referral.pk).exists()
    yesterday = timezone.localdate() - timedelta(days=1)
    Consent.objects.filter(person=referral.person).update(
        given_on=yesterday - timedelta(days=30), valid_until=yesterday
    )

    call_command("sync_consent_access")

    assert not selectors.referrals_visible_to(people["fk.nassjo"]).filter(pk=referral.pk).exists()
    assert selectors.referrals_visible_to(people["coach.nassjo"]).filter(pk=referral.pk).exists()


def test_access_that_consent_still_covers_is_kept(people):
    referral = factories.make_ready_referral(people)
    factories.put_on_agenda(people, referral, factories.make_meeting(people))

    call_command("sync_consent_access")

    assert selectors.referrals_visible_to(people["fk.nassjo"]).filter(pk=referral.pk).exists()
