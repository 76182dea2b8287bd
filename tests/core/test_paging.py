"""Paging a list whose count comes with the page (sehoglandet.paging.CountedWithPagePaginator), and
one that is not counted (UncountedPaginator)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sehoglandet.models import Organisation
from sehoglandet.paging import CountedWithPagePaginator, UncountedPaginator


def organisations():
    return Organisation.objects.order_by("code")


def codes(page) -> list[str]:
    return [organisation.code for organisation in page.object_list]


def test_each_page_has_its_rows_in_order_and_the_count_of_the_whole_list(reference_data):
    every = list(organisations().values_list("code", flat=True))
    paginator = CountedWithPagePaginator(organisations(), 5)

    pages = [paginator.get_page(number) for number in range(1, paginator.num_pages + 1)]

    assert paginator.count == len(every) > 10
    assert [code for page in pages for code in codes(page)] == every
    assert [len(page.object_list) for page in pages[:-1]] == [5] * (len(pages) - 1)


def test_a_page_takes_two_queries_the_keys_with_the_count_and_the_rows(reference_data):
    paginator = CountedWithPagePaginator(organisations(), 5)

    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(2)
        shown, count = codes(page), paginator.count

    assert len(queries) == 2, [query["sql"] for query in queries]
    assert "OVER ()" in queries[0]["sql"]
    assert shown == list(organisations().values_list("code", flat=True)[5:10])
    assert count == Organisation.objects.count()


@pytest.mark.parametrize("asked", ["99", "0", "-1", "två", "", None, "2.5"])
def test_a_page_out_of_range_gives_the_last_page_and_one_not_a_number_the_first(reference_data, asked):
    paginator = CountedWithPagePaginator(organisations(), 5)

    page = paginator.get_page(asked)

    expected = paginator.num_pages if asked in ("99", "0", "-1") else 1
    assert page.number == expected
    assert codes(page) == list(organisations().values_list("code", flat=True)[(expected - 1) * 5 : expected * 5])


def test_an_empty_list_has_one_empty_page(reference_data):
    paginator = CountedWithPagePaginator(Organisation.objects.none().order_by("code"), 5)

    page = paginator.get_page(1)

    assert (paginator.count, page.number, codes(page)) == (0, 1, [])


# A list that is not counted.


def every_code() -> list[str]:
    return list(organisations().values_list("code", flat=True))


def test_an_uncounted_list_knows_its_number_only_on_its_last_page(reference_data):
    every = every_code()
    last = -(-len(every) // 5)
    pages = []
    for number in range(1, last + 1):
        paginator = UncountedPaginator(organisations(), 5)
        page = paginator.get_page(number)
        pages.append((page, paginator.count))

    assert [code for page, _count in pages for code in codes(page)] == every
    assert [count for _page, count in pages] == [None] * (last - 1) + [len(every)]
    assert [page.has_next() for page, _count in pages] == [True] * (last - 1) + [False]
    assert [(page.start_index(), page.end_index()) for page, _count in pages[:2]] == [(1, 5), (6, 10)]


def test_an_uncounted_page_takes_one_query_that_reads_one_row_past_it(reference_data):
    paginator = UncountedPaginator(organisations(), 5)

    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(2)
        shown, more = codes(page), page.has_next()

    assert len(queries) == 1, [query["sql"] for query in queries]
    assert "LIMIT 6 OFFSET 5" in queries[0]["sql"]
    assert shown == every_code()[5:10]
    assert more and paginator.count is None


@pytest.mark.parametrize("asked", ["99", "0", "-1", "två", "", None, "2.5"])
def test_an_uncounted_page_out_of_range_gives_the_last_page_and_one_not_a_number_the_first(reference_data, asked):
    paginator = UncountedPaginator(organisations(), 5)

    page = paginator.get_page(asked)

    last = -(-len(every_code()) // 5)
    expected = last if asked in ("99", "0", "-1") else 1
    assert page.number == expected
    assert codes(page) == every_code()[(expected - 1) * 5 : expected * 5]


def test_uncounted_pages_stop_at_the_cap_and_say_that_more_rows_follow(reference_data):
    assert len(every_code()) > 10
    paginator = UncountedPaginator(organisations(), 5, cap=10)

    second, asked_past = paginator.get_page(2), UncountedPaginator(organisations(), 5, cap=10).get_page(3)

    assert codes(second) == every_code()[5:10]
    assert paginator.capped and not second.has_next() and paginator.count is None
    assert asked_past.number == 2


def test_an_uncounted_empty_list_has_one_empty_page_counted_as_none(reference_data):
    paginator = UncountedPaginator(Organisation.objects.none().order_by("code"), 5)

    page = paginator.get_page(1)

    assert (paginator.count, page.number, codes(page), page.has_other_pages()) == (0, 1, [], False)
