"""The search box (docs/domain.md#search): by name, whole personnummer or case reference, only within
what the user may open, a protected identity matched only for those who see it, each search logged
as a list access without the query, and a clear answer to bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sehoglandet.models import AccessLog
from tests import factories
from tests.helpers import COACHES, MANAGERS, PERSONAS, body, every_row, shows, statuses_by_persona
from tests.participants.conftest import enrol

SEARCH = reverse("search")


def found(response) -> tuple[list[int], list[int]]:
    return [p.pk for p in response.context["participants"]], [r.pk for r in response.context["referrals"]]


@pytest.fixture
def alva(people):
    (participant,) = enrol(people, ("Alva", "Brandt"))
    return participant


def number_of(person, form: str) -> str:
    digits = person.identity_number
    return {
        "12 digits with dash": f"{digits[:8]}-{digits[8:]}",
        "12 digits": digits,
        "10 digits with dash": f"{digits[2:8]}-{digits[8:]}",
        "10 digits": digits[2:],
        "spaces around": f"  {digits[2:8]} {digits[8:]} ",
    }[form]


def test_the_search_is_for_coaches_and_managers(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(SEARCH, {"q": "Alva"}))

    assert statuses == {username: 200 if username in [*COACHES, *MANAGERS] else 403 for username in PERSONAS}


def test_the_header_holds_the_search_box_for_coaches_and_managers_only(client_for):
    for username in PERSONAS:
        page = body(client_for(username).get("/"))
        assert ('role="search"' in page) == (username in [*COACHES, *MANAGERS]), username


@pytest.mark.parametrize(
    "form", ["12 digits with dash", "12 digits", "10 digits with dash", "10 digits", "spaces around"]
)
def test_a_coach_finds_a_participant_and_the_referral_by_personnummer_in_any_common_form(client_for, alva, form):
    response = client_for("coach.nassjo").get(SEARCH, {"q": number_of(alva.person, form)})

    assert found(response) == ([alva.pk], [alva.referral_id])
    assert "Alva Brandt" in body(response)


def test_a_coach_finds_by_name_and_by_case_reference(client_for, alva):
    client = client_for("coach.nassjo")

    assert found(client.get(SEARCH, {"q": "alva br"})) == ([alva.pk], [alva.referral_id])
    assert found(client.get(SEARCH, {"q": "Brandt"})) == ([alva.pk], [alva.referral_id])
    assert found(client.get(SEARCH, {"q": alva.referral.reference.lower()})) == ([alva.pk], [alva.referral_id])
    assert found(client.get(SEARCH, {"q": alva.referral.reference.removeprefix("SE-")})) == (
        [alva.pk],
        [alva.referral_id],
    )


def test_the_manager_finds_the_municipalitys_participants(client_for, alva):
    response = client_for("chef.nassjo").get(SEARCH, {"q": number_of(alva.person, "10 digits")})

    assert found(response)[0] == [alva.pk]


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.eksjo"])
def test_a_search_never_reveals_that_a_number_is_known_outside_the_users_own_cases(client_for, alva, username):
    client = client_for(username)

    by_number = client.get(SEARCH, {"q": number_of(alva.person, "12 digits with dash")})
    by_name = client.get(SEARCH, {"q": "Alva Brandt"})
    unknown = client.get(SEARCH, {"q": factories.valid_personnummer(alva.person.birth_date, 999)})

    # A known number gets the answer an unknown one gets.
    assert found(by_number) == found(by_name) == found(unknown) == ([], [])
    assert by_number.context["total"] == unknown.context["total"] == 0
    assert not AccessLog.objects.exists()


def test_a_protected_identity_is_matched_for_the_teams_coaches_only(client_for, people):
    person = factories.make_person(
        people["referrer.af"], first_name="Lova", last_name="Hedlund", protected_identity=True
    )
    referral = factories.make_ready_referral(people, person=person)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    item.refresh_from_db()
    factories.decide(people, item)
    participant = referral.participant
    number = number_of(person, "12 digits with dash")

    coach, manager = client_for("coach.nassjo"), None
    assert found(coach.get(SEARCH, {"q": "Lova"})) == ([participant.pk], [referral.pk])
    assert found(coach.get(SEARCH, {"q": number})) == ([participant.pk], [referral.pk])
    manager = client_for("chef.nassjo")
    assert found(manager.get(SEARCH, {"q": "Lova"})) == ([], [])
    assert found(manager.get(SEARCH, {"q": number})) == ([], [])
    # By the case reference the manager finds the case, not who it is.
    by_reference = manager.get(SEARCH, {"q": referral.reference})
    assert found(by_reference)[0] == [participant.pk]
    assert "Lova" not in body(by_reference)
    assert "Skyddad identitet" in body(by_reference)


ASK_FOR_SOMETHING = (
    "Skriv ett namn, ett personnummer eller ett ärendenummer att söka efter.",
    "Write a name, a personnummer or a case reference to search for.",
)
WHOLE_NUMBER = ("Skriv hela personnumret", "Write the whole personnummer")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", ASK_FOR_SOMETHING),
        ("   ", ASK_FOR_SOMETHING),
        ("199505", WHOLE_NUMBER),
        ("19950517-12", WHOLE_NUMBER),
        ("19950517-1235", "Kontrollsiffran stämmer inte"),
        ("19951317-1234", "Numret börjar inte med ett verkligt födelsedatum."),
        ("x" * 300, ("Sökningen är för lång", "The search is too long")),
        ("a b c d e", ("högst 4 ord", "at most 4 words")),
    ],
)
def test_bad_input_gets_a_clear_answer_and_no_search(client_for, alva, query, message):
    response = client_for("coach.nassjo").get(SEARCH, {"q": query})

    assert response.status_code == 200
    assert shows(body(response), message)
    assert found(response) == ([], [])
    assert not AccessLog.objects.exists()


def test_the_page_without_a_query_explains_the_search_and_logs_nothing(client_for, alva):
    response = client_for("coach.nassjo").get(SEARCH)

    assert response.status_code == 200
    assert "personnummer" in body(response)
    assert not AccessLog.objects.exists()


def test_each_search_is_logged_as_a_list_access_without_the_query(client_for, people, alva):
    number = number_of(alva.person, "12 digits with dash")

    client_for("coach.nassjo").get(SEARCH, {"q": number})

    entries = list(AccessLog.objects.order_by("object_type").values("user", "action", "object_type", "person_id"))
    assert entries == [
        {"user": people["coach.nassjo"].pk, "action": "list", "object_type": t, "person_id": alva.person_id}
        for t in ["participants.participant", "referrals.referral"]
    ]
    for row in AccessLog.objects.values():
        assert not any(alva.person.identity_number[2:8] in str(value) for value in row.values())


def test_a_search_changes_no_row_but_the_access_log(client_for, alva):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(SEARCH, {"q": "Alva"})

    assert every_row(access_log=False) == before


def test_a_search_takes_the_same_number_of_queries_for_one_match_and_for_many(
    client_for, people, django_assert_num_queries
):
    enrol(people, ("Alva", "Brandt"))
    client = client_for("coach.nassjo")
    client.get(SEARCH, {"q": "Alva"})
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH, {"q": "Alva"})
    enrol(people, *[("Alva", f"Nummer{n}") for n in range(5)])

    with django_assert_num_queries(len(one)):
        response = client.get(SEARCH, {"q": "Alva"})

    assert len(response.context["participants"]) == 6


# A name is grant-checked on the newest matches first (referrals.selectors.search_referrals)


def referral_named(people, last_name: str, municipality_code: str):
    person = factories.make_person(people["referrer.af"], first_name="Saga", last_name=last_name)
    return factories.make_referral(people, person=person, municipality_code=municipality_code)


def test_a_name_finds_the_users_referral_behind_newer_ones_the_user_may_not_see(client_for, people, monkeypatch):
    monkeypatch.setattr("referrals.selectors.NAME_SEARCH_WINDOW", 2)
    own = referral_named(people, "Vinge", "nassjo")
    for _ in range(2):
        referral_named(people, "Vinge", "eksjo")

    response = client_for("coach.nassjo").get(SEARCH, {"q": "Vinge"})

    assert found(response)[1] == [own.pk]


def test_a_name_with_more_matches_than_a_page_shows_the_newest_the_user_may_see(client_for, people, monkeypatch):
    # The window holds the Eksjö referral and three of Nässjö's: more than a page, so it is the answer.
    monkeypatch.setattr("referrals.selectors.NAME_SEARCH_WINDOW", 4)
    monkeypatch.setattr("project.views.SEARCH_LIMIT", 2)
    older, *newer = [referral_named(people, "Vinge", "nassjo") for _ in range(4)]
    referral_named(people, "Vinge", "eksjo")

    response = client_for("coach.nassjo").get(SEARCH, {"q": "Vinge"})

    assert found(response)[1] == [newer[2].pk, newer[1].pk]
    assert response.context["more_referrals"]
    assert older.pk not in found(response)[1]
