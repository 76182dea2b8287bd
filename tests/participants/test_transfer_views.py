"""The transfer pages: starting a transfer from the participant page, the transfers page with the
receiving coach's queue, and the buttons on it.

Alva is enrolled in Nässjö and moves to Eksjö. Nässjö's coach hands over, Eksjö's coach receives;
a transfer from Nässjö to Tranås involves neither Eksjö's coach nor anyone else of Eksjö.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent.models import Purpose
from participants import selectors, services
from participants.models import JournalEntry, Participant, Transfer
from sehoglandet.models import AccessLog
from tests import factories
from tests.helpers import (
    COACHES,
    MOST_QUERIES_A_PAGE,
    PERSONAS,
    body,
    css_rules,
    every_row,
    outcomes_by_persona,
    status_and_changed_tables,
    statuses_by_persona,
)

from .conftest import enrol, exit_directly
from .test_participant_views import entry_data, url

NOTE = "Flyttar till Eksjö i maj. Vill fortsätta söka jobb inom handel."


def consent_to_transfer(people, participant: Participant, *, to: str = "eksjo") -> None:
    factories.give_consent(
        people["coach.nassjo"], participant.person, org_codes=[f"{to}-se"], purposes=[Purpose.TRANSFER]
    )


def start(people, participant: Participant, *, to: str = "eksjo", **kwargs) -> Transfer:
    return services.start_transfer(
        actor=people["coach.nassjo"], participant=participant, to_municipality=factories.municipality(to), **kwargs
    )


def in_a_week():
    """A week from now at 10.00, local time."""
    day = timezone.localdate() + timedelta(days=7)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10, 0))


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def start_data(**overrides) -> dict:
    data = {
        "to_municipality": factories.municipality("eksjo").pk,
        "note": NOTE,
        "meeting_at": in_a_week().strftime("%Y-%m-%dT%H:%M"),
        "meeting_place": "Stadshuset i Eksjö",
    }
    data.update(overrides)
    return data


@pytest.fixture
def moving(people, participant) -> Participant:
    """Alva, who has agreed that Eksjö's SE team is told about her move."""
    consent_to_transfer(people, participant)
    return participant


@pytest.fixture
def transfer(people, moving) -> Transfer:
    return start(people, moving, note=NOTE, meeting_at=in_a_week(), meeting_place="Stadshuset i Eksjö")


@pytest.fixture
def elsewhere(people) -> Transfer:
    """Bo's transfer from Nässjö to Tranås: nothing of Eksjö's."""
    (bo,) = enrol(people, ("Bo", "Cederholm"))
    consent_to_transfer(people, bo, to="tranas")
    return start(people, bo, to="tranas", note="Bo flyttar till Tranås.")


ACTIONS = ["transfer_meeting", "transfer_move", "transfer_accept", "transfer_cancel"]


# Who may open which page


def test_the_start_page_opens_for_the_participants_coach_only(client_for, moving):
    page = url("transfer_start", moving.pk)

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(page))

    assert statuses == {**dict.fromkeys(PERSONAS, 403), "coach.nassjo": 200, "coach.eksjo": 404}


def test_the_transfers_page_is_for_coaches(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url("transfer_list")))

    assert statuses == {username: 200 if username in COACHES else 403 for username in PERSONAS}


def test_the_meeting_page_opens_for_either_coach_only(client_for, transfer):
    page = url("transfer_meeting", transfer.pk)

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(page))

    assert statuses == {**dict.fromkeys(PERSONAS, 403), "coach.nassjo": 200, "coach.eksjo": 200}


def test_a_coach_of_neither_municipality_gets_404_on_the_meeting_page_and_nothing_changes(client_for, elsewhere):
    client = client_for("coach.eksjo")
    before = every_row(access_log=False)

    response = client.get(url("transfer_meeting", elsewhere.pk))

    assert response.status_code == 404
    assert "Bo" not in body(response)
    assert every_row(access_log=False) == before
    assert list(AccessLog.objects.values_list("action", "object_id")) == [("refused", str(elsewhere.pk))]


