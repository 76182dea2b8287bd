"""The user's calendar address: the page that makes, shows once and turns it off, and the feed itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from sehoglandet import access, services
from sehoglandet.audit import log_access
from sehoglandet.models import AccessLog, CalendarFeed, Role

from . import calendar

NEW_TOKEN_SESSION_KEY = "calendar_feed_new_token"
FEED_ROLES = (Role.COACH, Role.MANAGER, Role.GROUP_MEMBER)


@access.require_roles(*FEED_ROLES)
@require_GET
def calendar_page(request):
    """Whether the user has a calendar address, the address itself once just after it is made (only a hash
    is kept), and buttons to make a new one or turn it off."""
    token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    address = request.build_absolute_uri(reverse("calendar_feed", args=[token])) if token and feed else None
    return render(request, "project/calendar.html", {"feed": feed, "address": address})


@access.require_roles(*FEED_ROLES)
@require_POST
def calendar_make(request):
    """Make the address, or a new one: the old one stops working at once."""
    had = CalendarFeed.objects.filter(user=request.user).exists()
    request.session[NEW_TOKEN_SESSION_KEY] = services.make_calendar_feed(actor=request.user)
    if had:
        messages.success(request, _("You have a new calendar address. The old one no longer works."))
    else:
        messages.success(request, _("You have a calendar address."))
    return redirect("calendar_page")


@access.require_roles(*FEED_ROLES)
@require_POST
def calendar_stop(request):
    """Turn the address off."""
    if services.stop_calendar_feed(actor=request.user):
        messages.success(request, _("The calendar address is turned off and no longer works."))
    return redirect("calendar_page")


@login_not_required
@require_safe
def calendar_feed(request, token: str):
    """The iCal feed at the secret address; 404 for an address that is unknown, made again or turned
    off. Each fetch writes an access-log row in the user's name (the feed lists case references)."""
    feed = calendar.feed_for_token(token)
    if feed is None:
        raise Http404
    body = calendar.render_feed(calendar.entries_for(feed.user))
    log_access(
        request,
        feed,
        user=feed.user,
        action=AccessLog.Action.LIST,
        purpose=_("Calendar feed"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="se-hoglandet.ics"'
    return response
