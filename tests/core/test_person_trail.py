"""The auditor's person page /atkomstlogg/person/: who saw and who changed person P, and why.

The auditor finds the person by the number people use (personnummer, samordningsnummer, reserve
identity), never by an internal id: the page takes no object id in its URL, so there is no outsider
to ask (tests/core/test_outsider_walk.py walks only URLs with an id). Views come from the access log,
changes from the case events and the history, each row named as people name records.
"""

import csv
import io
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from stdnum import luhn

from participants.services import add_journal_entry
from sehoglandet.models import AccessLog, Membership, Municipality, Organisation, Person, Role
from sehoglandet.services import find_or_create_person
from tests.factories import decide, hold_meeting_today, make_meeting, make_person, make_ready_referral, put_on_agenda
from tests.helpers import PERSONAS, body, messages_of, outcomes_by_persona, shows, status_and_changed_tables

PAGE = "/atkomstlogg/person/"
CSV = "/atkomstlogg/person/csv/"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
PAGE_SIZE = 50
NOT_AUDITORS = [username for username in PERSONAS if username != "auditor"]
NOBODY_HAS = "19121212-1212"


def at(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def case(people):
    """A demo-like case: AF's referrer wrote and submitted a referral of Greta Granskad, with consent;
    Nässjö's coach held the pre-meeting. Then the coach opened the referral (a view)."""
    person = make_person(people["referrer.af"], first_name="Greta", last_name="Granskad")
    referral = make_ready_referral(people, person=person)
    return referral


@pytest.fixture
def viewed_case(case, client_for):
    assert client_for("coach.nassjo").get(f"/remisser/{case.pk}/").status_code == 200
    return case


def rows(response) -> list:
    page = response.context["page"]
    return page.rows if page is not None else []


def texts(response) -> list[tuple[str, str, str]]:
    return [(row.user.username if row.user else "", row.what, row.action) for row in rows(response)]


def log_as(user, person, when, *, object_type="referrals.referral", object_id="", purpose="Uppföljning"):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return AccessLog.objects.create(
            user=user,
            organisation=Organisation.objects.filter(memberships__user=user).first(),
            object_type=object_type,
            object_id=object_id,
            person_id=person.pk,
            action=AccessLog.Action.VIEW,
            purpose=purpose,
        )


# --- Who may look ----------------------------------------------------------------------------------


def test_only_the_auditor_may_look_up_a_person(client_for, case):
    number = case.person.identity_display

    outcomes = outcomes_by_persona(
        client_for, NOT_AUDITORS, status_and_changed_tables(lambda client: client.get(PAGE, {"person": number}))
    )

    assert outcomes == dict.fromkeys(NOT_AUDITORS, (403, []))


def test_only_the_auditor_may_export_a_persons_trail(client_for, case):
    number = case.person.identity_display

    outcomes = outcomes_by_persona(
        client_for, NOT_AUDITORS, status_and_changed_tables(lambda client: client.get(CSV, {"person": number}))
    )

    assert outcomes == dict.fromkeys(NOT_AUDITORS, (403, []))


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login(client, db):
    for url in (PAGE, CSV):
        response = client.get(url, {"person": NOBODY_HAS})
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/logga-in/")


def test_the_empty_page_asks_for_a_number_and_logs_nothing(client_for):
    before = AccessLog.objects.count()

    response = client_for("auditor").get(PAGE)

    assert response.status_code == 200
    assert 'name="person"' in body(response)
    assert rows(response) == []
    assert AccessLog.objects.count() == before


# --- Finding the person ----------------------------------------------------------------------------


def with_check_digit(nine: str) -> str:
    return nine + luhn.calc_check_digit(nine)


@pytest.fixture
def persons_of_every_kind(people):
    actor = people["referrer.af"]
    details = {"first_name": "Test", "last_name": "Testsson", "gender": "man"}
    plain = make_person(actor, birth=date(1990, 4, 2))
    # Born 1920: ten digits with "+" (aged a hundred or more).
    old, _ = find_or_create_person(actor=actor, identity_number="19" + with_check_digit("200101456"), **details)
    # Samordningsnummer: 9 June 1988, the day plus sixty.
    coordination, _ = find_or_create_person(
        actor=actor, identity_number="19" + with_check_digit("880669123"), **details
    )
    reserve, _ = find_or_create_person(actor=actor, birth_date=date(1979, 1, 2), **details)
    return {"plain": plain, "old": old, "coordination": coordination, "reserve": reserve}


def typed_forms(persons: dict[str, Person]) -> dict[str, tuple[Person, str]]:
    plain, old = persons["plain"].identity_number, persons["old"].identity_number
    coordination, reserve = persons["coordination"].identity_number, persons["reserve"].reserve_identity
    return {
        "12 digits with dash": (persons["plain"], f"{plain[:8]}-{plain[8:]}"),
        "12 digits": (persons["plain"], plain),
        "10 digits with dash": (persons["plain"], f"{plain[2:8]}-{plain[8:]}"),
        "10 digits": (persons["plain"], plain[2:]),
        "10 digits with spaces around": (persons["plain"], f"  {plain[2:8]}-{plain[8:]} "),
        "plus for someone a hundred or older": (persons["old"], f"{old[2:8]}+{old[8:]}"),
        "samordningsnummer, 12 digits": (persons["coordination"], f"{coordination[:8]}-{coordination[8:]}"),
        "samordningsnummer, 10 digits": (persons["coordination"], coordination[2:]),
        "reserve identity": (persons["reserve"], reserve),
        "reserve identity in lower case": (persons["reserve"], reserve.lower()),
    }


FORMS = [
    "12 digits with dash",
    "12 digits",
    "10 digits with dash",
    "10 digits",
    "10 digits with spaces around",
    "plus for someone a hundred or older",
    "samordningsnummer, 12 digits",
    "samordningsnummer, 10 digits",
    "reserve identity",
    "reserve identity in lower case",
]


@pytest.mark.parametrize("form", FORMS)
def test_the_auditor_finds_a_person_by_their_number_in_any_common_form(client_for, people, persons_of_every_kind, form):
    person, typed = typed_forms(persons_of_every_kind)[form]
    log_as(people["coach.nassjo"], person, at(2026, 2, 3), purpose=f"Besök hos {form}")

    response = client_for("auditor").get(PAGE, {"person": typed})

    assert response.status_code == 200
    assert response.context["person"] == person
    assert f"Besök hos {form}" in body(response)


def test_a_number_that_matches_nobody_gives_a_clear_message_and_reveals_nothing_else(client_for, case):
    response = client_for("auditor").get(PAGE, {"person": NOBODY_HAS})

    assert response.status_code == 200
    assert shows(
        body(response),
        ("Ingen person med det numret är känd", "No person with this number is known to the service."),
    )
    assert rows(response) == []
    assert "<table" not in body(response)
    assert "person" not in response.context


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Skriv numret som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN (10 eller 12 siffror)."),
        ("19121212-1213", "Kontrollsiffran stämmer inte"),
        ("19121312-1212", "Numret börjar inte med ett verkligt födelsedatum."),
        ("", ("Personnummer måste fyllas i.", "Personnummer must be filled in.")),
    ],
    ids=["not a number", "wrong check digit", "no such date", "empty"],
)
def test_a_malformed_number_gets_a_swedish_message_and_no_rows(client_for, typed, message):
    response = client_for("auditor").get(PAGE, {"person": typed})

    assert response.status_code == 200
    assert shows(body(response), message)
    assert rows(response) == []