def test_no_one_else_may_start_a_transfer_and_nothing_is_saved(client_for, moving):
    expected = {"coach.eksjo": 404, "chef.nassjo": 403, "referrer.af": 403}
    data = start_data()
    start_it = status_and_changed_tables(
        lambda client: client.post(url("transfer_start", moving.pk), data), access_log=False
    )

    outcomes = outcomes_by_persona(client_for, expected, start_it)

    assert outcomes == {username: (status, []) for username, status in expected.items()}


@pytest.mark.parametrize("name", ACTIONS)
def test_a_coach_of_neither_municipality_gets_404_on_every_button_and_nothing_changes(client_for, elsewhere, name):
    client = client_for("coach.eksjo")
    before = every_row(access_log=False)

    response = client.post(
        url(name, elsewhere.pk), {"direction": "up", "meeting_at": in_a_week().strftime("%Y-%m-%dT%H:%M")}
    )

    assert response.status_code == 404
    assert every_row(access_log=False) == before
    assert list(AccessLog.objects.values_list("action", "object_id", "person_id")) == [
        ("refused", str(elsewhere.pk), None)
    ]


@pytest.mark.parametrize("name", ACTIONS)
def test_other_roles_get_403_on_every_button(client_for, transfer, name):
    others = ["chef.eksjo", "chef.nassjo", "fk.nassjo", "nobody"]
    press = status_and_changed_tables(
        lambda client: client.post(url(name, transfer.pk), {"direction": "down"}), access_log=False
    )

    outcomes = outcomes_by_persona(client_for, others, press)

    assert outcomes == dict.fromkeys(others, (403, []))


@pytest.mark.parametrize(
    ("page", "username"),
    [("transfer_start", "coach.nassjo"), ("transfer_list", "coach.eksjo"), ("transfer_meeting", "coach.eksjo")],
)
def test_opening_a_page_changes_nothing(client_for, transfer, page, username):
    client = client_for(username)
    before = every_row(access_log=False)
    arguments = {"transfer_start": [transfer.participant_id], "transfer_list": [], "transfer_meeting": [transfer.pk]}
    address = url(page, *arguments[page])

    client.get(address)

    assert every_row(access_log=False) == before


# Starting a transfer


def test_the_start_page_lists_the_other_municipalities_and_what_the_consent_covers(client_for, people, moving):
    response = client_for("coach.nassjo").get(url("transfer_start", moving.pk))

    page = body(response)
    assert "Flytta till annan kommun" in page
    choices = [m.name for m in response.context["form"].fields["to_municipality"].queryset]
    assert choices == ["Aneby", "Eksjö", "Sävsjö", "Tranås", "Vetlanda"]
    assert "Deltagarens gällande samtycke omfattar att informera SE-teamet i: Eksjö." in page
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_id, entry.person_id) == (
        people["coach.nassjo"],
        "view",
        str(moving.pk),
        moving.person_id,
    )


def test_without_consent_the_page_says_so_and_links_to_the_consent_form(client_for, participant):
    page = body(client_for("coach.nassjo").get(url("transfer_start", participant.pk)))

    assert "Inget gällande samtycke gör att vi får informera en annan kommuns SE-team om deltagaren." in page
    assert reverse("consent:consent_create", args=[participant.person_id]) in page


def test_the_coach_starts_a_transfer_with_the_meeting(client_for, people, moving):
    response = client_for("coach.nassjo").post(url("transfer_start", moving.pk), start_data(), follow=True)

    transfer = Transfer.objects.get()
    assert response.redirect_chain == [(url("participant_detail", moving.pk), 302)]
    assert "Överflyttningen till Eksjö är påbörjad. Den väntar på mottagande coach." in body(response)
    assert (transfer.to_municipality.code, transfer.note, transfer.requested_by) == (
        "eksjo",
        NOTE,
        people["coach.nassjo"],
    )
    assert (transfer.meeting_at, transfer.meeting_place) == (in_a_week(), "Stadshuset i Eksjö")


def test_the_meeting_may_wait(client_for, moving):
    client_for("coach.nassjo").post(url("transfer_start", moving.pk), start_data(meeting_at="", meeting_place=""))

    assert Transfer.objects.get().meeting_at is None


