"""The participant list's filters (participants.filters): closed included, "mine", one coach or
nobody, by name or decision date; the manager's view of the municipality; constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants import services
from tests.helpers import body

from .conftest import enrol, exit_directly

LIST = reverse("participants:participant_list")


def listed(response) -> list[int]:
    return [participant.pk for participant in response.context["page"]]


@pytest.fixture
def three(people):
    """Alva (the Nässjö coach's), Bo (nobody's) and Cia (exited)."""
    alva, bo, cia = enrol(people, ("Alva", "Öst"), ("Bo", "Berg"), ("Cia", "Ahl"))
    services.assign_coach(actor=people["coach.nassjo"], participant=alva, coach=people["coach.nassjo"])
    exit_directly(cia)
    return alva, bo, cia


def test_closed_participants_are_listed_on_request(client_for, three):
    alva, bo, cia = three
    client = client_for("coach.nassjo")

    assert set(listed(client.get(LIST))) == {alva.pk, bo.pk}
    assert listed(client.get(LIST, {"status": "exited"})) == [cia.pk]
    assert set(listed(client.get(LIST, {"status": "all"}))) == {alva.pk, bo.pk, cia.pk}


def test_mine_and_nobodys_participants(client_for, three):
    alva, bo, _cia = three
    client = client_for("coach.nassjo")

    assert listed(client.get(LIST, {"coach": "mine"})) == [alva.pk]
    assert listed(client.get(LIST, {"coach": "none"})) == [bo.pk]


def test_sorting_by_name_and_by_decision(client_for, three):
    alva, bo, cia = three
    client = client_for("coach.nassjo")

    assert listed(client.get(LIST, {"status": "all", "sort": "name"})) == [cia.pk, bo.pk, alva.pk]
    assert len(listed(client.get(LIST, {"status": "all", "sort": "decided"}))) == 3


@pytest.mark.parametrize("query", [{"status": "nonsense"}, {"coach": "99999999999999999999"}, {"sort": "<b>"}])
def test_a_filter_that_is_not_a_choice_lists_nobody_and_says_so(client_for, three, query):
    response = client_for("coach.nassjo").get(LIST, query)

    assert response.status_code == 200
    assert listed(response) == []
    assert 'class="error-summary"' in body(response)


def test_the_manager_lists_the_municipalitys_participants_and_filters_by_coach(client_for, people, three):
    alva, bo, _cia = three
    client = client_for("chef.nassjo")

    assert set(listed(client.get(LIST))) == {alva.pk, bo.pk}
    assert listed(client.get(LIST, {"coach": str(people["coach.nassjo"].pk)})) == [alva.pk]
    assert listed(client_for("chef.eksjo").get(LIST)) == []


def test_the_manager_changes_the_responsible_coach(client_for, people, three):
    _alva, bo, _cia = three

    response = client_for("chef.nassjo").post(
        reverse("participants:coach_assign", args=[bo.pk]), {"coach": people["coach.nassjo"].pk}
    )

    bo.refresh_from_db()
    assert response.status_code == 302
    assert bo.responsible_coach == people["coach.nassjo"]


@pytest.mark.parametrize("query", [{}, {"status": "all", "coach": "mine", "sort": "name"}])
def test_the_list_takes_the_same_number_of_queries_for_one_participant_and_for_many(
    client_for, people, django_assert_num_queries, query
):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    services.assign_coach(actor=people["coach.nassjo"], participant=alva, coach=people["coach.nassjo"])
    client = client_for("coach.nassjo")
    client.get(LIST, query)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST, query)
    more = enrol(people, *[("Deltagare", f"Nummer{n}") for n in range(5)])
    for participant in more:
        services.assign_coach(actor=people["coach.nassjo"], participant=participant, coach=people["coach.nassjo"])

    with django_assert_num_queries(len(one)):
        response = client.get(LIST, query)

    assert len(listed(response)) == 6


def test_a_list_of_many_pages_takes_as_many_queries_as_one_of_a_single_page(
    client_for, people, django_assert_num_queries, monkeypatch
):
    """Paging does not count the list (sehoglandet.paging.UncountedPaginator): the page that has more
    after it reads that in its own query."""
    monkeypatch.setattr("participants.views.caseload.CASELOAD_PAGE_SIZE", 2)
    enrol(people, ("Alva", "Brandt"))
    client = client_for("coach.nassjo")
    client.get(LIST)
    with CaptureQueriesContext(connection) as single:
        client.get(LIST)
    enrol(people, *[("Deltagare", f"Nummer{n}") for n in range(6)])

    with django_assert_num_queries(len(single)) as paged:
        response = client.get(LIST, {"page": 2})

    assert len(listed(response)) == 2 and response.context["page"].has_next()
    assert not [query for query in paged.captured_queries if "COUNT(" in query["sql"]]


def test_the_coach_filter_offers_the_teams_coaches_by_name_and_mine_only_to_a_coach(client_for, people, three):
    from sehoglandet.models import Membership, Municipality, Role

    nassjo = Municipality.objects.get(name="Nässjö")
    second = people["coach.eksjo"]
    Membership.objects.create(user=second, organisation=nassjo.se_team, role=Role.COACH)
    coach = people["coach.nassjo"]

    def choices(username):
        field = client_for(username).get(LIST).context["form"].fields["coach"]
        return [(value, str(label)) for value, label in field.choices]

    coach_choices, manager_choices = choices("coach.nassjo"), choices("chef.nassjo")

    team = sorted([coach, second], key=lambda user: (user.first_name, user.last_name, user.pk))
    names = [(str(user.pk), user.get_full_name()) for user in team]
    assert coach_choices == [("", "Alla coacher"), ("mine", "Mina"), ("none", "Utan ansvarig coach"), *names]
    assert manager_choices == [("", "Alla coacher"), ("none", "Utan ansvarig coach"), *names]
