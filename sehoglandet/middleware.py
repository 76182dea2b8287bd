"""Middleware of our own (settings.MIDDLEWARE says where each one runs)."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import second_factor

HEALTH_PATH = "/health/"


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


def second_factor_exempt(view):
    """Mark a view that a signed-in user may open before passing the second factor: the second-factor
    steps themselves and logging out."""
    view.second_factor_exempt = True
    return view


class SecondFactorMiddleware:
    """Until the session has passed the second factor, send a signed-in user from every page to the
    second-factor step, keeping where they were going in `next` (a GET's address only).

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
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
