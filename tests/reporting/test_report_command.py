"""`manage.py report`: the same files as the downloads, written whole or not at all.

Bad input is refused in Swedish before anything is written; a failure while writing leaves no
partial file, and an existing file at the path stays as it was. There are no own dates: --from and
--to are no options, so the argument parser refuses them before anything is read or written.
"""

import csv
import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import exports
from reporting.report import build_report, period_from_code
from sehoglandet.models import AccessLog
from tests import factories

from .published import texts
from .test_report_views import known_dataset, report_rows


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def known(people):
    return known_dataset(people)


def shown(code: str, municipality: str = "") -> exports.ShownReport:
    """The report as the page shows it: the command writes the same figures."""
    scope = factories.municipality(municipality) if municipality else None
    return exports.present(build_report(period_from_code(code), municipality=scope))


def test_it_writes_the_half_year_as_csv_and_logs_the_export_as_the_system_user(known, system_user, tmp_path):
    output = tmp_path / "rapport.csv"

    message = run("--period", "2026H1", "--format", "csv", "--output", str(output))

    rows = csv_rows(output)
    active = shown("2026H1").table("participants").rows[0]
    assert ["Deltagare", active.label, *(figure.plain for figure in active.figures), "", ""] in rows
    assert active.figures[0].plain == "6"  # six women, a multiple of 3: exact
    assert ["Om rapporten", "Skapad av", "", "", "", "System", "", ""] in rows
    assert message.strip() == (
        f"Rapporten för Första halvåret 2026 (2026-01-01 – 2026-06-30), Alla kommuner, är skriven till {output}."
    )
    (row,) = report_rows()
    assert (row.user, row.action, row.object_id) == (system_user, AccessLog.Action.EXPORT, "csv")
    assert row.purpose == "Statistik för Första halvåret 2026 (2026-01-01 – 2026-06-30), Alla kommuner"
    assert list(tmp_path.iterdir()) == [output]


def test_it_writes_a_pdf_for_one_municipality(known, tmp_path):
    output = tmp_path / "eksjo.pdf"

    run("--period", "2026H1", "--format", "pdf", "--output", str(output), "--municipality", "eksjo")

    text = "\n".join(page.extract_text() for page in PdfReader(output).pages).replace("\xa0", " ")
    assert "Kommun Eksjö" in text
    # Two men, published as 0 or 3: under 10, the split by gender is held back.
    active = shown("2026H1", "eksjo").table("participants").rows[0]
    assert texts(active.figures) in (["0", "0", "0", "0"], ["för få", "för få", "för få", "3"])
    assert f"Aktiva någon gång under perioden {' '.join(texts(active.figures))}" in text


def test_it_writes_the_year_as_a_workbook(known, tmp_path):
    output = tmp_path / "helar.xlsx"

    run("--period", "2026", "--format", "XLSX", "--output", str(output))

    workbook = load_workbook(output)
    assert workbook["Om rapporten"]["B3"].value == "Helåret 2026 (2026-01-01 – 2026-12-31)"
    active = shown("2026").table("participants").rows[0]
    assert [cell.value for cell in workbook["Deltagare"][4]] == [active.label, *(f.number for f in active.figures)]


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-05-01", "--to", "2026-05-31"],
        ["--period", "2026H1", "--from", "2026-01-01"],
        ["--to", "2026-06-30"],
    ],
)
def test_own_dates_are_no_option_and_leave_no_file(known, tmp_path, args):
    output = tmp_path / "maj.csv"

    with pytest.raises(CommandError, match=r"unrecognized arguments: --(from|to)"):
        run(*args, "--format", "csv", "--output", str(output))

    assert list(tmp_path.iterdir()) == []
    assert report_rows() == []


def test_the_help_offers_a_half_year_or_a_year_only(capsys):
    with pytest.raises(SystemExit):
        call_command("report", "--help")

    help_text = capsys.readouterr().out
    assert "--period" in help_text and "2026H1, 2026H2 or 2026." in help_text
    assert "--from" not in help_text and "--to" not in help_text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026H3"], "Okänd period 2026H3: skriv ett år (2026) eller ett halvår (2026H1 eller 2026H2)."),
        (["--period", "1999"], "Välj ett år mellan 2000 och 2100."),
        (["--period", "2026-01-01"], "Okänd period 2026-01-01: skriv ett år (2026) eller ett halvår (2026H1 eller"),
        ([], "Ange perioden: --period 2026H1 (eller 2026H2, eller 2026)."),
        (["--period", "2026H1", "--municipality", "atlantis"], "Det finns ingen kommun med koden atlantis."),
        (["--period", "2026H1", "--format", "docx"], "Okänt format docx: välj pdf, xlsx eller csv."),
    ],
)
def test_bad_input_is_refused_in_swedish_and_leaves_no_file(known, tmp_path, args, message):
    output = tmp_path / "rapport.pdf"
    if "--format" not in args:
        args = [*args, "--format", "pdf"]

    with pytest.raises(CommandError) as refused:
        run(*args, "--output", str(output))

    assert message in str(refused.value)
    assert list(tmp_path.iterdir()) == []
    assert report_rows() == []


def test_a_missing_directory_is_refused(known, tmp_path):
    with pytest.raises(CommandError) as refused:
        run("--period", "2026H1", "--format", "csv", "--output", str(tmp_path / "saknas" / "rapport.csv"))

    assert str(refused.value) == f"Katalogen {tmp_path / 'saknas'} finns inte."


def test_a_failure_while_writing_leaves_no_partial_file_and_keeps_the_old_one(known, tmp_path, monkeypatch):
    output = tmp_path / "rapport.csv"
    output.write_text("förra halvåret")

    real_fdopen = os.fdopen

    class HalfFull:
        """A file that takes half of what is written, then finds the disk full."""

        def __init__(self, handle, mode):
            self.file = real_fdopen(handle, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            raise OSError("Disken är full")

    monkeypatch.setattr(os, "fdopen", HalfFull)
    with pytest.raises(OSError, match="Disken är full"):
        run("--period", "2026H1", "--format", "csv", "--output", str(output))
    monkeypatch.undo()

    assert list(tmp_path.iterdir()) == [output]
    assert output.read_text() == "förra halvåret"
    assert report_rows() == []


def test_a_failure_while_rendering_leaves_no_file(known, tmp_path, monkeypatch):
    def broken(shown):
        raise RuntimeError("WeasyPrint saknas")

    monkeypatch.setitem(exports.RENDERERS, "pdf", (broken, "application/pdf"))
    output = tmp_path / "rapport.pdf"

    with pytest.raises(RuntimeError):
        run("--period", "2026H1", "--format", "pdf", "--output", str(output))

    assert list(tmp_path.iterdir()) == []
