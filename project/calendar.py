"""The calendar feed: each user's meetings, pre-meetings, transfer meetings and aftercare visits as iCal,
at a secret address a calendar app can subscribe to (docs/operations.md#calendar-feed).

What an entry holds: what kind of appointment it is, the case reference and a link, never a name or any
other personal data (DESIGN.md §6: nothing personal in feeds); the place only for a referral group's
meeting (a room, not a person's address). The address is the only key: the view is open without signing
in (calendar apps cannot sign in), the token is kept as a hash (sehoglandet.models.CalendarFeed), and a
made-again or turned-off address answers 404.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from participants.models import AftercareVisit, Transfer
from participants.record_names import participant_case
from referrals.models import Meeting, PreMeeting
from referrals.selectors import meetings_visible_to
from sehoglandet import access
from sehoglandet.models import CalendarFeed, Role
from sehoglandet.services import calendar_token_hash

# The feed holds what is at most this far back and this far ahead.
PAST = timedelta(days=31)
AHEAD = timedelta(days=366)
# The records hold a start only: each timed entry is shown as this long.
DURATION = timedelta(hours=1)
UID_DOMAIN = "se-hoglandet"


@dataclass(frozen=True)
class Entry:
    uid: str
    start: datetime | date
    summary: str
    path: str
    location: str = ""


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed whose address holds this token, if it still works (its user active); None otherwise."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=calendar_token_hash(token), user__is_active=True)
        .first()
    )


def entries_for(user) -> list[Entry]:
    """What the user takes part in, from a month back to a year ahead: the meetings of the referral
    groups they see (as on the meeting list), the pre-meetings they are the coach of, the waiting transfers'
    meetings of the municipalities they coach, and the open aftercare visits of the participants they are
    responsible for. A constant number of queries."""
    now = timezone.now()
    since, until = now - PAST, now + AHEAD
    entries = [
        Entry(
            uid=f"meeting-{meeting.pk}",
            start=meeting.starts_at,
            summary=_("Referral group meeting, %(municipality)s")
            % {"municipality": meeting.referral_group.municipality.name},
            path=reverse("referrals:meeting_detail", args=[meeting.pk]),
            location=meeting.location,
        )
        for meeting in meetings_visible_to(user)
        .filter(starts_at__range=(since, until))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("referral_group__municipality")
    ]
    entries += [
        Entry(
            uid=f"pre-meeting-{pre_meeting.pk}",
            start=pre_meeting.booked_for,
            summary=_("Pre-meeting, referral %(reference)s") % {"reference": pre_meeting.referral.reference},
            path=reverse("referrals:referral_detail", args=[pre_meeting.referral_id]),
        )
        for pre_meeting in PreMeeting.objects.filter(
            coach=user, held_on__isnull=True, booked_for__range=(since, until)
        ).select_related("referral")
    ]
    coached = [m.pk for m in access.municipalities_coached_by(user)]
    if coached:
        entries += [
            Entry(
                uid=f"transfer-{transfer.pk}",
                start=transfer.meeting_at,
                summary=_("Transfer meeting, %(case)s") % {"case": participant_case(transfer.participant)},
                path=reverse("participants:transfer_list"),
            )
            for transfer in Transfer.objects.filter(
                Q(from_municipality__in=coached) | Q(to_municipality__in=coached),
                status=Transfer.Status.PENDING,
                meeting_at__range=(since, until),
            ).select_related("participant__referral", "participant__municipality")
        ]
    if access.has_role(user, Role.COACH):
        entries += [
            Entry(
                uid=f"aftercare-{visit.pk}",
                start=visit.due_on,
                summary=_("Aftercare, %(kind)s, %(case)s")
                % {"kind": visit.get_kind_display().lower(), "case": participant_case(visit.participant)},
                path=reverse("participants:participant_detail", args=[visit.participant_id]),
            )
            for visit in AftercareVisit.objects.filter(
                participant__responsible_coach=user,
                status__in=AftercareVisit.OPEN_STATUSES,
                due_on__range=(timezone.localdate(since), timezone.localdate(until)),
            ).select_related("participant__referral", "participant__municipality")
        ]
    return sorted(entries, key=lambda e: (_as_datetime(e.start), e.uid))


def _as_datetime(start: datetime | date) -> datetime:
    if isinstance(start, datetime):
        return start
    return timezone.make_aware(datetime.combine(start, datetime.min.time()))


def render_feed(entries: list[Entry]) -> bytes:
    """The entries as an iCalendar (RFC 5545) document: a link in each, and nothing personal."""
    site = settings.SITE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//SE-Höglandet//Kalender//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "SE-Höglandet")
    stamp = timezone.now()
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.uid}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.start)
        if isinstance(entry.start, datetime):
            event.add("dtend", entry.start + DURATION)
        else:
            event.add("dtend", entry.start + timedelta(days=1))
        event.add("summary", entry.summary)
        event.add("url", site + entry.path)
        event.add("description", site + entry.path)
        if entry.location:
            event.add("location", entry.location)
        calendar.add_component(event)
    return calendar.to_ical()
