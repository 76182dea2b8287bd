"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Every test that opens a page gets the live server as its base URL, which also makes it a
`transactional_db` test: the server thread reads the data the test writes (`people`).
"""

import os
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from sehoglandet import demo
from tests.second_factor import next_code

from .ui import login_path, submit_login_form, submit_second_factor

# Playwright's sync API keeps an asyncio loop running on the main thread from the first browser
# test to the end of the session, and Django refuses ORM calls "from an async context" while one
# runs. The Makefile sets this too; setdefault makes a bare `pytest` work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No network here: without these Chromium keeps dialling Google and floods the log.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(django_db_setup, live_server) -> str:
    # django_db_setup first: the test database exists before the server thread starts and outlives it.
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


@pytest.fixture
def login(page: Page, live_server, people: dict[str, User]):
    """`login("coach.nassjo")` signs that persona in through the login form and then the code step,
    typing a code computed from the persona's authenticator app; returns the page."""

    def sign_in(username: str, password: str = demo.DEMO_PASSWORD) -> Page:
        page.goto(live_server.url + login_path())
        submit_login_form(page, username, password)
        submit_second_factor(page, next_code(TOTPDevice.objects.get(user__username=username)))
        expect(page, f"{username} should be past the code step").not_to_have_url(
            re.compile(re.escape(reverse("second_factor_verify")))
        )
        return page

    return sign_in
