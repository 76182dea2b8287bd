"""The förbundschef adopts (fastställer) the first half-year in the browser: opens its report, adopts
it through the confirmation, sees the banner, finds it among the adopted reports and downloads the
archived PDF (docs/domain.md#adopted-reports)."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from reporting import disclosure
from reporting.models import AdoptedReport

from .axe import assert_accessible
from .test_report_journey import enrolled_in_january
from .ui import containing, either, open_from_menu


@pytest.fixture(autouse=True)
def without_reach(monkeypatch):
    """The journey, not the rounding, is tested here: with the rounding's reach switched off a multiple of 3 is
    published as it is, so the figures read as literals (test_disclosure.py tests the reach)."""
    monkeypatch.setattr(disclosure, "REACH", 0)


def test_the_forbundschef_adopts_a_half_year_and_downloads_the_archived_pdf(login, people):
    enrolled_in_january(people)
    page = login("forbundschef")

    open_from_menu(page, "Rapporter", "Reports")
    page.get_by_role("radio", name=either("Första halvåret (jan–jun)", "First half-year (January–June)")).check()
    page.get_by_label(either("År", "Year")).fill("2026")
    page.get_by_role("button", name=either("Visa rapporten", "Show the report")).click()
    expect(page.get_by_role("main")).to_contain_text("Första halvåret 2026 (2026-01-01 – 2026-06-30)")
    assert_accessible(page)

    page.get_by_role("link", name=either("Fastställ rapporten", "Adopt the report")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        containing("Fastställ rapporten för Första halvåret 2026", "Adopt the report for Första halvåret 2026")
    )
    assert_accessible(page)

    # Seven PDFs are made and archived: give the server time.
    page.get_by_role("button", name=either("Ja, fastställ rapporten", "Yes, adopt the report")).click(timeout=60_000)
    banner = page.locator("#adoption-banner")
    expect(banner).to_contain_text(containing("Fastställd", "Adopted on"), timeout=60_000)
    expect(banner).to_contain_text("Ingrid Björk")
    expect(page.get_by_role("link", name=either("Fastställ rapporten", "Adopt the report"))).to_have_count(0)
    participants = page.get_by_role("table", name=either("Deltagare", "Participants"))
    expect(participants.get_by_role("row", name=re.compile("Aktiva någon gång under perioden"))).to_have_text(
        re.compile(r"Aktiva någon gång under perioden\s*6\s*6\s*0\s*12")
    )
    assert_accessible(page)
    assert AdoptedReport.objects.get().period_code == "2026H1"

    page.get_by_role("link", name=either("Fastställda rapporter", "Adopted reports")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Fastställda rapporter", "Adopted reports"))
    row = page.get_by_role("row", name=re.compile("Första halvåret 2026"))
    expect(row).to_contain_text("Ingrid Björk")
    assert_accessible(page)

    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile(r"^PDF 2026H1, Alla kommuner$")).click()
    pdf = download.value
    assert pdf.suggested_filename == "statistik-2026H1-alla-faststalld.pdf"
    content = Path(pdf.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = "\n".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(content)).pages)
    text = text.replace("\xa0", " ")
    assert "Första halvåret 2026 (2026-01-01 – 2026-06-30)" in text, text
    assert "Aktiva någon gång under perioden 6 6 0 12" in text, text
