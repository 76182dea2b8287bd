from datetime import timedelta

from django import template

from sehoglandet import events

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
