"""Signing in and out, lockout after wrong passwords, changing one's password, and the idle timeout.

Every login here goes through the real login page, so django-axes sees it as a user would. The
lockout has two counts (sehoglandet/lockout.py): one per user name and address, and one per user
name across every address, which does not apply at an address the user has signed in from before.
"""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.models import AccessLog as LoginLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sehoglandet.demo import DEMO_PASSWORD
from tests.second_factor import next_code

LOGIN = "/konto/logga-in/"
LOGOUT = "/konto/logga-ut/"
PASSWORD_CHANGE = "/konto/losenord/"
ADDRESS = "192.0.2.10"
OTHER_ADDRESS = "192.0.2.99"
# Five addresses an attacker guesses from, one wrong password each, and a sixth they have not used yet.
GUESSING_ADDRESSES = [f"198.51.100.{n}" for n in range(1, 6)]
NEW_ADDRESS = "198.51.100.6"
LOCKED_HEADING = "För många misslyckade försök"
SECOND_FACTOR = reverse("second_factor_verify")


def log_in(client, username: str, password: str, address: str = ADDRESS):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_signed_in(client) -> bool:
    """Whether the password let the user in: the start page opens, or sends them on to the second
    factor (tests/core/test_second_factor.py) rather than back to the login."""
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200 or response["Location"].startswith(SECOND_FACTOR)


def sign_in(client, username: str, password: str = DEMO_PASSWORD, address: str = ADDRESS):
    """Both steps: the password, then a code from the user's authenticator app."""
    response = log_in(client, username, password, address)
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user__username=username)
    client.post(reverse("second_factor_verify"), {"code": next_code(device)}, REMOTE_ADDR=address)
    assert client.get("/").status_code == 200
    return response


def fail_to_log_in(client, username: str, times: int, address: str = ADDRESS) -> list[int]:
    return [log_in(client, username, "fel-lösenord", address).status_code for _ in range(times)]


