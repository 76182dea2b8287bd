"""The attack on the published statistics (tests/reporting/attack.py) recovers no count from 1 to 3
from everything a förbundschef can download: every half-year and year with data, for all
municipalities and each one (docs/domain.md#disclosure-control). A manager sees a subset of that."""

from decimal import Decimal

import pytest

from reporting import exports
from reporting.report import build_report, period_from_code
from sehoglandet.models import Municipality

from .attack import Attack, build_attack
from .population import build_population

PERIODS = ["2025H1", "2025H2", "2025", "2026H1", "2026H2", "2026"]

pytestmark = pytest.mark.with_reach


def every_report() -> dict:
    scopes = [None, *Municipality.objects.order_by("code")]
    reports = {}
    for code in PERIODS:
        for municipality in scopes:
            report = build_report(period_from_code(code), municipality=municipality)
            reports[(code, report.scope)] = (report, exports.present(report))
    return reports


def test_no_small_count_can_be_solved_from_every_report_a_forbundschef_can_download(people):
    population = build_population(people, size=240, seed=12)
    assert population.participants > 180

    attack = build_attack(every_report())
    attack.check_truth_is_feasible()

    # Enough small counts published to attack, or the test proves nothing.
    assert attack.published_small_counts > 300, attack.published_small_counts
    assert attack.recovered() == []


def published(value: int) -> exports.Figure:
    return exports.Figure(str(value), value, exports.COUNT)


def test_the_attack_recovers_counts_the_rounding_does_not_hide():
    """A total published as 0 (so at most 5) over five parts published as 3 (so at least 1 each): every
    part is 1 and the total 5. The attack must find that, or its finding nothing elsewhere means nothing."""
    attack = Attack()
    total = attack.count(("p", "s", "f", "total"), published(0), 5)
    parts = [attack.count(("p", "s", f"row{number}", "total"), published(3), 1) for number in range(5)]
    attack.equal([total], parts)
    attack.check_truth_is_feasible()

    assert attack.recovered() == [("p", "s", f"row{number}", "total") for number in range(5)]


def test_the_attack_uses_a_shown_share_against_its_whole():
    """36,4 % to work of a whole published as 12 (10 to 14), with at least 4 to work: only 4 of 11
    gives that share, so the share gives both counts back exactly (neither is small, so it may)."""
    attack = Attack()
    whole = attack.count(("p", "s", "exited", "total"), published(12), 11)
    part = attack.count(("p", "s", "work", "total"), published(3), 4)
    attack.share([part], whole, exports.Figure("36,4 %", Decimal("0.364"), exports.SHARE))
    attack.check_truth_is_feasible()

    assert attack.range_of(("p", "s", "exited", "total")) == (11, 11)
    assert attack.range_of(("p", "s", "work", "total")) == (4, 4)
