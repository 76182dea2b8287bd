"""Disclosure control for the published statistics (docs/domain.md#disclosure-control).

The method is **unbiased random rounding to base 3**, as Statistics New Zealand, Statistics Canada and
the UK's Office for National Statistics use it for census tables:

- every published count, totals included, is rounded to a multiple of 3: a multiple of 3 stays as it
  is, and otherwise the count goes to the multiple below or above it with the probabilities that keep
  its expected value (4 becomes 3 with probability 2/3 and 6 with 1/3);
- the draw is not random at each request but fixed per cell: it comes from a keyed hash of the cell's
  identity (period, scope, figure, column), so the same figure is rounded the same way every time and
  in every place it is shown, and no one can average repeated requests;
- shares and medians are computed from the true counts and shown only for a group of at least
  `settings.REPORT_SHARE_MIN_GROUP` people in which neither the part nor the rest is a small count
  (1 to `settings.REPORT_MASK_MAX`).

Rounded figures do not add up exactly, which is what stops a reader from solving a masked count from
the totals around it. tests/reporting/test_disclosure_attack.py is the attack: it solves the linear
relations between every figure a förbundschef can download and finds no count from 1 to 3.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

BASE = 3
# The keyed hash's purpose, so that its values are of no use anywhere else.
ROUNDING_SALT = "reporting.disclosure.rounding"
COLUMNS = ("woman", "man", "other", "total")
# Figures about the period's last day: their cells are keyed by that day, not by the period.
AT_THE_END = ("active_end", "aftercare_end", "queued_end")


def protected_max() -> int:
    """The largest count that must never be recoverable (the small counts are 1 to this)."""
    return settings.REPORT_MASK_MAX


def share_min_group() -> int:
    return settings.REPORT_SHARE_MIN_GROUP


def cell_key(when: str, scope: str, figure: str, column: str) -> str:
    """The identity a count's rounding is drawn from: the same figure has the same key wherever it is
    shown (a table's total row and the participants table, the caseload and a municipality's report,
    the year's and the second half-year's figures about 31 December). `when` is the period's code,
    or the day for a figure about one day."""
    return f"{when}|{scope}|{figure}|{column}"


def _draw(key: str) -> float:
    """A number in [0, 1) fixed by `key` and the installation's secret."""
    digest = salted_hmac(ROUNDING_SALT, key, algorithm="sha256").digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def rounded(value: int, key: str) -> int:
    """`value` randomly rounded to a multiple of `BASE`, the same way every time for `key`."""
    if value < 0:
        raise ValueError("A count is never negative.")
    remainder = value % BASE
    if remainder == 0:
        return value
    down = value - remainder
    return down + BASE if _draw(key) < remainder / BASE else down


def is_small(count: int) -> bool:
    return 1 <= count <= protected_max()


def share_may_show(part: int, whole: int) -> bool:
    """Whether a share `part` of `whole` may be shown: the group is large enough and neither the part
    nor the rest could give a small count back."""
    return whole >= share_min_group() and not is_small(part) and not is_small(whole - part)


def group_may_show(size: int) -> bool:
    """Whether a median (or another figure about the members of a group) may be shown."""
    return size >= share_min_group()
