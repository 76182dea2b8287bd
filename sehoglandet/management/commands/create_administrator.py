from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sehoglandet import services
from sehoglandet.models import Membership, ReferralGroupMember


class Command(BaseCommand):
    help = (
        "Create the first administrator (or make an existing user one): the administrator role in the "
        "association, which opens /admin/. Prints the next steps. See docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options):
        username = options["username"].strip()
        try:
            user, created = services.create_administrator(
                actor=services.get_system_user(),
                username=username,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages) + " " + _("Nothing was changed.")) from None
        if created:
            self.stdout.write(_("Administrator %(username)s created.") % {"username": username})
        else:
            self.stdout.write(_("%(username)s is now an administrator.") % {"username": username})
        steps = []
        if not user.has_usable_password():
            steps.append(_("Set the password: manage.py changepassword %(username)s") % {"username": username})
        steps += [
            _("Sign in at %(url)s with the user name %(username)s.")
            % {"url": settings.SITE_URL.rstrip("/") + "/admin/", "username": username},
            _(
                "At the first sign-in, add an authenticator app on your phone (the page shows a QR code) and keep "
                "the ten recovery codes it gives somewhere safe."
            ),
            _("In the admin, under %(roles)s, give each coworker their role; under %(seats)s, the members their seats.")
            % {
                "roles": capfirst(Membership._meta.verbose_name_plural),
                "seats": capfirst(ReferralGroupMember._meta.verbose_name_plural),
            },
        ]
        self.stdout.write(_("Next steps:"))
        for number, step in enumerate(steps, start=1):
            self.stdout.write(f"  {number}. {step}")
