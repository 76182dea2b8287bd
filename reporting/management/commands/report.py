"""`manage.py report --period 2026H1 --format pdf --output rapport.pdf`: the report as a file.

The same files as the report page's downloads, for all municipalities or one, written by the
system user. The file appears only when it is complete: it is written to a temporary file in the
same directory and renamed at the end, so bad input or a failure leaves nothing behind.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from reporting import exports
from reporting.report import Period, build_report, period_from_code
from sehoglandet.models import AccessLog, Municipality
from sehoglandet.services import get_system_user


class Command(BaseCommand):
    help = (
        "Write the statistics report for a period as PDF, XLSX or CSV: --period 2026H1 (or 2026H2, or 2026 "
        "for the year); all municipalities, or one with --municipality. There are no own dates "
        "(docs/domain.md#disclosure-control)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="2026H1, 2026H2 or 2026.")
        parser.add_argument("--format", dest="file_format", required=True, help="pdf, xlsx or csv.")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--municipality", help="A municipality's code (e.g. nassjo); default all.")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            file_format = (options["file_format"] or "").lower()
            if file_format not in exports.FORMAT_NAMES:
                raise CommandError(
                    _("Unknown format %(format)s: choose pdf, xlsx or csv.") % {"format": options["file_format"]}
                )
            period = self._period(options)
            municipality = self._municipality(options["municipality"])
            output = Path(options["output"])
            if not output.parent.resolve().is_dir():
                raise CommandError(_("The directory %(path)s does not exist.") % {"path": output.parent})
            system = get_system_user()
            report = build_report(period, municipality=municipality, generated_by=system.get_full_name() or "System")
            shown = exports.present(report)
            content, _content_type, _filename = exports.render(shown, file_format)
            self._write(output, content)
            AccessLog.objects.create(
                user=system,
                object_type=exports.OBJECT_TYPE,
                object_id=file_format,
                action=AccessLog.Action.EXPORT,
                purpose=exports.access_purpose(shown),
            )
            self.stdout.write(
                _("The report for %(period)s, %(scope)s, is written to %(path)s.")
                % {"period": shown.period, "scope": shown.scope, "path": output}
            )

    @staticmethod
    def _period(options) -> Period:
        code = options["period"]
        if not code:
            raise CommandError(_("Give the period: --period 2026H1 (or 2026H2, or 2026)."))
        try:
            return period_from_code(code)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    @staticmethod
    def _municipality(code: str | None) -> Municipality | None:
        if not code:
            return None
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(_("There is no municipality with the code %(code)s.") % {"code": code})
        return municipality

    @staticmethod
    def _write(output: Path, content: bytes) -> None:
        """Write next to the target and rename at the end: the file is there whole, or not at all."""
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
