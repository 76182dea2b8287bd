"""The auditor's page /atkomstlogg/: the access log, newest first, filtered and paged by key.

Looking at the log is itself logged. Only the auditor may open it. The page never counts the log
(no COUNT(*)): it says how many rows it shows and links to the next and previous pages by cursor.
"""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sehoglandet.models import AccessLog, Organisation
from tests.factories import make_person
from tests.helpers import PERSONAS, body, messages_of, outcomes_by_persona, shows, status_and_changed_tables

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
        object_type="participants.participant",
        object_id="",
    ):
        when = when or at(2026, 1, 15)
        user = people[username]
        with mock.patch("django.utils.timezone.now", return_value=when):
            return AccessLog.objects.create(
                user=user,
                organisation=Organisation.objects.filter(memberships__user=user).first(),
                object_type=object_type,
                object_id=object_id,
                person_id=person_id,
                action=action,
                purpose=purpose,
            )

    return make


@pytest.fixture
def person(people):
    return make_person(people["referrer.af"], first_name="Greta", last_name="Granskad")


def shown(response) -> list:
    page = response.context["page"]
    return page.rows if page is not None else []


def shown_ids(response) -> list[int]:
    return [row.key for row in shown(response)]


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

    assert {row.pk for row in rows} <= set(shown_ids(response)), "the oldest row is missing from the only page"
    assert response.context["page"].next is None


def test_the_page_shows_who_which_organisation_what_whose_why_and_when(client_for, make_entry, person):
    make_entry(when=at(2026, 1, 20, 9, 41), person_id=person.pk, purpose="Inför trepartsmöte")

    response = client_for("auditor").get(PAGE, {"person": person.identity_display})

    html = body(response)
    for text in ["Maja Lindqvist", "coach.nassjo", "Inför trepartsmöte", person.identity_display, "09:41"]:
        assert text in html
    assert f"<td>{Organisation.objects.get(code='nassjo-se').short_name}</td>" in html
    assert "<td>Maja Lindqvist (coach.nassjo)</td>" in html
    assert "<td>SE-coach</td>" in html


def test_records_are_named_as_people_name_them_never_by_their_code(client_for, make_entry, person):
    make_entry(object_type="participants.participant", person_id=person.pk)

    html = body(client_for("auditor").get(PAGE))

    assert "participants.participant" not in html
    assert shows(html, ("Deltagarlista", "Participant list"))


def test_the_page_shows_the_role_the_user_held(client_for, make_entry):
    make_entry("fk.nassjo")

    html = body(client_for("auditor").get(PAGE, {"user": "fk.nassjo"}))

    assert "Ledamot i remittentgrupp" in html


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


@pytest.mark.parametrize("form", ["12 digits with dash", "12 digits", "10 digits with dash", "10 digits"])
def test_the_page_can_be_filtered_by_personnummer_in_any_common_form(client_for, people, make_entry, person, form):
    other = make_person(people["referrer.af"])
    about = [make_entry("coach.nassjo", person_id=person.pk), make_entry("fk.nassjo", person_id=person.pk)]
    make_entry("coach.nassjo", person_id=other.pk)
    make_entry("coach.nassjo")
    digits = person.identity_number
    typed = {
        "12 digits with dash": f"{digits[:8]}-{digits[8:]}",
        "12 digits": digits,
        "10 digits with dash": f"{digits[2:8]}-{digits[8:]}",
        "10 digits": digits[2:],
    }[form]

    response = client_for("auditor").get(PAGE, {"person": typed})

    assert sorted(shown_ids(response)) == sorted(entry.pk for entry in about)


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


def test_filters_combine(client_for, make_entry, person):
    wanted = make_entry("fk.nassjo", when=at(2026, 1, 20), action=AccessLog.Action.EXPORT, person_id=person.pk)
    make_entry("fk.nassjo", when=at(2026, 1, 20), action=AccessLog.Action.VIEW, person_id=person.pk)
    make_entry("fk.nassjo", when=at(2026, 3, 20), action=AccessLog.Action.EXPORT, person_id=person.pk)
    make_entry("coach.nassjo", when=at(2026, 1, 20), action=AccessLog.Action.EXPORT, person_id=person.pk)
    make_entry("fk.nassjo", when=at(2026, 1, 20), action=AccessLog.Action.EXPORT, person_id=person.pk + 1)

    response = client_for("auditor").get(
        PAGE,
        {
            "user": "fk.nassjo",
            "person": person.identity_display,
            "action": "export",
            "date_from": "2026-01-01",
            "date_to": "2026-01-31",
        },
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
        ({"person": "abc"}, "Skriv numret som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN (10 eller 12 siffror)."),
        ({"person": "19121212-1213"}, "Kontrollsiffran stämmer inte"),
        (
            {"person": "19121212-1212"},
            ("Ingen person med det numret är känd", "No person with this number is known to the service."),
        ),
    ],
    ids=[
        "to date before from date",
        "day-month-year date",
        "no such day",
        "not a number",
        "wrong check digit",
        "a number nobody has",
    ],
)
def test_bad_filters_give_a_swedish_message_and_no_rows(client_for, make_entry, person, query, message):
    make_entry(when=at(2026, 3, 5), person_id=person.pk)

    response = client_for("auditor").get(PAGE, query)

    assert response.status_code == 200
    assert shows(body(response), message)
    assert shown(response) == []


