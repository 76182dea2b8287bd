"""Small request helpers shared by the apps' views."""

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request) -> str | None:
    """The `next` address a form or link carries (POST first, then the query string), when it is a
    path of one of this site's pages ("/remisser/12/"); None otherwise. So a crafted link cannot send
    anyone elsewhere, and a value that is no address at all is ignored rather than failing."""
    return _our_page(request, request.POST.get("next") or request.GET.get("next") or "")


def safe_referer(request) -> str | None:
    """The page a form was sent from (the Referer header), as a path of one of this site's pages, when
    the browser sent it and it names this host; None otherwise. For a POST that cannot go on (the
    session ended) the user is sent back to that page, never to the POST-only address."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.get_host() or referer.scheme not in ("http", "https"):
        return None
    path = referer.path + (f"?{referer.query}" if referer.query else "")
    return _our_page(request, path)


def _our_page(request, target: str) -> str | None:
    if not target.startswith("/") or not target.isprintable():
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=request.is_secure()):
        return None
    try:
        resolve(urlsplit(target).path)
    except Resolver404:
        return None
    return target
