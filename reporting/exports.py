"""The report as its reader sees it, and its PDF, XLSX and CSV files.

`present(report)` turns a `reporting.report.Report` into rows of figures ready to show, and is the
only way a figure leaves the app: every count is randomly rounded to base 3 with its cell's key, and
the shares and medians of small groups are held back (reporting/disclosure.py,
docs/domain.md#disclosure-control); numbers get Swedish formatting. The page, the PDF, the
spreadsheet and the CSV are all made from it, so they show the same figures.

The workbook and the CSV label their rows and columns in the page's words. A spreadsheet cell is a
number or plain text, never a formula: text starting with = + - @ gets a leading apostrophe in both,
and the workbook stores text as string cells. The PDF's charts are laid out here, where a test can
check that no text crosses a bar, a line or another text.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from sehoglandet.spreadsheets import csv_safe

from . import disclosure, selectors
from .report import EXIT_GOAL, GENDERS, Report, Share, Tally, definitions, share_of
from .selectors import SURVEY_GOAL

# How the access log names a report shown or exported.
OBJECT_TYPE = "reporting.report"
PDF_STYLESHEET = "css/report_pdf.css"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMAT_NAMES = ("pdf", "xlsx", "csv")
NO_FIGURE = "–"
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

COUNT, SHARE, MONTHS, TEXT = "count", "share", "months", "text"


def gender_columns() -> list[str]:
    return [_("Women"), _("Men"), _("Other or not stated"), _("Total")]


@dataclass(frozen=True)
class Figure:
    """One figure as shown (`text`), with its exact value (`number`) where it may be shown."""

    text: str
    number: int | Decimal | None = None
    kind: str = TEXT
    hidden: bool = False  # held back as too few
    derived: bool = False  # a count worked out from other published figures, not rounded on its own

    @property
    def plain(self) -> str:
        """For the CSV: a count without grouping, anything else as shown with ordinary spaces."""
        return str(self.number) if self.kind == COUNT and self.number is not None else self.text.replace("\xa0", " ")


@dataclass(frozen=True)
class Definition:
    """What a figure counts, in words (docs/domain.md#report-definitions)."""

    term: str
    text: str


@dataclass(frozen=True)
class ShownRow:
    label: str
    figures: list[Figure]  # women, men, other or not stated, total
    is_total: bool = False
    is_sum: bool = False  # the total of the rows above it


@dataclass(frozen=True)
class ShownTable:
    key: str
    title: str
    rows: list[ShownRow]
    note: str = ""


@dataclass(frozen=True)
class ShownShare:
    label: str
    figures: list[Figure]  # women, men, other or not stated, total
    goal: Figure | None = None
    met: bool | None = None

    @property
    def total(self) -> Figure:
        return self.figures[-1]

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        if self.total.hidden:
            return _("Too few exits in the period to judge the goal")
        if self.met is None:
            return _("The goal cannot be judged: there is no one to count in the period")
        return _("The goal is met") if self.met else _("The goal is not met")


@dataclass(frozen=True)
class CaseloadRow:
    municipality: str
    active: Figure
    capacity: Figure
    fte: Figure
    use: Figure
    over: bool


@dataclass(frozen=True)
class SurveyRow:
    number: int
    question: str
    scale: str
    answered: list[Figure]
    shares: list[Figure]
    met: bool | None
    top: list[Figure] = field(default_factory=list)  # published answers in the top steps, by gender

    @property
    def verdict(self) -> str:
        if self.shares[-1].hidden:
            return _("Too few answers to judge")
        if self.met is None:
            return _("No answers")
        return _("The goal is met") if self.met else _("The goal is not met")


@dataclass(frozen=True)
class CertificationRow:
    municipality: str
    period: str
    follows_description: str
    fte_as_agreed: str
    certified_by: str
    certified_at: str
    comment: str


@dataclass(frozen=True)
class ShownReport:
    title: str
    period: str
    period_code: str
    scope: str
    generated_by: str
    generated_at: datetime
    protection_notice: str
    definitions: list[Definition]
    tables: list[ShownTable]
    exit_goal: ShownShare
    youth_share: ShownShare
    median_months: list[Figure]
    caseload: list[CaseloadRow]
    survey_note: str
    survey_responses: list[Figure]
    survey_goal: Figure
    survey: list[SurveyRow]
    certifications: list[CertificationRow]
    filename_stem: str

    @property
    def columns(self) -> list[str]:
        return gender_columns()

    def table(self, key: str) -> ShownTable:
        return next(table for table in self.tables if table.key == key)


def access_purpose(shown: ShownReport) -> str:
    """The access log's purpose for the report: its period and scope."""
    return _("Statistics for %(period)s, %(scope)s") % {"period": shown.period, "scope": shown.scope}


# Figures: every count rounded, shares and medians of small groups held back (reporting/disclosure.py)


def count_figure(count: int, key_sum: int) -> Figure:
    """A count as published: randomly rounded to base 3 by its records' keys (`key_sum`), grouped
    the Swedish way."""
    number = disclosure.rounded(count, key_sum)
    return Figure(formats.number_format(number), number, COUNT)


def percent_figure(value: Decimal | None, *, decimals: int = 1) -> Figure:
    if value is None:
        return Figure(NO_FIGURE)
    return Figure(f"{formats.number_format(value * 100, decimal_pos=decimals)}\xa0%", value, SHARE)


def months_figure(value: Decimal | None) -> Figure:
    if value is None:
        return Figure(NO_FIGURE)
    return Figure(formats.number_format(value, decimal_pos=1), value, MONTHS)


def _too_few() -> Figure:
    return Figure(_("too few"), hidden=True)


def tally_figures(tally: Tally) -> list[Figure]:
    """Women, men, other or not stated, and the total, each rounded by the records it counts."""
    counts = [tally.counts.get(gender, 0) for gender in GENDERS]
    keys = [tally.keys.get(gender, 0) for gender in GENDERS]
    return [
        count_figure(count, key_sum) for count, key_sum in zip([*counts, sum(counts)], [*keys, sum(keys)], strict=True)
    ]


def published_shares(parts: list[list[Figure]], whole: list[Figure]) -> list[Figure]:
    """Per column, the share the published counts give: the sum of the parts' published counts over
    the whole's, at most 100 %. Worked out from published figures only, a share tells no one more
    than the counts do (docs/domain.md#disclosure-control); "too few" where the published whole is
    under `REPORT_SHARE_MIN_GROUP`."""
    figures = []
    for column, total in enumerate(whole):
        part = sum(figures_of[column].number for figures_of in parts)
        if total.number and not disclosure.group_may_show(total.number):
            figures.append(_too_few())
        else:
            share = share_of(part, total.number)
            figures.append(percent_figure(None if share is None else min(share, Decimal(1))))
    return figures


def share_figures(share: Share) -> list[Figure]:
    """Women, men, other and total of a share of the report's rows, from their published counts."""
    return published_shares([tally_figures(row.tally) for row in share.parts], tally_figures(share.whole.tally))


def goal_met(figure: Figure, goal: Decimal) -> bool | None:
    """Whether a published share reaches the goal; None where it is not shown."""
    return None if figure.kind != SHARE else figure.number >= goal


def median_figures(report: Report) -> list[Figure]:
    """The medians of the exits by gender and in total, where the published number of exits is at
    least `REPORT_SHARE_MIN_GROUP`."""
    sizes = tally_figures(report.table("exits").rows[-1].tally)
    medians = [report.median_months.get(gender) for gender in [*GENDERS, "total"]]
    return [
        months_figure(median) if not size.number or disclosure.group_may_show(size.number) else _too_few()
        for size, median in zip(sizes, medians, strict=True)
    ]


def describe_period(period) -> str:
    """The period in words with its dates: first half-year 2026 (2026-01-01 – 2026-06-30), a year, or the dates."""
    dates = f"{period.start.isoformat()} – {period.end.isoformat()}"
    half = re.fullmatch(r"(\d{4})H([12])", period.code)
    if half and half.group(2) == "1":
        name = _("First half-year %(year)s") % {"year": half.group(1)}
    elif half:
        name = _("Second half-year %(year)s") % {"year": half.group(1)}
    elif re.fullmatch(r"\d{4}", period.code):
        name = _("Year %(year)s") % {"year": period.code}
    else:
        return dates
    return f"{name} ({dates})"


def _filename_stem(report: Report) -> str:
    period = report.period
    code = period.code if re.fullmatch(r"\d{4}(H[12])?", period.code) else f"{period.start}_{period.end}"
    scope = report.municipality.code if report.municipality else "alla"
    return f"statistik-{code}-{scope}"


def _shown_table(table) -> ShownTable:
    """The table's counts, rounded, and broken down only where the published figure broken down is
    at least `REPORT_SHARE_MIN_GROUP`: in a table of rows and their total, a gender's column under a
    total that small shows "too few" (or 0 under a total of 0); in a table of separate figures, so
    does a figure's split by gender. What is held back follows from published figures only
    (docs/domain.md#disclosure-control)."""
    figures = [tally_figures(row.tally) for row in table.rows]
    if table.rows[-1].is_total and not any(row.is_total for row in table.rows[:-1]):
        totals = figures[-1]
        figures = [
            [_broken_down(figure, totals[column]) for column, figure in enumerate(row)] for row in figures[:-1]
        ] + [totals]
    else:
        figures = [[*(_broken_down(figure, row[-1]) for figure in row[:-1]), row[-1]] for row in figures]
    return ShownTable(
        table.key,
        table.title,
        [
            ShownRow(
                row.label, row_figures, row.is_total, row.is_total and any(not other.is_total for other in table.rows)
            )
            for row, row_figures in zip(table.rows, figures, strict=True)
        ],
        table.note,
    )


def _broken_down(figure: Figure, whole: Figure) -> Figure:
    """A part of `whole` as published: itself, or held back when the published whole is small."""
    if not whole.number:
        return Figure("0", 0, COUNT, derived=True)
    return figure if disclosure.group_may_show(whole.number) else _too_few()


def present(report: Report) -> ShownReport:
    """The report's figures as shown on the page and in every export: every count rounded, the
    shares and medians of small groups held back (docs/domain.md#disclosure-control)."""
    tables = [_shown_table(table) for table in report.tables]
    exit_goal, youth = report.exit_goal, report.youth_share
    goal_figures = share_figures(exit_goal)
    goal = ShownShare(
        str(exit_goal.label),
        goal_figures,
        percent_figure(exit_goal.goal, decimals=0),
        goal_met(goal_figures[-1], EXIT_GOAL),
    )
    survey = report.survey
    return ShownReport(
        title=_("Statistics for SE-Höglandet"),
        period=describe_period(report.period),
        period_code=report.period.code,
        scope=report.municipality.name if report.municipality else _("All municipalities"),
        generated_by=report.generated_by,
        generated_at=timezone.localtime(report.generated_at),
        protection_notice=_(
            "Every count is rounded at random to a multiple of 3, totals too, so that no one can be singled out: "
            "a row need not add up to its total. Groups under %(group)s people are not broken down."
        )
        % {"group": disclosure.share_min_group()},
        definitions=[Definition(term, text) for term, text in definitions()],
        tables=tables,
        exit_goal=goal,
        youth_share=ShownShare(str(youth.label), share_figures(youth)),
        median_months=median_figures(report),
        caseload=[_caseload_row(row) for row in report.caseload],
        survey_note=""
        if survey
        else _(
            "The indicator survey is reported for Höglandet as a whole, never per municipality (service "
            "description 003): see the report for all municipalities."
        ),
        survey_responses=tally_figures(Tally(_without_total(survey.responses), _without_total(survey.responses_keys)))
        if survey
        else [],
        survey_goal=percent_figure(selectors.SURVEY_GOAL, decimals=0),
        survey=[_survey_row(number, question) for number, question in enumerate(survey.questions, start=1)]
        if survey
        else [],
        certifications=[_certification_row(certification) for certification in report.certifications],
        filename_stem=_filename_stem(report),
    )


def _without_total(counts: dict[str, int]) -> dict[str, int]:
    return {gender: counts.get(gender, 0) for gender in GENDERS}


def _caseload_row(row: dict) -> CaseloadRow:
    """A municipality's active participants at the end, the same rounded figure as the total of
    "active at the end" in its own report; the use of the places is worked out from that figure."""
    active = count_figure(row["active"], row["key_sum"])
    capacity = row["capacity"]
    use = (Decimal(active.number) / Decimal(capacity)).quantize(Decimal("0.001")) if capacity else None
    return CaseloadRow(
        municipality=row["municipality"],
        active=active,
        capacity=Figure(formats.number_format(capacity), capacity, COUNT),
        fte=Figure(f"{formats.number_format(row['fte'])}\xa0%", Decimal(row["fte"]) / 100, SHARE),
        use=percent_figure(use),
        over=active.number > capacity,
    )


def _survey_row(number: int, question) -> SurveyRow:
    """A question's published answers, its published answers in the top three steps, and the share
    these give."""
    answered = tally_figures(Tally(_without_total(question.answered), _without_total(question.answered_keys)))
    top = tally_figures(Tally(_without_total(question.top), _without_total(question.top_keys)))
    shares = published_shares([top], answered)
    return SurveyRow(
        number, str(question.question), str(question.scale), answered, shares, goal_met(shares[-1], SURVEY_GOAL), top
    )


def _certification_row(certification) -> CertificationRow:
    user = certification.certified_by
    return CertificationRow(
        municipality=certification.municipality.name,
        period=f"{certification.period_start.isoformat()} – {certification.period_end.isoformat()}",
        follows_description=_("Yes") if certification.follows_description else _("No"),
        fte_as_agreed=_("Yes") if certification.fte_as_agreed else _("No"),
        certified_by=user.get_full_name() or user.username,
        certified_at=formats.date_format(timezone.localtime(certification.certified_at), "Y-m-d H:i"),
        comment=certification.comment,
    )


# Charts for the PDF

# Text in the charts is DejaVu Sans (the stylesheet's font) at FONT_SIZE. Its width is estimated
# per character, rounded up to the character's class in ems (tests hold the estimate against the
# font's own metrics), so the layout can keep every text clear of the bars and lines.
FONT_SIZE = 9
NARROW_CHARACTERS = " \xa0,.:;/'ijlIJ"
WIDE_CHARACTERS = "%mwMW"
ASCENT, DESCENT = 0.93, 0.24  # of the font size, above and below the baseline
GAP = 4  # between a bar's end or a line and the text beside it


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An upper estimate of the width of `text` in DejaVu Sans at `size`."""
    return size * sum(_character_width(character) for character in text)


def _character_width(character: str) -> float:
    if character in NARROW_CHARACTERS:
        return 0.34
    if character in WIDE_CHARACTERS:
        return 1.0
    return 0.8 if character.isupper() else 0.64


@dataclass(frozen=True)
class Box:
    """What a text, a bar or a line covers in a chart, in the chart's coordinates."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "Box") -> bool:
        return (
            self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom
        )


def text_box(text: str, x: float, baseline: float, *, anchor: str = "start") -> Box:
    """The box of `text` drawn at `x`, which is its start, middle or end as SVG's text-anchor says."""
    width = text_width(text)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, baseline - ASCENT * FONT_SIZE, left + width, baseline + DESCENT * FONT_SIZE)


