"""`manage.py purge_expired [--dry-run] [--limit N]`: the daily retention purge (docs/domain.md#retention).

Deletes the file of every person whose cases have all closed and whose retention periods have run
out, one person per transaction, and prints the summary the auditor sees on /gallring/. Running it
twice is safe: the second run finds no one left. `--dry-run` counts what would go and deletes nothing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from project.retention import purge_expired
from sehoglandet.models import PurgeRun
from sehoglandet.services import get_system_user


def _limit(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise CommandError(
            _("--limit takes the largest number of persons to purge, a whole number of 1 or more, not %(value)s.")
            % {"value": value}
        )
    return limit


def summary(run: PurgeRun) -> list[str]:
    """The run as the auditor's page shows it, as lines of text."""
    if run.dry_run:
        headline = ngettext(
            "Dry run: nothing was deleted. The purge would delete the file of %(count)d person.",
            "Dry run: nothing was deleted. The purge would delete the files of %(count)d persons.",
            run.persons,
        )
    else:
        headline = ngettext(
            "Retention purge: the file of %(count)d person was deleted.",
            "Retention purge: the files of %(count)d persons were deleted.",
            run.persons,
        )
    lines = [headline % {"count": run.persons}]
    lines.append(
        _("Kept: %(referral)d months after a referral closed, %(participant)d months after an exit.")
        % {"referral": run.referral_months, "participant": run.participant_months}
    )
    lines += [f"  {label}: {count}" for label, count in run.counts_shown()]
    return lines


class Command(BaseCommand):
    help = (
        "Run daily: delete the file of every person whose cases have all closed and whose retention "
        "periods have run out (RETENTION_REFERRAL_MONTHS, RETENTION_PARTICIPANT_MONTHS). --dry-run counts "
        "what would go and deletes nothing; --limit N stops after N persons."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")
        parser.add_argument("--limit", help="Purge at most this many persons in this run.")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            limit = _limit(options["limit"])
            run = purge_expired(actor=get_system_user(), dry_run=options["dry_run"], limit=limit)
            for line in summary(run):
                self.stdout.write(line)
