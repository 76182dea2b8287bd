"""The förbundschef's half-year report in the browser: choose 2026 H1, read the tables, download
the PDF and the workbook, and find the figures of the participant records in them."""

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
]


def enrolled_in_january(people: dict[str, User]) -> list[Participant]:
    """Ten people enrolled by Nässjö's group the way the coach would, then dated back to 20 January
    2026 (the services take no past decisions): six women and four men."""
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
    """Four of the women exit to work on 20 May, one of the men for lack of motivation on 30 June:
    10 active in the period (6 women, 4 men), 5 exits, 4 of them to work (80 %)."""
    participants = enrolled_in_january(people)
    coach = people["coach.nassjo"]
    for participant in participants[:4]:
        services.exit_participant(
            actor=coach,
            participant=participant,
            exited_on=date(2026, 5, 20),
            reason="work",
            occupation_after="work",
            income_after="salary",
        )
    services.exit_participant(
        actor=coach,
        participant=participants[6],
        exited_on=date(2026, 6, 30),
        reason="lack_of_motivation",
        occupation_after="job_seeking",
        income_after="unemployment_insurance",
    )
    return participants


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_forbundschef_reports_the_first_half_year_and_downloads_it(login, half_year):
    page = login("forbundschef")

    open_from_menu(page, "Rapporter", "Reports")
    expect(page).to_have_url(re.compile(re.escape(reverse("reporting:report_page")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Rapporter", "Reports"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # From and Until apply to own dates only: they show when that period is chosen, the year hides.
    own_dates = page.get_by_role("radio", name=either("Egna datum", "Own dates"))
    from_field = page.get_by_label(either("Från", "From"))
    expect(from_field).to_be_hidden()
    own_dates.check()
    expect(from_field).to_be_visible()
    expect(page.get_by_label(either("År", "Year"))).to_be_hidden()
    from_field.fill("2026-01-01")
    assert_accessible(page)

    page.get_by_role("radio", name=either("Första halvåret (jan–jun)", "First half-year (January–June)")).check()
    expect(from_field).to_be_hidden()
    page.get_by_label(either("År", "Year")).fill("2026")
    page.get_by_label(either("Kommun", "Municipality")).select_option(label="Alla kommuner")
    page.get_by_role("button", name=either("Visa rapporten", "Show the report")).tap()

    main = page.get_by_role("main")
    expect(main).to_contain_text("Första halvåret 2026 (2026-01-01 – 2026-06-30)")
    participants = page.get_by_role("table", name=either("Deltagare", "Participants"))
    expect(participants.get_by_role("row", name=re.compile("Aktiva någon gång under perioden"))).to_have_text(
        re.compile(r"Aktiva någon gång under perioden\s*6\s*4\s*0\s*10")
    )
    exits = page.get_by_role("table", name=either("Avslut per orsak", "Exits by reason"))
    expect(exits.get_by_role("row", name=re.compile("^Arbete"))).to_have_text(re.compile(r"Arbete\s*4\s*0\s*0\s*4"))
    expect(page.locator("#exit-goal")).to_have_text(
        re.compile(r"^\s*(Målet är uppnått\.\s+80,0\s%|The goal is met\.\s+80\.0)")
    )
    expect(main).to_contain_text(containing("Antal från 1 till 3 visas som intervallet 1–3", "Counts from 1 to 3"))
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
    assert "Aktiva någon gång under perioden 6 4 0 10" in text, text
    assert "Avslutade under perioden 4 1–3 0 5" in text, text
    assert "Avslut till arbete eller studier 100,0 % för få – 80,0 %" in text, text
    assert "Nässjö 5 36 180 % 13,9 %" in text, text
    for participant in half_year:
        assert participant.person.full_name not in text
        assert participant.person.first_name not in text
        assert participant.person.identity_number[2:8] not in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name=either("Ladda ner som XLSX", "Download as XLSX")).tap()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename == "statistik-2026H1-alla.xlsx"
    workbook = load_workbook(io.BytesIO(Path(xlsx.path()).read_bytes()))
    assert [cell.value for cell in workbook["Deltagare"][4]] == ["Aktiva någon gång under perioden", 6, 4, 0, 10]
    assert [cell.value for cell in workbook["Avslut"][4]] == ["Arbete", 4, 0, 0, 4]
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