def line_box(x: float, top: float, bottom: float, stroke: float) -> Box:
    return Box(x - stroke / 2, top, x + stroke / 2, bottom)


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a label, a bar of `width` (None where the figure has none: too few or no
    one) and the value as text starting at `value_x`. `y` is the row's top, `marker` the x of a line
    across the bar."""

    label: str
    value: str
    y: float
    width: float | None
    value_x: float
    marker: float | None = None

    @property
    def text_y(self) -> float:
        return self.y + 11

    @property
    def marker_top(self) -> float:
        return self.y - 3

    @property
    def marker_bottom(self) -> float:
        return self.y + Chart.BAR_HEIGHT + 3

    def text_boxes(self) -> list[Box]:
        return [
            text_box(self.label, Chart.LABEL_END, self.text_y, anchor="end"),
            text_box(self.value, self.value_x, self.text_y),
        ]

    def shapes(self) -> list[Box]:
        """The bar and the marker, which no text may cross."""
        shapes = []
        if self.width:
            shapes.append(Box(Chart.BAR_START, self.y, Chart.BAR_START + self.width, self.y + Chart.BAR_HEIGHT))
        if self.marker is not None:
            shapes.append(line_box(self.marker, self.marker_top, self.marker_bottom, Chart.MARKER_STROKE))
        return shapes


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, laid out here and drawn as inline SVG by the PDF template. `goal` is
    the length of bar that reaches the goal; its line runs down the whole chart, its label below."""

    title: str
    description: str
    bars: list[Bar]
    goal: float | None = None
    goal_label: str = ""

    FONT_SIZE = FONT_SIZE
    LABEL_END = 190
    BAR_START = 200
    BAR_SPACE = 250
    TOP = 8
    ROW_HEIGHT = 24
    BAR_HEIGHT = 14
    WIDTH = 520
    MARKER_STROKE = 2
    GOAL_STROKE = 1.5
    GOAL_TOP = 4

    @property
    def height(self) -> int:
        return self.TOP + self.ROW_HEIGHT * len(self.bars) + 16

    @property
    def goal_x(self) -> float | None:
        return None if self.goal is None else self.BAR_START + self.goal

    @property
    def goal_bottom(self) -> float:
        return self.height - 14

    @property
    def goal_label_y(self) -> float:
        return self.height - 3

    def text_boxes(self) -> list[Box]:
        boxes = [box for bar in self.bars for box in bar.text_boxes()]
        if self.goal_x is not None:
            boxes.append(text_box(self.goal_label, self.goal_x, self.goal_label_y, anchor="middle"))
        return boxes

    def shapes(self) -> list[Box]:
        """The bars, the markers and the goal line."""
        shapes = [shape for bar in self.bars for shape in bar.shapes()]
        if self.goal_x is not None:
            shapes.append(line_box(self.goal_x, self.GOAL_TOP, self.goal_bottom, self.GOAL_STROKE))
        return shapes


