"""Two-factor sign-in in the browser: a coach adds an authenticator app, signs in with its codes and
a recovery code; a wrong code is refused and counts toward the lockout; an administrator resets it.

The test plays the phone: it reads the key the page shows for typing in and computes the app's code.
"""

import re
import time

from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.second_factor import code_at, current_step, key_from_secret, next_code, wrong_code

from .axe import assert_accessible
from .ui import LOG_OUT, containing, either, login_path, submit_login_form, submit_second_factor

START = either("Börja lägga till appen", "Start adding the app")
ADD_THE_APP = either("Lägg till appen", "Add the app")
SAVED = either("Jag har sparat koderna, fortsätt", "I have saved the codes, continue")
WRONG_CODE = containing("Koden är fel eller har redan använts", "The code is wrong or has already been used")
ENTER_YOUR_CODE = either("Ange din kod", "Enter your code")
ADD_AN_APP = either("Lägg till en autentiseringsapp", "Add an authenticator app")
RESET = either("Återställ tvåstegsverifiering", "Reset second factor")
WELCOME_MAJA = re.compile(r"^(Välkommen|Welcome), Maja$")


def log_out(page: Page) -> None:
    page.get_by_role("button", name=LOG_OUT).click()
    expect(page).to_have_url(re.compile(re.escape(login_path())))


def wait_until_the_app_may_check_a_code(device: TOTPDevice) -> None:
    """django-otp makes a user wait a second after a wrong code before the next is checked."""
    device.refresh_from_db()
    while not device.verify_is_allowed()[0]:
        time.sleep(0.2)


def failed_logins(username: str) -> int:
    return sum(attempt.failures_since_start for attempt in AccessAttempt.objects.filter(username=username))


def test_a_coach_adds_an_app_and_signs_in_with_its_codes_and_a_recovery_code_once(page: Page, people):
    TOTPDevice.objects.filter(user=people["coach.nassjo"]).delete()
    page.goto(reverse("home"))
    submit_login_form(page, "coach.nassjo", "demo-2026")

    expect(page.get_by_role("heading", level=1, name=ADD_AN_APP)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=START).click()

    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()
    assert_accessible(page)
    key = key_from_secret(page.locator("#secret-key code").inner_text())
    submit_code = page.get_by_role("button", name=ADD_THE_APP)
    page.get_by_label(either("Kod", "Code")).fill(code_at(key, current_step()))
    submit_code.click()

    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name=SAVED).click()
    expect(page.get_by_role("heading", level=1, name=WELCOME_MAJA)).to_be_visible()
    log_out(page)

    # Signing in again: a wrong code first, refused and counted as a failed login.
    submit_login_form(page, "coach.nassjo", "demo-2026")
    expect(page.get_by_role("heading", level=1, name=ENTER_YOUR_CODE)).to_be_visible()
    assert_accessible(page)
    app = TOTPDevice.objects.get(user=people["coach.nassjo"], confirmed=True)
    submit_second_factor(page, wrong_code(app))

    expect(page.get_by_text(WRONG_CODE).first).to_be_visible()
    assert failed_logins("coach.nassjo") == 1
    assert_accessible(page)

    # Then a recovery code, which works once.
    submit_second_factor(page, codes[0])
    expect(page.get_by_role("heading", level=1, name=WELCOME_MAJA)).to_be_visible()
    assert failed_logins("coach.nassjo") == 0
    log_out(page)
    submit_login_form(page, "coach.nassjo", "demo-2026")
    submit_second_factor(page, codes[0])
    expect(page.get_by_text(WRONG_CODE).first).to_be_visible()
    assert failed_logins("coach.nassjo") == 1

    # And the code the app shows now.
    wait_until_the_app_may_check_a_code(app)
    submit_second_factor(page, next_code(app))
    expect(page.get_by_role("heading", level=1, name=WELCOME_MAJA)).to_be_visible()


def test_an_administrator_resets_a_coachs_app_and_the_coach_adds_a_new_one_at_the_next_sign_in(
    page: Page, login, people
):
    coach = people["coach.nassjo"]
    login("admin")
    page.goto(reverse("admin:auth_user_change", args=[coach.pk]))

    page.get_by_role("link", name=RESET).click()
    expect(page.get_by_role("button", name=RESET)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=RESET).click()

    expect(page.get_by_text(containing("är återställd", "is reset"))).to_be_visible()
    assert not TOTPDevice.objects.filter(user=coach).exists()
    page.context.clear_cookies()
    page.goto(login_path())
    submit_login_form(page, "coach.nassjo", "demo-2026")
    expect(page.get_by_role("heading", level=1, name=ADD_AN_APP)).to_be_visible()
