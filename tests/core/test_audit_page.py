"""The auditor's page /atkomstlogg/: the access log, newest first, filtered and paged.

Looking at the log is itself logged. Only the auditor may open it.
"""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sehoglandet.models import AccessLog, Organisation
from tests.helpers import PERSONAS, outcomes_by_persona, status_and_changed_tables

PAGE = "/atkomstlogg/"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
PAGE_SIZE = 50


def at(year, month, day, hour=12, minute=0) -> datetime:
    """A moment in Swedish time, as an auditor would name it."""
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def make_entry(people):
    """Write an access-log row as if it had happened at `when` (the log stamps rows itself)."""

    def make(
        username="coach.nassjo",
        when=None,
        *,
        action=AccessLog.Action.VIEW,
        person_id=None,
        purpose="Uppföljning",
    ):
        when = when or at(2026, 1, 15)
        user = people[username]
        with mock.patch("django.utils.timezone.now", return_value=when):
            return AccessLog.objects.create(
                user=user,
                organisation=Organisation.objects.filter(memberships__user=user).first(),
                object_type="participants.participant",
                object_id=str(person_id or ""),
                person_id=person_id,
                action=action,
                purpose=purpose,
            )

    return make


def shown(response) -> list[AccessLog]:
    return list(response.context["page"].object_list)


def shown_ids(response) -> list[int]:
    return [entry.pk for entry in shown(response)]


# --- Listing ---------------------------------------------------------------------------------------


def test_the_auditor_sees_the_log_newest_first(client_for, make_entry):
    middle = make_entry(when=at(2026, 1, 20), purpose="Mellersta besöket")
    oldest = make_entry(when=at(2026, 1, 10), purpose="Första besöket")
    newest = make_entry(when=at(2026, 2, 5), purpose="Senaste besöket")

    response = client_for("auditor").get(PAGE, {"user": "coach.nassjo"})

    assert response.status_code == 200
    assert shown_ids(response) == [newest.pk, middle.pk, oldest.pk]
    html = response.content.decode()
    assert html.index("Senaste besöket") < html.index("Mellersta besöket") < html.index("Första besöket")


def test_rows_written_in_the_same_moment_are_shown_latest_written_first(client_for, make_entry):
    first = make_entry(when=at(2026, 1, 20))
    second = make_entry(when=at(2026, 1, 20))

    response = client_for("auditor").get(PAGE, {"user": "coach.nassjo"})

    assert shown_ids(response) == [second.pk, first.pk]


def test_no_row_is_hidden_by_the_visit_being_logged_while_the_page_is_read(client_for, make_entry):
    rows = [make_entry(when=at(2026, 1, 10 + i)) for i in range(5)]

    response = client_for("auditor").get(PAGE)

    page = response.context["page"]
    assert {row.pk for row in rows} <= set(shown_ids(response)), "the oldest row is missing from the only page"
    assert len(shown(response)) == page.paginator.count


def test_the_page_shows_who_which_organisation_what_whose_why_and_when(client_for, make_entry):
    make_entry(when=at(2026, 1, 20, 9, 41), person_id=4711, purpose="Inför trepartsmöte")

    response = client_for("auditor").get(PAGE, {"person": "4711"})

    html = response.content.decode()
    for text in ["coach.nassjo", "Inför trepartsmöte", "4711", "participants.participant", "09:41"]:
        assert text in html
    assert Organisation.objects.get(code="nassjo-se").short_name in html


def test_the_page_can_be_filtered_by_user_name(client_for, make_entry):
    mine = make_entry("fk.nassjo")
    make_entry("coach.nassjo")
    make_entry("coach.eksjo")

    response = client_for("auditor").get(PAGE, {"user": "fk.nassjo"})

    assert shown_ids(response) == [mine.pk]


def test_the_user_name_filter_ignores_case(client_for, make_entry):
    mine = make_entry("fk.nassjo")
    make_entry("coach.nassjo")

    response = client_for("auditor").get(PAGE, {"user": "FK.Nassjo"})

    assert shown_ids(response) == [mine.pk]


def test_the_page_can_be_filtered_by_person_id(client_for, make_entry):
    about_4711 = [make_entry("coach.nassjo", person_id=4711), make_entry("fk.nassjo", person_id=4711)]
    make_entry("coach.nassjo", person_id=4712)
    make_entry("coach.nassjo")

    response = client_for("auditor").get(PAGE, {"person": "4711"})

    assert sorted(shown_ids(response)) == sorted(entry.pk for entry in about_4711)


def test_the_page_can_be_filtered_by_from_and_to_date_inclusive(client_for, make_entry):
    make_entry(when=at(2026, 1, 9, 23, 59))
    in_range = [
        make_entry(when=at(2026, 1, 10, 0, 1)),
        make_entry(when=at(2026, 1, 20)),
        make_entry(when=at(2026, 1, 31, 23, 30)),
    ]
    make_entry(when=at(2026, 2, 1, 0, 30))

    response = client_for("auditor").get(PAGE, {"date_from": "2026-01-10", "date_to": "2026-01-31"})

    assert sorted(shown_ids(response)) == sorted(entry.pk for entry in in_range)


def test_dates_are_swedish_dates_not_utc_dates(client_for, make_entry):
    # 00:30 on 1 February in Stockholm is still 31 January in UTC.
    just_after_midnight = make_entry(when=at(2026, 2, 1, 0, 30))

    on_the_first = client_for("auditor").get(PAGE, {"date_from": "2026-02-01", "date_to": "2026-02-01"})
    on_the_31st = client_for("auditor").get(PAGE, {"date_from": "2026-01-31", "date_to": "2026-01-31"})

    assert shown_ids(on_the_first) == [just_after_midnight.pk]
    assert shown_ids(on_the_31st) == []