def _value_x(text: str, end: float, lines: list[float]) -> float:
    """Where a value's text starts: a gap past the bar's end, moved past any line it would cross."""
    x, width = end + GAP, text_width(text)
    for line in sorted(lines):
        if x - GAP < line < x + width + GAP:
            x = line + GAP
    return x


def _chart(title: str, description: str, rows: list[tuple], *, goal: float | None = None, goal_label: str = ""):
    """A chart of `rows` (label, value text, bar width or None, marker x or None), each value's text
    placed clear of its bar, its marker and the goal line."""
    goal_x = None if goal is None else Chart.BAR_START + goal
    bars = []
    for index, (label, value, width, marker) in enumerate(rows):
        lines = [x for x in (goal_x, marker) if x is not None]
        x = _value_x(value, Chart.BAR_START + (width or 0), lines)
        bars.append(Bar(label, value, Chart.TOP + index * Chart.ROW_HEIGHT, width, x, marker))
    return Chart(title, description, bars, goal, goal_label)


def _share_row(label: str, figure: Figure) -> tuple:
    """A share as a bar; one left out (too few) or missing (no one) as its text alone."""
    width = round(float(figure.number) * Chart.BAR_SPACE, 1) if figure.kind == SHARE else None
    return (label, figure.text, width, None)