@pytest.mark.parametrize(
    "cursor",
    ["abc", "1.2", "-5.0.3", "999999999999999999.0.1", "1" * 40 + ".0.1", "1767225600000000.0.1'; --"],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_bad_cursor_gives_a_clear_message_and_no_rows_never_an_error(client_for, make_entry, cursor, direction):
    make_entry()

    response = client_for("auditor").get(PAGE, {direction: cursor})

    assert response.status_code == 200
    assert any(
        shows(text, ("Länken till sidan är inte giltig", "The link to this page is not valid"))
        for text in messages_of(response)
    )
    assert shown(response) == []


# --- Paging by key ---------------------------------------------------------------------------------


def follow(client, response, direction: str) -> object:
    """The page behind the response's "Nästa" (or "Föregående") link, as the browser would open it."""
    page = response.context["page"]
    cursor = page.next if direction == "after" else page.previous
    assert cursor is not None, f"no {direction} link"
    query = response.context["query"]
    return client.get(f"{PAGE}?{query}&{direction}={cursor}" if query else f"{PAGE}?{direction}={cursor}")


def test_the_log_is_paged_fifty_rows_at_a_time_and_no_row_is_lost_or_repeated(client_for, make_entry):
    # Many rows share a moment: the id orders them, so none falls between two pages.
    rows = [make_entry(when=at(2026, 1, 1 + i % 5, 8)) for i in range(2 * PAGE_SIZE + 20)]
    auditor = client_for("auditor")

    first = auditor.get(PAGE, {"user": "coach.nassjo"})
    second = follow(auditor, first, "after")
    third = follow(auditor, second, "after")

    assert [len(shown(page)) for page in (first, second, third)] == [PAGE_SIZE, PAGE_SIZE, 20]
    seen = [key for page in (first, second, third) for key in shown_ids(page)]
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(row.pk for row in rows)
    ordered = sorted(rows, key=lambda row: (row.created_at, row.pk), reverse=True)
    assert seen == [row.pk for row in ordered]
    assert third.context["page"].next is None
    assert first.context["page"].previous is None


def test_previous_goes_back_to_the_same_rows(client_for, make_entry):
    for i in range(2 * PAGE_SIZE + 5):
        make_entry(when=at(2026, 1, 1 + i % 20, 8, i % 60))
    auditor = client_for("auditor")

    first = auditor.get(PAGE, {"user": "coach.nassjo"})
    second = follow(auditor, first, "after")
    third = follow(auditor, second, "after")
    back_to_second = follow(auditor, third, "before")
    back_to_first = follow(auditor, back_to_second, "before")

    assert shown_ids(back_to_second) == shown_ids(second)
    assert shown_ids(back_to_first) == shown_ids(first)
    assert back_to_first.context["page"].previous is None


def test_the_page_says_how_many_rows_it_shows_and_never_counts_the_log(client_for, make_entry):
    for i in range(PAGE_SIZE + 1):
        make_entry(when=at(2026, 1, 1, 8, i % 60))

    with CaptureQueriesContext(connection) as queries:
        response = client_for("auditor").get(PAGE, {"user": "coach.nassjo"})

    assert shows(body(response), ("Visar 50 poster", "Showing 50 entries"))
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    assert " OFFSET " not in " ".join(query["sql"].upper() for query in queries)


def test_the_page_links_keep_the_filters(client_for, make_entry):
    for i in range(PAGE_SIZE + 1):
        make_entry(when=at(2026, 1, 1, 8, i % 60))

    response = client_for("auditor").get(PAGE, {"user": "coach.nassjo"})

    assert f"?user=coach.nassjo&amp;after={response.context['page'].next}" in body(response)
    assert "Nästa" in body(response)


def test_the_number_of_queries_does_not_grow_with_the_log(client_for, people, make_entry, django_assert_num_queries):
    def log_of_every_kind(count: int):
        for i in range(count):
            make_entry(when=at(2026, 1, 1 + i % 28), person_id=make_person(people["referrer.af"]).pk)
            make_entry("fk.nassjo", when=at(2026, 1, 1 + i % 28), object_type="sehoglandet.person", object_id="1")

    log_of_every_kind(3)
    auditor = client_for("auditor")
    auditor.get(PAGE)  # the first request after signing in settles the session

    with CaptureQueriesContext(connection) as small_log:
        assert auditor.get(PAGE).status_code == 200

    log_of_every_kind(60)
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
