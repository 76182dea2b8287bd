"""How the app writes a date, one style per kind of place (docs/architecture.md#front-end).

ISO 8601 (2026-12-13, SS-ISO 8601; Django's Swedish SHORT_DATE_FORMAT and SHORT_DATETIME_FORMAT) in
tables, lists, forms and record stamps. The long form with the weekday and the year (söndag
13 december 2026) where a date stands alone in a heading or a sentence: a meeting's title, its day,
a deadline. Never a day and month without the year.
"""

from datetime import date, datetime

from django.utils import formats, timezone

LONG_DATE_FORMAT = "l j F Y"
LONG_DATETIME_FORMAT = "l j F Y, H:i"


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def long_date(value: date | datetime | None) -> str:
    """söndag 13 december 2026, in the active language; empty for no date."""
    return formats.date_format(_local(value), LONG_DATE_FORMAT) if value else ""


def long_datetime(value: datetime | None) -> str:
    """söndag 13 december 2026, 18:00, in local time; empty for no time."""
    return formats.date_format(_local(value), LONG_DATETIME_FORMAT) if value else ""
