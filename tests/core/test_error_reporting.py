"""Error reports to Sentry: off without a DSN, and never a body, a query, a user name or a personnummer."""

import json

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from sehoglandet import error_reporting

# Sentry's Django integration stays set up in the process once a test has started it.
pytestmark = pytest.mark.late

SECRETS = ["19900101-1234", "199001011234", "anna.svensson@example.se", "070-123 45 67", "coach.nassjo"]


class Captured(Transport):
    """Keeps the events Sentry would send, as the JSON that would leave the machine."""

    def __init__(self, options=None):
        super().__init__(options)
        self.sent: list[str] = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.sent.append(json.dumps(event, default=str))


@pytest.fixture
def sentry():
    transport = Captured()
    error_reporting.init("https://key@sentry.example.invalid/1", environment="test", release="", transport=transport)
    yield transport
    sentry_sdk.init()


def test_without_a_dsn_nothing_is_reported(settings):
    assert settings.SENTRY_DSN == ""
    assert sentry_sdk.get_client().dsn is None


def test_a_crash_on_a_page_is_reported_without_anything_that_names_a_person_or_a_user(sentry, client_for, monkeypatch):
    def crash(user):
        raise ValueError("Anna Svensson 19900101-1234 anna.svensson@example.se 070-123 45 67 199001011234")

    monkeypatch.setattr("sehoglandet.selectors.referral_groups_visible_to", crash)
    client = client_for("coach.nassjo")

    with pytest.raises(ValueError):
        client.get("/remittentgrupper/?sok=19900101-1234", HTTP_USER_AGENT="coach.nassjo's phone")
    sentry_sdk.flush()

    assert len(sentry.sent) == 1
    report = sentry.sent[0]
    assert "ValueError" in report
    assert json.loads(report)["transaction"] == "sehoglandet.views.referral_group_list"
    for secret in SECRETS:
        assert secret not in report
    event = json.loads(report)
    assert set(event.get("request", {})) <= {"method", "url"}
    assert "user" not in event
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)


def test_a_logged_error_keeps_its_words_but_not_the_numbers_in_it(sentry):
    import logging

    logging.getLogger("sehoglandet.test").error("Import failed for 199001011234 at row 3")
    sentry_sdk.flush()

    event = json.loads(sentry.sent[0])
    assert event["logentry"]["message"] == "Import failed for [scrubbed] at row 3"


def test_the_scrubber_blanks_numbers_addresses_and_drops_the_request_body():
    event = {
        "request": {"method": "POST", "url": "https://se.example.se/deltagare/", "data": {"name": "Anna"}},
        "user": {"username": "coach.nassjo"},
        "exception": {"values": [{"value": "Key (identity_number)=(199001011234) already exists."}]},
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT 1", "data": {"params": ["Anna"]}}]},
    }

    scrubbed = error_reporting.scrub_event(event)

    assert scrubbed["request"] == {"method": "POST", "url": "https://se.example.se/deltagare/"}
    assert "user" not in scrubbed
    assert scrubbed["exception"]["values"][0]["value"] == "Key (identity_number)=([scrubbed]) already exists."
    assert scrubbed["breadcrumbs"]["values"][0] == {"category": "query", "message": "SELECT 1"}
