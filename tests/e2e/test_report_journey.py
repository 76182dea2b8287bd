"""The förbundschef's half-year report in the browser: choose 2026 H1, read the tables, download
the PDF and the workbook, and find the figures of the participant records in them, as published:
every count rounded to a multiple of 3 (these are multiples of 3, so exact) and the breakdowns of
groups under 10 held back. The page and the files show the figures of `exports.present`."""

import io
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from participants import services
from participants.models import IncomeRecord, MunicipalityPeriod, Participant, StepChange
from referrals.models import Referral
from reporting import disclosure, exports
from reporting.report import build_report, period_from_code
from reporting.services import refresh_all_statistics
from tests import factories

from .axe import assert_accessible
from .test_participant_journeys import PHONE, assert_no_horizontal_scroll
from .ui import containing, either, open_from_menu

ENROLLED_ON = date(2026, 1, 20)
PEOPLE = [
    ("Alva", "Brandt", "woman"),
    ("Britt", "Cederlund", "woman"),
    ("Cecilia", "Dahl", "woman"),
    ("Dagny", "Ek", "woman"),
    ("Elsa", "Fors", "woman"),
    ("Frida", "Frost", "woman"),
    ("Gustav", "Gran", "man"),
    ("Hjalmar", "Hed", "man"),
    ("Ivar", "Isaksson", "man"),
    ("Johan", "Jansson", "man"),
    ("Karl", "Kvist", "man"),
    ("Lars", "Lind", "man"),
]


@pytest.fixture(autouse=True)
def without_reach(monkeypatch):
    """The journey, not the rounding, is tested here: with the rounding's reach switched off a multiple of 3 is
    published as it is, so the figures read as literals (test_disclosure.py tests the reach)."""
    monkeypatch.setattr(disclosure, "REACH", 0)


def enrolled_in_january(people: dict[str, User]) -> list[Participant]:
    """Twelve people enrolled by Nässjö's group the way the coach would, then dated back to 20 January
    2026 (the services take no past decisions): six women and six men."""
    meeting = factories.make_meeting(people)
    items = []
    for first_name, last_name, gender in PEOPLE:
        person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name, gender=gender)
        items.append(factories.put_on_agenda(people, factories.make_ready_referral(people, person=person), meeting))
    factories.hold_meeting_today(meeting)
    for item in items:
        item.refresh_from_db()
        factories.decide(people, item)
    referrals = [item.referral_id for item in items]
    participants = Participant.objects.filter(referral__in=referrals)
    participants.update(decided_on=ENROLLED_ON, started_on=ENROLLED_ON)
    MunicipalityPeriod.objects.filter(participant__in=participants).update(moved_in_on=ENROLLED_ON)
    IncomeRecord.objects.filter(participant__in=participants).update(valid_from=ENROLLED_ON)
    StepChange.objects.filter(participant__in=participants).update(changed_on=ENROLLED_ON)
    submitted = timezone.make_aware(datetime.combine(date(2026, 1, 10), time(9, 0)))
    Referral.objects.filter(pk__in=referrals).update(submitted_at=submitted)
    # Dated back outside the services: refresh the statistical records the report reads, as
    # `manage.py refresh_statistics` does for such data (docs/domain.md#statistical-record).
    refresh_all_statistics()
    return list(participants.select_related("person").order_by("person__first_name"))


@pytest.fixture
def half_year(people):
    """Three of the women exit to work on 20 May, three of the men for lack of motivation on 30 June:
    12 active in the period (6 women, 6 men), 6 exits, 3 of them to work: too few to judge the goal."""
    participants = enrolled_in_january(people)
    coach = people["coach.nassjo"]
    for participant in participants[:3]:
        services.exit_participant(
            actor=coach,
            participant=participant,
            exited_on=date(2026, 5, 20),
            reason="work",
            occupation_after="work",
            income_after="salary",
        )
    for participant in participants[6:9]:
        services.exit_participant(
            actor=coach,
            participant=participant,
            exited_on=date(2026, 6, 30),
            reason="lack_of_motivation",
            occupation_after="job_seeking",
            income_after="unemployment_insurance",
        )
    return participants