def test_without_consent_the_refusal_is_shown_on_the_form_with_the_link(client_for, participant):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("transfer_start", participant.pk), start_data())

    page = body(response)
    assert response.status_code == 200
    assert every_row(access_log=False) == before
    assert "Det finns inget gällande samtycke till att informera SE-team Eksjö." in page
    assert "Det finns inget gällande samtycke som gör att vi får informera SE-teamet i Eksjö om deltagaren." in page
    assert reverse("consent:consent_create", args=[participant.person_id]) in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to_municipality": ""}, "Välj den kommun som deltagaren flyttar till."),
        ({"to_municipality": "nassjo"}, "Välj en av de andra kommunerna med SE-team."),
        ({"to_municipality": "999999"}, "Välj en av de andra kommunerna med SE-team."),
        ({"meeting_at": "past"}, "Mötet kan inte ligga i det förflutna."),
        ({"meeting_at": "nästa tisdag"}, "Ange datum och tid som ÅÅÅÅ-MM-DD TT:MM."),
        ({"meeting_at": ""}, "Ange datum och tid för mötet, eller lämna platsen tom."),
    ],
    ids=["no municipality", "the own municipality", "unknown municipality", "past meeting", "bad time", "place only"],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_saved(client_for, moving, overrides, message):
    if overrides.get("to_municipality") == "nassjo":
        overrides["to_municipality"] = moving.municipality_id
    if overrides.get("meeting_at") == "past":
        overrides["meeting_at"] = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("transfer_start", moving.pk), start_data(**overrides))

    assert response.status_code == 200
    assert message in body(response)
    assert every_row(access_log=False) == before


def test_a_second_transfer_is_refused_while_one_waits(client_for, people, transfer):
    consent_to_transfer(people, transfer.participant, to="tranas")
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(
        url("transfer_start", transfer.participant_id),
        start_data(to_municipality=factories.municipality("tranas").pk),
    )

    page = body(response)
    assert every_row(access_log=False) == before
    assert "Deltagaren har redan en överflyttning som väntar." in page
    assert "Överflyttning till Eksjö väntar på mottagande coach." in page


def test_an_exited_participant_cannot_be_transferred(client_for, moving):
    exit_directly(moving)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("transfer_start", moving.pk), start_data())

    assert every_row(access_log=False) == before
    assert body(response).count("Deltagaren är avslutad och kan inte flyttas.") == 2
    assert 'name="to_municipality"' not in body(client.get(url("transfer_start", moving.pk)))


# The transfers page


def test_the_receiving_coach_sees_the_incoming_transfer_with_what_the_consent_allows(client_for, people, transfer):
    response = client_for("coach.eksjo").get(url("transfer_list"))

    page = body(response)
    person = transfer.participant.person
    assert "Inkommande" in page
    assert person.full_name in page
    assert person.identity_display in page
    assert "Nässjö" in page
    assert "Aktiv" in page and "1. Överenskommelse" in page
    assert f"{local(transfer.meeting_at)}, Stadshuset i Eksjö" in page
    assert NOTE in page
    for name in ("transfer_accept", "transfer_cancel", "transfer_meeting"):
        assert url(name, transfer.pk) in page
    assert "Avbryt överflyttningen" not in page
    assert "Din kommun lämnar inte över någon deltagare just nu." in page
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type) == (people["coach.eksjo"], "list", "participants.transfer")


def test_the_handing_over_coach_sees_the_outgoing_transfer(client_for, transfer):
    page = body(client_for("coach.nassjo").get(url("transfer_list")))

    assert "Inga överflyttningar till din kommun väntar." in page
    assert "Utgående" in page
    assert url("participant_detail", transfer.participant_id) in page
    assert "Avbryt överflyttningen" in page
    assert url("transfer_accept", transfer.pk) not in page
    assert url("transfer_meeting", transfer.pk) in page


@pytest.mark.parametrize(("username", "tag"), [("coach.eksjo", "ol"), ("coach.nassjo", "ul")])
def test_the_transfer_cards_are_listed_without_bullets_or_numbers(client_for, transfer, username, tag):
    page = body(client_for(username).get(url("transfer_list")))

    assert re.search(rf'<{tag} class="card-list"', page)
    assert any("list-style: none" in rule for rule in css_rules(".card-list"))


