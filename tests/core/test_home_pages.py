"""The start page of the coach (capacity, to-do, queue, this week's aftercare) and of the manager
(caseload per coach, participants without a coach, the queue, escalations)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants import services
from participants.models import Employment, Participant
from referrals.models import ExitReason
from sehoglandet.models import AccessLog
from tests.helpers import shows, today
from tests.participants.test_todo import exited, participant_in


def monday():
    return today() - timedelta(days=today().weekday())


def body(response) -> str:
    return response.content.decode()


def employed_this_week(people, first_name: str, last_name: str, *, weeks: int = 1) -> Participant:
    """Employed `weeks` weeks before this Monday: by default the first workplace visit is due this
    Monday (the first month's visits are weekly, docs/domain.md#efterstod-aftercare)."""
    participant = participant_in(people, first_name, last_name, sus_registered_on=today() - timedelta(days=150))
    services.register_employment(
        actor=people["coach.nassjo"],
        participant=participant,
        employer="Bageriet",
        kind=Employment.Kind.EMPLOYMENT,
        starts_on=monday() - timedelta(weeks=weeks),
        hours_per_week=20,
    )
    return participant


# The coach


def test_the_coach_sees_the_to_do_counts_the_first_five_items_and_a_link(client_for, people):
    names = [("Alva", "Brandt"), ("Bo", "Cederholm"), ("Cia", "Dahl"), ("Dan", "Ek"), ("Eva", "Fors"), ("Fia", "Gran")]
    for days, (first, last) in enumerate(names, start=1):
        participant_in(people, first, last, decided_on=today() - timedelta(days=days))
    exited(people, today() - timedelta(days=1), ExitReason.MOVED, first_name="Gun", last_name="Hall")

    page = body(client_for("coach.nassjo").get("/"))

    section = page[page.index('id="todo-heading"') : page.index('id="aftercare-week-heading"')]
    assert "Registrera i SUS: 6" in section
    assert "Avregistrera i SUS: 1" in section
    assert "Öppna att göra-listan (7 saker)" in section
    assert f'href="{reverse("participants:todo_list")}"' in section
    assert [name in section for name in ("Fia Gran", "Eva Fors", "Dan Ek", "Cia Dahl", "Bo Cederholm")] == [True] * 5
    assert "Alva Brandt" not in section and "Gun Hall" not in section
    assert section.count("Försenad") == 5
    fia = Participant.objects.get(person__first_name="Fia")
    assert reverse("participants:participant_detail", args=[fia.pk]) in section


def test_the_coach_sees_this_weeks_aftercare_with_links(client_for, people):
    alva = employed_this_week(people, "Alva", "Brandt")

    page = body(client_for("coach.nassjo").get("/"))

    section = page[page.index('id="aftercare-week-heading"') :]
    assert monday().isoformat() in section
    assert "Arbetsplatsbesök" in section
    assert f'href="{reverse("participants:participant_detail", args=[alva.pk])}">Alva Brandt</a>' in section
    assert (monday() + timedelta(days=7)).isoformat() not in section


def test_a_busy_week_shows_the_first_ten_contacts_and_how_many_more_are_on_the_to_do_list(client_for, people):
    for number in range(12):
        employed_this_week(people, "Deltagare", f"Anställd{number:02d}")
    # A visit due last Monday (overdue, not this week's) and one this Monday.
    employed_this_week(people, "Gun", "Hall", weeks=2)

    page = body(client_for("coach.nassjo").get("/"))

    section = page[page.index('id="aftercare-week-heading"') :]
    assert [f"Deltagare Anställd{number:02d}" in section for number in range(12)] == [True] * 10 + [False] * 2
    assert "Gun Hall" not in section
    more = f'<a href="{reverse("participants:todo_list")}">3 kontakter till den här veckan finns på att göra-listan</a>'
    assert more in section


def test_a_coach_with_nothing_due_is_told_so(client_for):
    page = body(client_for("coach.nassjo").get("/"))

    assert "Just nu finns inget att göra." in page
    assert "Ingen efterstödskontakt är planerad den här veckan." in page
    assert not AccessLog.objects.exists()


def test_the_coach_of_another_municipality_sees_none_of_nassjos_participants(client_for, people):
    employed_this_week(people, "Alva", "Brandt")
    participant_in(people, "Bo", "Cederholm", decided_on=today() - timedelta(days=3))

    page = body(client_for("coach.eksjo").get("/"))

    assert "Alva Brandt" not in page and "Bo Cederholm" not in page
    assert "Just nu finns inget att göra." in page


def test_names_on_the_coachs_start_page_are_logged(client_for, people):
    participant_in(people, decided_on=today() - timedelta(days=3))

    client_for("coach.nassjo").get("/")

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type) == (
        people["coach.nassjo"],
        "list",
        "participants.participant",
    )


