"""A coach signs in, finds the start page, and signs out again: on a desktop, on a phone, by keyboard."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.second_factor import next_code

from .axe import assert_accessible
from .ui import LOG_IN, LOG_OUT, SKIP_TO_CONTENT, login_path, submit_login_form, submit_second_factor

PHONE = {"width": 375, "height": 740}
ON_LOGIN_PAGE = re.compile(re.escape(login_path()))
WELCOME_MAJA = re.compile(r"^(Välkommen|Welcome), Maja$")
SE_TEAM_NASSJO = re.compile(r"^SE[- ]team Nässjö$")


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{page.url} is {scroll_width}px wide on a {PHONE['width']}px screen"


def test_a_coach_signs_in_sees_her_start_page_and_signs_out(page: Page, people):
    page.goto(reverse("home"))

    expect(page).to_have_url(ON_LOGIN_PAGE)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(page)

    submit_login_form(page, "coach.nassjo", "demo-2026")
    submit_second_factor(page, next_code(people["coach.nassjo"].totpdevice_set.get()))

    expect(page).to_have_url(re.compile(re.escape(reverse("home")) + "$"))
    expect(page.get_by_role("heading", level=1, name=WELCOME_MAJA)).to_be_visible()
    expect(page.get_by_role("region", name=SE_TEAM_NASSJO)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(page)

    page.get_by_role("button", name=LOG_OUT).click()

    expect(page).to_have_url(ON_LOGIN_PAGE)
    expect(page.get_by_role("button", name=LOG_IN)).to_be_visible()
    expect(page.get_by_role("button", name=LOG_OUT)).to_have_count(0)


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_on_a_phone_nothing_scrolls_sideways_and_logging_out_is_within_reach(page: Page, people):
    page.goto(reverse("home"))
    expect(page).to_have_url(ON_LOGIN_PAGE)
    assert_no_horizontal_scroll(page)

    submit_login_form(page, "coach.nassjo", "demo-2026")
    assert_no_horizontal_scroll(page)
    submit_second_factor(page, next_code(people["coach.nassjo"].totpdevice_set.get()))

    expect(page.get_by_role("heading", level=1, name=WELCOME_MAJA)).to_be_visible()
    assert_no_horizontal_scroll(page)
    log_out = page.get_by_role("button", name=LOG_OUT)
    log_out.scroll_into_view_if_needed()
    expect(log_out).to_be_in_viewport()
    box = log_out.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"the log-out button sticks out: {box}"

    log_out.tap()

    expect(page).to_have_url(ON_LOGIN_PAGE)


@pytest.mark.parametrize("signed_in", [False, True], ids=["login page", "start page"])
def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_main_content(page: Page, login, signed_in):
    if signed_in:
        login("coach.nassjo")
    else:
        page.goto(login_path())

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name=SKIP_TO_CONTENT)
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()
