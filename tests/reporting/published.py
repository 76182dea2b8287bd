"""What the app promises about a published figure, so that a test builds the expected figures from the
true ones (reporting.report) instead of hard-coding the luck of a draw (reporting/disclosure.py,
docs/domain.md#disclosure-control):

- a count is published as a multiple of 3 that the truth could give (`disclosure.possible_values`:
  within 5, and within 2 four times in five), 0 as 0, and the draw is fixed by the sum of the counted
  records' rounding keys;
- a part of a whole (a gender's cell under its column's total, or a figure's split by gender) is
  held back as "för få" when the whole's published figure is under 10, and shown as "0" under 0.
"""

from reporting import disclosure
from reporting.report import GENDERS

TOO_FEW = "för få"


def rounded(true: int, key_sum: int) -> int:
    """The published count of `true` records whose keys sum to `key_sum`."""
    value = disclosure.rounded(true, key_sum)
    low, high = disclosure.possible_values(value)
    assert value % 3 == 0 and low <= true <= high, f"{true} published as {value}"
    return value


def published(row) -> list[int]:
    """Women, men, other or not stated, and the total of a true row (reporting.report.Row), as published."""
    counts = [row.counts[gender] for gender in GENDERS]
    keys = [row.tally.keys[gender] for gender in GENDERS]
    return [rounded(count, key_sum) for count, key_sum in zip([*counts, sum(counts)], [*keys, sum(keys)], strict=True)]


def part_of(number: int, whole: int) -> str:
    """A published part as shown under its whole's published figure."""
    if whole == 0:
        return "0"
    return str(number) if whole >= disclosure.share_min_group() else TOO_FEW


def split(row) -> list[str]:
    """A figure of its own (the participants table): its split by gender held back under a small total."""
    *parts, total = published(row)
    return [*(part_of(part, total) for part in parts), str(total)]


def texts(figures) -> list[str]:
    """The figures as the reader sees them, with ordinary spaces."""
    return [figure.text.replace("\xa0", " ") for figure in figures]
