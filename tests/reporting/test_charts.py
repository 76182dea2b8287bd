"""The PDF's charts, laid out in Python: no text crosses another text, a bar, a capacity marker or
the goal line, for realistic figures and for the edges (0 %, 100 %, a share at the goal, every
municipality at capacity, one far over it). The exit chart shows women and men, with a row that
says "too few" where a share is left out.

The realistic case is what a published report gives: counts rounded to multiples of 3 and shares
worked out from them; the edges and the random figures go beyond it, since the layout must hold for
any share and any count.

A text's box is estimated per character for DejaVu Sans at the charts' font size; a test holds the
estimate against the font's own metrics, so a box is never narrower than the drawn text.
"""

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting import exports
from reporting.exports import COUNT, Chart, Figure, percent_figure
from reporting.report import share_of

DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
COLUMNS = ["Kvinnor", "Män", "Annat eller ej angivet", "Totalt"]
TOO_FEW = Figure("för få", hidden=True)
NO_ONE = Figure("–")
# The places of the six municipalities (20 per full-time post).
PLACES = {"Aneby": 15, "Eksjö": 30, "Nässjö": 36, "Sävsjö": 30, "Tranås": 20, "Vetlanda": 30}


def share(value: str) -> Figure:
    return percent_figure(Decimal(value))


def of(part: int, whole: int) -> Figure:
    """A share as published: worked out from published counts (multiples of 3)."""
    return percent_figure(share_of(part, whole))


def count(number: int) -> Figure:
    return Figure(str(number), number, COUNT)


def report(exit_figures: list[Figure], *, survey: list[Figure] = (), active: dict[str, int] | None = None):
    """A stand-in for the shown report with what the charts read: the exit goal (35 %), the survey's
    total share per question (goal 70 %) and the caseload."""
    return SimpleNamespace(
        columns=COLUMNS,
        exit_goal=SimpleNamespace(label="Avslut till arbete eller studier", figures=exit_figures, goal=share("0.35")),
        survey_goal=share("0.70"),
        survey=[SimpleNamespace(number=n, shares=[NO_ONE] * 3 + [figure]) for n, figure in enumerate(survey, start=1)],
        caseload=[
            SimpleNamespace(municipality=name, active=count(active[name]), capacity=count(places))
            for name, places in PLACES.items()
        ]
        if active
        else [],
    )


REALISTIC = report(
    # 12 of 30 women and 9 of 30 men exited to work or studies, 3 of other gender: 24 of 63 in all.
    [of(12, 30), of(9, 30), TOO_FEW, of(24, 63)],
    # Of 54 answers to each question, so many in the top three steps.
    survey=[of(top, 54) for top in (39, 36, 39, 48, 18, 36, 39)],
    active={"Aneby": 12, "Eksjö": 33, "Nässjö": 36, "Sävsjö": 21, "Tranås": 18, "Vetlanda": 33},
)
EDGES = {
    "realistic": REALISTIC,
    "0 % and 100 %": report(
        [share("0"), share("1"), share("0.5"), share("0.5")],
        survey=[share("0"), share("1"), share("0.001"), share("0.999")],
        active={"Aneby": 0, "Eksjö": 30, "Nässjö": 0, "Sävsjö": 30, "Tranås": 0, "Vetlanda": 30},
    ),
    "a share at the goal and just either side": report(
        [share("0.35"), share("0.349"), share("0.351"), share("0.34")],
        survey=[share(value) for value in ("0.70", "0.699", "0.701", "0.69", "0.68", "0.65", "0.60")],
        active={"Aneby": 14, "Eksjö": 29, "Nässjö": 35, "Sävsjö": 28, "Tranås": 18, "Vetlanda": 31},
    ),
    "every municipality at capacity": report(
        [share("0.333"), share("0.25"), NO_ONE, share("0.3")], active=dict(PLACES)
    ),
    "one far over capacity": report(
        [TOO_FEW, TOO_FEW, TOO_FEW, share("0.35")],
        survey=[TOO_FEW, share("0.5")],
        active={"Aneby": 15, "Eksjö": 29, "Nässjö": 37, "Sävsjö": 31, "Tranås": 72, "Vetlanda": 0},
    ),
    "no exits and no answers": report([NO_ONE, NO_ONE, NO_ONE, NO_ONE], active=dict.fromkeys(PLACES, 0)),
}


def collisions(chart: Chart) -> list[tuple]:
    """Each pair of texts that overlap, each text that crosses a bar or a line, and each text or
    shape outside the chart's drawing."""
    texts, shapes = chart.text_boxes(), chart.shapes()
    found = [(a, b) for i, a in enumerate(texts) for b in texts[i + 1 :] if a.overlaps(b)]
    found += [(text, shape) for text in texts for shape in shapes if text.overlaps(shape)]
    found += [
        (box, "outside")
        for box in [*texts, *shapes]
        if box.left < 0 or box.top < 0 or box.right > chart.WIDTH or box.bottom > chart.height
    ]
    return found