def test_nothing_of_another_municipalitys_transfer_shows(client_for, elsewhere):
    page = body(client_for("coach.eksjo").get(url("transfer_list")))

    assert elsewhere.participant.person.full_name not in page
    assert "Cederholm" not in page
    assert elsewhere.participant.person.identity_display not in page
    assert "Bo flyttar till Tranås." not in page
    assert not AccessLog.objects.exists()


def test_a_protected_identity_stays_hidden_from_the_receiving_coach(client_for, transfer):
    person = transfer.participant.person
    person.protected_identity = True
    person.save(update_fields=["protected_identity"])

    page = body(client_for("coach.eksjo").get(url("transfer_list")))

    assert person.full_name not in page
    assert person.identity_display not in page
    assert "Skyddad identitet" in page


def test_the_queue_shows_in_the_receiving_coachs_order_with_the_move_buttons(client_for, people):
    for moving in enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"), ("Cilla", "Dahl")):
        consent_to_transfer(people, moving)
        start(people, moving)
    _first, _middle, last = selectors.transfers_incoming(people["coach.eksjo"])
    client = client_for("coach.eksjo")

    response = client.post(url("transfer_move", last.pk), {"direction": "up"}, follow=True)

    page = body(response)
    assert response.redirect_chain == [(url("transfer_list"), 302)]
    assert "Överflyttningen är flyttad uppåt." in page
    assert page.index("Alva Brandt") < page.index("Cilla Dahl") < page.index("Bo Cederholm")
    assert page.count('value="up"') == 2 and page.count('value="down"') == 2


def test_moving_past_the_end_is_refused_in_swedish(client_for, people, transfer):
    client = client_for("coach.eksjo")
    before = every_row(access_log=False)

    response = client.post(url("transfer_move", transfer.pk), {"direction": "down"}, follow=True)

    assert "Överflyttningen är redan sist i kön." in body(response)
    assert every_row(access_log=False) == before


def test_an_unknown_direction_is_refused_in_swedish(client_for, transfer):
    client = client_for("coach.eksjo")
    before = every_row(access_log=False)

    response = client.post(url("transfer_move", transfer.pk), {"direction": "sideways"}, follow=True)

    assert "Välj om överflyttningen ska flyttas uppåt eller nedåt." in body(response)
    assert every_row(access_log=False) == before


def test_the_handing_over_coach_cannot_reorder_the_receivers_queue(client_for, transfer):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    assert client.post(url("transfer_move", transfer.pk), {"direction": "up"}).status_code == 403
    assert every_row(access_log=False) == before


# The meeting


def test_the_transfers_page_links_to_the_meeting_instead_of_a_form_on_every_card(client_for, transfer):
    page = body(client_for("coach.eksjo").get(url("transfer_list")))

    assert f'href="{url("transfer_meeting", transfer.pk)}"' in page
    assert "Ändra överlämningsmötet" in page
    assert 'name="meeting_at"' not in page


def test_the_meeting_page_shows_the_booked_meeting_to_change_and_logs_the_look(client_for, people, transfer):
    response = client_for("coach.eksjo").get(url("transfer_meeting", transfer.pk))

    page = body(response)
    assert "Ändra överlämningsmötet" in page
    assert transfer.participant.person.full_name in page
    assert "Nässjö" in page and "Eksjö" in page
    assert timezone.localtime(transfer.meeting_at).strftime("%Y-%m-%dT%H:%M") in page
    assert 'value="Stadshuset i Eksjö"' in page
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.person_id) == (
        people["coach.eksjo"],
        "view",
        "participants.transfer",
        str(transfer.pk),
        transfer.participant.person_id,
    )


def test_a_transfer_without_a_meeting_offers_to_book_one(client_for, people, moving):
    unbooked = start(people, moving, note=NOTE)

    page = body(client_for("coach.nassjo").get(url("transfer_meeting", unbooked.pk)))

    assert "Boka överlämningsmötet" in page
    assert "Ändra överlämningsmötet" not in page


