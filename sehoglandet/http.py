"""Small request helpers shared by the apps' views."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request) -> str | None:
    """The `next` address a form or link carries (POST first, then the query string), when it is a
    path on this site; None otherwise, so a crafted link cannot send anyone elsewhere.

    Only a path (starting with "/") is taken: `redirect()` reads anything without "/" or "." as the
    name of a view, and a `next` such as "'; DROP TABLE x; --" would end in NoReverseMatch, a 500,
    after the form was saved."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None
