"""Pages by key, not by OFFSET: a page starts after (or ends before) the last row the user saw.

The auditor's pages list rows newest first by (time, source, key): `source` tells apart the tables
a list merges (the access log, the case events, each history table), `key` is the row's id in its
table. A cursor names one such position, in the query string as `<microseconds>.<source>.<key>`.
A page never counts the rows (no COUNT(*)), and its query reads only the rows of the page from the
index however deep it is (bench/README.md).

Each condition keeps a plain `time <= t` (or `>=`) beside the exact one, so PostgreSQL scans the
(time, id) index from the cursor instead of filtering every newer row.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PATTERN = re.compile(r"^(\d{1,18})\.(\d{1,3})\.(\d{1,18})$", re.ASCII)
PAGE_SIZE = 50


class BadCursor(ValueError):
    """A cursor that no page of ours wrote."""


@dataclass(frozen=True)
class Cursor:
    at: datetime
    source: int
    key: int

    def __str__(self) -> str:
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}.{self.source}.{self.key}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        match = _PATTERN.match(text or "")
        if not match:
            raise BadCursor(text)
        micros, source, key = (int(part) for part in match.groups())
        try:
            at = _EPOCH + timedelta(microseconds=micros)
        except OverflowError:
            raise BadCursor(text) from None
        return cls(at=at, source=source, key=key)


def beyond(queryset: QuerySet, *, time: str, key: str, source: int, cursor: Cursor, backwards: bool) -> QuerySet:
    """The rows of `queryset` (all from `source`) after `cursor` in newest-first order, or before it
    when `backwards`."""
    if not backwards:
        if source < cursor.source:
            return queryset.filter(**{f"{time}__lte": cursor.at})
        if source > cursor.source:
            return queryset.filter(**{f"{time}__lt": cursor.at})
        return queryset.filter(**{f"{time}__lte": cursor.at}).filter(
            Q(**{f"{time}__lt": cursor.at}) | Q(**{f"{key}__lt": cursor.key})
        )
    if source > cursor.source:
        return queryset.filter(**{f"{time}__gte": cursor.at})
    if source < cursor.source:
        return queryset.filter(**{f"{time}__gt": cursor.at})
    return queryset.filter(**{f"{time}__gte": cursor.at}).filter(
        Q(**{f"{time}__gt": cursor.at}) | Q(**{f"{key}__gt": cursor.key})
    )


@dataclass
class KeysetPage:
    """One page of rows, newest first, with the cursors of the pages before and after it (None at
    either end)."""

    rows: list
    previous: Cursor | None
    next: Cursor | None


def page_of(rows: list, *, position, cursor: Cursor | None, backwards: bool, size: int = PAGE_SIZE) -> KeysetPage:
    """Cut `rows` (up to size + 1 read from the query, newest first, or oldest first when
    `backwards`) to a page. `position(row)` is the row's Cursor."""
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_previous = more if backwards else cursor is not None
    has_next = True if backwards else more
    return KeysetPage(
        rows=rows,
        previous=position(rows[0]) if rows and has_previous else None,
        next=position(rows[-1]) if rows and has_next else None,
    )
