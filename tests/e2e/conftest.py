"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Every test that opens a page gets the live server as its base URL, which also makes it a
`transactional_db` test: the server thread reads the data the test writes (`people`).
"""

import os

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.shortcuts import resolve_url
from playwright.sync_api import Page

from tests.second_factor import verified_session

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
    # Less for the browser to do on the two cores the tests share with it: no extensions, none of
    # the features below, no holding back the first paint, and no slowing down of a page's timers
    # while another worker's browser has the screen. The browser tests took 8 % less time (SQLite,
    # two workers: 89–92 s against 98–100 s).
    "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter,PaintHolding,AutofillServerCommunication",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-dev-shm-usage",
    "--mute-audio",
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
    """`login("coach.nassjo")` opens the start page signed in as that persona, with the session a
    sign-in with the password and the code writes (tests/second_factor.py); returns the page.

    Signing in itself, the form, the code step and their errors, is the journey of
    test_login_journey.py and test_second_factor_journey.py, which type into the forms. The other
    journeys start signed in: through the forms each sign-in took three page loads and 0.5–1 s of
    every test."""

    def sign_in(username: str) -> Page:
        page.context.clear_cookies()
        session = verified_session(people[username])
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page.goto(live_server.url + resolve_url(settings.LOGIN_REDIRECT_URL))
        return page

    return sign_in
