"""`manage.py refresh_statistics`: bring every anonymous statistical record in step with the live
enrolments and referrals (docs/domain.md#statistical-record).

The services keep the records in step as they write; this is for data written outside them (an
import, a fix in the database shell, the demo data's back-dating). Safe to run any number of times:
a second run changes nothing. A purged enrolment or referral keeps its record as it was.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from reporting.services import refresh_all_statistics


class Command(BaseCommand):
    help = (
        "Bring the anonymous statistical records in step with the live enrolments and referrals, for data "
        "written outside the services. Idempotent."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = refresh_all_statistics()
        for label, done in ((_("Enrolments"), counts.enrolments), (_("Referrals"), counts.referrals)):
            self.stdout.write(
                _("%(records)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"records": label, "created": done.created, "updated": done.updated, "unchanged": done.unchanged}
            )
