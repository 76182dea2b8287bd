"""The referral list's filters (referrals.filters): status, "mine", newest or oldest first, by name;
a masked name sorts last; constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals import services
from tests import factories
from tests.helpers import body

LIST = reverse("referrals:referral_list")


def listed(response) -> list[int]:
    return [referral.pk for referral in response.context["page"]]


def test_mine_are_those_whose_pre_meeting_the_coach_holds(client_for, people):
    held = factories.make_ready_referral(people)
    other = factories.make_referral(people)

    client = client_for("coach.nassjo")

    assert set(listed(client.get(LIST))) == {held.pk, other.pk}
    assert listed(client.get(LIST, {"mine": "mine"})) == [held.pk]


def test_sorting_by_date_and_by_the_name_the_writer_gave(client_for, people):
    first = factories.make_referral(people, person=factories.make_person(people["referrer.af"], last_name="Öberg"))
    second = factories.make_referral(people, person=factories.make_person(people["referrer.af"], last_name="Ahl"))
    client = client_for("coach.nassjo")

    assert listed(client.get(LIST)) == [second.pk, first.pk]
    assert listed(client.get(LIST, {"sort": "written"})) == [first.pk, second.pk]
    assert listed(client.get(LIST, {"sort": "name"}))[0] == second.pk


def test_a_status_that_is_not_a_choice_lists_nothing_and_says_so(client_for, people):
    factories.make_referral(people)

    response = client_for("coach.nassjo").get(LIST, {"sort": "nonsense"})

    assert listed(response) == []
    assert 'class="error-summary"' in body(response)


@pytest.mark.parametrize("query", [{"mine": "mine", "sort": "name"}, {"status": "submitted", "sort": "written"}])
def test_the_filtered_list_takes_the_same_number_of_queries_for_one_referral_and_for_many(
    client_for, people, django_assert_num_queries, query
):
    factories.make_ready_referral(people)
    client = client_for("coach.nassjo")
    client.get(LIST, query)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST, query)
    for _ in range(4):
        factories.make_ready_referral(people)

    with django_assert_num_queries(len(one)):
        client.get(LIST, query)


def test_a_list_of_many_pages_takes_as_many_queries_as_one_of_a_single_page(
    client_for, people, django_assert_num_queries, monkeypatch
):
    """Paging does not count the list (sehoglandet.paging.UncountedPaginator): the page that has more
    after it reads that in its own query."""
    monkeypatch.setattr("referrals.views.referrals.PAGE_SIZE", 2)
    factories.make_referral(people)
    client = client_for("coach.nassjo")
    client.get(LIST)
    with CaptureQueriesContext(connection) as single:
        client.get(LIST)
    for _ in range(6):
        factories.make_referral(people)

    with django_assert_num_queries(len(single)) as paged:
        response = client.get(LIST, {"page": 2})

    assert len(listed(response)) == 2 and response.context["page"].has_next()
    assert not [query for query in paged.captured_queries if "COUNT(" in query["sql"]]


def test_withdrawn_referrals_are_listed_by_status(client_for, people):
    withdrawn = factories.make_referral(people)
    services.withdraw_referral(actor=people["referrer.af"], referral=withdrawn)

    assert listed(client_for("coach.nassjo").get(LIST, {"status": "withdrawn"})) == [withdrawn.pk]


def test_a_coach_lists_their_municipalitys_referrals_and_those_they_wrote_to_another(client_for, people):
    to_nassjo = factories.make_referral(people)
    to_eksjo_by_af = factories.make_referral(people, municipality_code="eksjo")
    client = client_for("coach.nassjo")

    assert listed(client.get(LIST)) == [to_nassjo.pk]

    to_eksjo_by_the_coach = factories.make_referral(
        people,
        referrer="coach.nassjo",
        municipality_code="eksjo",
        consent=["nassjo-se", "{m}-se", *factories.GROUP_ORGS],
    )

    assert listed(client.get(LIST)) == [to_eksjo_by_the_coach.pk, to_nassjo.pk]
    assert to_eksjo_by_af.pk not in listed(client_for("coach.nassjo").get(LIST, {"mine": "mine"}))


def test_a_referrer_lists_the_referrals_they_wrote_and_no_other(client_for, people):
    own = factories.make_referral(people)
    factories.make_referral(people, referrer="coach.nassjo")

    assert listed(client_for("referrer.af").get(LIST)) == [own.pk]


def test_a_list_longer_than_the_pages_offered_says_to_narrow_it_with_the_filters(client_for, people, monkeypatch):
    monkeypatch.setattr("sehoglandet.paging.COUNT_CAP", 2)
    newest = [factories.make_referral(people) for _ in range(3)][::-1]

    response = client_for("coach.nassjo").get(LIST)

    assert listed(response) == [newest[0].pk, newest[1].pk]
    assert "Remisser 1–2 av fler" in body(response)
    assert "Listan visar de första 2. Avgränsa den med filtren för att se fler." in body(response)
    services.withdraw_referral(actor=people["referrer.af"], referral=newest[2])
    filtered = client_for("coach.nassjo").get(LIST, {"status": "withdrawn"})
    assert listed(filtered) == [newest[2].pk]
    assert "1 remiss<" in body(filtered)
    assert "Avgränsa den med filtren" not in body(filtered)
