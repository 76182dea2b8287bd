"""SUS: the month's lists of who to register and de-register, marking it done, and the CSV export.

Nässjö's coach keeps SUS for Nässjö; Eksjö's coach holds the role but no grant, so Nässjö's
participants do not exist for them; the manager and every other role may not open the pages.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants import services
from participants.events import ParticipantEvent
from participants.models import Occupation, Participant
from participants.todo import sus_list
from referrals.models import ExitReason, IncomeSource
from sehoglandet.models import AccessLog
from tests.helpers import (
    COACHES,
    OUTSIDE_THE_SE_TEAMS,
    PERSONAS,
    body,
    every_row,
    outcomes_by_persona,
    status_and_changed_tables,
    statuses_by_persona,
    today,
)

from .test_participant_views import url
from .test_todo import exited, participant_in

MARCH = date(2025, 3, 1)


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


@pytest.fixture
def march(people) -> dict[str, Participant]:
    """Nässjö in March 2025: who started, who was registered, who exited when and why."""
    return {
        "started in March": participant_in(
            people, "Alva", "Brandt", decided_on=date(2025, 3, 10), income_before=IncomeSource.SOCIAL_ASSISTANCE
        ),
        "started earlier, never registered": participant_in(people, "Bo", "Cederholm", decided_on=date(2025, 1, 7)),
        "registered in March": participant_in(
            people, "Cia", "Dahl", decided_on=date(2025, 2, 20), sus_registered_on=date(2025, 3, 4)
        ),
        "registered in February": participant_in(
            people, "Dan", "Ek", decided_on=date(2025, 2, 3), sus_registered_on=date(2025, 2, 5)
        ),
        "starts in April": participant_in(people, "Eva", "Fors", decided_on=date(2025, 4, 2)),
        "moved in March": exited(
            people,
            date(2025, 3, 20),
            ExitReason.MOVED,
            first_name="Fia",
            last_name="Gran",
            occupation_after=Occupation.JOB_SEEKING,
            income_after=IncomeSource.UNEMPLOYMENT_INSURANCE,
        ),
        "work, 31 December": exited(
            people,
            date(2024, 12, 31),
            ExitReason.WORK,
            first_name="Gun",
            last_name="Hall",
            income_after=IncomeSource.SALARY,
        ),
        "work, 1 January": exited(people, date(2025, 1, 1), ExitReason.WORK, first_name="Hans", last_name="Ivarsson"),
        "de-registered in March": exited(
            people,
            date(2025, 2, 10),
            ExitReason.RELAPSE,
            first_name="Ida",
            last_name="Jonsson",
            sus_deregistered_on=date(2025, 3, 3),
        ),
        "de-registered in February": exited(
            people,
            date(2025, 2, 10),
            ExitReason.RELAPSE,
            first_name="Jan",
            last_name="Karlsson",
            sus_deregistered_on=date(2025, 2, 11),
        ),
    }


def labels(march, participants) -> list[str]:
    names = {participant.pk: label for label, participant in march.items()}
    return [names[participant.pk] for participant in participants]


# The lists


def test_the_march_lists_hold_who_to_register_and_de_register(people, march):
    register, deregister = sus_list(people["coach.nassjo"], MARCH)

    assert labels(march, register) == [
        "started earlier, never registered",
        "registered in March",
        "started in March",
    ]
    assert labels(march, deregister) == ["work, 31 December", "de-registered in March", "moved in March"]


def test_three_months_after_work_on_1_january_the_de_registration_falls_in_april(people, march):
    _register, april = sus_list(people["coach.nassjo"], date(2025, 4, 1))

    assert "work, 1 January" in labels(march, april)
    assert march["work, 1 January"].sus_deregistration_due_on == date(2025, 4, 1)


def test_the_lists_carry_income_before_and_after(people, march):
    register, deregister = sus_list(people["coach.nassjo"], MARCH)

    alva = next(p for p in register if p.pk == march["started in March"].pk)
    fia = next(p for p in deregister if p.pk == march["moved in March"].pk)
    assert alva.income_before.source == IncomeSource.SOCIAL_ASSISTANCE
    assert alva.income_after is None
    assert (fia.income_before.source, fia.income_after.source) == (
        IncomeSource.SICKNESS_BENEFIT,
        IncomeSource.UNEMPLOYMENT_INSURANCE,
    )


def test_another_municipalitys_coach_gets_empty_lists(people, march):
    assert sus_list(people["coach.eksjo"], MARCH) == ([], [])


# The page


@pytest.mark.parametrize("page", ["sus_list", "sus_csv"])
def test_the_sus_pages_are_for_coaches(client_for, page):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url(page)))

    assert statuses == {username: 200 if username in COACHES else 403 for username in PERSONAS}


def test_the_page_shows_the_months_two_tables(client_for, march):
    response = client_for("coach.nassjo").get(url("sus_list"), {"month": "2025-03"})

    page = body(response)
    assert "SUS-registrering, mars 2025" in page
    register = page[page.index("Registrera i SUS</h2>") : page.index("Avregistrera i SUS</h2>")]
    deregister = page[page.index("Avregistrera i SUS</h2>") :]
    names = ("Alva Brandt", "Bo Cederholm", "Cia Dahl", "Dan Ek", "Eva Fors")
    assert [name for name in names if name in register] == ["Alva Brandt", "Bo Cederholm", "Cia Dahl"]
    assert march["started in March"].person.identity_display in register
    assert "Försörjningsstöd" in register
    assert "2025-03-04" in register
    names = ("Fia Gran", "Gun Hall", "Ida Jonsson", "Jan Karlsson", "Hans Ivarsson")
    assert [name for name in names if name in deregister] == ["Fia Gran", "Gun Hall", "Ida Jonsson"]
    assert "Flyttat" in deregister and "Arbete" in deregister and "Arbetssökande" in deregister
    assert "Arbetslöshetsersättning (a-kassa)" in deregister
    assert "2025-03-31" in deregister
    assert page.count('name="registered" value="true"') == 2
    assert page.count('name="registered" value="false"') == 2


def test_the_page_links_the_months_before_and_after_and_the_csv(client_for):
    page = body(client_for("coach.nassjo").get(url("sus_list"), {"month": "2025-01"}))

    assert f"{url('sus_list')}?month=2024-12" in page
    assert f"{url('sus_list')}?month=2025-02" in page
    assert f"{url('sus_csv')}?month=2025-01" in page


def test_without_a_month_the_page_shows_the_current_month(client_for):
    response = client_for("coach.nassjo").get(url("sus_list"))

    assert response.context["month"] == today().replace(day=1)
    assert f'value="{month_of(today())}"' in body(response)


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2025-13", "Skriv månaden som ÅÅÅÅ-MM, till exempel 2025-03."),
        ("mars", "Skriv månaden som ÅÅÅÅ-MM, till exempel 2025-03."),
        ("9999-12", "Välj en månad mellan 2000 och 2100."),
        ("0001-01", "Välj en månad mellan 2000 och 2100."),
    ],
)
@pytest.mark.parametrize("page", ["sus_list", "sus_csv"])
def test_a_bad_month_gives_a_swedish_error(client_for, march, month, message, page):
    response = client_for("coach.nassjo").get(url(page), {"month": month})

    assert response.status_code == 400
    assert message in body(response)
    assert "Alva Brandt" not in body(response)
    assert not AccessLog.objects.exists()


def test_the_page_logs_the_list_and_opening_it_changes_no_row(client_for, people, march):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(url("sus_list"), {"month": "2025-03"})

    assert every_row(access_log=False) == before
    assert list(AccessLog.objects.values_list("user", "action", "object_type")) == [
        (people["coach.nassjo"].pk, "list", "participants.participant")
    ]


def test_an_empty_month_writes_no_log_row(client_for, march):
    client_for("coach.eksjo").get(url("sus_list"), {"month": "2025-03"})

    assert not AccessLog.objects.exists()


def test_the_page_needs_the_same_number_of_queries_for_few_and_many(client_for, people, django_assert_num_queries):
    participant_in(people, decided_on=date(2025, 3, 3))
    exited(people, date(2025, 3, 5), ExitReason.MOVED)
    client = client_for("coach.nassjo")
    client.get(url("sus_list"), {"month": "2025-03"})
    with CaptureQueriesContext(connection) as few:
        client.get(url("sus_list"), {"month": "2025-03"})
    for n in range(4):
        participant_in(people, "Deltagare", f"In{n}", decided_on=date(2025, 3, 3))
        exited(people, date(2025, 3, 5), ExitReason.MOVED, first_name="Deltagare", last_name=f"Ut{n}")

    with django_assert_num_queries(len(few)):
        response = client.get(url("sus_list"), {"month": "2025-03"})

    assert (len(response.context["register"]), len(response.context["deregister"])) == (5, 5)


# The CSV


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_holds_both_lists_for_excel(client_for, people, march):
    response = client_for("coach.nassjo").get(url("sus_csv"), {"month": "2025-03"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sus-2025-03.csv"'
    rows = read_csv(response)
    assert rows[0][0] == "SUS-lista för 2025-03"
    assert rows[0][1] == "Exporterad av Maja Lindqvist"
    assert rows[1] == [
        "In/ut",
        "Personnummer",
        "Namn",
        "Kommun",
        "Kön",
        "Födelseår",
        "Började",
        "Försörjning före",
        "Registrerad i SUS",
        "Avslutsdatum",
        "Avslutsorsak",
        "Sysselsättning efter",
        "Försörjning efter",
        "Avregistrera senast",
        "Avregistrerad i SUS",
    ]
    data = {row[2]: row for row in rows[2:]}
    assert [row[0] for row in rows[2:]] == ["In"] * 3 + ["Ut"] * 3
    alva = march["started in March"]
    assert data["Alva Brandt"][:9] == [
        "In",
        alva.person.identity_display,
        "Alva Brandt",
        "Nässjö",
        "Kvinna",
        str(alva.person.birth_date.year),
        "2025-03-10",
        "Försörjningsstöd",
        "",
    ]
    assert data["Cia Dahl"][8] == "2025-03-04"
    assert data["Fia Gran"][9:] == [
        "2025-03-20",
        "Flyttat",
        "Arbetssökande",
        "Arbetslöshetsersättning (a-kassa)",
        "2025-03-20",
        "",
    ]
    assert data["Gun Hall"][13] == "2025-03-31"
    assert data["Ida Jonsson"][14] == "2025-03-03"


def test_the_csv_never_starts_a_cell_with_a_formula(client_for, people):
    participant_in(people, '=HYPERLINK("http://x")', "+46", decided_on=date(2025, 3, 3))
    participant_in(people, "@SUM(A1)", "-1", decided_on=date(2025, 3, 4))

    rows = read_csv(client_for("coach.nassjo").get(url("sus_csv"), {"month": "2025-03"}))

    names = [row[2] for row in rows[2:]]
    assert names == ['\'=HYPERLINK("http://x") +46', "'@SUM(A1) -1"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_the_export_writes_an_export_row_to_the_access_log(client_for, people, march):
    client_for("coach.nassjo").get(url("sus_csv"), {"month": "2025-03"})

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type) == (
        people["coach.nassjo"],
        AccessLog.Action.EXPORT,
        "participants.participant",
    )
    assert "2025-03" in entry.purpose


def test_another_municipalitys_coach_exports_only_the_headers(client_for, march):
    rows = read_csv(client_for("coach.eksjo").get(url("sus_csv"), {"month": "2025-03"}))

    assert len(rows) == 2


# Marking registered and de-registered


def mark(client, participant, **data):
    return client.post(url("sus_mark", participant.pk), data, follow=True)


def test_the_coach_marks_a_participant_registered_today(client_for, people):
    participant = participant_in(people, decided_on=today() - timedelta(days=3))

    response = mark(client_for("coach.nassjo"), participant, registered="true", month=month_of(today()))

    participant.refresh_from_db()
    assert participant.sus_registered_on == today()
    assert response.redirect_chain == [(f"{url('sus_list')}?month={month_of(today())}", 302)]
    assert f"Alva Brandt är markerad som registrerad i SUS {today().isoformat()}." in body(response)
    assert participant.history.first().history_change_reason == ParticipantEvent.SUS_REGISTERED


def test_the_coach_marks_a_participant_de_registered_on_a_date(client_for, people):
    participant = exited(people, today() - timedelta(days=10), ExitReason.MOVED)
    day = today() - timedelta(days=2)

    response = mark(client_for("coach.nassjo"), participant, registered="false", on=day.isoformat(), month="2025-03")

    participant.refresh_from_db()
    assert participant.sus_deregistered_on == day
    assert response.redirect_chain == [(f"{url('sus_list')}?month=2025-03", 302)]
    assert "är markerad som avregistrerad i SUS" in body(response)


def test_only_the_municipalitys_coach_may_mark(client_for, people):
    participant = participant_in(people)
    others = [*OUTSIDE_THE_SE_TEAMS, "coach.eksjo", "chef.nassjo"]
    mark_it = status_and_changed_tables(
        lambda client: client.post(url("sus_mark", participant.pk), {"registered": "true"}), access_log=False
    )

    outcomes = outcomes_by_persona(client_for, others, mark_it)

    assert outcomes == {username: (404 if username == "coach.eksjo" else 403, []) for username in others}


@pytest.mark.parametrize(
    ("state", "data", "message"),
    [
        ("started", {"registered": "maybe"}, "Registrering: Välj ett giltigt alternativ."),
        ("started", {"registered": "true", "on": "14/3/2025"}, "Datum i SUS: Fyll i ett giltigt datum."),
        ("started", {"registered": "true", "on": "FUTURE"}, "Datumet kan inte ligga i framtiden."),
        ("started", {"registered": "true", "on": "BEFORE"}, "Datumet kan inte ligga före beslutet om inskrivning."),
        ("queued", {"registered": "true"}, "Registrera i SUS när stödet har startat."),
        ("registered", {"registered": "true"}, "Deltagaren är redan registrerad i SUS."),
        ("started", {"registered": "false"}, "Bara en avslutad deltagare som är registrerad i SUS kan avregistreras."),
        ("exited", {"registered": "false", "on": "BEFORE"}, "Datumet kan inte vara före avslutet."),
        ("de-registered", {"registered": "false"}, "Deltagaren är redan avregistrerad i SUS."),
    ],
    ids=[
        "unknown choice",
        "wrong date format",
        "future date",
        "registered before the decision",
        "not started",
        "registered twice",
        "de-registered before exit",
        "de-registered before the exit date",
        "de-registered twice",
    ],
)
def test_a_refused_mark_says_why_in_swedish_and_saves_nothing(client_for, people, state, data, message):
    decided_on = today() - timedelta(days=30)
    participant = {
        "started": lambda: participant_in(people, decided_on=decided_on),
        "queued": lambda: participant_in(people, status=Participant.Status.QUEUED, decided_on=decided_on),
        "registered": lambda: participant_in(people, decided_on=decided_on, sus_registered_on=decided_on),
        "exited": lambda: exited(people, today() - timedelta(days=5), ExitReason.MOVED),
        "de-registered": lambda: exited(
            people, today() - timedelta(days=5), ExitReason.MOVED, sus_deregistered_on=today()
        ),
    }[state]()
    reference = participant.exited_on or participant.decided_on
    dates = {
        "FUTURE": (today() + timedelta(days=1)).isoformat(),
        "BEFORE": (reference - timedelta(days=1)).isoformat(),
    }
    data = {key: dates.get(value, value) for key, value in data.items()}
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = mark(client, participant, **data)

    assert every_row(access_log=False) == before
    assert response.redirect_chain[-1][0].startswith(url("sus_list") + "?month=")
    assert message in body(response)


# The service's rules, as the view relies on them


def test_mark_sus_refuses_a_coach_of_another_municipality(people):
    participant = participant_in(people)

    with pytest.raises(PermissionDenied):
        services.mark_sus(actor=people["coach.eksjo"], participant=participant, registered=True, on=today())


def test_mark_sus_registers_then_de_registers_after_the_exit(people):
    participant = exited(people, today() - timedelta(days=5), ExitReason.WORK, sus_registered_on=None)
    coach = people["coach.nassjo"]

    services.mark_sus(actor=coach, participant=participant, registered=True, on=today() - timedelta(days=1))
    services.mark_sus(actor=coach, participant=participant, registered=False, on=today())

    participant.refresh_from_db()
    assert (participant.sus_registered_on, participant.sus_deregistered_on) == (
        today() - timedelta(days=1),
        today(),
    )
    with pytest.raises(ValidationError):
        services.mark_sus(actor=coach, participant=participant, registered=False, on=today())


def test_each_list_pages_on_its_own_and_keeps_the_month_and_the_other_lists_page(client_for, people, monkeypatch):
    monkeypatch.setattr("participants.views.followup.SUS_PAGE_SIZE", 1)
    first_in = participant_in(people, "Deltagare", "In1", decided_on=date(2025, 3, 3))
    second_in = participant_in(people, "Deltagare", "In2", decided_on=date(2025, 3, 4))
    first_out = exited(people, date(2025, 3, 5), ExitReason.MOVED, first_name="Deltagare", last_name="Ut1")
    second_out = exited(people, date(2025, 3, 6), ExitReason.MOVED, first_name="Deltagare", last_name="Ut2")
    client = client_for("coach.nassjo")

    response = client.get(url("sus_list"), {"month": "2025-03", "register_page": 2})

    assert list(response.context["register"]) == [second_in]
    assert list(response.context["deregister"]) == [first_out]
    page = response.content.decode()
    assert 'href="?month=2025-03&amp;deregister_page=1&amp;register_page=1"' in page
    assert 'href="?month=2025-03&amp;register_page=2&amp;deregister_page=2"' in page
    assert 'aria-label="Sidor i listan att avregistrera"' in page
    assert first_in not in response.context["register"] and second_out not in response.context["deregister"]
