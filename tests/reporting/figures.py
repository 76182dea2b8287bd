"""Every figure of a report as its reader sees it, to compare reports before and after a change that
must not move them (the retention purge)."""

from reporting.report import build_report, period_from_code
from sehoglandet.models import Municipality


def figures(report) -> dict:
    """Every figure of a report as the reader sees it: each table's cells, shares, medians, caseload."""
    limit = report.mask_limit

    def share(value):
        return (value.parts, value.wholes, [value.of(g) for g in (None, "woman", "man", "other")], value.met)

    return {
        "tables": [
            (
                table.key,
                table.note,
                [(row.label, row.counts, row.is_total, [c.display(limit) for c in row.cells()]) for row in table.rows],
            )
            for table in report.tables
        ],
        "exit_goal": share(report.exit_goal),
        "youth_share": share(report.youth_share),
        "median_months": report.median_months,
        "caseload": report.caseload,
    }


def all_reports(codes=("2025H2", "2026H1", "2026H2", "2026")) -> dict:
    """The figures of each period in `codes`, for all municipalities, Eksjö and Nässjö."""
    reports = {}
    for code in codes:
        for municipality in (None, *Municipality.objects.filter(code__in=["nassjo", "eksjo"]).order_by("code")):
            report = build_report(period_from_code(code), municipality=municipality)
            reports[(code, municipality.code if municipality else "")] = figures(report)
    return reports
