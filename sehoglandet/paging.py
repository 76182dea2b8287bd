"""Numbered pages that never count more rows than a person would page through.

A list of a national installation may hold 25 000 rows the user may see (a team's referrals over ten
years). Django's Paginator counts them all (`COUNT(*)`, and each row's grant checked) to print
"page 1 of 1 000". CappedPaginator counts at most `cap` rows (`SELECT COUNT(*) FROM (… LIMIT
cap + 1)`), offers the pages of those, and says when there are more: the user narrows the list
with its filters instead of paging past the thousandth row (bench/README.md#national-scale).
UncountedPaginator offers the same pages without counting: each page reads one row past its own.

It also sorts and cuts the page on the list's own rows before it joins anything: the page is
`WHERE pk IN (the page's keys, sorted and cut)`, so the database reads the people, municipalities
and coaches of 25 rows, not of every row it sorted (a coach's list sorts 2 800 participants, and
joining their persons first cost a scan of every person).
"""

from math import ceil

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

# 40 pages of 25: beyond that a person filters rather than pages.
COUNT_CAP = 1000


class KeysFirstPaginator(Paginator):
    """A Paginator whose page is `WHERE pk IN (the page's keys, sorted and cut)`: the database sorts
    the list's own rows (and whatever the order joins) and joins the rest for the page's rows only.
    The lists page with one of those below, which count in their own ways."""

    def _get_page(self, object_list, number, paginator):
        """`object_list` is the page's slice of the list: its keys, sorted and cut, pick the rows."""
        return super()._get_page(self.object_list.filter(pk__in=object_list.values("pk")), number, paginator)

    def validate_number_format(self, number) -> int:
        """The page number as an int of at least 1 (Paginator.validate_number without the count)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class CountedWithPagePaginator(KeysFirstPaginator):
    """A KeysFirstPaginator whose count comes with the page's keys (`COUNT(*) OVER ()`), for a list
    that shows every row it counts and checks a grant on each: the count and the page would each
    check every row, and the page has to read them all to sort them anyway. The follow-up summary of
    the national bench's busiest group checked 2 792 participants twice (30 ms for the count).

    Only a page past the end, which has no row to carry the count, counts on its own, as Django's
    Paginator does, to give the last page instead."""

    def page(self, number):
        number = self.validate_number_format(number)
        bottom = (number - 1) * self.per_page
        rows = list(
            self.object_list.annotate(_rows=Window(Count("pk"))).values_list("pk", "_rows")[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            self.__dict__["count"] = rows[0][1]
        number = self.validate_number(number)
        # The rows of these keys, as the list shows them (Paginator's, not KeysFirstPaginator's page).
        return Paginator._get_page(self, self.object_list.filter(pk__in=[pk for pk, _rows in rows]), number, self)

    def get_page(self, number):
        """As Paginator.get_page, without counting before the page: the first page for a number
        that is not one, the last for one out of range."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


class CappedPaginator(KeysFirstPaginator):
    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def counted(self) -> int:
        """The rows, counted up to one past the cap: of their keys alone, unsorted, so that the
        database may stop at the cap and computes none of the columns the page shows."""
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        """Whether there are more rows than the pages offer."""
        return self.counted > self.cap


class UncountedPage(Page):
    """A page of UncountedPaginator: whether another follows is known from the row read past it, not
    from a count; its rows' places in the list from its number."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class UncountedPaginator(KeysFirstPaginator):
    """Numbered pages of a list that is not counted: each page reads one row more than it shows, to
    know whether another page follows, in the one query of its rows (keys first). The list's length
    is known only on its last page: `count` is then the rows before the page and on it, and None on
    a page with more after it. The pages offered stop at `cap` rows, as CappedPaginator's do, and
    `capped` says there are more rows than that.

    For the lists a team pages through (participants, referrals): CappedPaginator's count checked
    the grant of up to 1 001 rows for "more than 1 000", a fifth of the list page at 100 000
    participants, to print a number that a list of that length seldom needs; one page of a
    coach's own caseload or a referrer's referrals is still counted exactly (bench/README.md,
    twelfth pass). Only a page asked for past the end counts, to give the last page instead."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.capped = False

    def page(self, number):
        number = min(self.validate_number_format(number), max(1, ceil(self.cap / self.per_page)))
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.cap)
        keys = self.object_list.values("pk")[bottom : top + 1]
        rows = list(self.object_list.filter(pk__in=keys))
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        more = len(rows) > top - bottom
        rows = rows[: top - bottom]
        self.__dict__["count"] = None if more else bottom + len(rows)
        self.capped = more and top == self.cap
        return UncountedPage(rows, number, self, has_next=more and top < self.cap)

    def get_page(self, number):
        """As Paginator.get_page: the first page for a number that is not one, the last for one out
        of range (counted, up to the cap, to find it)."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            counted = self.object_list.order_by().values("pk")[: self.cap].count()
            return self.page(max(1, ceil(counted / self.per_page)))
