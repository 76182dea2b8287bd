"""What every page's template needs from the core besides the main menu (project/navigation.py)."""

from django.conf import settings

from . import second_factor

# The warning comes this long before the session ends, or halfway through a session shorter than twice this.
SESSION_WARNING_SECONDS = 5 * 60


def session_expiry(request) -> dict:
    """How long the session lasts without a request (settings.SESSION_COOKIE_AGE, from SESSION_IDLE_MINUTES;
    every request renews it) and when to warn, for static/js/session_expiry.js. Only for a signed-in user
    past the second factor: on the login and code steps there is nothing to keep."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not second_factor.is_done(request):
        return {}
    seconds = settings.SESSION_COOKIE_AGE
    return {"session_seconds": seconds, "session_warning_seconds": min(SESSION_WARNING_SECONDS, seconds // 2)}
