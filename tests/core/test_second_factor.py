"""Two-factor sign-in (issue 11, point 1; sehoglandet/second_factor.py, docs/operations.md#second-factor).

After the password every page waits for a code from the authenticator app (or a recovery code);
a user without an app adds one first. Every refused code counts toward the same lockout as a wrong
password. Each test signs in through the real login page, as a user would.
"""

import subprocess
import sys
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sehoglandet import checks, second_factor, services
from sehoglandet.demo import DEMO_PASSWORD
from sehoglandet.events import CoreEvent
from sehoglandet.models import CaseEvent
from tests.helpers import body, changed_tables, every_row, shows
from tests.second_factor import (
    away_from_a_step_change,
    code_at,
    current_step,
    give_app,
    next_code,
    sign_in_verified,
    wrong_code,
)

LOGIN = reverse("login")
VERIFY = reverse("second_factor_verify")
ENROL = reverse("second_factor_enrol")
ENROL_START = reverse("second_factor_enrol_start")
CODES = reverse("second_factor_recovery_codes")
ACCOUNT = reverse("account")
NEW_CODES = reverse("second_factor_new_codes")
SKIP = reverse("second_factor_skip")
# The Swedish, or the English source until the catalogue holds it.
WRONG_CODE_MESSAGE = ("Koden är fel eller har redan använts", "The code is wrong or has already been used")
LOCKED_HEADING = "För många misslyckade försök"


