"""The indicator survey and the half-year certification in the browser: the coach types in a paper
form on a phone, the manager certifies the last half-year."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from reporting.models import Certification, SurveyResponse
from reporting.selectors import half_year_of
from tests import factories

from .axe import assert_accessible
from .ui import containing, either, open_from_menu

PHONE = {"width": 375, "height": 740}
MESSAGES = re.compile("Meddelanden|Messages")


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{page.url} is {scroll_width}px wide on a {PHONE['width']}px screen"


def question(page: Page, number: int):
    """The radio group of one question, named by its legend ("3. Får stödet ta den tid du behöver?")."""
    return page.get_by_role("group", name=re.compile(rf"^{number}\. "))


def tick(page: Page, number: int, swedish: str, english: str) -> None:
    question(page, number).get_by_label(either(swedish, english)).check()


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_coach_types_in_a_paper_survey_on_a_phone(login, people: dict[str, User]):
    nassjo = factories.municipality("nassjo")
    page = login("coach.nassjo")

    open_from_menu(page, "Enkät", "Survey")
    expect(page).to_have_url(re.compile(re.escape(reverse("reporting:survey_list")) + r"(\?.*)?$"))
    expect(page.get_by_role("main")).to_contain_text(
        containing("Inga enkätsvar är registrerade ännu.", "No survey answers have been entered yet.")
    )
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("main").get_by_role("link", name=either("Registrera enkätsvar", "Enter survey answers")).tap()

    expect(page.get_by_role("heading", level=1)).to_have_text(either("Registrera enkätsvar", "Enter survey answers"))
    expect(page.get_by_label(either("Kommun", "Municipality"))).to_have_value(str(nassjo.pk))
    expect(page.get_by_label(either("Datum för svaren", "Date of the answers"))).to_have_value(
        timezone.localdate().isoformat()
    )
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("group", name=either("Om dig", "About you")).get_by_label(either("Man", "Man")).check()
    tick(page, 1, "Alltid", "Always")
    tick(page, 2, "Ofta", "Often")
    tick(page, 4, "Sällan", "Seldom")
    tick(page, 5, "Till stor del", "To a large extent")
    tick(page, 6, "Helt och hållet", "Completely")
    tick(page, 7, "Inte alls", "Not at all")
    expect(question(page, 3).get_by_label(either("Inget svar", "No answer"))).to_be_checked()
    page.get_by_role("button", name=either("Spara och registrera nästa", "Save and enter the next one")).tap()

    expect(page.get_by_role("status", name=MESSAGES)).to_contain_text(
        containing("Svaren är sparade för Nässjö.", "The answers have been saved for Nässjö.")
    )
    for number in range(1, 8):
        expect(question(page, number).get_by_label(either("Inget svar", "No answer"))).to_be_checked()
    about_you = page.get_by_role("group", name=either("Om dig", "About you"))
    expect(about_you.get_by_role("radio", checked=True)).to_have_count(0)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name=either("Klar: visa svaren", "Done: see the answers")).tap()

    table = page.get_by_role("table")
    expect(table.locator("caption")).to_have_text(containing("1 registrerat formulär", "1 form entered"))
    row = table.get_by_role("row").nth(1)
    expect(row).to_contain_text("Nässjö")
    expect(row).to_contain_text("Man")
    expect(row).to_contain_text("Maja Lindqvist")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    saved = SurveyResponse.objects.get()
    assert [saved.q1, saved.q2, saved.q3, saved.q4, saved.q5, saved.q6, saved.q7] == [6, 4, None, 2, 4, 6, 1]
    assert (saved.municipality, saved.gender, saved.entered_by) == (nassjo, "man", people["coach.nassjo"])


def test_the_manager_certifies_the_last_half_year(login, people: dict[str, User]):
    half_year = half_year_of(timezone.localdate()).previous()
    page = login("chef.nassjo")

    open_from_menu(page, "Intygande", "Certification")
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Halvårsintyganden", "Half-year certifications"))
    to_certify = page.get_by_role("region", name=either("Att intyga", "Still to certify"))
    expect(to_certify).to_contain_text(half_year.label)
    assert_accessible(page)
    to_certify.get_by_role("link", name=re.compile(re.escape(half_year.name))).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(either("Intyga ett halvår", "Certify a half-year"))
    expect(page.get_by_label(either("Halvår", "Half-year"))).to_have_value(half_year.code)
    assert_accessible(page)
    page.get_by_label(containing("enligt verksamhetsbeskrivningen", "according to the service description")).check()
    page.get_by_label(containing("procentsats", "share of a post")).check()
    page.get_by_label(either("Kommentar", "Comment")).fill("Båda coacherna har arbetat hela halvåret.")
    page.get_by_role("button", name=either("Intyga halvåret", "Certify the half-year")).click()

    expect(page.get_by_role("status", name=MESSAGES)).to_contain_text(
        containing(f"Nässjö har intygat {half_year.name}.", "Nässjö has certified")
    )
    row = page.get_by_role("table").get_by_role("row").nth(1)
    expect(row).to_contain_text(half_year.label)
    expect(row).to_contain_text("Båda coacherna har arbetat hela halvåret.")
    expect(row).to_contain_text("Per Sandberg")
    expect(page.get_by_role("region", name=either("Att intyga", "Still to certify"))).not_to_contain_text(
        half_year.label
    )
    assert_accessible(page)
    saved = Certification.objects.get()
    assert (saved.period_start, saved.period_end) == (half_year.start, half_year.end)
    assert (saved.follows_description, saved.fte_as_agreed, saved.certified_by) == (True, True, people["chef.nassjo"])
