"""Disclosure control for the published statistics (docs/domain.md#disclosure-control).

The method is **unbiased random rounding to base 3** (as Statistics New Zealand, Statistics Canada
and the UK's Office for National Statistics use it for census tables), with the draw made by the
**cell key method** of the Australian Bureau of Statistics:

- every published count, totals included, is rounded to a multiple of 3: a multiple of 3 stays as it
  is, and otherwise the count goes to the multiple below or above it with the probabilities that keep
  its expected value (4 becomes 3 with probability 2/3 and 6 with 1/3);
- then, one time in five (`REACH`), it goes one more step of 3 up or down, each as likely, so a
  published r means a true count anywhere from r − 5 to r + 5. Plain rounding leaves the true count at
  the edge of r ± 2 one time in three, and where two such edges meet in a relation (a total of 5
  published as 3 beside a row of 4 published as 6) they fix a third count exactly; the attack found
  such counts in every test population. With the wider reach the edges are rare enough that it finds
  none. 0 is always published as 0;
- the draw is fixed by the records the count counts: each statistical record has a random key
  (`rounding_key`, one per person for enrolments), and a count's draw is a keyed hash of the sum of
  its records' keys. The same records are always rounded the same way, wherever and whenever they
  are counted: the year and its second half-year, all municipalities and the only municipality with
  such people, a total and its only non-empty row show the same figure, so setting two figures of
  the same people against each other gives nothing away, and repeated requests cannot be averaged;
- shares are worked out from the published counts, and a share, a median or a breakdown by gender or
  category is shown only for a published group of at least `settings.REPORT_SHARE_MIN_GROUP`
  (reporting.exports).

Rounded figures do not add up exactly, which is what stops a reader from solving a small count from
the totals around it. tests/reporting/test_disclosure_attack.py is the attack: it solves the linear
relations between every figure a förbundschef can download and finds no count from 1 to 3.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

BASE = 3
# The keyed hash's purpose, so that its values are of no use anywhere else.
ROUNDING_SALT = "reporting.disclosure.rounding"
KEY_LIMIT = 2**31
# How often a count is published one more step of BASE away, half of the time up and half down.
REACH = 0.2


def protected_max() -> int:
    """The largest count that must never be recoverable (the small counts are 1 to this)."""
    return settings.REPORT_MASK_MAX


def share_min_group() -> int:
    return settings.REPORT_SHARE_MIN_GROUP


def _draw(key_sum: int, purpose: str) -> float:
    """A number in [0, 1) fixed by the records' keys, the purpose and the installation's secret."""
    digest = salted_hmac(ROUNDING_SALT, f"{purpose}:{key_sum % KEY_LIMIT}", algorithm="sha256").digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def rounded(value: int, key_sum: int) -> int:
    """`value` randomly rounded to a multiple of `BASE`, and with probability `REACH` one step of
    `BASE` further, the same way every time for the same records (`key_sum`, the sum of their
    rounding keys). 0 stays 0; no other count is published as less than 0."""
    if value < 0:
        raise ValueError("A count is never negative.")
    if value == 0:
        return 0
    remainder = value % BASE
    down = value - remainder
    published = down + BASE if _draw(key_sum, "step") < remainder / BASE else down
    reach = _draw(key_sum, "reach")
    if reach < REACH / 2:
        published -= BASE
    elif reach < REACH:
        published += BASE
    return max(published, 0)


def possible_values(published: int) -> tuple[int, int]:
    """The least and the greatest true count that `rounded` can publish as `published`: what a
    reader who knows the method can tell from it."""
    if published == 0:
        return 0, 2 * BASE - 1
    return max(1, published - 2 * BASE + 1), published + 2 * BASE - 1


def group_may_show(size: int) -> bool:
    """Whether a median (or another figure about the members of a group) may be shown."""
    return size >= share_min_group()
