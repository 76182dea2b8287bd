"""System checks of our own (`manage.py check --deploy`), registered from CoreConfig.ready()."""

from django.conf import settings
from django.core.checks import Error, Tags, register

DEMO_SKIP_ID = "sehoglandet.E001"


@register(Tags.security, deploy=True)
def demo_logins_skip_second_factor(app_configs, **kwargs) -> list[Error]:
    """DEMO_LOGINS_SKIP_SECOND_FACTOR lets the demo users past the second factor, and the demo users
    have a published password: an install that people rely on must never have it on. Settings
    already refuse it without DEBUG; this catches an install about to go live with both on."""
    if not getattr(settings, "DEMO_LOGINS_SKIP_SECOND_FACTOR", False):
        return []
    return [
        Error(
            "DEMO_LOGINS_SKIP_SECOND_FACTOR is on: the demo users may sign in without a second factor.",
            hint="Unset DEMO_LOGINS_SKIP_SECOND_FACTOR (or set it to false). It is for trying the demo locally only.",
            id=DEMO_SKIP_ID,
        )
    ]
