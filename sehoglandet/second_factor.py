"""Two-factor sign-in: an authenticator app (TOTP) and ten single-use recovery codes, for everyone.

The flow (docs/operations.md#second-factor). The login page checks the password and signs the user
in, but the session is not verified yet: SecondFactorMiddleware (sehoglandet/middleware.py) sends
every page but the second-factor steps, logging out and the pages open to visitors to
`second_factor_enrol` when the user has no app yet, otherwise to `second_factor_verify`. A code from
the app, or a recovery code, marks the session verified as django_otp.login does. django-otp's
OTPMiddleware looks the device up again on every request, so an administrator's reset
(services.reset_second_factor) ends the verified sessions of that user at once.

Every code that is refused counts toward the django-axes lockout like a wrong password
(`count_failed_sign_in`), and a locked-out user is refused at the code step too. django-otp also
slows repeated failures on the device itself, across every address: each failure in a row doubles
the wait (1, 2, 4 … seconds) until a right code. That bounds someone who knows the password and
guesses codes from many addresses, which the per-address lockout alone would let through.

Services here change only the user's own devices, so their access rule is being that user; the
administrator's reset is in services.py with its rule in access.py.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, events
from .events import CoreEvent

APP_DEVICE_NAME = "Autentiseringsapp"
RECOVERY_DEVICE_NAME = "Reservkoder"
# Six digits from the app; a recovery code is eight letters a–z and digits 2–7 (django-otp's
# StaticToken.random_token, base32: no 0/O or 1/l to confuse).
APP_CODE = re.compile(r"^[0-9]{6}$")
RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")
# Set in the session when a demo user skips the second factor (access.may_skip_second_factor).
DEMO_SKIPPED_SESSION_KEY = "second_factor_demo_skipped"
# Recovery codes just made, shown once on the next page and then dropped from the session.
NEW_CODES_SESSION_KEY = "second_factor_new_recovery_codes"


class Refusal:
    """Why a code was not accepted."""

    WRONG = "wrong"
    THROTTLED = "throttled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Attempt:
    """The outcome of checking a code: the device that accepted it, or why it was refused."""

    device: Device | None = None
    refused: str = ""
    retry_at: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.device is not None

    @property
    def counts_as_failure(self) -> bool:
        """A code that was checked and was wrong (or came while the device made the user wait):
        it counts toward the lockout. An expired enrolment checked no code."""
        return self.refused in (Refusal.WRONG, Refusal.THROTTLED)

    def message(self) -> str:
        if self.refused == Refusal.EXPIRED:
            return _(
                "The time to add the app ran out, so the QR code has been replaced. "
                "Scan the new QR code, or type in the new key, and enter the code the app shows."
            )
        if self.refused == Refusal.THROTTLED:
            return _("Too many wrong codes in a row. Wait until %(time)s and try again.") % {
                "time": timezone.localtime(self.retry_at).strftime("%H:%M:%S")
            }
        return _(
            "The code is wrong or has already been used. Enter the code the app shows now, "
            "or a recovery code you have not used before."
        )


# Reading


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_app(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_enrolment(user: User) -> TOTPDevice | None:
    """The app the user has started to add and not yet confirmed with a code, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def enrolment_expires_at(device: TOTPDevice) -> datetime:
    return device.created_at + timedelta(minutes=settings.SECOND_FACTOR_ENROLMENT_MINUTES)


def is_expired(device: TOTPDevice) -> bool:
    return timezone.now() >= enrolment_expires_at(device)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_for_typing(device: TOTPDevice) -> str:
    """The app's key as the apps take it typed in: base32, in groups of four."""
    text = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI, drawn here (no outside service)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def is_done(request) -> bool:
    """Whether this session has passed the second factor (or a demo user skipped it, where allowed)."""
    user = request.user
    if not user.is_authenticated:
        return False
    # django-otp's OTPMiddleware sets is_verified; a request that never passed it is not verified.
    if not hasattr(user, "is_verified"):
        return False
    if user.is_verified():
        return True
    return bool(request.session.get(DEMO_SKIPPED_SESSION_KEY)) and access.may_skip_second_factor(user)