def test_looking_up_a_person_is_logged_as_an_audit_of_that_person(client_for, people, case):
    before = set(AccessLog.objects.values_list("pk", flat=True))

    client_for("auditor").get(PAGE, {"person": case.person.identity_display})

    new = list(AccessLog.objects.exclude(pk__in=before))
    assert len(new) == 1
    assert new[0].user == people["auditor"]
    assert new[0].person_id == case.person.pk
    assert new[0].action == AccessLog.Action.LIST
    assert new[0].purpose == "Granskning"
    assert new[0].organisation == Organisation.objects.get(code="forbundet")


def test_looking_up_a_number_that_matches_nobody_is_logged_without_a_person(client_for, people):
    before = set(AccessLog.objects.values_list("pk", flat=True))

    client_for("auditor").get(PAGE, {"person": NOBODY_HAS})

    new = list(AccessLog.objects.exclude(pk__in=before))
    assert [(row.user, row.person_id, row.purpose) for row in new] == [(people["auditor"], None, "Granskning")]


# --- What the page shows ---------------------------------------------------------------------------


def test_the_page_shows_who_viewed_and_who_changed_the_record_named_as_people_name_it(client_for, viewed_case):
    reference = viewed_case.reference

    response = client_for("auditor").get(PAGE, {"person": viewed_case.person.identity_display})

    shown = texts(response)
    html = body(response)
    assert ("coach.nassjo", f"Remiss {reference}", "Visning") in shown, "the coach's view of the referral"
    assert ("referrer.af", f"Remiss {reference}", "Remiss skickad") in shown, "the referrer's submission"
    assert ("referrer.af", f"Remiss {reference}", "Remiss skriven") in shown
    assert any(what.startswith("Samtycke ") or what.startswith("Consent ") for _user, what, _action in shown)
    assert "referrals.referral" not in html
    assert f"#{viewed_case.pk}" not in html
    assert "Greta" not in html and "Granskad" not in html, "a record is never named by the person's name"


