"""What the auditor reads: the access log, and a person's trail of who saw and who changed their
records, as rows people read ("Remiss SE-2026-0052", not `referrals.referral #52`).

A person's trail merges three kinds of rows in one query (UNION ALL), newest first and paged by key
(sehoglandet.keyset):
- views, from the access log (`person_id`);
- changes, from the case events of the person;
- changes, from the history rows of the person and their records (sehoglandet.records), except a
  row whose change is already a case event of the same record (a service writes both), so each
  change is shown once and a change made outside a service (in the admin) is still shown.

Each page then reads its users, organisations, roles and record names with one query per kind, so
the number of queries does not grow with the log.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import CharField, Exists, F, IntegerField, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import events, keyset, records
from .choices import choice_label, choice_labels
from .keyset import Cursor, KeysetPage
from .models import AccessLog, CaseEvent, Organisation
from .record_names import person_numbers
from .selectors import roles_in_organisations

VIEWS, CHANGES = "views", "changes"
EXPORT_BATCH = 2000
ACCESS_LOG_SOURCE, CASE_EVENT_SOURCE = 0, 1
COLUMNS = (
    "trail_at",
    "trail_source",
    "trail_key",
    "trail_user",
    "trail_organisation",
    "trail_kind",
    "trail_ref",
    "trail_done",
    "trail_why",
)


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in Swedish time, as an aware moment: a date filter is a
    half-open range of these, which the (time, id) indexes serve (a `__date` lookup does not)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def period(since: date | None, until: date | None, name: str = "created_at") -> dict:
    """Lookups for `[since 00:00, the day after until 00:00)` on the field `name`."""
    lookups = {}
    if since:
        lookups[f"{name}__gte"] = day_start(since)
    if until:
        lookups[f"{name}__lt"] = day_start(until + timedelta(days=1))
    return lookups


@dataclass
class Capacity:
    organisation: str
    roles: list[str]


@dataclass
class Row:
    at: datetime
    source: int
    key: int
    user: object
    capacities: list[Capacity]
    what: str
    action: str
    purpose: str
    is_change: bool
    person: str = ""
    ip_address: str = ""
    cursor: Cursor = field(init=False)

    def __post_init__(self):
        self.cursor = Cursor(self.at, self.source, self.key)

    # The user's cells as text, built here rather than in the template: the access log's 50 rows
    # each rendered an include with two loops, a third of the page's template time.
    @property
    def who(self) -> str:
        return user_label(self.user)

    @property
    def organisations(self) -> str:
        return ", ".join(capacity.organisation for capacity in self.capacities)

    @property
    def roles(self) -> str:
        return "; ".join(", ".join(map(str, capacity.roles)) for capacity in self.capacities)


def user_label(user) -> str:
    """ "Anna Berg (coach.nassjo)": the full name and the user name; the user name alone without a
    name, and nothing without a user (the system)."""
    if user is None:
        return ""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


# The general access log.


def access_log_page(
    queryset: QuerySet[AccessLog], *, cursor: Cursor | None, backwards: bool, size: int = keyset.PAGE_SIZE
) -> KeysetPage:
    """One page of access-log rows (already filtered), newest first, read by key."""
    entries = _access_log_entries(queryset, cursor, backwards, size)
    if backwards and len(entries) <= size:
        # Back at the newest rows: show a whole first page.
        cursor, backwards = None, False
        entries = _access_log_entries(queryset, None, False, size)
    page = keyset.page_of(
        entries,
        position=lambda entry: Cursor(entry.created_at, ACCESS_LOG_SOURCE, entry.pk),
        cursor=cursor,
        backwards=backwards,
        size=size,
    )
    page.rows = _access_log_rows(page.rows)
    return page


def _access_log_entries(queryset, cursor, backwards, size) -> list[AccessLog]:
    if cursor is not None:
        queryset = keyset.beyond(
            queryset, time="created_at", key="id", source=ACCESS_LOG_SOURCE, cursor=cursor, backwards=backwards
        )
    order = ("created_at", "id") if backwards else ("-created_at", "-id")
    return list(queryset.select_related("user", "organisation").order_by(*order)[: size + 1])


def _access_log_rows(entries: list[AccessLog]) -> list[Row]:
    """Rows people read, with record names, person numbers and roles read once for the page."""
    described = records.describe((entry.object_type, entry.object_id) for entry in entries)
    numbers = person_numbers({entry.person_id for entry in entries})
    roles = roles_in_organisations({entry.user_id for entry in entries})
    return [
        Row(
            at=entry.created_at,
            source=ACCESS_LOG_SOURCE,
            key=entry.pk,
            user=entry.user,
            capacities=[Capacity(entry.organisation.short_name, roles.get((entry.user_id, entry.organisation_id), []))]
            if entry.organisation
            else [],
            what=_what(described, (entry.object_type, entry.object_id)),
            action=choice_label(entry, "action"),
            purpose=entry.purpose,
            is_change=False,
            person="" if entry.person_id is None else numbers.get(entry.person_id, _("purged")),
            ip_address=entry.ip_address or "",
        )
        for entry in entries
    ]


def _what(described: dict, ref: tuple[str, str]) -> str:
    return described.get(ref, "") if ref[0] else ""


# A person's trail.


def person_trail_page(
    person_id: int,
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str = "",
    cursor: Cursor | None = None,
    backwards: bool = False,
    size: int = keyset.PAGE_SIZE,
) -> KeysetPage:
    """One page of the person's trail: who saw and who changed their records, newest first."""
    values = _trail_values(person_id, since, until, kind, cursor, backwards, size)
    if backwards and len(values) <= size:
        cursor, backwards = None, False
        values = _trail_values(person_id, since, until, kind, None, False, size)
    page = keyset.page_of(
        values, position=lambda value: Cursor(*value[:3]), cursor=cursor, backwards=backwards, size=size
    )
    page.rows = _trail_rows(page.rows)
    return page