@pytest.mark.parametrize("case", EDGES)
def test_no_text_in_a_chart_touches_another_text_a_bar_or_a_line(case):
    charts = exports.charts(EDGES[case])

    assert charts
    assert {chart.title: collisions(chart) for chart in charts} == {chart.title: [] for chart in charts}


@settings(max_examples=150, deadline=None)
@given(
    shares=st.lists(st.integers(min_value=0, max_value=1000), min_size=4, max_size=4),
    survey=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=7),
    active=st.lists(st.integers(min_value=0, max_value=150), min_size=6, max_size=6),
)
def test_no_text_collides_whatever_the_figures(shares, survey, active):
    def thousandths(value: int) -> Figure:
        return share(str(Decimal(value) / 1000))

    shown = report(
        [thousandths(value) for value in shares],
        survey=[thousandths(value) for value in survey],
        active=dict(zip(PLACES, active, strict=True)),
    )

    for chart in exports.charts(shown):
        assert collisions(chart) == [], chart.title


def test_a_value_just_short_of_the_goal_line_moves_past_it():
    (exit_chart, *_others) = exports.charts(report([share("0.40"), share("0.30"), NO_ONE, share("0.36")]))

    women, men, total = exit_chart.bars
    assert women.value_x == women.width + 200 + 4  # past its bar, clear of the line it has passed
    assert men.value_x == exit_chart.goal_x + 4  # its bar ends 12.5 short of the line: moved past it
    assert total.value_x == total.width + 200 + 4


def test_a_capacity_marker_past_the_bar_pushes_the_caseload_text_past_it():
    caseload = exports.charts(REALISTIC)[-1]

    aneby = caseload.bars[0]
    assert (aneby.label, aneby.value) == ("Aneby", "12 / 15")
    assert aneby.value_x == aneby.marker + 4
    vetlanda = caseload.bars[-1]  # over capacity: the marker lies on the bar, the text follows the bar
    assert vetlanda.value_x == 200 + vetlanda.width + 4


def test_the_exit_chart_shows_women_and_men_and_says_too_few_instead_of_a_bar():
    exit_chart = exports.charts(report([TOO_FEW, share("0.3"), TOO_FEW, share("0.36")]))[0]

    assert [(bar.label, bar.value, bar.width is None) for bar in exit_chart.bars] == [
        ("Kvinnor", "för få", True),
        ("Män", "30,0\xa0%", False),
        ("Totalt", "36,0\xa0%", False),  # other or not stated: too few, and no share to show
    ]


def test_other_or_not_stated_is_in_the_exit_chart_when_it_has_a_share():
    exit_chart = exports.charts(report([share("0.4"), NO_ONE, share("0.5"), share("0.42")]))[0]

    assert [(bar.label, bar.value) for bar in exit_chart.bars] == [
        ("Kvinnor", "40,0\xa0%"),
        ("Män", "–"),
        ("Annat eller ej angivet", "50,0\xa0%"),
        ("Totalt", "42,0\xa0%"),
    ]


def test_a_survey_question_without_answers_is_left_out_and_one_with_too_few_says_so():
    shown = report([NO_ONE] * 4, survey=[share("0.8"), NO_ONE, TOO_FEW])

    survey_chart = exports.charts(shown)[1]

    assert [(bar.label, bar.value) for bar in survey_chart.bars] == [("Fråga 1", "80,0\xa0%"), ("Fråga 3", "för få")]


def test_without_survey_answers_or_caseload_only_the_exit_chart_is_drawn():
    assert [chart.title for chart in exports.charts(report([NO_ONE] * 4))] == ["Avslut till arbete eller studier"]


def all_chart_texts() -> set[str]:
    return {
        text
        for shown in EDGES.values()
        for chart in exports.charts(shown)
        for text in [chart.goal_label, *(t for bar in chart.bars for t in (bar.label, bar.value))]
    }


@pytest.mark.skipif(not DEJAVU_SANS.exists(), reason="DejaVu Sans is not installed")
def test_the_width_estimate_is_never_narrower_than_dejavu_sans_draws_the_text():
    from fontTools.ttLib import TTFont  # WeasyPrint's dependency

    font = TTFont(DEJAVU_SANS)
    glyphs, advances, units = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm

    def drawn_width(text: str) -> float:
        return sum(advances[glyphs[ord(character)]][0] for character in text) / units * exports.FONT_SIZE

    texts = all_chart_texts() | {"Sävsjö", "Vetlanda", "Annat eller ej angivet", "Fråga 7", "100,0\xa0%", "Mål 70\xa0%"}
    too_narrow = {text: (exports.text_width(text), drawn_width(text)) for text in texts}
    assert {text: widths for text, widths in too_narrow.items() if widths[0] < widths[1]} == {}
