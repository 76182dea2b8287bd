"""A consultation in the browser (docs/domain.md#consultations): a member raises it, the coach records
the group's answer at the meeting, and the minutes show only that it was answered."""

import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from referrals import services
from tests import factories

from .axe import assert_accessible
from .ui import containing, either, open_from_menu

QUESTION = "Hur stöttar vi en deltagare med social fobi inför ett första arbetsgivarmöte?"
ANSWER = "Börja med korta besök på arbetsplatsen och följ upp varje vecka."
RAISE = either("Lyft en konsultation", "Raise a consultation")
RECORD_ANSWER = either("Registrera gruppens svar", "Record the group's answer")


def open_the_meeting(page: Page) -> None:
    open_from_menu(page, "Möten", "Meetings")
    page.get_by_role("main").get_by_role("row").filter(has_text="Nässjö").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/moten/\d+/(#.*)?$"))


def consultation(page: Page, number: int):
    return page.get_by_role("article", name=either(f"Konsultation {number}", f"Consultation {number}"))


def test_a_consultation_goes_from_raised_to_answered_and_the_minutes_show_only_that_it_was_answered(login, people):
    meeting = factories.make_meeting(people)
    services.publish_agenda(actor=people["coach.nassjo"], meeting=meeting)

    # FK's member raises a question; the first try names a person and is refused.
    page = login("fk.nassjo")
    open_the_meeting(page)
    page.get_by_role("link", name=RAISE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RAISE)
    assert_accessible(page)
    page.get_by_label(either("Intern konsultation (avidentifierad)", "Internal consultation (de-identified)")).check()
    page.get_by_label(either("Fråga till gruppen", "Question to the group")).fill(
        "Hur stöttar vi Anna, 850312-1234, inför arbetsgivarmötet?"
    )
    page.get_by_role(
        "button", name=either("Sätt upp konsultationen på dagordningen", "Put the consultation on the agenda")
    ).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(containing("avidentifierad", "de-identified"))
    expect(summary).to_contain_text("personnummer")
    assert_accessible(page)
    page.get_by_label(either("Fråga till gruppen", "Question to the group")).fill(QUESTION)
    page.get_by_role(
        "button", name=either("Sätt upp konsultationen på dagordningen", "Put the consultation on the agenda")
    ).click()

    expect(page).to_have_url(re.compile(r"/moten/\d+/#consultation-\d+$"))
    expect(consultation(page, 1)).to_contain_text(QUESTION)
    expect(consultation(page, 1)).to_contain_text(containing("Lyft", "Raised"))
    assert_accessible(page)

    # At the meeting the coach records the group's answer.
    factories.hold_meeting_today(meeting)
    page.context.clear_cookies()
    page = login("coach.nassjo")
    open_the_meeting(page)
    expect(consultation(page, 1)).to_contain_text(QUESTION)
    consultation(page, 1).get_by_role("link", name=RECORD_ANSWER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Konsultation 1", "Consultation 1"))
    assert_accessible(page)
    page.get_by_label(either("Gruppens svar", "The group's answer")).fill(ANSWER)
    page.get_by_role("button", name=either("Registrera svaret", "Record the answer")).click()

    expect(page).to_have_url(re.compile(r"/moten/\d+/#consultation-\d+$"))
    expect(consultation(page, 1)).to_contain_text(containing("Besvarad", "Answered"))
    expect(consultation(page, 1)).to_contain_text(ANSWER)
    assert_accessible(page)

    # The meeting is held; the minutes say only that the consultation was answered.
    page.get_by_role("link", name=either("Markera mötet som hållet", "Mark the meeting as held")).click()
    page.get_by_role("button", name=either("Ja, markera mötet som hållet", "Yes, mark the meeting as held")).click()
    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name=either("Ladda ner minnesanteckningarna (PDF)", "Download the minutes (PDF)")
        ).click()
    data = Path(download_info.value.path()).read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert re.search(r"(Konsultation|Consultation) 1: (besvarad|answered)", text), text
    assert "social fobi" not in text and "arbetsplatsen" not in text, text
