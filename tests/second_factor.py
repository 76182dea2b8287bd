"""The second factor in tests: every persona has an authenticator app, and a test signs in for real.

`sign_in_verified(client, user)` is what the suite's signed-in clients do: it skips the password
form, writing the session as a sign-in does, and marks it verified by the user's app exactly as
django_otp.login marks it after a right code. The middleware and django-otp's own check that the
device exists and belongs to the user run on every request as in production; nothing is switched
off. Tests of the sign-in itself type codes that `next_code` computes from the device's secret.
"""

import time
from base64 import b32decode
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sehoglandet.middleware import RENEWED_AT

SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def give_app(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app, added now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=True)


def sign_in_verified(client: Client, user: User) -> Client:
    """`client` signed in as `user`, the session verified by the user's app (see the module's doc).

    The session is written as Django's login() writes it (the user, the backend, the password's
    session hash) and as django_otp.login marks it, in one save; the signals of a sign-in (the last
    login, django-axes' log and clean-up) are left to the tests of signing in, which use the login
    page. The suite signs in some thousands of times, and force_login's signals cost more than the
    request most tests make."""
    client.cookies[settings.SESSION_COOKIE_NAME] = verified_session(user)
    client.cookies[settings.SESSION_COOKIE_NAME].update(
        {"path": "/", "domain": settings.SESSION_COOKIE_DOMAIN or "", "secure": settings.SESSION_COOKIE_SECURE or ""}
    )
    return client


def verified_session(user: User) -> str:
    """The key of a new session signed in as `user` and verified by the user's app, written as a
    sign-in writes it (see `sign_in_verified`)."""
    device = give_app(user)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = SIGN_IN_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[RENEWED_AT] = time.time()  # as the sign-in's own save does (session_renewal_middleware)
    session.save()
    return session.session_key


def code_at(key: bytes, t: int) -> str:
    """The six-digit code of time step `t` for the secret `key`."""
    totp = TOTP(key)
    totp.time = t * totp.step
    return f"{totp.token():06d}"


def current_step() -> int:
    return int(time.time()) // 30


def away_from_a_step_change(margin: float = 3) -> None:
    """Wait for the next time step when the current one ends within `margin` seconds, so that a code
    computed for a step relative to now is still that step when the server checks it."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.1)


def next_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current step's, or, when that one has been used already
    (signing in twice within 30 seconds), the next step's, which the device's tolerance of one step
    accepts. Waits for the next step when even that one is used."""
    device.refresh_from_db()
    step = max(current_step(), device.last_t + 1)
    while step > current_step() + device.tolerance:
        time.sleep(1)
    return code_at(device.bin_key, step)


def key_from_secret(secret: str) -> bytes:
    """The key behind the base32 secret the enrolment page shows for typing in (spaces allowed)."""
    text = secret.replace(" ", "").upper()
    return b32decode(text + "=" * (-len(text) % 8))


def wrong_code(device: TOTPDevice) -> str:
    """Six digits that are none of the codes the device would accept now."""
    near = {code_at(device.bin_key, current_step() + offset) for offset in range(-2, 3)}
    return next(code for code in (f"{n:06d}" for n in range(100000, 1000000, 111)) if code not in near)
