"""Disclosure control for the published statistics (docs/domain.md#disclosure-control).

The method is **unbiased random rounding to base 3** (as Statistics New Zealand, Statistics Canada
and the UK's Office for National Statistics use it for census tables), with the draw made by the
**cell key method** of the Australian Bureau of Statistics:

- every published count, totals included, is rounded to a multiple of 3: a multiple of 3 stays as it
  is, and otherwise the count goes to the multiple below or above it with the probabilities that keep
  its expected value (4 becomes 3 with probability 2/3 and 6 with 1/3);
- the draw is fixed by the records the count counts: each statistical record has a random key
  (`rounding_key`, one per person for enrolments), and a count's draw is a keyed hash of the sum of
  its records' keys. The same records are always rounded the same way, wherever and whenever they
  are counted: the year and its second half-year, all municipalities and the only municipality with
  such people, a total and its only non-empty row show the same figure, so setting two figures of
  the same people against each other gives nothing away, and repeated requests cannot be averaged;
- shares and medians are computed from the true counts and shown only for a group of at least
  `settings.REPORT_SHARE_MIN_GROUP` people in which neither the part nor the rest is a small count
  (1 to `settings.REPORT_MASK_MAX`).

Rounded figures do not add up exactly, which is what stops a reader from solving a small count from
the totals around it. tests/reporting/test_disclosure_attack.py is the attack: it solves the linear
relations between every figure a förbundschef can download and finds no count from 1 to 3.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

BASE = 3
# The keyed hash's purpose, so that its values are of no use anywhere else.
ROUNDING_SALT = "reporting.disclosure.rounding"
COLUMNS = ("woman", "man", "other", "total")
KEY_LIMIT = 2**31


def protected_max() -> int:
    """The largest count that must never be recoverable (the small counts are 1 to this)."""
    return settings.REPORT_MASK_MAX


def share_min_group() -> int:
    return settings.REPORT_SHARE_MIN_GROUP


def _draw(key_sum: int) -> float:
    """A number in [0, 1) fixed by the records' keys and the installation's secret."""
    digest = salted_hmac(ROUNDING_SALT, str(key_sum % KEY_LIMIT), algorithm="sha256").digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def rounded(value: int, key_sum: int) -> int:
    """`value` randomly rounded to a multiple of `BASE`, the same way every time for the same records
    (`key_sum`, the sum of their rounding keys)."""
    if value < 0:
        raise ValueError("A count is never negative.")
    remainder = value % BASE
    if remainder == 0:
        return value
    down = value - remainder
    return down + BASE if _draw(key_sum) < remainder / BASE else down


def is_small(count: int) -> bool:
    return 1 <= count <= protected_max()


def share_may_show(part: int, whole: int) -> bool:
    """Whether a share `part` of `whole` may be shown: the group is large enough and neither the part
    nor the rest could give a small count back."""
    return whole >= share_min_group() and not is_small(part) and not is_small(whole - part)


def group_may_show(size: int) -> bool:
    """Whether a median (or another figure about the members of a group) may be shown."""
    return size >= share_min_group()
