"""What every page's template needs from the core besides the main menu (project/navigation.py)."""

from django.conf import settings

from . import second_factor
from .middleware import session_seconds_left

# The warning comes this long before the session ends, or halfway through a session shorter than twice this.
SESSION_WARNING_SECONDS = 5 * 60


def session_expiry(request) -> dict:
    """How long the session lasts without a request (settings.SESSION_COOKIE_AGE, from SESSION_IDLE_MINUTES,
    counted from its last renewal: middleware.session_renewal_middleware) and when to warn, for
    static/js/session_expiry.js. Only for a signed-in user
    past the second factor: on the login and code steps there is nothing to keep."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not second_factor.is_done(request):
        return {}
    warning = min(SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2)
    return {"session_seconds": session_seconds_left(request), "session_warning_seconds": warning}
