"""Middleware of our own (settings.MIDDLEWARE says where each one runs)."""

from django.utils.cache import add_never_cache_headers

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