def password_step(client, username: str = "coach.nassjo", password: str = DEMO_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def enter(client, code: str, **extra):
    return client.post(VERIFY, {"code": code, **extra})


def failures(username: str = "coach.nassjo") -> int:
    return sum(attempt.failures_since_start for attempt in AccessAttempt.objects.filter(username=username))


def events(code: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(code=code).order_by("pk"))


def shows_wrong_code(response) -> bool:
    return response.status_code == 200 and shows(body(response), WRONG_CODE_MESSAGE)


@pytest.fixture
def coach(people) -> User:
    return people["coach.nassjo"]


@pytest.fixture
def app(coach) -> TOTPDevice:
    return TOTPDevice.objects.get(user=coach)


@pytest.fixture
def newcomer(coach) -> User:
    """The coach before adding an app: the personas' apps are removed (in the test's transaction)."""
    TOTPDevice.objects.filter(user=coach).delete()
    return coach


@pytest.fixture
def recovery_codes(coach) -> list[str]:
    return second_factor._new_recovery_codes(coach)


# Until the second factor, every page waits


def test_after_the_password_every_page_sends_the_user_to_the_code_step_and_keeps_where_they_were_going(client, app):
    password_step(client)

    for page in ["/", "/remisser/?status=draft", "/admin/", reverse("password_change"), ACCOUNT]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"{VERIFY}?{urlencode({'next': page})}"


def test_a_post_before_the_second_factor_is_sent_to_the_code_step_and_changes_nothing(client, app):
    password_step(client)
    before = every_row()

    response = client.post(reverse("referrals:referral_create"), {"first_name": "Ada"})

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert changed_tables(before, every_row()) == []


def test_the_health_check_and_logging_out_need_no_second_factor(client, app):
    password_step(client)

    assert client.get("/health/").status_code == 200
    assert client.post(reverse("logout"))["Location"] == LOGIN
    assert client.get("/")["Location"].startswith(LOGIN)


def test_the_code_page_is_in_swedish_and_shows_no_menu(client, app):
    password_step(client)

    page = body(client.get(VERIFY))

    assert "Ange din kod" in page or "Enter your code" in page
    assert 'aria-label="Huvudmeny"' not in page
    assert "Hoppa över" not in page


# The code


def test_a_right_code_signs_in_and_leads_where_the_user_was_going(client, app):
    password_step(client)

    response = enter(client, next_code(app), next="/remisser/")

    assert response["Location"] == "/remisser/"
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 403


def test_a_next_address_elsewhere_is_ignored(client, app):
    password_step(client)

    response = enter(client, next_code(app), next="https://evil.example/")

    assert response["Location"] == "/"


def test_signing_in_with_the_code_gives_the_session_a_new_key(client, app):
    password_step(client)
    before = client.session.session_key

    enter(client, next_code(app))

    assert client.session.session_key != before


def test_a_wrong_code_is_refused_in_swedish_and_counts_as_a_failed_login(client, app):
    password_step(client)

    response = enter(client, wrong_code(app))

    assert shows_wrong_code(response)
    assert client.get("/")["Location"].startswith(VERIFY)
    assert failures() == 1
    (event,) = events(CoreEvent.SECOND_FACTOR_FAILED)
    assert event.payload == {"step": "sign_in", "reason": "wrong"}


def test_five_wrong_codes_lock_the_user_out_and_end_the_half_done_sign_in(client, app):
    password_step(client)
    statuses = []
    for _ in range(5):
        app.refresh_from_db()
        TOTPDevice.objects.filter(pk=app.pk).update(throttling_failure_timestamp=None)
        statuses.append(enter(client, wrong_code(app)).status_code)

    assert statuses == [200, 200, 200, 200, 429]
    assert client.get("/")["Location"].startswith(LOGIN)
    assert password_step(Client()).status_code == 429


def test_the_lockout_page_after_wrong_codes_is_in_swedish(client, app):
    password_step(client)
    for _ in range(4):
        TOTPDevice.objects.filter(pk=app.pk).update(throttling_failure_timestamp=None)
        enter(client, wrong_code(app))
    TOTPDevice.objects.filter(pk=app.pk).update(throttling_failure_timestamp=None)

    page = body(enter(client, wrong_code(app)))

    assert LOCKED_HEADING in page
    assert "15 minuter" in page


def test_wrong_passwords_and_wrong_codes_count_together(client, app):
    for _ in range(3):
        password_step(Client(), password="fel-lösenord")
    password_step(client)

    first = enter(client, wrong_code(app))
    TOTPDevice.objects.filter(pk=app.pk).update(throttling_failure_timestamp=None)
    second = enter(client, wrong_code(app))

    assert first.status_code == 200
    assert second.status_code == 429


def test_a_locked_out_user_is_refused_at_the_code_step_even_with_the_right_code(client, app):
    password_step(client)
    for _ in range(5):
        password_step(Client(), password="fel-lösenord")

    response = enter(client, next_code(app))

    assert response.status_code == 429
    assert LOCKED_HEADING in body(response)
    assert client.get("/")["Location"].startswith(LOGIN)


def test_the_right_code_clears_the_failures_the_password_alone_does_not(client, app):
    password_step(Client(), password="fel-lösenord")
    password_step(client)
    assert failures() == 1

    enter(client, next_code(app))

    assert failures() == 0


def test_a_code_is_refused_the_second_time(client, app):
    code = next_code(app)
    password_step(client)
    enter(client, code)
    client.post(reverse("logout"))
    password_step(client)

    again = enter(client, code)

    assert shows_wrong_code(again)
    assert failures() == 1


def test_the_code_of_the_step_before_or_after_is_accepted_for_a_phone_clock_a_little_off(client, app):
    password_step(client)
    away_from_a_step_change()

    response = enter(client, code_at(app.bin_key, current_step() - 1))

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_code_two_steps_away_is_refused(client, app):
    password_step(client)

    response = enter(client, code_at(app.bin_key, current_step() + 2))

    assert shows_wrong_code(response)


def test_codes_in_a_row_make_the_user_wait_and_say_until_when(client, app):
    password_step(client)
    enter(client, wrong_code(app))

    response = enter(client, next_code(app))

    assert response.status_code == 200
    assert "Vänta till" in body(response) or "Wait until" in body(response)
    assert failures() == 2


def test_a_code_in_the_wrong_shape_gets_a_message_and_counts_nothing(client, app):
    password_step(client)

    response = enter(client, "12345")

    assert response.status_code == 200
    assert "sex siffrorna" in body(response) or "six digits" in body(response)
    assert failures() == 0
    assert events(CoreEvent.SECOND_FACTOR_FAILED) == []


def test_an_empty_code_says_which_field_is_missing(client, app):
    password_step(client)

    response = enter(client, "")

    assert shows(body(response), ("Kod måste fyllas i.", "Code måste fyllas i.", "Code must be filled in."))


def test_signing_in_is_recorded_without_the_code(client, app):
    code = next_code(app)
    password_step(client)

    enter(client, code)

    (event,) = events(CoreEvent.SECOND_FACTOR_VERIFIED)
    assert event.actor == app.user
    assert event.payload == {"method": "app"}
    assert code not in str(event.payload)


def test_an_administrators_session_is_verified_before_the_admin_opens(client, people):
    admin_app = TOTPDevice.objects.get(user=people["admin"])
    password_step(client, "admin")
    assert client.get("/admin/")["Location"].startswith(VERIFY)

    enter(client, next_code(admin_app))

    assert client.get("/admin/").status_code == 200


# Recovery codes


def test_a_recovery_code_signs_in_once_and_the_second_time_is_refused(client, app, recovery_codes):
    password_step(client)
    first = enter(client, recovery_codes[0].upper())
    client.post(reverse("logout"))
    password_step(client)

    second = enter(client, recovery_codes[0])

    assert first.status_code == 302
    assert StaticToken.objects.filter(device__user=app.user).count() == 9
    assert shows_wrong_code(second)
    assert failures() == 1


def test_signing_in_with_a_recovery_code_says_how_many_are_left(client, app, recovery_codes):
    password_step(client)

    response = client.post(VERIFY, {"code": recovery_codes[3]}, follow=True)

    text = body(response)
    assert "reservkod" in text or "recovery code" in text
    assert " 9 " in text
    (event,) = events(CoreEvent.SECOND_FACTOR_VERIFIED)
    assert event.payload == {"method": "recovery_code", "left": 9}


def test_an_unknown_recovery_code_is_refused_and_counts(client, app, recovery_codes):
    password_step(client)

    response = enter(client, "abcdefgh" if "abcdefgh" not in recovery_codes else "bcdefghi")

    assert shows_wrong_code(response)
    assert failures() == 1


# Adding the app


def test_a_user_without_an_app_is_sent_to_add_one_and_the_page_changes_nothing(client, newcomer):
    password_step(client)
    before = every_row()

    start = client.get("/")
    page = client.get(start["Location"])

    assert start["Location"] == f"{ENROL}?next=%2F"
    assert page.status_code == 200
    assert "autentiseringsapp" in body(page).lower() or "authenticator app" in body(page)
    assert changed_tables(before, every_row()) == []
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_adding_the_app_shows_a_qr_code_drawn_here_and_the_key_to_type_in(client, newcomer):
    password_step(client)

    client.post(ENROL_START)
    page = body(client.get(ENROL))

    device = second_factor.pending_enrolment(newcomer)
    assert not device.confirmed
    assert 'src="data:image/svg+xml' in page
    assert second_factor.secret_for_typing(device) in page


def test_the_right_code_adds_the_app_and_shows_ten_recovery_codes_once(client, newcomer):
    password_step(client)
    client.post(ENROL_START, {"next": "/remisser/"})
    device = second_factor.pending_enrolment(newcomer)

    response = client.post(ENROL, {"code": next_code(device), "next": "/remisser/"})
    shown = client.get(response["Location"])
    again = client.get(CODES)

    assert response["Location"] == f"{CODES}?next=%2Fremisser%2F"
    codes = list(StaticToken.objects.filter(device__user=newcomer).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in body(shown) for code in codes)
    assert 'href="/remisser/"' in body(shown)
    assert again["Location"] == ACCOUNT
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    assert client.get("/").status_code == 200
    (event,) = events(CoreEvent.SECOND_FACTOR_ENROLLED)
    assert event.payload == {"recovery_codes": 10}
    assert not any(code in str(e.payload) for e in CaseEvent.objects.all() for code in codes)


def test_a_wrong_code_while_adding_the_app_is_refused_and_counts(client, newcomer):
    password_step(client)
    client.post(ENROL_START)
    device = second_factor.pending_enrolment(newcomer)

    response = client.post(ENROL, {"code": wrong_code(device)})

    assert shows_wrong_code(response)
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    assert failures() == 1


def test_an_expired_enrolment_is_refused_in_swedish_with_a_new_qr_code(client, newcomer):
    password_step(client)
    client.post(ENROL_START)
    old = second_factor.pending_enrolment(newcomer)
    TOTPDevice.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.SECOND_FACTOR_ENROLMENT_MINUTES, seconds=1)
    )

    response = client.post(ENROL, {"code": next_code(old)})

    new = second_factor.pending_enrolment(newcomer)
    assert response.status_code == 200
    assert "Tiden för att lägga till appen tog slut" in body(response) or "ran out" in body(response)
    assert new.pk != old.pk and new.key != old.key
    assert second_factor.secret_for_typing(new) in body(response)
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert failures() == 0


