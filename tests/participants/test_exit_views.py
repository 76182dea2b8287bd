"""Ending the participation on the participant page, and completing an exit the referral group
decided: who may, what the page shows afterwards, what is refused in Swedish with nothing saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participants import services
from participants.models import IncomeRecord, Participant
from sehoglandet.models import AccessLog
from tests.helpers import (
    PERSONAS,
    body,
    every_row,
    outcomes_by_persona,
    status_and_changed_tables,
    status_shown_and_changed_tables,
    today,
)

from .conftest import exit_directly
from .test_exit_services import exit_by_group
from .test_participant_views import url

NOTE = "Fast anställd på Bageriet på torget från måndag."


def exit_data(**overrides) -> dict:
    data = {
        "exited_on": today().isoformat(),
        "reason": "work",
        "occupation_after": "work",
        "income_after": "salary",
        "note": NOTE,
    }
    data.update(overrides)
    return data


def details_data(**overrides) -> dict:
    data = {"occupation_after": "studies", "income_after": "student_finance"}
    data.update(overrides)
    return data


# Who may


def test_only_the_municipalitys_coach_may_end_the_participation(client_for, participant):
    everyone_else = [username for username in PERSONAS if username != "coach.nassjo"]
    data = exit_data()

    end_it = status_shown_and_changed_tables(
        lambda client: client.post(url("participant_exit", participant.pk), data), "Brandt", access_log=False
    )

    outcomes = outcomes_by_persona(client_for, everyone_else, end_it)

    assert outcomes == {username: (404 if username == "coach.eksjo" else 403, False, []) for username in everyone_else}


def test_only_the_municipalitys_coach_may_complete_an_exit(client_for, people, participant):
    exit_by_group(people, participant)
    expected = {"chef.nassjo": 403, "coach.eksjo": 404, "referrer.af": 403}
    data = details_data()
    complete = status_and_changed_tables(
        lambda client: client.post(url("exit_complete", participant.pk), data), access_log=False
    )

    outcomes = outcomes_by_persona(client_for, expected, complete)

    assert outcomes == {username: (status, []) for username, status in expected.items()}


def test_a_refused_exit_is_logged_without_the_person(client_for, people, participant):
    client_for("coach.eksjo").post(url("participant_exit", participant.pk), exit_data())

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_id, entry.person_id) == (
        people["coach.eksjo"],
        "refused",
        str(participant.pk),
        None,
    )


# Ending the participation


def test_the_exit_waits_behind_a_button_at_the_bottom_of_an_open_participants_page(client_for, participant):
    client = client_for("coach.nassjo")
    page = body(client.get(url("participant_detail", participant.pk)))
    form = body(client.get(url("participant_exit", participant.pk)))

    assert "Avsluta deltagandet" in page
    assert 'name="exited_on"' not in page
    assert page.index(url("participant_exit", participant.pk)) > page.index('id="timeline-heading"')
    assert f'<input type="date" name="exited_on" value="{today().isoformat()}"' in form


def test_the_coach_ends_the_participation_and_sees_the_exit_summary(client_for, people, participant):
    response = client_for("coach.nassjo").post(url("participant_exit", participant.pk), exit_data(), follow=True)

    participant.refresh_from_db()
    assert response.redirect_chain == [(url("participant_detail", participant.pk), 302)]
    assert (participant.status, participant.exit_reason, participant.occupation_after) == ("exited", "work", "work")
    assert participant.incomes.get(phase=IncomeRecord.Phase.AFTER).source == "salary"
    page = body(response)
    assert "Deltagandet är avslutat." in page
    assert "Avslutad" in page
    summary = page[page.index('id="exit-summary-heading"') :]
    for text in (today().isoformat(), "Arbete", "Coachen", "Arbete utan stöd", "Lön", NOTE):
        assert text in summary
    assert url("journal_entry_add", participant.pk) not in page
    assert url("participant_exit", participant.pk) not in page
    assert url("income_add", participant.pk) not in page


def test_the_manager_sees_the_exit_summary_without_the_coachs_note(client_for, people, participant):
    services.exit_participant(
        actor=people["coach.nassjo"],
        participant=participant,
        exited_on=today(),
        reason="studies",
        occupation_after="studies",
        income_after="student_finance",
        note=NOTE,
    )

    page = body(client_for("chef.nassjo").get(url("participant_detail", participant.pk)))

    assert "Studiemedel" in page
    assert "Coachen" in page
    assert NOTE not in page
    assert url("coach_assign", participant.pk) not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            exit_data(exited_on=(timezone.localdate() - timedelta(days=1)).isoformat()),
            "Avslutsdatumet kan inte vara före beslutet om inskrivning.",
        ),
        (
            exit_data(exited_on=(timezone.localdate() + timedelta(days=1)).isoformat()),
            "Datumet kan inte ligga i framtiden.",
        ),
        (exit_data(reason="holiday"), "Välj en orsak i listan."),
        (exit_data(reason=""), "Välj en orsak i listan."),
        (exit_data(occupation_after=""), "Välj vad deltagaren gör efter avslutet."),
        (exit_data(income_after="lottery"), "Välj försörjningen efter avslutet."),
        (exit_data(exited_on="1/3/2025"), "Fyll i ett giltigt datum."),
    ],
    ids=[
        "before the enrolment",
        "future date",
        "reason outside the list",
        "no reason",
        "no occupation",
        "unknown income",
        "wrong date format",
    ],
)
def test_a_bad_exit_is_refused_in_swedish_with_the_form_open_and_nothing_saved(client_for, participant, data, message):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("participant_exit", participant.pk), data)

    assert response.status_code == 200
    page = body(response)
    assert message in page
    assert response.templates[0].name == "participants/action.html"
    assert every_row(access_log=False) == before


def test_a_second_exit_is_refused_and_changes_nothing(client_for, participant):
    client = client_for("coach.nassjo")
    client.post(url("participant_exit", participant.pk), exit_data())
    before = every_row(access_log=False)

    response = client.post(url("participant_exit", participant.pk), exit_data(reason="studies"), follow=True)

    assert "Deltagaren är redan avslutad." in body(response)
    assert every_row(access_log=False) == before


# Completing an exit the referral group decided


def test_the_page_asks_the_coach_to_complete_a_group_exit_and_the_coach_completes_it(client_for, people, participant):
    exit_by_group(people, participant)
    client = client_for("coach.nassjo")

    page = body(client.get(url("participant_detail", participant.pk)))
    response = client.post(url("exit_complete", participant.pk), details_data(), follow=True)

    assert "Remittentgruppen" in page
    assert "Komplettera avslutet" in page
    assert "Inte registrerat än" in page
    participant.refresh_from_db()
    assert participant.occupation_after == "studies"
    assert participant.incomes.get(phase=IncomeRecord.Phase.AFTER).source == "student_finance"
    completed = body(response)
    assert "Uppgifterna om avslutet är registrerade." in completed
    assert "Studiemedel" in completed
    assert url("exit_complete", participant.pk) not in completed


def test_the_manager_sees_the_group_exit_without_the_form(client_for, people, participant):
    exit_by_group(people, participant)

    page = body(client_for("chef.nassjo").get(url("participant_detail", participant.pk)))

    assert "Remittentgruppen" in page
    assert url("exit_complete", participant.pk) not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (details_data(occupation_after=""), "Välj vad deltagaren gör efter avslutet."),
        (details_data(income_after="lottery"), "Välj försörjningen efter avslutet."),
    ],
    ids=["no occupation", "unknown income"],
)
def test_a_bad_completion_is_refused_in_swedish_and_nothing_is_saved(client_for, people, participant, data, message):
    exit_by_group(people, participant)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("exit_complete", participant.pk), data)

    assert response.status_code == 200
    assert message in body(response)
    assert every_row(access_log=False) == before


@pytest.mark.parametrize(
    ("exited_by", "message"),
    [
        ("nobody", "Deltagaren är inte avslutad."),
        ("the coach", "Uppgifterna om avslutet är redan registrerade."),
    ],
)
def test_there_is_nothing_to_complete_on_an_open_or_complete_exit(client_for, participant, exited_by, message):
    client = client_for("coach.nassjo")
    if exited_by == "the coach":
        client.post(url("participant_exit", participant.pk), exit_data())
    before = every_row(access_log=False)

    response = client.post(url("exit_complete", participant.pk), details_data(), follow=True)

    assert message in body(response)
    assert every_row(access_log=False) == before


def test_any_exit_without_the_details_can_be_completed(client_for, participant):
    exit_directly(participant)

    response = client_for("coach.nassjo").post(url("exit_complete", participant.pk), details_data(), follow=True)

    participant.refresh_from_db()
    assert participant.status == Participant.Status.EXITED
    assert participant.occupation_after == "studies"
    assert "Uppgifterna om avslutet är registrerade." in body(response)