def _exit_goal_chart(shown: ShownReport) -> Chart:
    """Women, men and the total, each a bar or the text that says why not; other or not stated only
    when it has a share to show."""
    goal = shown.exit_goal
    women, men, other, total = zip(shown.columns, goal.figures, strict=True)
    rows = [women, men, *([other] if other[1].kind == SHARE else []), total]
    return _chart(
        goal.label,
        _("Share of exits to work or studies, by gender, against the goal of %(goal)s.") % {"goal": goal.goal.text},
        [_share_row(label, figure) for label, figure in rows],
        goal=float(goal.goal.number) * Chart.BAR_SPACE,
        goal_label=_("Goal %(goal)s") % {"goal": goal.goal.text},
    )


def _survey_chart(shown: ShownReport) -> Chart | None:
    """Each question with answers, its share in the top three steps or the text that says why not."""
    rows = [
        _share_row(_("Question %(number)s") % {"number": row.number}, row.shares[-1])
        for row in shown.survey
        if row.shares[-1].kind == SHARE or row.shares[-1].hidden
    ]
    if not rows:
        return None
    return _chart(
        _("Indicator survey"),
        _("Share answering in the top three steps, per question, against the goal of %(goal)s.")
        % {"goal": shown.survey_goal.text},
        rows,
        goal=float(shown.survey_goal.number) * Chart.BAR_SPACE,
        goal_label=_("Goal %(goal)s") % {"goal": shown.survey_goal.text},
    )


