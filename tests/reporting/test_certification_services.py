"""The manager's half-year certification: who may, which half-years, a "no" needs a comment, once."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reporting import services
from reporting.events import ReportingEvent
from reporting.models import Certification
from reporting.selectors import HalfYear, certifiable_half_years, half_year_of
from tests import factories


def last_ended_half_year() -> HalfYear:
    return half_year_of(timezone.localdate()).previous()


def not_yet_certifiable() -> HalfYear:
    """The current half-year before its last month, otherwise the next one."""
    today = timezone.localdate()
    current = half_year_of(today)
    return current if today < current.certifiable_from else current.following()


def certify(people, *, username="chef.nassjo", municipality="nassjo", half_year=None, **statements):
    return services.certify_half_year(
        actor=people[username],
        municipality=factories.municipality(municipality),
        period_start=(half_year or last_ended_half_year()).start,
        follows_description=statements.get("follows_description", True),
        fte_as_agreed=statements.get("fte_as_agreed", True),
        comment=statements.get("comment", ""),
    )


@pytest.fixture
def today_is(monkeypatch):
    """`today_is(date(2026, 6, 1))`: the certification service sees that day as today."""

    def set_today(day: date) -> None:
        def localdate(value=None):
            return day if value is None else timezone.localdate(value)

        monkeypatch.setattr(services, "timezone", SimpleNamespace(localdate=localdate))

    return set_today


def test_the_manager_certifies_the_last_half_year(people):
    half_year = last_ended_half_year()

    certification = certify(people, comment="  Allt enligt plan.  ")

    saved = Certification.objects.get()
    assert saved == certification
    assert (saved.municipality.code, saved.period_start, saved.period_end) == ("nassjo", half_year.start, half_year.end)
    assert (saved.follows_description, saved.fte_as_agreed, saved.comment) == (True, True, "Allt enligt plan.")
    assert saved.certified_by == people["chef.nassjo"]
    assert timezone.localdate(saved.certified_at) == timezone.localdate()
    history = saved.history.get()
    assert history.history_user == people["chef.nassjo"]
    assert history.history_change_reason == ReportingEvent.HALF_YEAR_CERTIFIED


@pytest.mark.parametrize(
    ("start", "end"), [(date(2025, 1, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 12, 31))]
)
def test_the_end_of_the_half_year_is_computed(people, start, end):
    certify(people, half_year=HalfYear(start))

    assert Certification.objects.get().period_end == end


@pytest.mark.parametrize(
    "statements",
    [
        {"follows_description": False},
        {"fte_as_agreed": False},
        {"follows_description": False, "fte_as_agreed": False},
        {"fte_as_agreed": False, "comment": "   "},
    ],
    ids=["description", "share of a post", "both", "blank comment"],
)
def test_a_statement_not_confirmed_needs_a_comment(people, statements):
    with pytest.raises(ValidationError) as refused:
        certify(people, **statements)

    assert refused.value.message_dict == {
        "comment": ["Förklara i kommentaren vad som avvek, eftersom du inte kan intyga båda påståendena."]
    }
    assert not Certification.objects.exists()


def test_a_statement_not_confirmed_is_recorded_with_its_explanation(people):
    certify(people, fte_as_agreed=False, comment="En coach var sjukskriven i tre månader.")

    saved = Certification.objects.get()
    assert (saved.follows_description, saved.fte_as_agreed) == (True, False)
    assert saved.comment == "En coach var sjukskriven i tre månader."


def test_a_half_year_is_certified_once_per_municipality(people):
    half_year = last_ended_half_year()
    certify(people)

    with pytest.raises(ValidationError) as refused:
        certify(people, fte_as_agreed=False, comment="Ett andra försök.")

    assert refused.value.messages == [
        f"Nässjö har redan intygat {half_year.name}: Per Sandberg den {timezone.localdate().isoformat()}."
    ]
    assert Certification.objects.get().fte_as_agreed is True


def test_another_municipality_certifies_the_same_half_year_on_its_own(people):
    certify(people)
    certify(people, username="chef.eksjo", municipality="eksjo")

    assert sorted(Certification.objects.values_list("municipality__code", flat=True)) == ["eksjo", "nassjo"]


def test_a_half_year_before_its_last_month_is_refused(people):
    half_year = not_yet_certifiable()

    with pytest.raises(ValidationError) as refused:
        certify(people, half_year=half_year)

    assert refused.value.message_dict == {
        "period_start": [
            f"Du kan intyga {half_year.name} från och med {half_year.certifiable_from.isoformat()}, "
            "den första dagen i halvårets sista månad."
        ]
    }
    assert not Certification.objects.exists()


@pytest.mark.parametrize(
    ("today", "allowed"),
    [(date(2026, 5, 31), False), (date(2026, 6, 1), True), (date(2026, 11, 30), False), (date(2026, 12, 1), True)],
)
def test_the_manager_may_certify_from_the_half_years_last_month_on(people, today_is, today, allowed):
    today_is(today)
    half_year = half_year_of(today)

    if allowed:
        certify(people, half_year=half_year)
    else:
        with pytest.raises(ValidationError):
            certify(people, half_year=half_year)

    assert Certification.objects.filter(period_start=half_year.start).exists() == allowed


@pytest.mark.parametrize("start", [date(2026, 2, 1), date(2026, 1, 2), date(2025, 12, 31)])
def test_a_half_year_starts_on_the_first_of_january_or_july(people, start):
    with pytest.raises(ValidationError) as refused:
        services.certify_half_year(
            actor=people["chef.nassjo"],
            municipality=factories.municipality("nassjo"),
            period_start=start,
            follows_description=True,
            fte_as_agreed=True,
        )

    assert refused.value.message_dict == {"period_start": ["Ett halvår börjar den 1 januari eller den 1 juli."]}


@pytest.mark.parametrize(
    ("username", "municipality"),
    [
        ("chef.eksjo", "nassjo"),
        ("coach.nassjo", "nassjo"),
        ("forbundschef", "nassjo"),
        ("bistand.nassjo", "nassjo"),
        ("nobody", "nassjo"),
    ],
)
def test_only_the_municipalitys_manager_may_certify(people, username, municipality):
    with pytest.raises(PermissionDenied):
        certify(people, username=username, municipality=municipality)

    assert not Certification.objects.exists()


# Half-years


@pytest.mark.parametrize(
    ("code", "start", "end", "certifiable_from"),
    [
        ("2026H1", date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 1)),
        ("2026h2", date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 1)),
    ],
)
def test_a_half_year_from_its_code(code, start, end, certifiable_from):
    half_year = HalfYear.from_code(code)

    assert (half_year.start, half_year.end, half_year.certifiable_from) == (start, end, certifiable_from)
    assert half_year.code == code.upper()


@pytest.mark.parametrize("code", ["2026H3", "2026", "26H1", "H1", "", "2026H1x"])
def test_an_unknown_half_year_code_gives_none(code):
    assert HalfYear.from_code(code) is None


def test_the_half_years_offered_are_the_last_two_years_and_the_current_one_from_its_last_month():
    assert [h.code for h in certifiable_half_years(date(2026, 11, 22))] == ["2026H1", "2025H2", "2025H1", "2024H2"]
    assert [h.code for h in certifiable_half_years(date(2026, 12, 1))] == ["2026H2", "2026H1", "2025H2", "2025H1"]
    assert [h.code for h in certifiable_half_years(date(2026, 1, 1))] == ["2025H2", "2025H1", "2024H2", "2024H1"]