def test_a_user_with_an_app_cannot_add_another(client, app):
    sign_in_verified(client, app.user)

    assert client.get(ENROL)["Location"] == ACCOUNT
    client.post(ENROL_START)
    assert TOTPDevice.objects.filter(user=app.user).count() == 1


# The user's own page


def test_the_own_page_shows_how_many_recovery_codes_are_left(client, app, recovery_codes):
    StaticToken.objects.filter(token__in=recovery_codes[:3]).delete()
    sign_in_verified(client, app.user)

    page = body(client.get(ACCOUNT))

    assert "<dd>7</dd>" in page


def test_new_recovery_codes_need_a_code_from_the_app_and_replace_the_old(client, app, recovery_codes):
    sign_in_verified(client, app.user)

    response = client.post(NEW_CODES, {"code": next_code(app)})
    shown = client.get(response["Location"])

    new = list(StaticToken.objects.filter(device__user=app.user).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(recovery_codes)
    assert all(code in body(shown) for code in new)
    assert len(events(CoreEvent.RECOVERY_CODES_REPLACED)) == 1


def test_a_recovery_code_cannot_make_new_recovery_codes(client, app, recovery_codes):
    sign_in_verified(client, app.user)

    response = client.post(NEW_CODES, {"code": recovery_codes[0]})

    assert response.status_code == 200
    assert set(StaticToken.objects.filter(device__user=app.user).values_list("token", flat=True)) == set(recovery_codes)


def test_a_wrong_code_makes_no_new_recovery_codes_and_counts(client, app, recovery_codes):
    sign_in_verified(client, app.user)

    response = client.post(NEW_CODES, {"code": wrong_code(app)})

    assert shows_wrong_code(response)
    assert StaticToken.objects.filter(device__user=app.user).count() == 10
    assert failures() == 1
    assert events(CoreEvent.SECOND_FACTOR_FAILED) == []


def test_the_own_page_needs_the_second_factor_first(client, app):
    password_step(client)

    assert client.get(ACCOUNT)["Location"].startswith(VERIFY)
    assert client.post(NEW_CODES, {"code": next_code(app)})["Location"] == VERIFY


# The administrator's reset


def test_an_administrator_resets_a_users_app_and_codes_which_is_recorded(people, app, recovery_codes):
    versions = app.user.history.count()

    removed = services.reset_second_factor(actor=people["admin"], user=app.user)

    assert removed == 2
    assert not TOTPDevice.objects.filter(user=app.user).exists()
    assert not StaticDevice.objects.filter(user=app.user).exists()
    (event,) = events(CoreEvent.SECOND_FACTOR_RESET)
    assert event.actor == people["admin"] and event.payload == {"user": app.user.pk, "devices": 2}
    assert app.user.history.count() == versions + 1
    assert app.user.history.latest().history_change_reason == CoreEvent.SECOND_FACTOR_RESET


@pytest.mark.parametrize("username", ["coach.nassjo", "auditor", "chef.nassjo", "nobody"])
def test_only_an_administrator_may_reset_a_second_factor(people, app, username):
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(actor=people[username], user=app.user)

    assert TOTPDevice.objects.filter(user=app.user).exists()


def test_after_a_reset_the_user_adds_an_app_at_once_even_in_a_session_already_verified(client, people, app):
    sign_in_verified(client, app.user)
    assert client.get("/").status_code == 200

    services.reset_second_factor(actor=people["admin"], user=app.user)

    assert client.get("/")["Location"] == f"{ENROL}?next=%2F"


def reset_url(user) -> str:
    return reverse("admin:auth_user_second_factor_reset", args=[user.pk])


def test_the_users_admin_page_has_the_reset_button_whose_page_changes_nothing(client_for, app):
    admin = client_for("admin")

    change_page = body(admin.get(reverse("admin:auth_user_change", args=[app.user.pk])))
    before = every_row()
    confirm = admin.get(reset_url(app.user))

    assert reset_url(app.user) in change_page
    assert confirm.status_code == 200
    assert "coach.nassjo" in body(confirm)
    assert changed_tables(before, every_row()) == []
    assert TOTPDevice.objects.filter(user=app.user).exists()


def test_the_reset_button_resets_and_goes_back_to_the_users_page(client_for, app):
    response = client_for("admin").post(reset_url(app.user))

    assert response["Location"] == reverse("admin:auth_user_change", args=[app.user.pk])
    assert not TOTPDevice.objects.filter(user=app.user).exists()
    assert events(CoreEvent.SECOND_FACTOR_RESET)[0].actor.username == "admin"


@pytest.mark.parametrize("username", ["coach.nassjo", "auditor"])
def test_the_reset_page_refuses_everyone_but_administrators(client_for, app, username):
    client = client_for(username)

    assert client.get(reset_url(app.user)).status_code == 403
    assert client.post(reset_url(app.user)).status_code == 403
    assert TOTPDevice.objects.filter(user=app.user).exists()


@pytest.mark.parametrize("user_id", ["999999", "x", "99999999999999999999999"])
def test_the_reset_page_of_no_user_is_not_found(client_for, user_id):
    url = reverse("admin:auth_user_second_factor_reset", args=["1"]).replace("/1/", f"/{user_id}/")

    assert client_for("admin").get(url).status_code == 404


# The demo escape hatch


@pytest.fixture
def demo_skip(settings):
    settings.DEBUG = True
    settings.DEMO_LOGINS_SKIP_SECOND_FACTOR = True


def test_with_the_demo_setting_a_demo_user_may_skip_and_goes_on(client, app, demo_skip):
    password_step(client)
    page = body(client.get(VERIFY))

    response = client.post(SKIP, {"next": "/remisser/"})

    assert "Hoppa över" in page or "Skip for now" in page
    assert response["Location"] == "/remisser/"
    assert client.get("/").status_code == 200
    assert len(events(CoreEvent.DEMO_SECOND_FACTOR_SKIPPED)) == 1


def test_with_the_demo_setting_a_demo_user_may_still_add_an_app(client, newcomer, demo_skip):
    password_step(client)
    client.post(SKIP)
    assert client.get(ACCOUNT).status_code == 200

    client.post(ENROL_START)
    device = second_factor.pending_enrolment(newcomer)
    client.post(ENROL, {"code": next_code(device)})

    assert TOTPDevice.objects.get(user=newcomer).confirmed


def test_with_the_demo_setting_a_user_who_is_not_a_demo_user_may_not_skip(client, people, demo_skip):
    someone = User.objects.create_user("stina", password="ett-långt-lösenord-2026")
    give_app(someone)
    password_step(client, "stina", "ett-långt-lösenord-2026")

    assert "Hoppa över" not in body(client.get(VERIFY))
    assert client.post(SKIP).status_code == 403
    assert client.get("/")["Location"].startswith(VERIFY)


@pytest.mark.parametrize("debug, setting", [(True, False), (False, True)], ids=["setting off", "DEBUG off"])
def test_without_both_debug_and_the_setting_no_one_may_skip(client, app, settings, debug, setting):
    settings.DEBUG = debug
    settings.DEMO_LOGINS_SKIP_SECOND_FACTOR = setting
    password_step(client)

    assert client.post(SKIP).status_code == 403
    assert client.get("/")["Location"].startswith(VERIFY)
    assert events(CoreEvent.DEMO_SECOND_FACTOR_SKIPPED) == []


def test_check_deploy_reports_the_demo_setting_as_an_error(settings):
    settings.DEMO_LOGINS_SKIP_SECOND_FACTOR = True

    (error,) = checks.demo_logins_skip_second_factor(None)

    assert error.id == "sehoglandet.E004"
    assert error.is_serious()


def test_check_deploy_is_quiet_without_the_demo_setting(settings):
    settings.DEMO_LOGINS_SKIP_SECOND_FACTOR = False

    assert checks.demo_logins_skip_second_factor(None) == []


def test_the_check_runs_only_under_deploy():
    from django.core.checks import registry

    assert checks.demo_logins_skip_second_factor in registry.registry.get_checks(include_deployment_checks=True)
    assert checks.demo_logins_skip_second_factor not in registry.registry.get_checks(include_deployment_checks=False)


def test_the_app_refuses_to_start_with_the_demo_setting_while_debug_is_off(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "ENV_FILE": str(tmp_path / "none.env"),
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "DEMO_LOGINS_SKIP_SECOND_FACTOR": "true",
        "DJANGO_SETTINGS_MODULE": "sehoglandet.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "DEMO_LOGINS_SKIP_SECOND_FACTOR may be on only when DEBUG is on" in result.stderr