def _caseload_chart(shown: ShownReport) -> Chart:
    """Active participants per municipality as bars, the places as a marker, on one scale."""
    numbers = [figure.number for row in shown.caseload for figure in (row.active, row.capacity)]
    scale = max((number for number in numbers if number is not None), default=0) or 1

    def length(figure: Figure) -> float | None:
        return None if figure.number is None else round(figure.number / scale * Chart.BAR_SPACE, 1)

    rows = []
    for row in shown.caseload:
        places = length(row.capacity)
        marker = None if places is None else Chart.BAR_START + places
        rows.append((row.municipality, f"{row.active.text} / {row.capacity.text}", length(row.active), marker))
    return _chart(
        _("Caseload at the end of the period"),
        _("Active participants per municipality; the line marks the places (20 per full-time post)."),
        rows,
    )


def charts(shown: ShownReport) -> list[Chart]:
    """The key figures as bars: exits to work or studies by gender and the survey per question
    against their goals, and the caseload against the places. A share left out for too few people
    is a row with its text and no bar, never dropped."""
    survey = _survey_chart(shown)
    return [
        _exit_goal_chart(shown),
        *([survey] if survey is not None else []),
        *([_caseload_chart(shown)] if shown.caseload else []),
    ]


# Files


def render_pdf(shown: ShownReport) -> bytes:
    """The report as A4 PDF: a cover with period, scope, who generated it and when; the tables and
    the charts; page numbers."""
    import weasyprint  # loads system libraries; only when a PDF is made

    html = render_to_string("reporting/report_pdf.html", {"report": shown, "charts": charts(shown)})
    stylesheet = weasyprint.CSS(filename=finders.find(PDF_STYLESHEET))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])


