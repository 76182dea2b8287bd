from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from referrals.grants import sync_referral_access
from referrals.models import Referral


class Command(BaseCommand):
    help = (
        "Run daily: bring record access in line with consent that expired since yesterday. Withdrawals "
        "take effect at once; expiry needs this run."
    )

    def handle(self, *args, **options):
        referrals = (
            Referral.objects.filter(agenda_items__isnull=False)
            .exclude(status=Referral.Status.WITHDRAWN)
            .select_related("municipality__se_team", "person")
            .distinct()
        )
        checked = 0
        for referral in referrals.iterator(chunk_size=500):
            with transaction.atomic():
                sync_referral_access(referral)
            checked += 1
        self.stdout.write(_("Access checked against consent for %(count)d referrals.") % {"count": checked})
