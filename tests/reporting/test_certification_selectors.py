"""The certifications the report lists, and the half-years still to certify."""

from datetime import date

import pytest

from reporting import services
from reporting.report import period_from_code
from reporting.selectors import HalfYear, certifications_in, half_years_to_certify
from tests import factories


def certify(people, municipality: str, code: str) -> None:
    services.certify_half_year(
        actor=people[f"chef.{municipality}"],
        municipality=factories.municipality(municipality),
        period_start=HalfYear.from_code(code).start,
        follows_description=True,
        fte_as_agreed=True,
    )


@pytest.fixture
def certified(people) -> None:
    certify(people, "nassjo", "2025H2")
    certify(people, "nassjo", "2026H1")
    certify(people, "eksjo", "2026H1")


def listed(certifications) -> list[tuple[str, str]]:
    return [(c.municipality.name, HalfYear(c.period_start).code) for c in certifications]


def test_a_year_lists_its_half_years_by_half_year_then_municipality(certified):
    assert listed(certifications_in(period_from_code("2026"))) == [("Eksjö", "2026H1"), ("Nässjö", "2026H1")]
    assert listed(certifications_in(period_from_code("2025"))) == [("Nässjö", "2025H2")]


def test_one_municipality(certified):
    certifications = certifications_in(period_from_code("2026H1"), factories.municipality("nassjo"))

    assert listed(certifications) == [("Nässjö", "2026H1")]
    assert certifications[0].certified_by.username == "chef.nassjo"


def test_a_half_year_lists_its_own_certifications_and_not_the_other_half_years(certified):
    assert listed(certifications_in(period_from_code("2026H1"))) == [("Eksjö", "2026H1"), ("Nässjö", "2026H1")]
    assert listed(certifications_in(period_from_code("2025H2"))) == [("Nässjö", "2025H2")]
    assert certifications_in(period_from_code("2026H2")) == []
    assert certifications_in(period_from_code("2025H1")) == []


def test_the_list_takes_one_query_with_municipality_and_certifier(certified, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [(c.municipality.name, c.certified_by.username) for c in certifications_in(period_from_code("2026"))]

    assert names == [("Eksjö", "chef.eksjo"), ("Nässjö", "chef.nassjo")]


def test_the_half_years_still_to_certify_leave_out_the_certified(certified, django_assert_num_queries):
    nassjo, eksjo = factories.municipality("nassjo"), factories.municipality("eksjo")

    with django_assert_num_queries(1):
        pending = half_years_to_certify([eksjo, nassjo], date(2026, 12, 1))

    assert [(m.name, h.code) for m, h in pending] == [
        ("Eksjö", "2025H1"),
        ("Nässjö", "2025H1"),
        ("Eksjö", "2025H2"),
        ("Eksjö", "2026H2"),
        ("Nässjö", "2026H2"),
    ]