# The manager


def test_the_manager_sees_the_caseload_per_coach_against_capacity_and_those_without_a_coach(client_for, people):
    coach = people["coach.nassjo"]
    for n in range(3):
        participant_in(people, "Med", f"Coach{n}", responsible_coach=coach)
    participant_in(people, "Efterstöd", "Medcoach", status=Participant.Status.AFTERCARE, responsible_coach=coach)
    # Neither a queued nor an exited participant counts in the coach's caseload.
    participant_in(people, "Köad", "Medcoach", status=Participant.Status.QUEUED, responsible_coach=coach)
    exited(people, today() - timedelta(days=10), ExitReason.WORK, responsible_coach=coach)
    participant_in(people, "Utan", "Coach")
    participant_in(people, "Utan", "Coach2", status=Participant.Status.AFTERCARE)
    participant_in(people, "I", "Kön", status=Participant.Status.QUEUED)

    page = body(client_for("chef.nassjo").get("/"))

    # Capacity is stated once: the team's places, and each coach's share of them.
    assert shows(page, ("Varje coachs andel av teamets platser", "s share of the team"))
    assert shows(page, ("36 platser", "36 places: 180 % of a full-time coach post"))
    assert shows(page, ("20 av teamets 36 platser", "add up to 20 of the team"))
    assert '<a href="/deltagare/' in page[page.index("I Kön") - 80 : page.index("I Kön")]
    row = page[page.index('<th scope="row">Maja Lindqvist</th>') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">4</td>' in row
    assert "20" in row and "100 % av en heltidstjänst" in row
    assert "2 deltagare i stöd eller efterstöd saknar ansvarig coach." in page
    assert "I Kön" in page
    assert 'id="escalations-heading"' in page
    assert 'id="todo-heading"' not in page


def test_a_coach_over_capacity_is_marked(client_for, people):
    membership = people["coach.nassjo"].memberships.get(role="coach")
    membership.fte_percent = 10
    membership.save(update_fields=["fte_percent"])
    for n in range(3):
        participant_in(people, "Med", f"Coach{n}", responsible_coach=people["coach.nassjo"])

    page = body(client_for("chef.nassjo").get("/"))

    assert "Över kapaciteten" in page


def test_the_manager_of_another_municipality_sees_only_their_own(client_for, people):
    participant_in(people, "Utan", "Coach")
    participant_in(people, "I", "Kön", status=Participant.Status.QUEUED)

    page = body(client_for("chef.eksjo").get("/"))

    assert "Maja Lindqvist" not in page
    assert "I Kön" not in page
    assert "0 deltagare i stöd eller efterstöd saknar ansvarig coach." in page


# Queries stay constant as the data grows


@pytest.mark.parametrize("username", ["coach.nassjo", "chef.nassjo"])
def test_the_start_page_needs_the_same_number_of_queries_for_few_and_many(
    client_for, people, username, django_assert_num_queries
):
    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            participant_in(people, "Deltagare", f"Aktiv{i}", decided_on=today() - timedelta(days=3))
            participant_in(people, "Deltagare", f"Coach{i}", responsible_coach=people["coach.nassjo"])
            participant_in(people, "Deltagare", f"Kö{i}", status=Participant.Status.QUEUED)
            exited(people, today() - timedelta(days=2), ExitReason.MOVED, last_name=f"Ut{i}")
            employed_this_week(people, "Deltagare", f"Anställd{i}")

    add(1, 0)
    client = client_for(username)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    add(5, 1)

    with django_assert_num_queries(len(few)):
        response = client.get("/")

    assert response.status_code == 200
    if username == "coach.nassjo":
        assert len(response.context["aftercare_week"]) == 6
        assert response.context["todo_total"] >= 18
    else:
        team = response.context["teams"][0]
        assert (team.without_coach, len(team.queue)) == (12, 6)