def test_each_row_shows_the_users_full_name_user_name_organisation_role_and_purpose(client_for, viewed_case):
    response = client_for("auditor").get(PAGE, {"person": viewed_case.person.identity_display})

    view = next(row for row in rows(response) if row.user.username == "coach.nassjo" and not row.is_change)
    assert [(capacity.organisation, capacity.roles) for capacity in view.capacities] == [("SE-team", ["SE-coach"])]
    assert view.purpose
    html = body(response)
    for cell in ("Maja Lindqvist (coach.nassjo)", "SE-team", "SE-coach"):
        assert f"<td>{cell}</td>" in html
    assert view.purpose in html


def test_rows_are_newest_first(client_for, viewed_case):
    response = client_for("auditor").get(PAGE, {"person": viewed_case.person.identity_display})

    moments = [row.at for row in rows(response)]
    assert moments == sorted(moments, reverse=True)


def test_each_change_is_shown_once_though_the_service_wrote_an_event_and_a_history_row(client_for, viewed_case):
    response = client_for("auditor").get(PAGE, {"person": viewed_case.person.identity_display})

    submissions = [row for row in rows(response) if row.action == "Remiss skickad"]
    assert len(submissions) == 1


def test_a_change_made_outside_a_service_is_shown_from_the_history(client_for, people, case):
    person = Person.objects.get(pk=case.person.pk)
    person.phone = "070-123 45 67"
    person._history_user = people["admin"]
    person.save()

    response = client_for("auditor").get(PAGE, {"person": person.identity_display})

    changes = [(row.user.username, row.what) for row in rows(response) if row.is_change]
    assert ("admin", f"Person {person.identity_display}") in changes


def test_the_page_can_show_views_only_or_changes_only(client_for, viewed_case):
    number = viewed_case.person.identity_display
    auditor = client_for("auditor")

    views = auditor.get(PAGE, {"person": number, "kind": "views"})
    changes = auditor.get(PAGE, {"person": number, "kind": "changes"})

    assert rows(views) and not any(row.is_change for row in rows(views))
    assert rows(changes) and all(row.is_change for row in rows(changes))


def test_a_kind_that_is_not_offered_is_refused_with_a_message(client_for, viewed_case):
    response = client_for("auditor").get(PAGE, {"person": viewed_case.person.identity_display, "kind": "all"})

    assert response.status_code == 200
    assert rows(response) == []
    assert "all" in body(response)