@pytest.mark.parametrize("username", ["coach.nassjo", "coach.eksjo"])
def test_either_coach_changes_the_meeting(client_for, transfer, username):
    later = in_a_week() + timedelta(days=1, hours=3)

    response = client_for(username).post(
        url("transfer_meeting", transfer.pk),
        {"meeting_at": later.strftime("%Y-%m-%dT%H:%M"), "meeting_place": "Biblioteket i Eksjö"},
        follow=True,
    )

    transfer.refresh_from_db()
    assert (transfer.meeting_at, transfer.meeting_place) == (later, "Biblioteket i Eksjö")
    assert f"Överlämningsmötet är bokat till {local(later)}." in body(response)
    assert f"{local(later)}, Biblioteket i Eksjö" in body(response)


@pytest.mark.parametrize(
    ("meeting_at", "message"),
    [
        ("", "Ange datum och tid för mötet."),
        ("imorgon", "Ange datum och tid som ÅÅÅÅ-MM-DD TT:MM."),
        ("past", "Mötet kan inte ligga i det förflutna."),
    ],
    ids=["no time", "bad time", "past"],
)
def test_a_bad_meeting_is_refused_in_swedish_and_nothing_is_saved(client_for, transfer, meeting_at, message):
    if meeting_at == "past":
        meeting_at = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client = client_for("coach.eksjo")
    before = every_row(access_log=False)

    response = client.post(
        url("transfer_meeting", transfer.pk), {"meeting_at": meeting_at, "meeting_place": "Biblioteket i Eksjö"}
    )

    assert response.status_code == 200
    assert message in body(response)
    assert 'value="Biblioteket i Eksjö"' in body(response)
    assert every_row(access_log=False) == before


# Accepting and declining


def test_accepting_moves_the_participant_and_opens_their_page_for_the_receiving_coach(client_for, people, transfer):
    response = client_for("coach.eksjo").post(url("transfer_accept", transfer.pk), follow=True)

    moving = Participant.objects.get(pk=transfer.participant_id)
    assert response.redirect_chain == [(url("participant_detail", moving.pk), 302)]
    assert response.status_code == 200
    assert "Överflyttningen är mottagen: deltagaren tillhör nu Eksjö, med dig som ansvarig coach." in body(response)
    assert (moving.municipality.code, moving.responsible_coach) == ("eksjo", people["coach.eksjo"])


def test_accepting_twice_gives_the_message_not_an_error_page(client_for, transfer):
    client = client_for("coach.eksjo")
    client.post(url("transfer_accept", transfer.pk))
    before = every_row(access_log=False)

    response = client.post(url("transfer_accept", transfer.pk), follow=True)

    assert response.redirect_chain == [(url("transfer_list"), 302)]
    assert "Överflyttningen är redan mottagen." in body(response)
    assert every_row(access_log=False) == before


def test_after_the_move_the_handing_over_coach_can_neither_open_nor_write(client_for, people, transfer):
    services.accept_transfer(actor=people["coach.eksjo"], transfer=transfer)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    page = client.get(url("participant_detail", transfer.participant_id))
    written = client.post(url("journal_entry_add", transfer.participant_id), entry_data())
    again = client.post(url("transfer_cancel", transfer.pk), follow=True)

    assert (page.status_code, written.status_code) == (404, 404)
    assert every_row(access_log=False) == before
    assert not JournalEntry.objects.exists()
    assert "Överflyttningen är redan mottagen." in body(again)


def test_a_full_receiving_municipality_refuses_in_swedish(client_for, people, transfer):
    factories.fill_places(people["coach.eksjo"], municipality_code="eksjo")
    client = client_for("coach.eksjo")
    before = every_row(access_log=False)

    response = client.post(url("transfer_accept", transfer.pk), follow=True)

    assert "Eksjö har ingen ledig plats: alla 30 platser är tagna." in body(response)
    assert every_row(access_log=False) == before


def test_the_receiving_coach_declines(client_for, transfer):
    response = client_for("coach.eksjo").post(url("transfer_cancel", transfer.pk), follow=True)

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED
    assert response.redirect_chain == [(url("transfer_list"), 302)]
    assert "Överflyttningen från Nässjö är avböjd." in body(response)
    assert Participant.objects.get(pk=transfer.participant_id).municipality.code == "nassjo"


