"""Error reporting to Sentry, off unless SENTRY_DSN is set, with personal data scrubbed.

An error report leaves our database for someone else's service, so it carries only what finds the
bug: the exception, its stack (without local variables), the page's path and method, and the
release. Never a request body, query string, cookie, header or user name; and a personnummer, an
e-mail address or a phone number in an exception's text or a log line is blanked out
(docs/operations.md#error-reporting).
"""

import re
from typing import Any

# A personnummer or samordningsnummer in any common form (12 or 10 digits, with or without - or +),
# e-mail addresses, and phone numbers of 7 digits or more with spaces or dashes.
PATTERNS = [
    re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"(?<!\w)\+?\d[\d -]{6,}\d(?!\w)"),
]
BLANK = "[scrubbed]"
KEPT_REQUEST_KEYS = {"method", "url"}


def scrub_text(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    for pattern in PATTERNS:
        text = pattern.sub(BLANK, text)
    return text


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Keep what finds the bug; drop or blank everything that could name a person or a user."""
    request = event.get("request")
    if request is not None:
        event["request"] = {key: value for key, value in request.items() if key in KEPT_REQUEST_KEYS}
    for key in ("user", "extra", "server_name"):
        event.pop(key, None)
    event.get("contexts", {}).pop("trace", None)
    for exception in event.get("exception", {}).get("values", []):
        exception["value"] = scrub_text(exception.get("value"))
        for frame in exception.get("stacktrace", {}).get("frames", []):
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if logentry is not None:
        logentry["message"] = scrub_text(logentry.get("message"))
        logentry.pop("params", None)
        logentry.pop("formatted", None)
    event["message"] = scrub_text(event.get("message"))
    breadcrumbs = event.get("breadcrumbs", {})
    values = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs
    for breadcrumb in values:
        scrub_breadcrumb(breadcrumb)
    return event


def scrub_breadcrumb(breadcrumb: dict, hint: dict | None = None) -> dict:
    """SQL and log breadcrumbs keep their category and text without parameters or data."""
    breadcrumb.pop("data", None)
    breadcrumb["message"] = scrub_text(breadcrumb.get("message"))
    return breadcrumb


def init(dsn: str, *, environment: str, release: str, transport=None) -> None:
    """Start reporting to `dsn`; `transport` is for tests."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    options = {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "integrations": [DjangoIntegration(transaction_style="function_name")],
        # send_default_pii stays at its default, off: no user, no cookies, no client address.
        "max_request_body_size": "never",
        "include_local_variables": False,
        "include_source_context": False,
        "traces_sample_rate": 0,
        "before_send": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