def normalise(code: str) -> str:
    """A code as typed or pasted: without spaces or hyphens, in lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


# Services: each changes the acting user's own devices.


def _refuse(actor: User, step: str | None, refused: str, retry_at: datetime | None = None) -> Attempt:
    """The refusal; at a step of signing in (`step` given) also its case event."""
    if step is not None:
        events.record(
            actor=actor, code=CoreEvent.SECOND_FACTOR_FAILED, record=actor, payload={"step": step, "reason": refused}
        )
    return Attempt(refused=refused, retry_at=retry_at)


def _check_code(actor: User, device: Device | None, code: str, step: str | None) -> Attempt:
    """Check `code` on `device` (locked for update by the caller), honouring django-otp's wait after
    failures; a refusal at a step of signing in is recorded. A device verifies a code once only: a
    TOTP code is refused at or before the time step of the last one accepted, and a recovery code
    is deleted when used."""
    if device is None:
        return _refuse(actor, step, Refusal.WRONG)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return _refuse(actor, step, Refusal.THROTTLED, (details or {}).get("locked_until"))
    if not device.verify_token(code):
        return _refuse(actor, step, Refusal.WRONG)
    return Attempt(device=device)


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with SECOND_FACTOR_RECOVERY_CODES new ones; returns them."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    device.token_set.all().delete()
    device.throttle_reset()
    codes: list[str] = []
    while len(codes) < settings.SECOND_FACTOR_RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


@transaction.atomic
def start_enrolment(*, actor: User) -> TOTPDevice:
    """Begin adding an authenticator app: a new unconfirmed device with a new secret, replacing any
    unconfirmed one. It expires after SECOND_FACTOR_ENROLMENT_MINUTES. Refused while the user has
    an app: an administrator resets it first (services.reset_second_factor)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    if has_app(actor):
        raise ValidationError(_("You already have an authenticator app. Ask your administrator to reset it first."))
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=actor, name=APP_DEVICE_NAME, confirmed=False)
    events.record(actor=actor, code=CoreEvent.SECOND_FACTOR_ENROLMENT_STARTED, record=actor)
    return device


@transaction.atomic
def confirm_enrolment(*, actor: User, code: str) -> tuple[Attempt, list[str]]:
    """Confirm the app being added with a code it shows. Accepted: the app is the user's, ten new
    recovery codes replace any earlier ones, and they are returned to be shown once. An expired
    enrolment is replaced by a fresh one (a new QR code) and refused without checking the code."""
    if has_app(actor):
        raise ValidationError(_("You already have an authenticator app. Ask your administrator to reset it first."))
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("-pk").first()
    if device is None or is_expired(device):
        start_enrolment(actor=actor)
        return _refuse(actor, "enrolment", Refusal.EXPIRED), []
    attempt = _check_code(actor, device, normalise(code), "enrolment")
    if not attempt.accepted:
        return attempt, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(actor)
    events.record(
        actor=actor, code=CoreEvent.SECOND_FACTOR_ENROLLED, record=actor, payload={"recovery_codes": len(codes)}
    )
    return attempt, codes


@transaction.atomic
def verify(*, actor: User, code: str) -> Attempt:
    """Check a code at sign-in: six digits go to the authenticator app, anything else to the
    recovery codes (each works once). Records the outcome, never the code."""
    code = normalise(code)
    by_app = bool(APP_CODE.match(code))
    model = TOTPDevice if by_app else StaticDevice
    device = model.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk").first()
    attempt = _check_code(actor, device, code, "sign_in")
    if attempt.accepted:
        payload = {"method": "app"} if by_app else {"method": "recovery_code", "left": recovery_codes_left(actor)}
        events.record(actor=actor, code=CoreEvent.SECOND_FACTOR_VERIFIED, record=actor, payload=payload)
    return attempt


@transaction.atomic
def replace_recovery_codes(*, actor: User, code: str) -> tuple[Attempt, list[str]]:
    """New recovery codes, confirmed with a code from the authenticator app (not a recovery code):
    the old ones stop working. Returns the attempt and, when accepted, the new codes. A wrong code
    here is no attempt to sign in, so it writes no case event (the caller counts it toward the
    lockout all the same, and django-axes keeps its own log of failures)."""
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk").first()
    attempt = _check_code(actor, device, normalise(code), None)
    if not attempt.accepted:
        return attempt, []
    codes = _new_recovery_codes(actor)
    events.record(
        actor=actor, code=CoreEvent.RECOVERY_CODES_REPLACED, record=actor, payload={"recovery_codes": len(codes)}
    )
    return attempt, codes


@transaction.atomic
def skip_for_demo(*, actor: User) -> None:
    """A demo user goes on without the second factor, where access.may_skip_second_factor allows."""
    if not access.may_skip_second_factor(actor):
        raise PermissionDenied
    events.record(actor=actor, code=CoreEvent.DEMO_SECOND_FACTOR_SKIPPED, record=actor)


# The session


def mark_verified(request, device: Device) -> None:
    """The session has passed the second factor with `device` (django_otp.login), under a new session
    key. Now the sign-in is complete, it clears this user's failed attempts at this address (what
    AXES_RESET_ON_SUCCESS would have done on the password alone, sehoglandet/lockout.py)."""
    django_otp.login(request, device)
    request.session.cycle_key()
    AxesProxyHandler.reset_attempts(username=request.user.get_username(), ip_address=get_client_ip_address(request))


def count_failed_sign_in(request) -> None:
    """A refused code counts as a failed login for django-axes, as a wrong password does. At the
    limit axes marks the request locked out, and its middleware answers with the lockout page."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.get_username()}, request=request)


def is_locked_out(request) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})