def _number_of(value) -> tuple[int | float | None, str]:
    if isinstance(value, Figure) and value.number is not None:
        if value.kind == COUNT:
            return int(value.number), ""
        if value.kind == SHARE:
            return float(value.number), "0.0%"
        if value.kind == MONTHS:
            return float(value.number), "0.0"
    return None, ""


def _cell_value(sheet, row: int, column: int, value, *, bold: bool = False) -> None:
    """A number, or text that can never become a formula: a string cell, and text starting with
    = + - @ gets an apostrophe in front, as in the CSV."""
    cell = sheet.cell(row=row, column=column)
    number, number_format = _number_of(value)
    if number is not None:
        cell.value = number
        if number_format:
            cell.number_format = number_format
    else:
        text = value.text if isinstance(value, Figure) else str(value)
        if text:
            cell.value = csv_safe(text)
            cell.data_type = "s"
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)


def _sheet(workbook: Workbook, name: str, title: str, used: set[str]):
    """A new sheet with a name Excel accepts and no other sheet has, and `title` in its first cell."""
    name = SHEET_NAME_FORBIDDEN.sub("", name)[:31].strip() or "Blad"
    base, number = name, 2
    while name.lower() in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    sheet = workbook.create_sheet(name)
    _cell_value(sheet, 1, 1, title, bold=True)
    sheet.column_dimensions["A"].width = 60
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 16
    return sheet


def _put_rows(sheet, rows: list[list], first_row: int) -> int:
    """`rows` from `first_row` down; the row after the last."""
    for row_number, values in enumerate(rows, start=first_row):
        for column, value in enumerate(values, start=1):
            _cell_value(sheet, row_number, column, value)
    return first_row + len(rows)


def _put_table(sheet, header: list[str], rows: list[list], first_row: int = 3) -> int:
    """A bold header row and `rows` below it; the row after the last."""
    for column, text in enumerate(header, start=1):
        _cell_value(sheet, first_row, column, text, bold=True)
    return _put_rows(sheet, rows, first_row + 1)


# The rows of the workbook and the CSV, labelled in the page's words (templates/reporting/report.html).


