from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sehoglandet import services
from sehoglandet.reference_data import DEFAULT_FILE, ReferenceDataError, parse


class Command(BaseCommand):
    help = "Load the association's organisations, municipalities (with coach FTE) and referral groups."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="JSON file (default: Höglandet).")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}) from None
        try:
            data = parse(text)
            summary = services.load_reference_data(actor=services.get_system_user(), data=data)
        except ReferenceDataError as error:
            raise CommandError(_("%(path)s: %(error)s Nothing was changed.") % {"path": path, "error": error}) from None
        except ValidationError as error:
            raise CommandError(
                _("%(path)s: %(error)s Nothing was changed.") % {"path": path, "error": " ".join(error.messages)}
            ) from None
        self.stdout.write(
            _(
                "Reference data loaded: %(organisations)d organisations, %(municipalities)d municipalities, "
                "%(seats)d seats in referral groups."
            )
            % summary
        )
