"""The caseload and the participant page: who may open them, the short journal form, the step.

Nässjö's coach is the insider; Nässjö's manager reads the page without the journal; Eksjö's coach
and manager hold the right role but no grant, so Nässjö's participants do not exist for them.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import JournalEntry, Participant
from sehoglandet.models import AccessLog, Person
from tests.helpers import (
    COACHES,
    MANAGERS,
    MOST_QUERIES_A_PAGE,
    PERSONAS,
    body,
    every_row,
    outcomes_by_persona,
    status_and_changed_tables,
    statuses_by_persona,
    today,
)

from .conftest import enrol, exit_directly

NOTE = "Besökte bageriet med Alva, hon fick prova på morgonpasset."


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"participants:{name}", args=[pk] if pk is not None else [])


def entry_data(**overrides) -> dict:
    data = {"date": today().isoformat(), "kind": "workplace_visit", "text": NOTE}
    data.update(overrides)
    return data


# Who may open which page


def test_the_participant_page_opens_for_the_team_only(client_for, participant):
    page = url("participant_detail", participant.pk)

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(page))

    assert statuses == {
        **dict.fromkeys(PERSONAS, 403),
        **dict.fromkeys(["coach.nassjo", "chef.nassjo"], 200),
        **dict.fromkeys(["coach.eksjo", "chef.eksjo"], 404),
    }


def test_the_participant_list_is_for_coaches_and_managers(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url("participant_list")))

    assert statuses == {username: 200 if username in [*COACHES, *MANAGERS] else 403 for username in PERSONAS}


def test_the_caseload_lists_the_own_municipalitys_participants_only(client_for, participant):
    assert "Alva Brandt" in body(client_for("coach.nassjo").get(url("participant_list")))
    assert "Alva Brandt" not in body(client_for("coach.eksjo").get(url("participant_list")))


def test_the_caseload_leaves_out_exited_participants_and_filters_by_status(client_for, people):
    alva, bo = enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"))
    exit_directly(bo)
    client = client_for("coach.nassjo")

    everyone = client.get(url("participant_list"))
    queued = client.get(url("participant_list"), {"status": "queued"})

    assert [p.pk for p in everyone.context["page"]] == [alva.pk]
    assert list(queued.context["page"]) == []
    assert "Inga deltagare matchar." in body(queued)


@pytest.mark.parametrize("name", ["journal_entry_add", "step_change"])
def test_only_the_municipalitys_coach_may_write_and_nothing_is_saved_otherwise(client_for, participant, name):
    everyone_else = [username for username in PERSONAS if username != "coach.nassjo"]
    data = {**entry_data(), "step": 2, "changed_on": today()}
    write = status_and_changed_tables(lambda client: client.post(url(name, participant.pk), data), access_log=False)

    outcomes = outcomes_by_persona(client_for, everyone_else, write)

    assert outcomes == {username: (404 if username == "coach.eksjo" else 403, []) for username in everyone_else}


# The access log


def test_opening_the_page_logs_who_saw_whose_data(client_for, people, participant):
    client_for("coach.nassjo").get(url("participant_detail", participant.pk))

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.person_id) == (
        people["coach.nassjo"],
        "view",
        "participants.participant",
        str(participant.pk),
        participant.person_id,
    )
    assert entry.purpose


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.eksjo"])
def test_a_refused_attempt_is_logged_without_the_person(client_for, people, participant, username):
    response = client_for(username).get(url("participant_detail", participant.pk))

    entry = AccessLog.objects.get()
    assert response.status_code == 404
    assert (entry.user, entry.action, entry.object_id, entry.person_id) == (
        people[username],
        "refused",
        str(participant.pk),
        None,
    )


def test_a_refused_write_is_logged_too(client_for, people, participant):
    client_for("coach.eksjo").post(url("journal_entry_add", participant.pk), entry_data())

    assert list(AccessLog.objects.values_list("action", "person_id")) == [("refused", None)]


def test_listing_the_caseload_writes_one_list_row(client_for, people, participant):
    client_for("coach.nassjo").get(url("participant_list"))

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type) == (people["coach.nassjo"], "list", "participants.participant")


def test_an_empty_caseload_writes_no_row(client_for):
    client_for("coach.eksjo").get(url("participant_list"))

    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("page", ["participant_list", "participant_detail"])
def test_opening_a_page_changes_no_row(client_for, participant, page):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(url(page, participant.pk if page == "participant_detail" else None), {"page": 2, "status": "active"})

    assert every_row(access_log=False) == before


# The page


def test_the_coach_sees_the_person_status_step_and_a_journal_button_to_the_short_form_with_today(
    client_for, participant
):
    client = client_for("coach.nassjo")
    response = client.get(url("participant_detail", participant.pk))
    form = body(client.get(url("journal_entry_add", participant.pk)))

    page = body(response)
    assert "Alva Brandt" in page
    assert "Aktiv" in page
    assert "Steg: 1. Överenskommelse" in page
    assert f'value="{today().isoformat()}"' in form
    assert url("journal_entry_add", participant.pk) in page
    assert url("step_change", participant.pk) in page


def test_the_manager_reads_the_page_without_the_journal_or_any_action_but_the_responsible_coachs(
    client_for, people, participant
):
    services.add_journal_entry(
        actor=people["coach.nassjo"], participant=participant, date=today(), kind="phone", text=NOTE
    )

    page = body(client_for("chef.nassjo").get(url("participant_detail", participant.pk)))

    assert "Steg: 1. Överenskommelse" in page
    assert NOTE not in page
    assert re.findall(r'<form method="post" action="(/deltagare/[^"]*)"', page) == []
    buttons = re.findall(r'<a class="button[^"]*" href="(/deltagare/[^"]*)"', page)
    assert buttons == [url("coach_assign", participant.pk)]
    assert AccessLog.objects.get().purpose == "Chefens granskning av ärendet"


def test_the_referral_page_links_to_the_participant_page(client_for, participant):
    page = body(client_for("coach.nassjo").get(reverse("referrals:referral_detail", args=[participant.referral_id])))

    assert url("participant_detail", participant.pk) in page


# The journal


def test_the_coach_adds_an_entry_and_sees_it_at_the_top_of_the_journal(client_for, people, participant):
    services.add_journal_entry(
        actor=people["coach.nassjo"],
        participant=participant,
        date=today() - timedelta(days=3),
        kind="phone",
        text="Ringde Alva om tiden.",
    )
    client = client_for("coach.nassjo")

    response = client.post(url("journal_entry_add", participant.pk), entry_data(), follow=True)

    entry = JournalEntry.objects.get(text=NOTE)
    assert response.redirect_chain == [(url("participant_detail", participant.pk), 302)]
    assert (entry.date, entry.kind, entry.author) == (today(), "workplace_visit", people["coach.nassjo"])
    page = body(response)
    assert "Journalanteckningen är tillagd." in page
    assert page.index(NOTE) < page.index("Ringde Alva om tiden.")
    assert "Arbetsplatsbesök" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            entry_data(date=(timezone.localdate() + timedelta(days=1)).isoformat()),
            "Datumet kan inte ligga i framtiden.",
        ),
        (entry_data(text=""), "Skriv vad som hände."),
        (entry_data(text="   "), "Skriv vad som hände."),
        (entry_data(kind="coffee"), "Välj ett giltigt alternativ."),
        (entry_data(date="31/12/2025"), "Fyll i ett giltigt datum."),
    ],
    ids=["future date", "empty text", "blank text", "unknown kind", "wrong date format"],
)
def test_bad_journal_input_is_refused_in_swedish_and_nothing_is_saved(client_for, participant, data, message):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("journal_entry_add", participant.pk), data)

    assert response.status_code == 200
    assert message in body(response)
    assert every_row(access_log=False) == before


def test_the_journal_is_read_only_after_exit(client_for, people, participant):
    services.add_journal_entry(
        actor=people["coach.nassjo"], participant=participant, date=today(), kind="phone", text=NOTE
    )
    exit_directly(participant)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    refused = client.post(url("journal_entry_add", participant.pk), entry_data(text="Efter avslut."), follow=True)
    page = body(client.get(url("participant_detail", participant.pk)))

    assert every_row(access_log=False) == before
    assert "Deltagaren är utskriven: journalen och steget kan inte längre ändras." in body(refused)
    assert NOTE in page
    assert url("journal_entry_add", participant.pk) not in page


# The step


def test_the_coach_changes_the_step_and_the_page_shows_the_date_of_each_change(client_for, participant):
    client = client_for("coach.nassjo")

    response = client.post(
        url("step_change", participant.pk), {"step": 3, "changed_on": today().isoformat()}, follow=True
    )

    participant.refresh_from_db()
    assert participant.step == Participant.Step.JOB_SEARCH
    page = body(response)
    assert "Deltagaren är nu i steg 3. Jobbsökande/hitta arbetsplats." in page
    assert page.count(timezone.localdate().strftime("%Y-%m-%d")) >= 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"step": 7, "changed_on": timezone.localdate().isoformat()}, "Välj ett giltigt alternativ."),
        ({"step": 1, "changed_on": timezone.localdate().isoformat()}, "Deltagaren är redan i det här steget."),
        (
            {"step": 2, "changed_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "Datumet kan inte ligga i framtiden.",
        ),
    ],
    ids=["step 7", "the same step", "future date"],
)
def test_a_bad_step_change_is_refused_in_swedish_and_nothing_is_saved(client_for, participant, data, message):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("step_change", participant.pk), data)

    assert response.status_code == 200
    assert message in body(response)
    assert every_row(access_log=False) == before


# Queries stay constant as the data grows


def test_the_caseload_needs_the_same_number_of_queries_for_one_participant_and_for_many(
    client_for, people, django_assert_num_queries
):
    enrol(people, ("Alva", "Brandt"))
    client = client_for("coach.nassjo")
    client.get(url("participant_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("participant_list"))
    enrol(people, *[("Deltagare", f"Nummer{n}") for n in range(5)])

    with django_assert_num_queries(len(one)):
        response = client.get(url("participant_list"))

    assert len(response.context["page"].object_list) == 6


def test_the_participant_page_needs_the_same_number_of_queries_for_one_entry_and_for_a_full_page(
    client_for, people, participant, django_assert_num_queries
):
    coach = people["coach.nassjo"]

    def add_entries(count: int) -> None:
        for n in range(count):
            services.add_journal_entry(
                actor=coach, participant=participant, date=today(), kind="phone", text=f"Samtal {n}"
            )

    add_entries(1)
    client = client_for("coach.nassjo")
    client.get(url("participant_detail", participant.pk))
    with CaptureQueriesContext(connection) as one:
        client.get(url("participant_detail", participant.pk))
    add_entries(24)
    services.change_step(actor=coach, participant=participant, step=2, changed_on=today())

    with django_assert_num_queries(len(one)):
        response = client.get(url("participant_detail", participant.pk))

    assert len(one) <= MOST_QUERIES_A_PAGE
    assert len(response.context["page"].object_list) == 20
    assert response.context["page"].paginator.num_pages == 2


def test_of_a_protected_identity_only_the_coach_sees_any_identifying_field(client_for, people, participant):
    """docs/domain.md#protected-identity: the manager sees the case, not who it is."""
    Person.objects.filter(pk=participant.person_id).update(protected_identity=True, phone="070-444 55 66")
    person = Person.objects.get(pk=participant.person_id)
    page = reverse("participants:participant_detail", args=[participant.pk])
    identifying = [person.full_name, person.identity_display, "070-444 55 66", person.birth_date.isoformat()]

    coach = client_for("coach.nassjo").get(page).content.decode()
    manager = client_for("chef.nassjo").get(page).content.decode()

    assert all(value in coach for value in identifying[:3])
    assert not any(value in manager for value in identifying)
    assert "Skyddad identitet" in manager


