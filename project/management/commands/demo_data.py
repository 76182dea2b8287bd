from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from project.demo import create_demo_cases
from sehoglandet import demo


class Command(BaseCommand):
    help = "Create the demo users (password demo-2026) for every role, and the demo cases. DEBUG only; idempotent."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(_("Demo data is only created when DEBUG is on. Nothing was changed."))
        call_command("load_reference_data", stdout=self.stdout)
        users = demo.create_demo_users()
        personas = {user.username: user for user in User.objects.filter(username__in=[u for u, _d in users])}
        if create_demo_cases(personas):
            self.stdout.write(_("Demo cases created: referrals in every status, meetings and decisions."))
        self.stdout.write(_("Demo logins (password %(password)s):") % {"password": demo.DEMO_PASSWORD})
        for username, description in [*users, *demo.create_demo_only_users()]:
            self.stdout.write(f"  {username:<14} {description}")
