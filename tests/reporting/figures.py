"""Every figure of a report, true and as its reader sees it, to compare reports before and after a change
that must not move them (the retention purge)."""

from reporting import exports
from reporting.report import GENDERS, build_report, period_from_code
from sehoglandet.models import Municipality


def true_figures(report) -> dict:
    """The true figures: each row's counts and the sum of its records' rounding keys (which fix how it
    is rounded), the shares, the medians and the caseload."""

    def share(value):
        return [value.of(gender) for gender in (None, *GENDERS)]

    return {
        "tables": {
            table.key: [(row.key, row.label, dict(row.counts), dict(row.tally.keys)) for row in table.rows]
            for table in report.tables
        },
        "exit_goal": share(report.exit_goal),
        "youth_share": share(report.youth_share),
        "median_months": report.median_months,
        "caseload": report.caseload,
    }


def shown_figures(shown) -> dict:
    """What the reader sees (reporting.exports.present): every table, goal, median and caseload figure
    as text, and the judgements."""

    def texts(figures):
        return [figure.text for figure in figures]

    return {
        "tables": {table.key: [(row.label, texts(row.figures)) for row in table.rows] for table in shown.tables},
        "exit_goal": (texts(shown.exit_goal.figures), shown.exit_goal.verdict),
        "youth_share": texts(shown.youth_share.figures),
        "median_months": texts(shown.median_months),
        "caseload": [
            (row.municipality, texts([row.active, row.capacity, row.fte, row.use]), row.over) for row in shown.caseload
        ],
        "survey": [(row.number, texts(row.answered), texts(row.shares), row.verdict) for row in shown.survey],
        "survey_responses": texts(shown.survey_responses),
        "survey_note": shown.survey_note,
    }


def figures(report) -> dict:
    """Every figure of a report: the true ones and those the reader sees."""
    return {"true": true_figures(report), "shown": shown_figures(exports.present(report))}


def row_counts(figures: dict, table: str, key: str) -> dict[str, int]:
    """The true counts of one row of `figures`, by the row's key (`decided`, `referrals`, `exited`)."""
    return next(counts for row_key, _label, counts, _keys in figures["true"]["tables"][table] if row_key == key)


def all_reports(codes=("2025H2", "2026H1", "2026H2", "2026")) -> dict:
    """The figures of each period in `codes`, for all municipalities, Eksjö and Nässjö."""
    reports = {}
    for code in codes:
        for municipality in (None, *Municipality.objects.filter(code__in=["nassjo", "eksjo"]).order_by("code")):
            report = build_report(period_from_code(code), municipality=municipality)
            reports[(code, municipality.code if municipality else "")] = figures(report)
    return reports
