"""The main menu: folded behind a menu button on a phone, so the header stays small; spread out on a
wide screen, where there is room."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from .axe import assert_accessible
from .ui import MAIN_MENU, MENU_BUTTON, either

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
START = either("Start", "Start")
REFERRALS = either("Remisser", "Referrals")
PARTICIPANTS = either("Deltagare", "Participants")
# The header used to take three rows, some 240 px, with the menu spread out.
MOST_HEADER_HEIGHT = 120


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_on_a_phone_the_menu_is_folded_and_opens_by_keyboard_and_by_touch(login):
    # The start page: the referral list's table has an axe finding of its own at this width.
    page: Page = login("coach.nassjo")
    page.goto(reverse("home"))

    header = page.get_by_role("banner").bounding_box()
    assert header is not None
    assert header["height"] <= MOST_HEADER_HEIGHT, f"the header takes {header['height']} px with the menu closed"
    menu = page.get_by_role("navigation", name=MAIN_MENU)
    button = menu.get_by_text(MENU_BUTTON)
    expect(button).to_be_visible()
    expect(menu.get_by_role("link", name=PARTICIPANTS)).to_be_hidden()
    assert_accessible(page)

    # By keyboard: the skip link, the site's name, then the menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")

    current = menu.get_by_role("link", name=START)
    expect(current).to_be_visible()
    expect(current).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("link", name=PARTICIPANTS)).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link").first).to_be_focused()

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name=PARTICIPANTS)).to_be_hidden()

    # By touch, and a link followed.
    button.tap()
    menu.get_by_role("link", name=PARTICIPANTS).tap()
    expect(page).to_have_url(re.compile(re.escape(reverse("participants:participant_list")) + "$"))
    expect(page.get_by_role("navigation", name=MAIN_MENU).get_by_role("link", name=PARTICIPANTS)).to_be_hidden()


@pytest.mark.browser_context_args(viewport=DESKTOP)
def test_on_a_wide_screen_the_links_show_without_opening_anything(login):
    page: Page = login("coach.nassjo")
    page.goto(reverse("referrals:referral_list"))

    menu = page.get_by_role("navigation", name=MAIN_MENU)
    expect(menu.get_by_text(MENU_BUTTON)).to_be_hidden()
    current = menu.get_by_role("link", name=REFERRALS)
    expect(current).to_be_visible()
    expect(current).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("link", name=PARTICIPANTS)).to_be_visible()
    assert_accessible(page)