def person_trail(person_id: int, *, since: date | None = None, until: date | None = None, kind: str = ""):
    """The whole trail, newest first, in pages read by key: for the CSV export."""
    cursor = None
    while True:
        values = _trail_values(person_id, since, until, kind, cursor, False, EXPORT_BATCH)
        yield from _trail_rows(values)
        if not values:
            return
        cursor = Cursor(*values[-1][:3])


def _trail_values(person_id, since, until, kind, cursor, backwards, size) -> list[tuple]:
    within = period(since, until, "trail_at")
    order = ("trail_at", "trail_source", "trail_key")
    order = order if backwards else tuple(f"-{name}" for name in order)
    branches = []
    for number, queryset in _sources(person_id, kind):
        queryset = queryset.filter(**within)
        if cursor is not None:
            queryset = keyset.beyond(
                queryset, time="trail_at", key="trail_key", source=number, cursor=cursor, backwards=backwards
            )
        branches.append(queryset.values_list(*COLUMNS))
    if len(branches) == 1:
        return list(branches[0].order_by(*order)[: size + 1])
    if connection.features.supports_slicing_ordering_in_compound:
        # Each table gives at most a page, read from its (person, time) index; the union sorts
        # only those (PostgreSQL; SQLite allows no LIMIT inside a UNION).
        branches = [branch.order_by(*order)[: size + 1] for branch in branches]
    else:
        branches = [branch.order_by() for branch in branches]
    return list(branches[0].union(*branches[1:], all=True).order_by(*order)[: size + 1])


def _sources(person_id: int, kind: str):
    """(source number, queryset annotated with COLUMNS) for each table of the trail, of one person."""
    for number, lookup, queryset in _annotated_sources(kind if kind in (VIEWS, CHANGES) else ""):
        yield number, queryset.filter(**{lookup: person_id})


@cache
def _annotated_sources(kind: str) -> tuple[tuple[int, str, QuerySet], ...]:
    """(source number, lookup of the person's id, queryset annotated with COLUMNS) for each table of
    the trail: built once per process and never evaluated, as building a dozen annotated querysets
    took a third of the trail page (bench/README.md, eighth pass); each page filters a copy."""
    sources = []
    if kind != CHANGES:
        sources.append(
            (
                ACCESS_LOG_SOURCE,
                "person_id",
                AccessLog.objects.annotate(
                    trail_at=F("created_at"),
                    trail_source=Value(ACCESS_LOG_SOURCE, IntegerField()),
                    trail_key=F("id"),
                    trail_user=F("user_id"),
                    trail_organisation=F("organisation_id"),
                    trail_kind=F("object_type"),
                    trail_ref=F("object_id"),
                    trail_done=F("action"),
                    trail_why=F("purpose"),
                ),
            )
        )
    if kind == VIEWS:
        return tuple(sources)
    sources.append(
        (
            CASE_EVENT_SOURCE,
            "person_id",
            CaseEvent.objects.annotate(
                trail_at=F("occurred_at"),
                trail_source=Value(CASE_EVENT_SOURCE, IntegerField()),
                trail_key=F("id"),
                trail_user=F("actor_id"),
                trail_organisation=Value(None, IntegerField()),
                trail_kind=F("record_type"),
                trail_ref=F("record_id"),
                trail_done=F("code"),
                trail_why=Value("", CharField()),
            ),
        )
    )
    for number, history in enumerate(records.person_histories(), start=CASE_EVENT_SOURCE + 1):
        label = history.model._meta.label_lower
        record_id = Cast("id", CharField())
        same_event = CaseEvent.objects.filter(
            record_type=label, record_id=OuterRef("trail_ref"), code=OuterRef("trail_done")
        )
        sources.append(
            (
                number,
                history.lookup,
                history.history_model.objects.annotate(
                    trail_at=F("history_date"),
                    trail_source=Value(number, IntegerField()),
                    trail_key=F("history_id"),
                    trail_user=F("history_user_id"),
                    trail_organisation=Value(None, IntegerField()),
                    trail_kind=Value(label, CharField()),
                    trail_ref=record_id,
                    trail_done=Coalesce("history_change_reason", Value("", CharField())),
                    trail_why=Value("", CharField()),
                ).filter(~Exists(same_event)),
            )
        )
    return tuple(sources)


def _trail_rows(values: list[tuple]) -> list[Row]:
    """Rows people read from the trail's values, with one query per kind of name."""
    if not values:
        return []
    user_ids = {value[3] for value in values if value[3] is not None}
    users = get_user_model().objects.in_bulk(user_ids)
    roles = roles_in_organisations(user_ids)
    organisation_ids = {value[4] for value in values if value[4] is not None} | {org for _user, org in roles}
    organisations = Organisation.objects.in_bulk(organisation_ids)
    described = records.describe((value[5], value[6]) for value in values if value[5])
    actions = choice_labels(AccessLog, "action")
    rows = []
    for at, source, key, who, organisation_id, record_type, record_id, done, why in values:
        is_change = source != ACCESS_LOG_SOURCE
        if organisation_id is not None:
            held = [organisation_id]
        else:
            held = sorted((org for user, org in roles if user == who), key=lambda org: organisations[org].name)
        rows.append(
            Row(
                at=at,
                source=source,
                key=key,
                user=users.get(who),
                capacities=[
                    Capacity(organisations[org].short_name, roles.get((who, org), []))
                    for org in held
                    if org in organisations
                ],
                what=_what(described, (record_type, record_id)),
                action=(events.label(done) or _("Changed")) if is_change else actions.get(done, done),
                purpose=why,
                is_change=is_change,
            )
        )
    return rows