def test_a_caseload_longer_than_a_page_shows_which_rows_until_the_last_page_gives_the_number(
    client_for, people, monkeypatch
):
    """The list is not counted (sehoglandet.paging.UncountedPaginator): a page with more after it
    says which rows it shows and links to the next, the last page says how many there are."""
    monkeypatch.setattr("participants.views.caseload.CASELOAD_PAGE_SIZE", 2)
    enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"), ("Cim", "Dahl"))
    client = client_for("coach.nassjo")

    first, second = client.get(url("participant_list")), client.get(url("participant_list"), {"page": 2})

    assert "Deltagare 1–2 av fler" in body(first) and "Sida 1<" in body(first)
    assert 'rel="next"' in body(first) and 'rel="prev"' not in body(first)
    assert "3 deltagare" in body(second) and "Sida 2 av 2" in body(second)
    assert 'rel="next"' not in body(second) and 'rel="prev"' in body(second)
    shown = [*first.context["page"].object_list, *second.context["page"].object_list]
    assert len(set(shown)) == 3


def test_a_caseload_longer_than_the_pages_offered_says_to_narrow_it_with_the_filters(client_for, people, monkeypatch):
    """The pages stop at the cap: the last one offered has no link onwards and says to narrow the list."""
    monkeypatch.setattr("sehoglandet.paging.COUNT_CAP", 2)
    monkeypatch.setattr("participants.views.caseload.CASELOAD_PAGE_SIZE", 1)
    enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"), ("Cim", "Dahl"))
    client = client_for("coach.nassjo")

    first, second = client.get(url("participant_list")), client.get(url("participant_list"), {"page": 2})
    past_the_cap = client.get(url("participant_list"), {"page": 3})

    assert "Deltagare 1–1 av fler" in body(first) and "Avgränsa den med filtren" not in body(first)
    assert "Deltagare 2–2 av fler" in body(second) and 'rel="next"' not in body(second)
    assert "Listan visar de första 2. Avgränsa den med filtren för att se fler." in body(second)
    assert past_the_cap.context["page"].number == 2
    shown = [*first.context["page"].object_list, *second.context["page"].object_list]
    assert len(shown) == 2 and shown[0] != shown[1]
