"""What a person sees and clicks, by accessible name.

Each name accepts the Swedish text and the English source string, so the tests pass whether or
not the Swedish catalogue has been compiled.
"""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

USERNAME = re.compile(r"^(Användarnamn|User name)$")
PASSWORD = re.compile(r"^(Lösenord|Password)$")
LOG_IN = re.compile(r"^(Logga in|Log in)$")
LOG_OUT = re.compile(r"^(Logga ut|Log out)$")
SKIP_TO_CONTENT = re.compile(r"^(Hoppa till innehållet|Skip to content)$")


def login_path() -> str:
    return reverse("login")


def submit_login_form(page: Page, username: str, password: str) -> None:
    """Fill in the login form shown on the page, as a person would, and send it."""
    page.get_by_label(USERNAME).fill(username)
    page.get_by_label(PASSWORD).fill(password)
    page.get_by_role("button", name=LOG_IN).click()
    expect(page, f"{username} should be signed in and leave the login page").not_to_have_url(
        re.compile(re.escape(login_path()))
    )


CODE = re.compile(r"^(Kod|Code)$")
CONTINUE = re.compile(r"^(Fortsätt|Continue)$")


def submit_second_factor(page: Page, code: str) -> None:
    """Type a code into the second-factor step, as a person reads it off their phone, and send it."""
    page.get_by_label(CODE).fill(code)
    page.get_by_role("button", name=CONTINUE).click()


MAIN_MENU = re.compile(r"^(Huvudmeny|Main menu)$")


def either(swedish: str, english: str) -> re.Pattern:
    """An accessible name or text in Swedish or in the English source, matched whole."""
    return re.compile(rf"^\s*({re.escape(swedish)}|{re.escape(english)})\s*$")


def containing(swedish: str, english: str) -> re.Pattern:
    """Text holding the Swedish or the English wording somewhere."""
    return re.compile(rf"({re.escape(swedish)}|{re.escape(english)})")


MENU_BUTTON = re.compile(r"^\s*(Meny|Menu)\s*$")


def open_from_menu(page: Page, swedish: str, english: str) -> None:
    """Follow a link of the main menu, as a person would: on a phone, open the menu first."""
    menu = page.get_by_role("navigation", name=MAIN_MENU)
    button = menu.get_by_text(MENU_BUTTON)
    if button.is_visible():
        button.click()
    menu.get_by_role("link", name=either(swedish, english)).click()