def move_failed_attempts_back(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def guess_from_many_addresses(username: str) -> list[int]:
    return [log_in(Client(), username, "fel-lösenord", address).status_code for address in GUESSING_ADDRESSES]


def sign_in_and_out(username: str, address: str) -> None:
    """A past visit: the user signed in from `address`, which makes it one of their known addresses."""
    client = Client()
    sign_in(client, username, DEMO_PASSWORD, address)
    client.post(LOGOUT)


@pytest.fixture
def coach(people):
    return people["coach.nassjo"]


def test_signing_in_records_the_time_on_the_user_but_writes_no_history_row(client, coach):
    versions = coach.history.count()

    assert log_in(client, "coach.nassjo", DEMO_PASSWORD).status_code == 302

    coach.refresh_from_db()
    assert coach.last_login is not None
    assert coach.history.count() == versions


def test_changing_who_a_user_is_or_whether_they_may_sign_in_still_writes_history(coach):
    versions = coach.history.count()

    coach.first_name = "Majken"
    coach.save(update_fields=["first_name"])
    coach.is_active = False
    coach.save()

    assert coach.history.count() == versions + 2
    assert [row.is_active for row in coach.history.order_by("-history_id")[:2]] == [False, True]


def test_the_login_page_is_in_swedish(client, db):
    body = client.get(LOGIN).content.decode()

    assert '<html lang="sv">' in body
    assert "Logga in" in body
    assert "Användarnamn" in body
    assert "Lösenord" in body


def test_the_right_password_signs_in_and_leads_to_the_start_page_by_way_of_the_code(client, coach):
    response = log_in(client, "coach.nassjo", DEMO_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == f"{SECOND_FACTOR}?next=%2F"
    assert client.post(SECOND_FACTOR, {"code": next_code(coach.totpdevice_set.get()), "next": "/"})["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_shows_an_error_and_does_not_sign_in(client, coach):
    response = log_in(client, "coach.nassjo", "fel-lösenord")

    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()
    assert not is_signed_in(client)


def test_five_wrong_passwords_lock_the_user_name_from_that_address(client, coach):
    statuses = fail_to_log_in(client, "coach.nassjo", 5)

    assert statuses == [200, 200, 200, 200, 429]


def test_a_locked_user_name_is_refused_even_with_the_right_password(client, coach):
    fail_to_log_in(client, "coach.nassjo", 5)

    response = log_in(client, "coach.nassjo", DEMO_PASSWORD)

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_lockout_page_is_in_swedish(client, coach):
    fail_to_log_in(client, "coach.nassjo", 5)

    body = log_in(client, "coach.nassjo", DEMO_PASSWORD).content.decode()

    assert '<html lang="sv">' in body
    assert LOCKED_HEADING in body
    assert "15 minuter" in body


def test_ten_wrong_passwords_keep_the_right_one_out(client, coach):
    fail_to_log_in(client, "coach.nassjo", 10)

    assert log_in(client, "coach.nassjo", DEMO_PASSWORD).status_code == 429
    assert not is_signed_in(client)


def test_the_lock_lifts_after_fifteen_minutes_and_not_before(client, coach):
    fail_to_log_in(client, "coach.nassjo", 5)

    move_failed_attempts_back(minutes=14)
    still_locked = log_in(client, "coach.nassjo", DEMO_PASSWORD)
    move_failed_attempts_back(minutes=16)
    after_cool_off = log_in(client, "coach.nassjo", DEMO_PASSWORD)

    assert still_locked.status_code == 429
    assert after_cool_off.status_code == 302
    assert is_signed_in(client)


def test_another_user_name_from_the_same_address_is_not_locked(client, people):
    fail_to_log_in(client, "coach.nassjo", 5)

    response = log_in(client, "chef.nassjo", DEMO_PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_fewer_wrong_passwords_than_the_limit_leave_the_user_name_open_from_another_address(client, coach):
    fail_to_log_in(client, "coach.nassjo", 4)

    response = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_lock_at_one_address_leaves_an_address_the_user_signed_in_from_before_open(client, coach):
    sign_in_and_out("coach.nassjo", OTHER_ADDRESS)
    fail_to_log_in(client, "coach.nassjo", 5)

    response = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_five_wrong_passwords_from_one_address_lock_the_user_name_at_a_new_address_too(client, coach):
    fail_to_log_in(Client(), "coach.nassjo", 5)

    response = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=NEW_ADDRESS)

    assert response.status_code == 429
    assert not is_signed_in(client)


# Guessing one user name from many addresses


def test_guessing_from_five_addresses_locks_the_user_name_at_a_sixth_even_with_the_right_password(client, coach):
    statuses = guess_from_many_addresses("coach.nassjo")

    response = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=NEW_ADDRESS)

    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert LOCKED_HEADING in response.content.decode()
    assert "15 minuter" in response.content.decode()
    assert not is_signed_in(client)


def test_the_user_still_signs_in_from_a_known_address_while_the_user_name_is_locked_elsewhere(client, coach):
    sign_in_and_out("coach.nassjo", ADDRESS)
    guess_from_many_addresses("coach.nassjo")

    at_home = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=ADDRESS)
    elsewhere = log_in(Client(), "coach.nassjo", DEMO_PASSWORD, address=NEW_ADDRESS)

    assert at_home.status_code == 302
    assert is_signed_in(client)
    assert elsewhere.status_code == 429


def test_a_known_address_still_locks_after_five_wrong_passwords_from_it(client, coach):
    sign_in_and_out("coach.nassjo", ADDRESS)

    statuses = fail_to_log_in(client, "coach.nassjo", 5)

    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(client, "coach.nassjo", DEMO_PASSWORD).status_code == 429


def test_an_address_last_used_more_than_ninety_days_ago_is_no_longer_known(client, coach):
    sign_in_and_out("coach.nassjo", ADDRESS)
    LoginLog.objects.update(attempt_time=F("attempt_time") - timedelta(days=91))
    guess_from_many_addresses("coach.nassjo")

    response = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=ADDRESS)

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_lock_on_the_user_name_lifts_after_fifteen_minutes_and_not_before(client, coach):
    guess_from_many_addresses("coach.nassjo")

    move_failed_attempts_back(minutes=14)
    still_locked = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=NEW_ADDRESS)
    move_failed_attempts_back(minutes=16)
    after_cool_off = log_in(client, "coach.nassjo", DEMO_PASSWORD, address=NEW_ADDRESS)

    assert still_locked.status_code == 429
    assert after_cool_off.status_code == 302
    assert is_signed_in(client)