def row_pattern(label: str, figures) -> re.Pattern:
    """A table row on the page: its label and its figures as shown."""
    cells = r"\s*".join(re.escape(figure.text.replace("\xa0", " ")) for figure in figures)
    return re.compile(rf"{re.escape(label)}\s*{cells}")


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_forbundschef_reports_the_first_half_year_and_downloads_it(login, half_year):
    page = login("forbundschef")

    open_from_menu(page, "Rapporter", "Reports")
    expect(page).to_have_url(re.compile(re.escape(reverse("reporting:report_page")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Rapporter", "Reports"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # A half-year or the year: there are no own dates, and no date fields.
    expect(page.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("radio", name=either("Egna datum", "Own dates"))).to_have_count(0)
    expect(page.get_by_label(either("Från", "From"))).to_have_count(0)
    page.get_by_role("radio", name=either("Första halvåret (jan–jun)", "First half-year (January–June)")).check()
    page.get_by_label(either("År", "Year")).fill("2026")
    page.get_by_label(either("Kommun", "Municipality")).select_option(label="Alla kommuner")
    page.get_by_role("button", name=either("Visa rapporten", "Show the report")).tap()

    main = page.get_by_role("main")
    expect(main).to_contain_text("Första halvåret 2026 (2026-01-01 – 2026-06-30)")
    shown = exports.present(build_report(period_from_code("2026H1")))
    participants = page.get_by_role("table", name=either("Deltagare", "Participants"))
    for row in shown.table("participants").rows:
        expect(participants.get_by_role("row", name=re.compile(f"^{re.escape(row.label)}"))).to_have_text(
            row_pattern(row.label, row.figures)
        )
    # Twelve active, six of each, exact; six exits, under 10, their split held back.
    expect(participants.get_by_role("row", name=re.compile("Aktiva någon gång under perioden"))).to_have_text(
        re.compile(r"Aktiva någon gång under perioden\s*6\s*6\s*0\s*12")
    )
    expect(participants.get_by_role("row", name=re.compile("Avslutade under perioden"))).to_have_text(
        re.compile(r"Avslutade under perioden\s*för få\s*för få\s*för få\s*6")
    )
    exits = page.get_by_role("table", name=either("Avslut per orsak", "Exits by reason"))
    expect(exits.get_by_role("row", name=re.compile("^Arbete"))).to_have_text(
        re.compile(r"Arbete\s*för få\s*för få\s*0\s*för få")
    )
    expect(exits.get_by_role("row", name=re.compile("^Totalt"))).to_have_text(re.compile(r"Totalt\s*3\s*3\s*0\s*6"))
    expect(page.locator("#exit-goal")).to_have_text(
        re.compile(r"^\s*(För få avslut under perioden för att bedöma målet|Too few exits in the period)")
    )
    expect(page.locator("#rounding-notice")).to_contain_text(
        containing("Alla antal avrundas slumpvis till en multipel av 3", "Every count is rounded at random")
    )
    for participant in half_year:
        expect(main).not_to_contain_text(participant.person.full_name)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name=either("Ladda ner som PDF", "Download as PDF")).tap()
    pdf = pdf_download.value
    assert pdf.suggested_filename == "statistik-2026H1-alla.pdf"
    reader = PdfReader(io.BytesIO(Path(pdf.path()).read_bytes()))
    text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages).replace("\xa0", " ")
    assert "Skapad av Ingrid Björk" in text, text
    for row in shown.table("participants").rows:
        assert f"{row.label} {' '.join(figure.text for figure in row.figures)}" in text, text
    assert "Aktiva någon gång under perioden 6 6 0 12" in text, text
    assert "Avslutade under perioden för få för få för få 6" in text, text
    assert "Avslut till arbete eller studier för få för få – för få" in text, text
    assert "Nässjö 6 36 180 % 16,7 %" in text, text
    for participant in half_year:
        assert participant.person.full_name not in text
        assert participant.person.first_name not in text
        assert participant.person.identity_number[2:8] not in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name=either("Ladda ner som XLSX", "Download as XLSX")).tap()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename == "statistik-2026H1-alla.xlsx"
    workbook = load_workbook(io.BytesIO(Path(xlsx.path()).read_bytes()))
    assert [[cell.value for cell in row] for row in workbook["Deltagare"].iter_rows(min_row=4, max_row=11)] == [
        [row.label, *(figure.number if figure.kind == exports.COUNT else figure.text for figure in row.figures)]
        for row in shown.table("participants").rows
    ]
    assert [cell.value for cell in workbook["Deltagare"][4]] == ["Aktiva någon gång under perioden", 6, 6, 0, 12]
    assert [cell.value for cell in workbook["Avslut"][4]] == ["Arbete", "för få", "för få", 0, "för få"]
    # Labelled as on the page, and the survey keeps its column of answers per question.
    assert [cell.value for cell in workbook["Mål"][6]][:1] == [
        "Median antal månader i insatsen, för dem som avslutades under perioden"
    ]
    assert [cell.value for cell in workbook["Enkät"][3]] == [
        "Fråga",
        "Kvinnor",
        "Män",
        "Annat eller ej angivet",
        "Totalt",
        "Svar",
        "Mål",
    ]