def test_the_period_is_swedish_days_from_midnight_to_midnight(client_for, people, case):
    coach, person = people["coach.nassjo"], case.person
    log_as(coach, person, at(2026, 1, 31, 23, 59), purpose="Kvällen före")
    # 00:30 on 1 February in Stockholm is still 31 January in UTC.
    log_as(coach, person, at(2026, 2, 1, 0, 30), purpose="Strax efter midnatt")
    log_as(coach, person, at(2026, 2, 28, 23, 59), purpose="Sista minuten")
    log_as(coach, person, at(2026, 3, 1, 0, 0), purpose="Nästa månad")

    response = client_for("auditor").get(
        PAGE, {"person": person.identity_display, "date_from": "2026-02-01", "date_to": "2026-02-28"}
    )

    assert [row.purpose for row in rows(response)] == ["Sista minuten", "Strax efter midnatt"]


def test_a_protected_persons_number_is_not_shown_in_the_general_log(client_for, people, case):
    person = Person.objects.get(pk=case.person.pk)
    person.protected_identity = True
    person._history_user = people["coach.nassjo"]
    person.save()
    log_as(people["coach.nassjo"], person, at(2026, 2, 3))

    html = body(client_for("auditor").get("/atkomstlogg/", {"user": "coach.nassjo"}))

    assert person.identity_display not in html
    assert shows(html, ("skyddad identitet", "protected identity"))


# --- Paging by key ---------------------------------------------------------------------------------


def follow(client, response, direction: str):
    page = response.context["page"]
    cursor = page.next if direction == "after" else page.previous
    assert cursor is not None
    return client.get(f"{PAGE}?{response.context['query']}&{direction}={cursor}")


def test_the_trail_is_paged_by_key_and_no_row_is_lost_or_repeated(client_for, people, case):
    person = case.person
    # Views and changes at the very same moment: the source and the id order them.
    same_moment = at(2026, 3, 1, 10)
    for _ in range(PAGE_SIZE + 10):
        log_as(people["coach.nassjo"], person, same_moment)
    auditor = client_for("auditor")
    changes = len(rows(auditor.get(PAGE, {"person": person.identity_display, "kind": "changes"})))
    assert changes < PAGE_SIZE, "the case's changes fit on one page"

    first = auditor.get(PAGE, {"person": person.identity_display})
    pages = [first]
    while pages[-1].context["page"].next is not None:
        pages.append(follow(auditor, pages[-1], "after"))

    seen = [(row.source, row.key) for page in pages for row in rows(page)]
    assert len(seen) == len(set(seen)), "a row was shown twice"
    # Every view up to the first page's own visit (later visits are newer than the first page).
    seen_views = {key for source, key in seen if source == 0}
    views = AccessLog.objects.filter(person_id=person.pk, pk__lte=max(seen_views))
    assert seen_views == set(views.values_list("pk", flat=True))
    assert len(seen) - len(seen_views) == changes
    assert [len(rows(page)) for page in pages[:-1]] == [PAGE_SIZE] * (len(pages) - 1)
    back = follow(auditor, pages[1], "before")
    assert [(row.source, row.key) for row in rows(back)] == [(row.source, row.key) for row in rows(first)]


def test_a_bad_cursor_gives_a_clear_message_never_an_error(client_for, case):
    response = client_for("auditor").get(PAGE, {"person": case.person.identity_display, "after": "x.y.z"})

    assert response.status_code == 200
    assert any(
        shows(text, ("Länken till sidan är inte giltig", "The link to this page is not valid"))
        for text in messages_of(response)
    )
    assert rows(response) == []


def test_the_number_of_queries_does_not_grow_with_the_trail(client_for, people, case, django_assert_num_queries):
    coach, person = people["coach.nassjo"], case.person
    auditor = client_for("auditor")

    def more(count: int):
        for i in range(count):
            log_as(coach, person, at(2026, 1, 1 + i % 28), object_type="referrals.referral", object_id=str(case.pk))
            log_as(people["fk.nassjo"], person, at(2026, 1, 1 + i % 28), object_type="consent.consent", object_id="1")

    more(2)
    auditor.get(PAGE, {"person": person.identity_display})
    with CaptureQueriesContext(connection) as small:
        assert auditor.get(PAGE, {"person": person.identity_display}).status_code == 200

    more(40)
    with django_assert_num_queries(len(small)):
        response = auditor.get(PAGE, {"person": person.identity_display})
    assert len(rows(response)) == PAGE_SIZE


