"""The survey's results for the report, computed by hand: per question and gender, the share who
answered in the top three steps (4-6) of those who answered it, against the 70 % goal."""

from datetime import date
from decimal import Decimal

import pytest

from reporting import services
from reporting.models import TOP_STEPS, SurveyResponse
from reporting.report import period_from_code
from reporting.selectors import SURVEY_GOAL, survey_results
from tests import factories

NASSJO_H1 = [
    # gender, day, q1..q7 (None: skipped)
    ("woman", date(2026, 1, 1), [6, 4, 3, None, 1, 6, 5]),
    ("woman", date(2026, 3, 15), [4, 2, None, None, 4, 3, 6]),
    ("woman", date(2026, 6, 30), [3, 5, 4, 6, None, 2, None]),
    ("man", date(2026, 2, 2), [1, 6, 5, None, 3, 4, 4]),
    ("man", date(2026, 5, 5), [5, None, 2, None, None, None, 3]),
]
ELSEWHERE = [
    ("nassjo", "man", date(2026, 7, 1), [6, 6, 6, 6, 6, 6, 6]),  # the day after the half-year
    ("nassjo", "woman", date(2025, 12, 31), [1, 1, 1, 1, 1, 1, 1]),  # the day before it
    ("eksjo", "woman", date(2026, 4, 1), [4, None, None, None, None, None, None]),
]


H1_START, H1_END = date(2026, 1, 1), date(2026, 6, 30)


def enter(people, municipality: str, gender: str, day: date, steps: list) -> None:
    services.record_survey_response(
        actor=people[f"coach.{municipality}"],
        municipality=factories.municipality(municipality),
        answered_on=day,
        gender=gender,
        answers={f"q{number}": step for number, step in enumerate(steps, start=1)},
    )


@pytest.fixture
def answers(people) -> None:
    for gender, day, steps in NASSJO_H1:
        enter(people, "nassjo", gender, day, steps)
    for municipality, gender, day, steps in ELSEWHERE:
        enter(people, municipality, gender, day, steps)


def shares(results, gender: str) -> list[Decimal | None]:
    return [question.share(gender) for question in results.questions]


def test_nassjos_first_half_year_by_hand(answers):
    results = survey_results(period_from_code("2026H1"), factories.municipality("nassjo"))

    assert results.responses == {"woman": 3, "man": 2, "other": 0, "total": 5}
    assert [q.answered["woman"] for q in results.questions] == [3, 3, 2, 1, 2, 3, 2]
    assert [q.top["woman"] for q in results.questions] == [2, 2, 1, 1, 1, 1, 2]
    assert [q.answered["man"] for q in results.questions] == [2, 1, 2, 0, 1, 1, 2]
    assert [q.top["man"] for q in results.questions] == [1, 1, 1, 0, 0, 1, 1]
    assert [q.answered["total"] for q in results.questions] == [5, 4, 4, 1, 3, 4, 4]
    assert [q.top["total"] for q in results.questions] == [3, 3, 2, 1, 1, 2, 3]
    d = Decimal
    assert shares(results, "woman") == [d("0.667"), d("0.667"), d("0.500"), d("1.000"), d("0.500"), d("0.333"), d("1")]
    assert shares(results, "man") == [d("0.500"), d("1.000"), d("0.500"), None, d("0.000"), d("1.000"), d("0.500")]
    assert shares(results, "other") == [None] * 7
    assert shares(results, "total") == [d("0.600"), d("0.750"), d("0.500"), d("1"), d("0.333"), d("0.500"), d("0.750")]
    assert [q.met for q in results.questions] == [False, True, False, True, False, False, True]
    assert results.goal == SURVEY_GOAL == Decimal("0.70")


def test_all_municipalities_include_eksjos_answer(answers):
    results = survey_results(period_from_code("2026H1"))

    assert results.responses == {"woman": 4, "man": 2, "other": 0, "total": 6}
    first = results.questions[0]
    assert (first.share("woman"), first.share(), first.met) == (Decimal("0.750"), Decimal("0.667"), False)
    assert [q.answered["total"] for q in results.questions] == [6, 4, 4, 1, 3, 4, 4]


def test_a_half_year_takes_its_first_and_last_day_and_no_day_beside_them(answers):
    nassjo = factories.municipality("nassjo")
    first_half = survey_results(period_from_code("2026H1"), nassjo)
    second_half = survey_results(period_from_code("2026H2"), nassjo)
    half_before = survey_results(period_from_code("2025H2"), nassjo)

    # 1 January and 30 June are in the first half-year; 1 July and 31 December 2025 are not.
    assert first_half.responses["total"] == 5
    assert second_half.responses == {"woman": 0, "man": 1, "other": 0, "total": 1}
    assert [q.top["total"] for q in second_half.questions] == [1] * 7
    assert half_before.responses == {"woman": 1, "man": 0, "other": 0, "total": 1}
    assert [q.top["total"] for q in half_before.questions] == [0] * 7


def test_a_share_is_rounded_to_three_decimals(people):
    for steps in ([4], [4], [1]):
        enter(people, "nassjo", "other", date(2026, 3, 3), steps)

    first = survey_results(period_from_code("2026H1")).questions[0]

    assert (first.share("other"), first.share(), first.share("woman")) == (Decimal("0.667"), Decimal("0.667"), None)


def test_a_period_without_answers_has_no_shares_and_no_verdict(db):
    results = survey_results(period_from_code("2020"))

    assert results.responses == {"woman": 0, "man": 0, "other": 0, "total": 0}
    assert all(q.share() is None and q.met is None for q in results.questions)
    assert [q.field for q in results.questions] == [f"q{n}" for n in range(1, 8)]


def test_the_questions_carry_the_forms_wording_and_scales(db):
    results = survey_results(period_from_code("2026"))

    first, last = results.questions[0], results.questions[-1]
    assert first.question == "Får du stöd på ett sätt som är till stor nytta för dig?"
    assert (first.scale, first.top_steps) == ("frequency", "Ofta, för det mesta, alltid")
    assert last.question == "Upplever du att personalen tar tillvara dina erfarenheter, kunskaper och synpunkter?"
    assert (last.scale, last.top_steps) == ("extent", "Till stor del, till mycket stor del, helt och hållet")
    assert [q.scale for q in results.questions] == ["frequency"] * 4 + ["extent"] * 3


def test_the_answers_carry_the_sums_of_their_rounding_keys(answers):
    # The published counts are rounded by these sums (reporting/disclosure.py).
    results = survey_results(period_from_code("2026H1"), factories.municipality("nassjo"))
    in_period = SurveyResponse.objects.filter(municipality__code="nassjo", answered_on__range=(H1_START, H1_END))

    def key_sums(**filters) -> dict[str, int]:
        sums = {
            gender: sum(in_period.filter(gender=gender, **filters).values_list("rounding_key", flat=True))
            for gender in ("woman", "man", "other")
        }
        return {**sums, "total": sum(sums.values())}

    assert results.responses_keys == key_sums()
    third = results.questions[2]
    assert third.answered_keys == key_sums(q3__isnull=False)
    assert third.top_keys == key_sums(q3__in=TOP_STEPS)


def test_the_results_take_one_query_whatever_the_number_of_answers(answers, django_assert_num_queries):
    with django_assert_num_queries(1):
        survey_results(period_from_code("2026"))
