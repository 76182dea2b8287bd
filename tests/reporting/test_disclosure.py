"""Disclosure control as the reader meets it (docs/domain.md#disclosure-control): every count rounded
to base 3 by the records it counts, shares from the published counts, small groups not broken down,
the survey for Höglandet as a whole, no own dates."""

from datetime import date

import pytest

from reporting import disclosure, exports
from reporting.forms import ReportForm
from reporting.report import build_report, period_from_code
from reporting.services import refresh_all_statistics
from sehoglandet.models import Municipality
from tests import factories

from .test_report_figures import enrol, person

pytestmark = pytest.mark.with_reach


def test_0_is_always_published_as_0():
    assert {disclosure.rounded(0, key_sum) for key_sum in range(300)} == {0}


def test_a_count_goes_to_a_multiple_of_3_near_it_the_same_way_for_the_same_records():
    for value in (1, 2, 3, 4, 5, 6, 101):
        published = [disclosure.rounded(value, key_sum) for key_sum in range(3000)]
        assert all(number % 3 == 0 and number >= 0 and abs(number - value) <= 5 for number in published), value
        # At least four times in five within 2 (a multiple of 3 next to it), now and then one step of 3 further.
        assert sum(abs(number - value) <= 2 for number in published) / len(published) > 0.78, value
        assert any(abs(number - value) > 2 for number in published), value
        assert disclosure.rounded(value, 777) == disclosure.rounded(value, 777)


def test_a_reader_who_knows_the_method_can_tell_a_range_and_no_more():
    for value in range(40):
        for key_sum in range(50):
            low, high = disclosure.possible_values(disclosure.rounded(value, key_sum))
            assert low <= value <= high
    assert disclosure.possible_values(0) == (0, 5)
    assert disclosure.possible_values(3) == (1, 8)
    assert disclosure.possible_values(12) == (7, 17)


def test_the_rounding_keeps_the_expected_value_away_from_0():
    draws = [disclosure.rounded(10, key_sum) for key_sum in range(6000)]
    assert abs(sum(draws) / len(draws) - 10) < 0.1


def test_the_draw_depends_on_the_installations_secret(settings):
    before = [disclosure.rounded(4, key_sum) for key_sum in range(60)]
    settings.SECRET_KEY = "another secret for this installation, long enough to be one"
    assert [disclosure.rounded(4, key_sum) for key_sum in range(60)] != before


def test_a_negative_count_is_a_programming_error():
    with pytest.raises(ValueError):
        disclosure.rounded(-1, 0)


@pytest.fixture
def second_half_of_2025(people):
    """Eleven people who started in Eksjö in autumn 2025, six of whom exited: the year 2025 and its
    second half count the same people. Six exits publish as 3, 6 or 9 whatever the records' keys (a
    count moves at most 5, to a multiple of 3), so always a few and never none; four could publish
    as 0, and how they round depends on the ids the database hands out, which differ between runs."""
    participants = []
    for number in range(11):
        gender = "woman" if number % 3 else "man"
        exited = date(2025, 11, 1 + number) if number < 6 else None
        participants.append(
            enrol(
                people,
                person(people, f"Höst{number}", gender, date(1990, 1, 1 + number)),
                decided=date(2025, 8, 1 + number),
                started=date(2025, 8, 10 + number),
                exited=exited,
                reason="work" if exited else "",
                occupation="work" if exited else "",
                municipality="eksjo",
                income="activity_support",
            )
        )
    refresh_all_statistics()
    return participants


def shown_rows(report) -> dict:
    return {
        (table.key, row.label): [figure.text for figure in row.figures]
        for table in exports.present(report).tables
        for row in table.rows
    }


def test_the_same_people_are_published_the_same_in_the_year_its_half_and_their_one_municipality(second_half_of_2025):
    year = build_report(period_from_code("2025"))
    half = build_report(period_from_code("2025H2"))
    eksjo = build_report(period_from_code("2025H2"), municipality=factories.municipality("eksjo"))

    assert shown_rows(year) == shown_rows(half)
    participants = {key: value for key, value in shown_rows(half).items() if key[0] == "participants"}
    assert participants == {key: value for key, value in shown_rows(eksjo).items() if key[0] == "participants"}
    active_at_end = participants[("participants", "Aktiva vid periodens slut")][-1]
    caseload = next(row for row in exports.present(half).caseload if row.municipality == "Eksjö")
    assert caseload.active.text == active_at_end


def test_every_published_count_is_a_multiple_of_3_the_truth_could_give(second_half_of_2025):
    report = build_report(period_from_code("2025H2"))
    shown = exports.present(report)
    published = 0
    for table, shown_table in zip(report.tables, shown.tables, strict=True):
        for row, shown_row in zip(table.rows, shown_table.rows, strict=True):
            truths = [*row.counts.values(), row.total]
            for truth, figure in zip(truths, shown_row.figures, strict=True):
                if figure.hidden or figure.derived:
                    continue
                published += 1
                low, high = disclosure.possible_values(figure.number)
                assert figure.number % 3 == 0 and low <= truth <= high, (row.label, truths, figure)
    assert published > 30


def counts(*values: int) -> list[exports.Figure]:
    return [exports.Figure(str(value), value, exports.COUNT) for value in values]


def test_a_share_is_worked_out_from_the_published_counts_and_only_for_a_group_of_10():
    shares = exports.published_shares([counts(6, 3, 0, 9)], counts(12, 9, 0, 21))

    assert [share.text for share in shares] == ["50,0\xa0%", "för få", "–", "42,9\xa0%"]
    # Two rows' published counts of the part over the whole's, never more than all of it.
    assert (
        exports.published_shares([counts(9, 0, 0, 9), counts(6, 0, 0, 6)], counts(12, 0, 0, 12))[0].text == "100,0\xa0%"
    )


def test_few_exits_give_no_share_no_judgement_and_no_median(second_half_of_2025):
    shown = exports.present(build_report(period_from_code("2025H2")))

    assert shown.table("exits").rows[-1].figures[-1].number < 10
    assert shown.exit_goal.total.hidden
    assert shown.exit_goal.verdict == "För få avslut under perioden för att bedöma målet"
    assert shown.median_months[-1].text == "för få"


def test_a_group_under_10_is_not_broken_down(second_half_of_2025):
    exits = exports.present(build_report(period_from_code("2025H2"))).table("exits")

    totals = exits.rows[-1].figures
    assert totals[-1].number < 10
    for row in exits.rows[:-1]:
        for figure, total in zip(row.figures, totals, strict=True):
            assert (figure.text, figure.hidden or figure.derived) == ("för få" if total.number else "0", True)


def test_one_municipalitys_report_has_no_survey_and_says_why(people, second_half_of_2025):
    shown = exports.present(build_report(period_from_code("2025H2"), municipality=factories.municipality("eksjo")))

    assert shown.survey == [] and shown.survey_responses == []
    assert "Höglandet som helhet" in shown.survey_note


def test_own_dates_are_no_longer_offered_and_an_old_link_to_them_gets_a_clear_message(people):
    form = ReportForm(
        {"kind": "dates", "start": "2026-01-01", "end": "2026-01-02"},
        municipalities=list(Municipality.objects.all()),
        allow_all=True,
    )

    assert not form.is_valid()
    assert form.errors["kind"] == ["Välj en period i listan."]
    assert [value for value, _label in form.fields["kind"].choices] == ["H1", "H2", "year"]
