"""System checks for a production install, run by `manage.py check --deploy` (docs/operations.md)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """E-mails link to SITE_URL: unset or local, every link a coach gets leads nowhere."""
    url = settings.SITE_URL
    parts = urlsplit(url)
    if not url:
        return [
            Error(
                "SITE_URL is not set: links in e-mail would lead nowhere.",
                hint="Set SITE_URL to the address people use, e.g. https://se.hoglandet.se.",
                id="sehoglandet.E001",
            )
        ]
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            Error(
                f"SITE_URL {url!r} is not an address.",
                hint="Write it in full, e.g. https://se.hoglandet.se.",
                id="sehoglandet.E002",
            )
        ]
    if parts.hostname in LOCAL_HOSTS or parts.hostname.endswith(".localhost"):
        return [
            Error(
                f"SITE_URL {url!r} points at this machine: links in e-mail would not reach anyone else.",
                hint="Set SITE_URL to the public address, e.g. https://se.hoglandet.se.",
                id="sehoglandet.E003",
            )
        ]
    if parts.scheme != "https":
        return [
            Warning(
                f"SITE_URL {url!r} is not https: links in e-mail would send people over plain http.",
                hint="Use the https address.",
                id="sehoglandet.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_email_backend(app_configs, **kwargs):
    """Without EMAIL_HOST, mail goes to the console: no coach would get a reminder or a reset link."""
    if settings.EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
        return [
            Warning(
                "E-mail is only printed to the console: reminders, agenda notices and password-reset "
                "links would reach no one.",
                hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to your SMTP server.",
                id="sehoglandet.W002",
            )
        ]
    return []


DEMO_SKIP_ID = "sehoglandet.E004"


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
