"""The second-factor steps of signing in, and the user's own page for their app and recovery codes.

The steps (enrol, verify, skip in the demo) are open before the second factor is passed
(second_factor_exempt); the own page and new recovery codes only after. Every refused code counts
toward the lockout (second_factor.count_failed_sign_in), and a locked-out user is refused at the
code step as at the password.
"""

from urllib.parse import urlencode

from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from . import access, second_factor
from .forms import SecondFactorCodeForm, errors_as_messages
from .http import safe_next
from .middleware import second_factor_exempt


def _to(name: str, next_url: str | None) -> HttpResponseRedirect:
    url = reverse(name)
    return HttpResponseRedirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


def _onwards(next_url: str | None) -> HttpResponseRedirect:
    return HttpResponseRedirect(next_url or reverse("home"))


def _locked_out(request):
    """The lockout page, as at the password; the half-done sign-in ends."""
    credentials = {"username": request.user.get_username()}
    logout(request)
    return get_lockout_response(request, None, credentials)


def _refuse(request, form: SecondFactorCodeForm, attempt: second_factor.Attempt):
    """Show why the code was refused. A wrong code counts toward the lockout; at the limit the answer
    is the lockout page instead (returned), and the sign-in ends."""
    form.add_error("code", attempt.message())
    if attempt.counts_as_failure:
        second_factor.count_failed_sign_in(request)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request)
    return None


def _context(request, form, next_url, **extra) -> dict:
    return {"form": form, "next": next_url or "", "may_skip": access.may_skip_second_factor(request.user), **extra}


@second_factor_exempt
@access.for_any_user
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code step of signing in: a code from the app, or a recovery code."""
    next_url = safe_next(request)
    if second_factor.is_done(request):
        return _onwards(next_url)
    if not second_factor.has_app(request.user):
        return _to("second_factor_enrol", next_url)
    if second_factor.is_locked_out(request):
        return _locked_out(request)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = second_factor.verify(actor=request.user, code=form.cleaned_data["code"])
        if attempt.accepted:
            second_factor.mark_verified(request, attempt.device)
            if isinstance(attempt.device, StaticDevice):
                messages.warning(request, _recovery_code_warning(request.user))
            return _onwards(next_url)
        if locked := _refuse(request, form, attempt):
            return locked
    return render(request, "registration/second_factor_verify.html", _context(request, form, next_url))


def _recovery_code_warning(user) -> str:
    left = second_factor.recovery_codes_left(user)
    return _(
        "You signed in with a recovery code, which now no longer works. You have %(left)s left: make new "
        "ones on your account page (your name at the top), or ask your administrator to reset your app if you lost it."
    ) % {"left": left}


@second_factor_exempt
@access.for_any_user
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Adding the authenticator app: first an explanation and a start button, then the QR code and
    the key to type in, confirmed with a code the app shows. Then the recovery codes, once."""
    next_url = safe_next(request)
    if second_factor.has_app(request.user):
        if second_factor.is_done(request):
            return redirect("account")
        return _to("second_factor_verify", next_url)
    if second_factor.is_locked_out(request):
        return _locked_out(request)
    device = second_factor.pending_enrolment(request.user)
    form = SecondFactorCodeForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        attempt, codes = second_factor.confirm_enrolment(actor=request.user, code=form.cleaned_data["code"])
        if attempt.accepted:
            second_factor.mark_verified(request, attempt.device)
            request.session[second_factor.NEW_CODES_SESSION_KEY] = codes
            return _to("second_factor_recovery_codes", next_url)
        if locked := _refuse(request, form, attempt):
            return locked
        device = second_factor.pending_enrolment(request.user)
    pending = device is not None and not second_factor.is_expired(device)
    context = _context(request, form, next_url, pending=pending, expired=device is not None and not pending)
    if pending:
        context |= {
            "qr_code": second_factor.qr_code_data_uri(device),
            "secret": second_factor.secret_for_typing(device),
            "expires_at": second_factor.enrolment_expires_at(device),
        }
    return render(request, "registration/second_factor_enrol.html", context)


@second_factor_exempt
@access.for_any_user
@require_POST
def enrol_start(request):
    """Start (or start again) adding the app: a new secret and QR code."""
    next_url = safe_next(request)
    try:
        second_factor.start_enrolment(actor=request.user)
    except ValidationError as error:
        errors_as_messages(request, error)
    return _to("second_factor_enrol", next_url)


@second_factor_exempt
@access.for_any_user
@require_POST
def skip(request):
    """Demo only: go on without the second factor (access.may_skip_second_factor)."""
    second_factor.skip_for_demo(actor=request.user)
    request.session[second_factor.DEMO_SKIPPED_SESSION_KEY] = True
    return _onwards(safe_next(request))


@access.for_any_user
@require_GET
def recovery_codes(request):
    """The recovery codes just made, shown this once: the session forgets them as the page is made."""
    codes = request.session.pop(second_factor.NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("account")
    return render(
        request, "registration/second_factor_recovery_codes.html", {"codes": codes, "next": safe_next(request)}
    )


@access.for_any_user
@require_GET
def account(request):
    """The user's own page: their name and roles' place in the header leads here. Whether they have an
    authenticator app, how many recovery codes are left, and new ones; changing the password."""
    device = second_factor.app_device(request.user)
    return render(
        request,
        "registration/account.html",
        {
            "device": device,
            "codes_left": second_factor.recovery_codes_left(request.user),
            "form": SecondFactorCodeForm(recovery=False),
            "may_keep_calendar_feed": access.may_keep_calendar_feed(request.user),
        },
    )


@access.for_any_user
@require_POST
def new_recovery_codes(request):
    """New recovery codes in place of the old, confirmed with a code from the app."""
    device = second_factor.app_device(request.user)
    if device is None:
        return redirect("account")
    form = SecondFactorCodeForm(request.POST, recovery=False)
    if form.is_valid():
        attempt, codes = second_factor.replace_recovery_codes(actor=request.user, code=form.cleaned_data["code"])
        if attempt.accepted:
            request.session[second_factor.NEW_CODES_SESSION_KEY] = codes
            return redirect("second_factor_recovery_codes")
        if locked := _refuse(request, form, attempt):
            return locked
    context = {
        "device": device,
        "codes_left": second_factor.recovery_codes_left(request.user),
        "form": form,
        "may_keep_calendar_feed": access.may_keep_calendar_feed(request.user),
    }
    return render(request, "registration/account.html", context)