def _figure_header(shown: ShownReport) -> list[str]:
    return [_("Figure"), *shown.columns]


def _about_rows(shown: ShownReport) -> list[list]:
    rows = [
        [_("Period"), shown.period],
        [_("Municipality"), shown.scope],
        [_("Generated by"), shown.generated_by],
        [_("Generated"), formats.date_format(shown.generated_at, "Y-m-d H:i")],
    ]
    rows.append([_("Rounding"), shown.protection_notice])
    rows.extend([definition.term, definition.text] for definition in shown.definitions)
    return rows


def _goal_judgement(goal: ShownShare) -> str:
    """The page's words under the exit goal: the judgement, and the share against the goal where
    there is a share to tell."""
    if goal.total.kind != SHARE:
        return goal.verdict
    sentence = _("%(share)s of those who exited went to work or studies; the goal is %(target)s.") % {
        "share": goal.total.text,
        "target": goal.goal.text,
    }
    return f"{goal.verdict.rstrip('.')}. {sentence}"


def _goal_rows(shown: ShownReport) -> list[list]:
    """Label, women, men, other or not stated, total, and the goal's judgement where there is one."""
    goal, youth = shown.exit_goal, shown.youth_share
    return [
        [goal.label, *goal.figures, _goal_judgement(goal)],
        [youth.label, *youth.figures],
        [_("Median months in the service, for those who exited in the period"), *shown.median_months],
    ]


def _caseload_caption() -> str:
    return _("Active participants at the end of the period against the places: 20 per full-time coach post")


def _caseload_header() -> list[str]:
    return [_("Municipality"), _("Active at the end"), _("Places"), _("Coach posts"), _("Use of the places")]


def _caseload_rows(shown: ShownReport) -> list[list]:
    return [[row.municipality, row.active, row.capacity, row.fte, row.use] for row in shown.caseload]


def _survey_intro(shown: ShownReport) -> str:
    return _(
        "Share answering in the top three steps of the scale (often, most of the time, always; to a large extent, "
        "to a very large extent, completely), against the goal of %(goal)s. %(total)s answered the survey in the "
        "period."
    ) % {"goal": shown.survey_goal.text, "total": shown.survey_responses[-1].text}


def _survey_header(shown: ShownReport) -> list[str]:
    return [_("Question"), *shown.columns, _("Answers"), _("Goal")]


def _survey_rows(shown: ShownReport) -> list[list]:
    """Per question: women, men, other or not stated and total in the top three steps, the number of
    answers and the judgement."""
    return [[f"{row.number}. {row.question}", *row.shares, row.answered[-1], row.verdict] for row in shown.survey]


def _answer_rows(shown: ShownReport) -> list[list]:
    """The number of answers by gender: to the survey, then to each question."""
    return [
        [_("Answered the survey"), *shown.survey_responses],
        *([_("Answered question %(number)s") % {"number": row.number}, *row.answered] for row in shown.survey),
    ]


def _certification_header() -> list[str]:
    return [
        _("Municipality"),
        _("Period"),
        _("The service follows the service description"),
        _("The coaches worked the agreed share of a post"),
        _("Certified by"),
        _("Certified"),
        _("Comment"),
    ]


def _certification_rows(shown: ShownReport) -> list[list]:
    return [
        [
            row.municipality,
            row.period,
            row.follows_description,
            row.fte_as_agreed,
            row.certified_by,
            row.certified_at,
            row.comment,
        ]
        for row in shown.certifications
    ]


def _sheet_names() -> dict[str, str]:
    return {
        "participants": _("Participants"),
        "referrals": _("Referrals"),
        "exits": _("Exits"),
        "ages": _("Age at enrolment"),
        "referring_party": _("Referring party"),
        "income_before": _("Income at enrolment"),
        "income_during": _("Income at the end"),
        "income_after": _("Income after exit"),
        "occupation_after": _("Occupation after exit"),
    }


def _about_sheet(workbook: Workbook, shown: ShownReport) -> set[str]:
    """The first sheet: the report's title, period, scope, who made it and when; the sheet names used."""
    about = workbook.active
    about.title = _("About the report")[:31]
    _cell_value(about, 1, 1, shown.title, bold=True)
    _put_rows(about, _about_rows(shown), first_row=3)
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 100
    return {about.title.lower()}


