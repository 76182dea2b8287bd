"""The session ends mid-note and nothing is lost; the warning before it ends; the calendar page.

The session is ended on the server (its row expires), as SESSION_IDLE_MINUTES would end it; the warning is
driven by the page's clock (Playwright's clock), so the test need not wait half an hour.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from participants.models import JournalEntry
from tests.second_factor import next_code

from .axe import assert_accessible
from .test_participant_journeys import enrolled
from .ui import either, login_path, submit_login_form, submit_second_factor

NOTE = "Träffade Sara på bageriet. Hon vill prova eftermiddagspasset nästa vecka."
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
ADD = either("Lägg till i journalen", "Add to the journal")
STAY = either("Förbli inloggad", "Stay signed in")
WRITE = either("Skriv i journalen", "Write in the journal")


def assert_fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def journal_form(page: Page):
    return page.get_by_role("region", name=either("Ny journalanteckning", "New journal entry"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_note_typed_before_the_session_ended_is_there_after_signing_in_again(login, people, viewport):
    participant = enrolled(people, "Sara", "Lind")
    detail = reverse("participants:participant_detail", args=[participant.pk])
    page = login("coach.nassjo")
    page.set_viewport_size(viewport)
    page.goto(detail)
    page.get_by_role("link", name=WRITE).click()
    journal_form(page).get_by_label(either("Anteckning", "Note")).fill(NOTE)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    journal_form(page).get_by_role("button", name=ADD).click()

    expect(page).to_have_url(re.compile(re.escape(login_path()) + r"\?next="))
    assert_accessible(page)
    assert not JournalEntry.objects.exists()
    submit_login_form(page, "coach.nassjo", "demo-2026")
    submit_second_factor(page, next_code(TOTPDevice.objects.get(user__username="coach.nassjo")))

    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    page.get_by_role("link", name=WRITE).click()
    note = journal_form(page).get_by_label(either("Anteckning", "Note"))
    expect(note).to_have_value(NOTE)
    expect(journal_form(page).get_by_role("status")).to_be_visible()
    assert_accessible(page)
    assert_fits(page, viewport["width"])

    journal_form(page).get_by_role("button", name=ADD).click()
    expect(page.get_by_role("status", name=re.compile("Meddelanden|Messages"))).to_contain_text(
        either("Journalanteckningen är tillagd.", "The journal entry has been added.")
    )
    assert JournalEntry.objects.get().text == NOTE
    page.reload()
    page.get_by_role("link", name=WRITE).click()
    expect(journal_form(page).get_by_label(either("Anteckning", "Note"))).to_have_value("")


def test_the_warning_comes_before_the_end_and_staying_signed_in_renews_the_session(login, people, page: Page):
    page.clock.install()
    page = login("coach.nassjo")
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("home"))
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()

    page.clock.fast_forward("25:30")

    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name=STAY)).to_be_focused()
    assert_accessible(page)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    warning.get_by_role("button", name=STAY).press("Enter")
    expect(warning).to_be_hidden()
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=20)

    page.clock.fast_forward("30:30")

    expect(warning).to_be_visible()
    expect(warning.get_by_role("link", name=either("Logga in igen", "Sign in again"))).to_be_visible()
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    assert_fits(page, PHONE["width"])


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_coach_makes_a_calendar_address_on_the_account_page(login, people, viewport):
    page = login("coach.nassjo")
    page.set_viewport_size(viewport)
    page.goto(reverse("account"))
    page.get_by_role("link", name=either("Din kalender", "Your calendar")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Din kalender", "Your calendar"))
    assert_accessible(page)

    page.get_by_role("button", name=either("Skapa en kalenderadress", "Make a calendar address")).click()

    address = page.get_by_label(either("Kalenderadress", "Calendar address"))
    expect(address).to_have_value(re.compile(r"/kalender/[A-Za-z0-9_-]+\.ics$"))
    assert_accessible(page)
    assert_fits(page, viewport["width"])
    response = page.request.get(address.input_value())
    assert response.status == 200
    assert "BEGIN:VCALENDAR" in response.text()
