from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, for messages such as the lockout page."""
    if not value:
        return 0
    return int(value.total_seconds() // 60)