def test_the_page_can_be_filtered_by_action(client_for, make_entry):
    export = make_entry(action=AccessLog.Action.EXPORT)
    make_entry(action=AccessLog.Action.VIEW)
    make_entry(action=AccessLog.Action.PRINT)

    response = client_for("auditor").get(PAGE, {"action": "export"})

    assert shown_ids(response) == [export.pk]


def test_filters_combine(client_for, make_entry):
    wanted = make_entry("fk.nassjo", when=at(2026, 1, 20), action=AccessLog.Action.EXPORT, person_id=4711)
    make_entry("fk.nassjo", when=at(2026, 1, 20), action=AccessLog.Action.VIEW, person_id=4711)
    make_entry("fk.nassjo", when=at(2026, 3, 20), action=AccessLog.Action.EXPORT, person_id=4711)
    make_entry("coach.nassjo", when=at(2026, 1, 20), action=AccessLog.Action.EXPORT, person_id=4711)

    response = client_for("auditor").get(
        PAGE,
        {"user": "fk.nassjo", "person": "4711", "action": "export", "date_from": "2026-01-01", "date_to": "2026-01-31"},
    )

    assert shown_ids(response) == [wanted.pk]


# --- Looking is logged -----------------------------------------------------------------------------


def test_each_visit_appends_exactly_one_list_row_for_the_auditor(client_for, people, make_entry):
    make_entry()
    auditor = client_for("auditor")
    before = set(AccessLog.objects.values_list("pk", flat=True))

    auditor.get(PAGE)
    auditor.get(PAGE, {"user": "coach.nassjo"})

    new = list(AccessLog.objects.exclude(pk__in=before).order_by("pk"))
    assert len(new) == 2
    for row in new:
        assert row.user == people["auditor"]
        assert row.action == AccessLog.Action.LIST
        assert row.object_type == "sehoglandet.accesslog"
        assert row.organisation == Organisation.objects.get(code="forbundet")
        assert row.purpose
        assert row.ip_address == "127.0.0.1"


def test_a_visit_with_bad_filters_is_logged_too(client_for, people):
    before = AccessLog.objects.count()

    client_for("auditor").get(PAGE, {"person": "abc"})

    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.first().user == people["auditor"]


# --- Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "Till-datum kan inte vara före från-datum."),
        ({"date_from": "31-02-2026"}, "Fyll i ett giltigt datum."),
        ({"date_to": "2026-02-31"}, "Fyll i ett giltigt datum."),
        ({"person": "abc"}, "Fyll i ett tal."),
    ],
    ids=["to date before from date", "day-month-year date", "no such day", "person id that is not a number"],
)
def test_bad_filters_give_a_swedish_message_and_no_rows(client_for, make_entry, query, message):
    make_entry(when=at(2026, 3, 5), person_id=4711)

    response = client_for("auditor").get(PAGE, query)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert shown(response) == []
    assert response.context["page"].paginator.count == 0


# --- Paging ----------------------------------------------------------------------------------------


def test_the_log_is_paged_fifty_rows_at_a_time(client_for, make_entry):
    rows = [make_entry(when=at(2026, 1, 1 + i % 28, 8 + i % 10, i % 60)) for i in range(2 * PAGE_SIZE + 20)]
    auditor = client_for("auditor")

    pages = [auditor.get(PAGE, {"user": "coach.nassjo", "page": number}) for number in (1, 2, 3)]

    assert [len(shown(page)) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    seen = [pk for page in pages for pk in shown_ids(page)]
    assert sorted(seen) == sorted(row.pk for row in rows)
    assert pages[0].context["page"].paginator.num_pages == 3


def test_the_page_links_keep_the_filters(client_for, make_entry):
    for i in range(PAGE_SIZE + 1):
        make_entry(when=at(2026, 1, 1, 8, i % 60))

    response = client_for("auditor").get(PAGE, {"user": "coach.nassjo"})

    assert "?user=coach.nassjo&amp;page=2" in response.content.decode()


def test_an_unknown_page_number_shows_the_last_page(client_for, make_entry):
    for i in range(PAGE_SIZE + 3):
        make_entry(when=at(2026, 1, 1, 8, i % 60))

    response = client_for("auditor").get(PAGE, {"user": "coach.nassjo", "page": "99"})

    assert response.status_code == 200
    assert len(shown(response)) == 3


def test_the_number_of_queries_does_not_grow_with_the_log(client_for, make_entry, django_assert_num_queries):
    for i in range(5):
        make_entry(when=at(2026, 1, 1 + i))
    auditor = client_for("auditor")
    auditor.get(PAGE)  # the first request after signing in settles the session

    with CaptureQueriesContext(connection) as small_log:
        assert auditor.get(PAGE).status_code == 200

    for i in range(115):
        make_entry(when=at(2026, 2, 1 + i % 28), person_id=1000 + i)
    with django_assert_num_queries(len(small_log)):
        response = auditor.get(PAGE)
    assert len(shown(response)) == PAGE_SIZE


# --- Who may look ----------------------------------------------------------------------------------

NOT_AUDITORS = [username for username in PERSONAS if username != "auditor"]


def test_only_the_auditor_may_open_the_access_log(client_for):
    outcomes = outcomes_by_persona(client_for, NOT_AUDITORS, status_and_changed_tables(lambda client: client.get(PAGE)))

    assert outcomes == dict.fromkeys(NOT_AUDITORS, (403, []))


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")