def test_the_handing_over_coach_cancels(client_for, transfer):
    response = client_for("coach.nassjo").post(url("transfer_cancel", transfer.pk), follow=True)

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED
    assert "Överflyttningen till Eksjö är avbruten." in body(response)
    assert "Din kommun lämnar inte över någon deltagare just nu." in body(response)


# The transfer box on the participant page


def render_box(rf, people, participant, *, username="coach.nassjo", is_coach=True) -> str:
    request = rf.get("/")
    request.user = people[username]
    context = {
        "participant": participant,
        "pending_transfer": selectors.pending_transfer_of(participant),
        "is_coach": is_coach,
        "may_write": is_coach and participant.is_open,
    }
    return render_to_string("participants/detail/_transfer.html", context, request=request)


def test_the_box_offers_the_move_to_the_coach(rf, people, participant):
    box = render_box(rf, people, participant)

    assert "Flytta till annan kommun" in box
    assert url("transfer_start", participant.pk) in box


def test_the_box_tells_that_a_transfer_waits_with_the_meeting(rf, people, transfer):
    box = render_box(rf, people, transfer.participant)

    assert "Överflyttning till Eksjö väntar på mottagande coach." in box
    assert f"Överlämningsmöte: {local(transfer.meeting_at)}, Stadshuset i Eksjö" in box
    assert url("transfer_start", transfer.participant_id) not in box


def test_the_box_is_not_shown_to_the_manager_nor_after_exit(rf, people, participant):
    assert "Flytta" not in render_box(rf, people, participant, username="chef.nassjo", is_coach=False)
    exit_directly(participant)
    assert "Flytta" not in render_box(rf, people, participant)


def test_the_participant_page_shows_the_waiting_transfer_and_after_the_move_the_new_municipality(
    client_for, people, transfer
):
    waiting = body(client_for("coach.nassjo").get(url("participant_detail", transfer.participant_id)))
    services.accept_transfer(actor=people["coach.eksjo"], transfer=transfer)
    moved = body(client_for("coach.eksjo").get(url("participant_detail", transfer.participant_id)))

    assert "Överflyttning till Eksjö väntar på mottagande coach." in waiting
    assert url("transfer_start", transfer.participant_id) not in waiting
    assert url("transfer_start", transfer.participant_id) in moved
    assert "Sara Nyberg" in moved


# Queries stay constant as the data grows


@pytest.mark.parametrize("username", ["coach.eksjo", "coach.nassjo"])
def test_the_transfers_page_needs_the_same_number_of_queries_for_one_transfer_and_for_many(
    client_for, people, django_assert_num_queries, username
):
    def add(count: int, offset: int) -> None:
        for moving in enrol(people, *[("Deltagare", f"Nummer{offset + n}") for n in range(count)]):
            consent_to_transfer(people, moving)
            start(people, moving, meeting_at=in_a_week(), note="Flyttar.")

    add(1, 0)
    client = client_for(username)
    client.get(url("transfer_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("transfer_list"))
    add(4, 1)

    with django_assert_num_queries(len(one)):
        response = client.get(url("transfer_list"))

    page = body(response)
    assert Transfer.objects.count() == 5
    assert all(url("transfer_cancel", pk) in page for pk in Transfer.objects.values_list("pk", flat=True))


def test_the_participant_page_reads_the_waiting_transfer_with_the_participant(client_for, people, moving):
    """A transfer waiting adds no query to the case page (issue 15: at most MOST_QUERIES_A_PAGE)."""
    client = client_for("coach.nassjo")
    page = url("participant_detail", moving.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as without:
        client.get(page)
    start(people, moving, note=NOTE, meeting_at=in_a_week(), meeting_place="Stadshuset i Eksjö")

    with CaptureQueriesContext(connection) as waiting:
        response = client.get(page)

    assert response.context["pending_transfer"].to_municipality.name == "Eksjö"
    assert "Överflyttning till Eksjö väntar på mottagande coach." in body(response)
    assert len(waiting) == len(without) <= MOST_QUERIES_A_PAGE
