"""Middleware of our own (settings.MIDDLEWARE says where each one runs)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import second_factor
from .http import safe_referer

HEALTH_PATH = "/health/"
# When the session was last renewed (time.time()), in the session itself.
RENEWED_AT = "renewed_at"


def renew_session(request) -> None:
    """Renew the session now: SessionMiddleware saves it on the way out, and it ends
    SESSION_COOKIE_AGE from now unless a later request renews it again."""
    request.session[RENEWED_AT] = time.time()


def session_seconds_left(request) -> int:
    """How long the session lasts from now without another request."""
    renewed_at = request.session.get(RENEWED_AT, time.time())
    return settings.SESSION_COOKIE_AGE - int(max(0.0, time.time() - renewed_at))


def session_renewal_middleware(get_response):
    """Each request renews a session's idle time, but writes the session row at most once every
    SESSION_RENEW_SECONDS (a minute): a session then ends between SESSION_IDLE_MINUTES less a minute
    and SESSION_IDLE_MINUTES after the last request, and the page's warning
    (context_processors.session_expiry) counts from the renewal. Before, every page rewrote the
    session in a transaction of its own (SESSION_SAVE_EVERY_REQUEST): three of a page's queries,
    and a write that waits on the disk, for each click."""

    def middleware(request):
        session = request.session
        if not session.is_empty() and time.time() - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
            renew_session(request)
        response = get_response(request)
        # A session the view wrote (a sign-in, the second factor) is saved now anyway: that renews it.
        if session.modified and not session.is_empty():
            renew_session(request)
        return response

    return middleware


def never_cache_middleware(get_response):
    """Send every response Django answers with `Cache-Control: no-store, private` (and max-age=0).

    Pages, PDF and spreadsheet exports, CSV files and signed consent forms carry personal data; a
    copy in a shared computer's browser cache or in a proxy would outlive the session and the access
    checks. Doing it here rather than view by view means a new view cannot forget it. Static files
    never get this far: WhiteNoise, before this middleware, answers them with their long cache.
    """

    def middleware(request):
        response = get_response(request)
        add_never_cache_headers(response)
        return response

    return middleware


def health_check_middleware(get_response):
    """Answer `/health/` before the host check, the session and the login requirement.

    A load balancer asks over plain http, often with its own address as the Host header, which
    ALLOWED_HOSTS rightly refuses for every other page (CommonMiddleware, after this one, would answer
    400). The answer is "ok" or "unavailable" and nothing else, so it needs no host check;
    SECURE_REDIRECT_EXEMPT keeps SecurityMiddleware, before this one, from redirecting it to https.
    """
    from .views import health

    def middleware(request):
        if request.path_info == HEALTH_PATH:
            return health(request)
        return get_response(request)

    return middleware


def return_address(request) -> str | None:
    """Where a user sent to sign in (again) should come back to: a GET's own address; for a POST (a
    form sent after the session ended) the page the form was on, from the Referer, when it is one of
    our pages and not the POST-only address itself (a form shown again with its errors is at its
    action's address). None: the start page."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    page = safe_referer(request)
    if page is None or page.split("?")[0] == request.path:
        return None
    return page


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except that the login's `next` is never a POST-only address (return_address): a coach
    whose session ended while writing a note signs in and lands on the page again, not on an
    "HTTP ERROR 405"; the note waits in the browser tab (static/js/keep_draft.js)."""

    def handle_no_permission(self, request, view_func):
        login_url = resolve_url(self.get_login_url(view_func))
        target = return_address(request)
        if target is None:
            return HttpResponseRedirect(login_url)
        return redirect_to_login(target, login_url, self.get_redirect_field_name(view_func))


def second_factor_exempt(view):
    """Mark a view that a signed-in user may open before passing the second factor: the second-factor
    steps themselves and logging out."""
    view.second_factor_exempt = True
    return view


class SecondFactorMiddleware:
    """Until the session has passed the second factor, send a signed-in user from every page to the
    second-factor step, keeping where they were going in `next` (return_address: never a POST-only one).

    Runs after django-otp's OTPMiddleware, which says whether a device verified the session. Let
    through: visitors (LoginRequiredMiddleware sends them to the login), the pages open to visitors
    (login_not_required: the login, password reset, /health/) and views marked second_factor_exempt.
    Static files never get here: WhiteNoise answers them first. The admin is behind the same check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or second_factor.is_done(request):
            return None
        if not getattr(view_func, "login_required", True) or getattr(view_func, "second_factor_exempt", False):
            return None
        step = "second_factor_verify" if second_factor.has_app(request.user) else "second_factor_enrol"
        target = reverse(step)
        if next_url := return_address(request):
            target += "?" + urlencode({"next": next_url})
        return HttpResponseRedirect(target)