# --- CSV -------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_holds_the_same_rows_with_swedish_headers_and_who_exported_it_when(client_for, people, viewed_case):
    number = viewed_case.person.identity_display
    # The coach also manages another team: two capacities, whose roles the page keeps apart.
    eksjo = Municipality.objects.get(name="Eksjö")
    Membership.objects.create(user=people["coach.nassjo"], organisation=eksjo.se_team, role=Role.MANAGER)
    auditor = client_for("auditor")
    shown = auditor.get(PAGE, {"person": number, "date_from": "2020-01-01"})

    response = auditor.get(CSV, {"person": number, "date_from": "2020-01-01"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert number not in response["Content-Disposition"], "the file name holds no personal number"
    lines = read_csv(response)
    heading, columns, data = lines[0], lines[1], lines[2:]
    assert number in heading[0]
    assert "2020-01-01" in heading[1]
    assert "Tove Lund (auditor)" in heading[2]
    assert columns[:3] == ["Tidpunkt", "Användare", "Organisation"]
    assert "Post" in columns and "Syfte" in columns
    # The export itself is now the newest row; then the page's rows, in the same order.
    assert data[0][5] == "Export"
    assert [row[4] for row in data[1 : 1 + len(rows(shown))]] == [row.what for row in rows(shown)]
    assert any(row[1] == "Maja Lindqvist (coach.nassjo)" and row[5] == "Visning" for row in data)
    # Who, for which organisations and in which roles, as the page writes them.
    page_rows = rows(shown)
    assert [row[1:4] for row in data[1 : 1 + len(page_rows)]] == [[r.who, r.organisations, r.roles] for r in page_rows]
    assert any(";" in r.roles for r in page_rows), "the coach's two capacities"
    assert not any("referrals.referral" in cell for row in data for cell in row)


def test_exporting_the_csv_is_logged_as_an_export_of_the_persons_trail(client_for, people, case):
    before = set(AccessLog.objects.values_list("pk", flat=True))

    client_for("auditor").get(CSV, {"person": case.person.identity_display})

    new = list(AccessLog.objects.exclude(pk__in=before))
    assert [(row.user, row.action, row.person_id, row.purpose) for row in new] == [
        (people["auditor"], AccessLog.Action.EXPORT, case.person.pk, "Granskning")
    ]


def test_a_csv_cell_that_would_be_a_formula_is_written_as_text(client_for, people, case):
    log_as(people["coach.nassjo"], case.person, at(2026, 2, 3), purpose='=HYPERLINK("http://x")')

    data = read_csv(client_for("auditor").get(CSV, {"person": case.person.identity_display}))

    assert any(row[-1] == '\'=HYPERLINK("http://x")' for row in data)


def test_the_csv_of_a_number_that_matches_nobody_is_refused_and_logs_nothing(client_for):
    before = AccessLog.objects.count()

    response = client_for("auditor").get(CSV, {"person": NOBODY_HAS})

    assert response.status_code == 400
    assert AccessLog.objects.count() == before


def test_journal_entries_are_named_by_date_and_case_never_by_their_text(client_for, people, case):
    meeting = make_meeting(people)
    item = put_on_agenda(people, case, meeting)
    hold_meeting_today(meeting)
    decide(people, item)
    case.refresh_from_db()
    today = timezone.localdate()
    add_journal_entry(
        actor=people["coach.nassjo"],
        participant=case.participant,
        date=today,
        kind="meeting",
        text="Hemlig anteckning om hälsan",
    )

    html = body(client_for("auditor").get(PAGE, {"person": case.person.identity_display}))

    assert shows(html, (f"Journalanteckning {today} (remiss {case.reference})", f"{today} (referral {case.reference})"))
    assert "Hemlig anteckning" not in html
