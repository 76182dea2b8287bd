from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.models import ReminderDelivery
from participants.services import send_reminder
from participants.todo import TodoKind, todo_counts
from sehoglandet.models import Role
from sehoglandet.services import get_system_user


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            _("%(value)s is not a date: write it as YYYY-MM-DD, for example 2025-10-01.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Run daily: e-mail each coach how many items of each kind their to-do list holds (no names or "
        "other personal data, only counts and a link). Coaches with nothing due get no e-mail; a coach "
        "who already got the day's reminder gets no second one, so the job is safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would get how many items; send nothing.")
        parser.add_argument("--date", help="The day to compute the to-do list for (YYYY-MM-DD); default today.")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            today = _parse_date(options["date"]) if options["date"] else timezone.localdate()
            link = settings.SITE_URL.rstrip("/") + reverse("participants:todo_list")
            already = set(ReminderDelivery.objects.filter(day=today).values_list("coach_id", flat=True))
            actor = get_system_user()
            sent = skipped = 0
            with mail.get_connection() as connection:
                for coach in self._coaches():
                    counts = {kind: count for kind, count in todo_counts(coach, today).items() if count}
                    if not counts:
                        continue
                    total = sum(counts.values())
                    if coach.pk in already:
                        skipped += 1
                        continue
                    if options["dry_run"]:
                        self.stdout.write(
                            _("%(user)s <%(email)s>: %(total)d items")
                            % {"user": coach.username, "email": coach.email, "total": total}
                        )
                        continue
                    message = self._message(coach, counts, total, link)
                    try:
                        delivered = send_reminder(
                            actor=actor,
                            coach=coach,
                            day=today,
                            items=total,
                            send=lambda message=message: connection.send_messages([message]),
                        )
                    except OSError as error:
                        raise CommandError(
                            _(
                                "The e-mail to %(user)s could not be sent (%(error)s). %(sent)d coaches got "
                                "their reminder; run the job again to send the rest."
                            )
                            % {"user": coach.username, "error": error, "sent": sent}
                        ) from error
                    if delivered:
                        sent += 1
                    else:
                        skipped += 1
            if skipped:
                self.stdout.write(
                    ngettext(
                        "%(count)d coach already had today's reminder and got no second one.",
                        "%(count)d coaches already had today's reminder and got no second one.",
                        skipped,
                    )
                    % {"count": skipped}
                )
            if options["dry_run"]:
                self.stdout.write(_("Dry run: no e-mail was sent."))
                return
            self.stdout.write(_("Reminders sent to %(count)d coaches.") % {"count": sent})

    @staticmethod
    def _coaches():
        """Active users who coach in some municipality and have an e-mail address."""
        return (
            User.objects.filter(is_active=True, memberships__role=Role.COACH)
            .exclude(email="")
            .distinct()
            .order_by("username")
        )

    @staticmethod
    def _message(coach: User, counts: dict, total: int, link: str) -> mail.EmailMessage:
        subject = ngettext(
            "SE-Höglandet: %(count)d item on your to-do list",
            "SE-Höglandet: %(count)d items on your to-do list",
            total,
        ) % {"count": total}
        body = render_to_string(
            "participants/email/reminders.txt",
            {"counts": [(kind.label, counts[kind]) for kind in TodoKind if kind in counts], "link": link},
        )
        return mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [coach.email])