def _survey_sheet(workbook: Workbook, shown: ShownReport, used: set[str]) -> None:
    """The page's two survey tables: shares, answers and judgement per question; answers by gender."""
    sheet = _sheet(workbook, _("Survey"), _("Indicator survey"), used)
    if shown.survey_note:
        _cell_value(sheet, 2, 1, shown.survey_note)
        return
    _cell_value(sheet, 2, 1, _survey_intro(shown))
    next_row = _put_table(sheet, _survey_header(shown), _survey_rows(shown))
    _cell_value(sheet, next_row + 1, 1, _("Number of answers, by gender"), bold=True)
    _put_table(sheet, _figure_header(shown), _answer_rows(shown), first_row=next_row + 2)


def render_xlsx(shown: ShownReport) -> bytes:
    """A sheet about the report (period, scope, who and when), one per table, and one each for the
    goals, the caseload, the survey and the certifications, with the page's labels."""
    workbook = Workbook()
    used = _about_sheet(workbook, shown)
    names = _sheet_names()
    for table in shown.tables:
        sheet = _sheet(workbook, names.get(table.key, table.title), table.title, used)
        next_row = _put_table(sheet, _figure_header(shown), [[row.label, *row.figures] for row in table.rows])
        if table.note:
            _cell_value(sheet, next_row + 1, 1, table.note)
    sheet = _sheet(workbook, _("Goals"), _("Goals and key figures"), used)
    _put_table(sheet, [*_figure_header(shown), _("Goal")], _goal_rows(shown))
    sheet = _sheet(workbook, _("Caseload"), _("Caseload"), used)
    _cell_value(sheet, 2, 1, _caseload_caption())
    _put_table(sheet, _caseload_header(), _caseload_rows(shown))
    _survey_sheet(workbook, shown, used)
    sheet = _sheet(workbook, _("Certifications"), _("Managers' half-year certifications"), used)
    _put_table(sheet, _certification_header(), _certification_rows(shown))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_csv(shown: ShownReport) -> bytes:
    """One file of figures: table; figure; women; men; other or not stated; total; answers; goal, with
    the page's labels. Semicolons and a UTF-8 byte-order mark, as Swedish Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = [_("Table"), *_figure_header(shown), _("Answers"), _("Goal")]

    def write(table: str, label: str, figures: list, *, answers="", goal="") -> None:
        values = [*figures, *[""] * (4 - len(figures)), answers, goal]
        cells = [value.plain if isinstance(value, Figure) else str(value).replace("\xa0", " ") for value in values]
        writer.writerow([csv_safe(str(table)), csv_safe(str(label)), *map(csv_safe, cells)])

    writer.writerow(header)
    about = _("About the report")
    for label, value in _about_rows(shown):
        write(about, label, ["", "", "", value])
    for table in shown.tables:
        for row in table.rows:
            write(table.title, row.label, row.figures)
    goals = _("Goals and key figures")
    for label, *figures in _goal_rows(shown):
        write(goals, label, figures[:4], goal=figures[4] if len(figures) > 4 else "")
    caseload = _("Caseload")
    for municipality, *figures in _caseload_rows(shown):
        for column, figure in zip(_caseload_header()[1:], figures, strict=True):
            write(caseload, f"{municipality}: {column}", ["", "", "", figure])
    survey = _("Indicator survey")
    if shown.survey_note:
        write(survey, shown.survey_note, [])
    else:
        for label, *shares, answers, verdict in _survey_rows(shown):
            write(survey, label, shares, answers=answers, goal=verdict)
        for label, *figures in _answer_rows(shown):
            write(survey, label, figures)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


RENDERERS = {
    "pdf": (render_pdf, "application/pdf"),
    "xlsx": (render_xlsx, XLSX_CONTENT_TYPE),
    "csv": (render_csv, "text/csv; charset=utf-8"),
}


def render(shown: ShownReport, file_format: str) -> tuple[bytes, str, str]:
    """The file's bytes, its content type and its name."""
    renderer, content_type = RENDERERS[file_format]
    return renderer(shown), content_type, f"{shown.filename_stem}.{file_format}"
