"""The auditor in the browser: finds a person by personnummer and sees who viewed and who changed
the record, named as people name it, on a wide screen and on a phone."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests import factories

from .axe import assert_accessible
from .test_participant_journeys import PHONE, assert_no_horizontal_scroll
from .ui import containing, either, open_from_menu


@pytest.fixture
def viewed_referral(people: dict[str, User], login, live_server):
    """AF's referrer wrote and sent a referral of Vera Vy; Nässjö's coach opened it in the browser."""
    person = factories.make_person(people["referrer.af"], first_name="Vera", last_name="Vy")
    referral = factories.make_ready_referral(people, person=person)
    page = login("coach.nassjo")
    page.goto(f"{live_server.url}/remisser/{referral.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.context.clear_cookies()
    return referral


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["wide screen", "phone"])
def test_the_auditor_finds_a_person_by_personnummer_and_sees_who_viewed_and_who_changed(
    page: Page, login, viewed_referral, viewport
):
    if viewport:
        page.set_viewport_size(viewport)
    login("auditor")
    open_from_menu(page, "Åtkomstlogg", "Access log")
    page.get_by_role("link", name=containing("Vem har sett", "Who saw and who changed a person")).click()

    number = viewed_referral.person.identity_display
    page.get_by_label(either("Personnummer", "Personal identity number")).fill(number[2:])
    page.get_by_role("button", name=either("Visa", "Show")).click()

    table = page.get_by_role("region", name=containing("Visar", "Showing"))
    reference = viewed_referral.reference
    viewed = table.get_by_role("row").filter(has_text="coach.nassjo").filter(has_text=f"Remiss {reference}")
    expect(viewed.first).to_contain_text("Maja Lindqvist")
    expect(viewed.first).to_contain_text("Visning")
    changed = table.get_by_role("row").filter(has_text="referrer.af").filter(has_text="Remiss skickad")
    expect(changed).to_have_count(1)
    expect(table).not_to_contain_text("referrals.referral")
    expect(table).not_to_contain_text("Vera")
    expect(page.get_by_role("link", name=either("Exportera till CSV", "Export to CSV"))).to_be_visible()
    if viewport:
        assert_no_horizontal_scroll(page)
    assert_accessible(page)


def test_a_number_that_matches_nobody_says_so_and_shows_nothing_else(page: Page, login, live_server, people):
    login("auditor")
    page.goto(f"{live_server.url}/atkomstlogg/person/")

    page.get_by_label(either("Personnummer", "Personal identity number")).fill("19121212-1212")
    page.get_by_role("button", name=either("Visa", "Show")).click()

    expect(
        page.get_by_text(containing("Ingen person med det numret", "No person with this number")).first
    ).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    assert_accessible(page)
