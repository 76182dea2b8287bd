"""The certification pages: the manager certifies the half-year; the director reads every
municipality's certifications; Eksjö's manager sees and certifies only Eksjö."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.models import Certification
from reporting.selectors import HalfYear
from tests import factories
from tests.helpers import (
    MANAGERS,
    PERSONAS,
    body,
    changed_tables,
    every_row,
    outcomes_by_persona,
    shows,
    status_and_changed_tables,
    statuses_by_persona,
)

from .test_certification_services import last_ended_half_year, not_yet_certifiable

LIST, ADD = reverse("reporting:certification_list"), reverse("reporting:certification_add")


def certify(people, municipality: str, half_year: HalfYear, **statements) -> Certification:
    return services.certify_half_year(
        actor=people[f"chef.{municipality}"],
        municipality=factories.municipality(municipality),
        period_start=half_year.start,
        follows_description=statements.get("follows_description", True),
        fte_as_agreed=statements.get("fte_as_agreed", True),
        comment=statements.get("comment", ""),
    )


def form_data(municipality_code="nassjo", half_year: HalfYear | None = None, **overrides) -> dict:
    data = {
        "municipality": factories.municipality(municipality_code).pk,
        "half_year": (half_year or last_ended_half_year()).code,
        "follows_description": "on",
        "fte_as_agreed": "on",
        "comment": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Who may open the pages


def test_the_list_is_for_managers_and_the_director(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(LIST))

    assert statuses == {username: 200 if username in [*MANAGERS, "forbundschef"] else 403 for username in PERSONAS}


def test_only_managers_certify(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(ADD))

    assert statuses == {username: 200 if username in MANAGERS else 403 for username in PERSONAS}


def test_the_manager_sees_the_own_municipalitys_certifications_only(client_for, people):
    certify(people, "nassjo", last_ended_half_year(), fte_as_agreed=False, comment="En coach var föräldraledig.")
    certify(people, "eksjo", last_ended_half_year(), comment="Eksjös egen kommentar.")

    nassjo = body(client_for("chef.nassjo").get(LIST))

    assert "1 intygande" in nassjo
    assert "En coach var föräldraledig." in nassjo and "Per Sandberg" in nassjo
    assert "Eksjös egen kommentar." not in nassjo and "Anders Falk" not in nassjo


def test_the_director_reads_every_municipalitys_certifications_without_a_way_to_certify(client_for, people):
    certify(people, "nassjo", last_ended_half_year())
    certify(people, "eksjo", last_ended_half_year())

    page = body(client_for("forbundschef").get(LIST))

    assert "2 intyganden" in page
    assert "Per Sandberg" in page and "Anders Falk" in page
    assert ADD not in page
    assert f"{last_ended_half_year().label}: Aneby, Sävsjö, Tranås, Vetlanda" in page


def test_the_list_names_the_half_years_still_to_certify_with_a_link(client_for, people):
    half_year = last_ended_half_year()
    nassjo = factories.municipality("nassjo")

    page = body(client_for("chef.nassjo").get(LIST))

    assert "Att intyga" in page
    assert half_year.label in page
    assert f"{ADD}?municipality={nassjo.pk}&amp;half_year={half_year.code}" in page

    certify(people, "nassjo", half_year)
    page = body(client_for("chef.nassjo").get(LIST))
    assert f"half_year={half_year.code}" not in page


def test_the_list_needs_the_same_number_of_queries_for_one_certification_and_for_many(
    client_for, people, django_assert_num_queries
):
    certify(people, "nassjo", last_ended_half_year())
    client = client_for("forbundschef")
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    half_year = last_ended_half_year()
    for _number in range(4):
        half_year = half_year.previous()
        certify(people, "nassjo", half_year)
        certify(people, "eksjo", half_year, fte_as_agreed=False, comment="Vakans.")

    with django_assert_num_queries(len(one)):
        response = client.get(LIST)

    assert len(response.context["page"].object_list) == 9


def test_opening_the_pages_changes_nothing(client_for, people):
    certify(people, "nassjo", last_ended_half_year().previous())
    changed = {}

    for username, page in [("chef.nassjo", LIST), ("chef.nassjo", ADD), ("forbundschef", LIST)]:
        client = client_for(username)
        before = every_row()
        client.get(page)
        changed[username, page] = changed_tables(before, every_row())

    assert {key: tables for key, tables in changed.items() if tables} == {}


# Certifying


def test_the_form_offers_the_oldest_half_year_still_to_certify(client_for, people):
    for half_year in [last_ended_half_year().previous().previous().previous(), last_ended_half_year().previous()]:
        certify(people, "nassjo", half_year)

    form = client_for("chef.nassjo").get(ADD).context["form"]

    assert form["half_year"].value() == last_ended_half_year().previous().previous().code
    assert form["municipality"].value() == factories.municipality("nassjo").pk


def test_the_form_states_what_is_certified_and_the_agreed_share(client_for):
    page = body(client_for("chef.nassjo").get(ADD))

    assert "Jag intygar att verksamheten har bedrivits enligt verksamhetsbeskrivningen" in page
    assert "Avtalad procentsats: Nässjö 180 %." in page


def test_the_manager_certifies_the_last_half_year(client_for, people):
    half_year = last_ended_half_year()

    response = client_for("chef.nassjo").post(ADD, form_data(comment="Allt enligt plan."), follow=True)

    saved = Certification.objects.get()
    assert (saved.municipality.code, saved.period_start, saved.period_end) == ("nassjo", half_year.start, half_year.end)
    assert (saved.follows_description, saved.fte_as_agreed, saved.comment) == (True, True, "Allt enligt plan.")
    assert saved.certified_by == people["chef.nassjo"]
    assert response.redirect_chain == [(LIST, 302)]
    page = body(response)
    assert f"Nässjö har intygat {half_year.name}." in page
    assert "Allt enligt plan." in page


def test_a_statement_left_unticked_needs_a_comment(client_for):
    client = client_for("chef.nassjo")
    before = every_row()

    response = client.post(ADD, form_data(fte_as_agreed=None))

    assert response.status_code == 200
    assert "Förklara i kommentaren vad som avvek" in body(response)
    assert every_row() == before


def test_a_statement_left_unticked_is_saved_with_its_comment(client_for):
    client_for("chef.nassjo").post(ADD, form_data(follows_description=None, comment="Vi hade kö utan SE-stöd."))

    saved = Certification.objects.get()
    assert (saved.follows_description, saved.fte_as_agreed) == (False, True)


def test_the_second_certification_of_a_half_year_is_refused(client_for, people):
    half_year = last_ended_half_year()
    certify(people, "nassjo", half_year)
    client = client_for("chef.nassjo")
    before = every_row()

    response = client.post(ADD, form_data(comment="En gång till."))

    assert response.status_code == 200
    expected = f"Nässjö har redan intygat {half_year.name}: Per Sandberg den {timezone.localdate().isoformat()}."
    assert expected in body(response)
    assert every_row() == before


@pytest.mark.parametrize(
    ("half_year", "message"),
    [
        (None, "från och med"),
        ("2026H3", "Välj ett halvår i listan."),
        ("", ("Halvår måste väljas.", "Halvår must be chosen.")),
    ],
    ids=["not yet", "unknown", "missing"],
)
def test_a_half_year_that_cannot_be_certified_is_refused_in_swedish(client_for, half_year, message):
    client = client_for("chef.nassjo")
    before = every_row()
    data = form_data(half_year=not_yet_certifiable())
    if half_year is not None:
        data["half_year"] = half_year

    response = client.post(ADD, data)

    assert response.status_code == 200
    assert shows(body(response), message)
    assert 'class="error-summary"' in body(response)
    assert every_row() == before


def test_a_manager_cannot_certify_another_municipality(client_for):
    client = client_for("chef.eksjo")
    before = every_row()

    response = client.post(ADD, form_data(municipality_code="nassjo"))

    assert response.status_code == 200
    assert "Välj en av dina egna kommuner." in body(response)
    assert every_row() == before


def test_other_roles_cannot_certify(client_for):
    others = [username for username in PERSONAS if username not in MANAGERS]
    data = form_data()

    outcomes = outcomes_by_persona(client_for, others, status_and_changed_tables(lambda client: client.post(ADD, data)))

    assert outcomes == dict.fromkeys(others, (403, []))


def test_an_old_half_year_may_still_be_certified_from_a_typed_code(client_for):
    client_for("chef.nassjo").post(ADD, form_data(half_year=HalfYear(date(2020, 1, 1))))

    assert Certification.objects.get().period_end == date(2020, 6, 30)