def test_signing_in_clears_the_failures_at_that_address_only_not_a_guessers_elsewhere(client, coach):
    guesses = [
        log_in(Client(), "coach.nassjo", "fel-lösenord", address).status_code for address in GUESSING_ADDRESSES[:4]
    ]
    sign_in_and_out("coach.nassjo", NEW_ADDRESS)

    fifth_guess = log_in(client, "coach.nassjo", "fel-lösenord", address=GUESSING_ADDRESSES[4])

    assert guesses == [200, 200, 200, 200]
    assert fifth_guess.status_code == 429


def test_guessing_one_user_name_from_many_addresses_does_not_lock_another(client, people):
    guess_from_many_addresses("coach.nassjo")

    response = log_in(client, "chef.nassjo", DEMO_PASSWORD, address=NEW_ADDRESS)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_get_to_the_logout_address_does_not_sign_out(client, coach):
    log_in(client, "coach.nassjo", DEMO_PASSWORD)

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert is_signed_in(client)


def test_logging_out_by_post_ends_the_session(client, coach):
    log_in(client, "coach.nassjo", DEMO_PASSWORD)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    start = client.get("/")
    assert start.status_code == 302
    assert start["Location"] == f"{LOGIN}?next=/"


def change_password(client, old: str, new: str):
    return client.post(PASSWORD_CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_a_too_short_new_password_is_refused_and_the_old_one_still_works(client, coach):
    sign_in(client, "coach.nassjo")

    response = change_password(client, DEMO_PASSWORD, "Kort-2026")

    assert response.status_code == 200
    assert "Det här lösenordet är för kort" in response.content.decode()
    assert log_in(Client(), "coach.nassjo", DEMO_PASSWORD).status_code == 302


def test_a_good_new_password_replaces_the_old_one(client, coach):
    new_password = "Vinbärsbuske-vid-Solgården-31"
    sign_in(client, "coach.nassjo")

    response = change_password(client, DEMO_PASSWORD, new_password)

    assert response.status_code == 302
    assert response["Location"] == "/konto/losenord/klart/"
    assert is_signed_in(client)
    assert log_in(Client(), "coach.nassjo", new_password).status_code == 302
    assert log_in(Client(), "coach.nassjo", DEMO_PASSWORD).status_code == 200


def test_the_idle_timeout_is_thirty_minutes_and_a_request_renews_it_at_most_once_a_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_RENEW_SECONDS == 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def test_a_request_within_a_minute_of_the_last_renewal_leaves_the_session_row_alone(client_for):
    client = client_for("coach.nassjo")
    client.get("/")
    key = client.session.session_key

    def renewed_seconds_ago(seconds: int) -> None:
        session = client.session
        session["renewed_at"] = time.time() - seconds
        session.save()
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=10))

    renewed_seconds_ago(50)
    page = client.get("/").content.decode()

    assert timedelta(minutes=9) < session_expiry(client) - timezone.now() <= timedelta(minutes=10)
    left = int(re.search(r'data-session-seconds="(\d+)"', page).group(1))
    assert 30 * 60 - 55 <= left <= 30 * 60 - 50

    renewed_seconds_ago(61)
    client.get("/")

    assert session_expiry(client) - timezone.now() > timedelta(minutes=29)


def session_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_signing_in_starts_a_thirty_minute_idle_timer(client, coach):
    log_in(client, "coach.nassjo", DEMO_PASSWORD)

    remaining = session_expiry(client) - timezone.now()

    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_a_request_a_minute_after_the_sign_in_moves_the_session_expiry_forward(client, coach):
    log_in(client, "coach.nassjo", DEMO_PASSWORD)
    session = client.session
    session["renewed_at"] -= 61
    session.save()
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )

    client.get("/")

    assert session_expiry(client) - timezone.now() > timedelta(minutes=29)


def test_a_session_idle_past_its_expiry_has_to_sign_in_again(client, coach):
    log_in(client, "coach.nassjo", DEMO_PASSWORD)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"
