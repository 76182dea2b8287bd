from datetime import timedelta

from django import template

from sehoglandet import choices, dates, events

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, for messages such as the lockout page."""
    if not value:
        return 0
    return int(value.total_seconds() // 60)


@register.filter
def event_label(code: str | None) -> str:
    """A case event code, or a history change reason, in the reader's language (sehoglandet.events)."""
    return events.label(code)


@register.filter(expects_localtime=True)
def long_date(value) -> str:
    """A date standing alone in a heading or sentence: söndag 13 december 2026 (sehoglandet.dates)."""
    return dates.long_date(value)


@register.filter(expects_localtime=True)
def long_datetime(value) -> str:
    """A time standing alone in a heading or sentence: söndag 13 december 2026, 18:00."""
    return dates.long_datetime(value)


@register.filter
def choice(record, field: str):
    """The label of a choice field's value, as get_<field>_display() shows it, from a dictionary
    made once per field: `{{ participant|choice:"exit_reason" }}` (sehoglandet.choices)."""
    return choices.choice_label(record, field)
