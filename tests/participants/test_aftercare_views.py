"""Employment and the aftercare plan on the participant page: who may write, what is refused in
Swedish with nothing saved, what the access log records."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from participants import services
from participants.models import AftercareVisit, Employment, Participant
from sehoglandet.models import AccessLog
from tests.helpers import PERSONAS, body, changed_tables, every_row, outcomes_by_persona, status_and_changed_tables

from .conftest import exit_directly
from .test_participant_views import url

START = date(2025, 3, 3)


def employment_data(**overrides) -> dict:
    data = {
        "employer": "Bageriet på torget",
        "kind": "employment",
        "starts_on": START.isoformat(),
        "ends_on": "",
        "hours_per_week": "20",
    }
    data.update(overrides)
    return data


@pytest.fixture
def employed(people, participant) -> Participant:
    """Alva, employed at the bakery from 2025-03-03, with her aftercare plan."""
    services.register_employment(
        actor=people["coach.nassjo"],
        participant=participant,
        employer="Bageriet på torget",
        kind=Employment.Kind.EMPLOYMENT,
        starts_on=START,
        hours_per_week=20,
    )
    participant.refresh_from_db()
    return participant


def first_visit(participant) -> AftercareVisit:
    return participant.aftercare_visits.order_by("due_on").first()


# Who may write


def test_only_the_municipalitys_coach_may_register_employment(client_for, participant):
    everyone_else = [username for username in PERSONAS if username != "coach.nassjo"]
    data = employment_data()
    register = status_and_changed_tables(
        lambda client: client.post(url("employment_add", participant.pk), data), access_log=False
    )

    outcomes = outcomes_by_persona(client_for, everyone_else, register)

    assert outcomes == {username: (404 if username == "coach.eksjo" else 403, []) for username in everyone_else}


def test_only_the_municipalitys_coach_may_mark_or_extend_the_plan(client_for, employed):
    expected = {"chef.nassjo": 403, "coach.eksjo": 404, "referrer.af": 403, "nobody": 403}
    visit = first_visit(employed)

    def mark_and_extend(client):
        before = every_row(access_log=False)
        marked = client.post(url("aftercare_visit_mark", visit.pk), {"status": "done"})
        extended = client.post(url("aftercare_extend", employed.pk))
        return marked.status_code, extended.status_code, changed_tables(before, every_row(access_log=False))

    outcomes = outcomes_by_persona(client_for, expected, mark_and_extend)

    assert outcomes == {username: (status, status, []) for username, status in expected.items()}


# Registering employment


def test_the_coach_registers_employment_and_sees_the_aftercare_plan(client_for, people, participant):
    response = client_for("coach.nassjo").post(
        url("employment_add", participant.pk), employment_data(hours_per_week="37,5"), follow=True
    )

    employment = Employment.objects.get()
    participant.refresh_from_db()
    assert response.redirect_chain == [(url("participant_detail", participant.pk), 302)]
    assert (employment.employer, str(employment.hours_per_week), employment.created_by) == (
        "Bageriet på torget",
        "37.5",
        people["coach.nassjo"],
    )
    assert participant.status == Participant.Status.AFTERCARE
    page = body(response)
    assert "Anställningen är registrerad och efterstödsplanen skapad." in page
    assert "Anställning och efterstöd" in page
    assert "2025-03-10" in page and "2025-08-15" in page
    assert page.count('action="' + url("aftercare_visit_mark", first_visit(participant).pk) + '"') == 2


def test_a_placement_is_registered_without_a_plan(client_for, participant):
    response = client_for("coach.nassjo").post(
        url("employment_add", participant.pk), employment_data(kind="placement"), follow=True
    )

    assert "Anställningen är registrerad." in body(response)
    assert not AftercareVisit.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            employment_data(ends_on=(START - timedelta(days=1)).isoformat()),
            "Anställningen kan inte sluta innan den börjar.",
        ),
        (employment_data(employer=""), "Ange arbetsgivare eller skola."),
        (employment_data(kind="volunteering"), "Välj ett giltigt alternativ."),
        (employment_data(hours_per_week="81"), "80"),
        (employment_data(starts_on="3/3/2025"), "Fyll i ett giltigt datum."),
    ],
    ids=["end before start", "no employer", "unknown kind", "81 hours", "wrong date format"],
)
def test_bad_employment_input_is_refused_in_swedish_and_nothing_is_saved(client_for, participant, data, message):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("employment_add", participant.pk), data)

    assert response.status_code == 200
    assert message in body(response)
    assert every_row(access_log=False) == before


def test_a_start_too_late_for_the_aftercare_plan_is_refused_and_nothing_is_saved(client_for, participant):
    # The plan's dates counted from 9999-12-31 overflowed: a 500 (found by the form fuzz).
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("employment_add", participant.pk), employment_data(starts_on="9999-12-31"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["starts_on"]
    assert every_row(access_log=False) == before


def test_no_employment_is_registered_after_exit(client_for, participant):
    exit_directly(participant)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("employment_add", participant.pk), employment_data(), follow=True)

    assert every_row(access_log=False) == before
    assert "Deltagaren är utskriven: anställningar och efterstöd kan inte längre ändras." in body(response)
    assert url("employment_add", participant.pk) not in body(response)


# Marking and extending the plan


def test_the_coach_marks_a_visit_done(client_for, employed):
    visit = first_visit(employed)

    response = client_for("coach.nassjo").post(url("aftercare_visit_mark", visit.pk), {"status": "done"}, follow=True)

    visit.refresh_from_db()
    assert (visit.status, visit.done_on) == ("done", timezone.localdate())
    assert "Efterstödskontakten 2025-03-10 är markerad: Genomfört." in body(response)


def test_the_coach_moves_a_visit_to_a_new_date(client_for, employed):
    visit = first_visit(employed)

    client_for("coach.nassjo").post(
        url("aftercare_visit_mark", visit.pk), {"status": "moved", "moved_to": "2025-03-12"}
    )

    visit.refresh_from_db()
    assert (visit.status, visit.due_on) == ("moved", date(2025, 3, 12))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "moved", "moved_to": ""}, "Ange det nya datumet för besöket."),
        ({"status": "moved", "moved_to": "2025-01-01"}, "Det nya datumet kan inte ligga före anställningens start."),
        ({"status": "planned"}, "Välj ett giltigt alternativ."),
    ],
    ids=["move without a date", "move before the start", "unknown status"],
)
def test_a_bad_mark_is_refused_in_swedish_and_nothing_is_saved(client_for, employed, data, message):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("aftercare_visit_mark", first_visit(employed).pk), data, follow=True)

    assert message in body(response)
    assert every_row(access_log=False) == before


def test_the_coach_extends_the_plan_by_a_month(client_for, employed):
    response = client_for("coach.nassjo").post(url("aftercare_extend", employed.pk), follow=True)

    assert "Efterstödet är förlängt med en månad." in body(response)
    assert employed.aftercare_visits.order_by("due_on").last().due_on == date(2025, 9, 14)


def test_an_extension_after_a_contact_moved_to_the_last_day_there_is_is_refused(client_for, employed):
    # Moving a contact to 9999-12-31 is allowed; extending after it overflowed `date`: a 500.
    last = employed.aftercare_visits.order_by("-due_on").first()
    client = client_for("coach.nassjo")
    client.post(url("aftercare_visit_mark", last.pk), {"status": "moved", "moved_to": "9999-12-31"})
    before = every_row(access_log=False)

    response = client.post(url("aftercare_extend", employed.pk))

    assert response.status_code == 302
    assert every_row(access_log=False) == before


def test_the_manager_sees_the_plan_without_the_buttons(client_for, employed):
    page = body(client_for("chef.nassjo").get(url("participant_detail", employed.pk)))

    assert "Bageriet på torget" in page
    assert "2025-03-10" in page
    assert url("aftercare_visit_mark", first_visit(employed).pk) not in page
    assert url("employment_add", employed.pk) not in page


# The access log


def test_a_refused_mark_is_logged_without_the_person(client_for, people, employed):
    visit = first_visit(employed)

    client_for("coach.eksjo").post(url("aftercare_visit_mark", visit.pk), {"status": "done"})

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.person_id) == (
        people["coach.eksjo"],
        "refused",
        "participants.aftercarevisit",
        str(visit.pk),
        None,
    )


def test_a_refused_registration_is_logged_too(client_for, participant):
    client_for("coach.eksjo").post(url("employment_add", participant.pk), employment_data())

    assert list(AccessLog.objects.values_list("action", "person_id")) == [("refused", None)]


def test_a_refused_input_shows_the_page_again_and_logs_the_view(client_for, people, participant):
    client_for("coach.nassjo").post(url("employment_add", participant.pk), employment_data(employer=""))

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.person_id) == (people["coach.nassjo"], "view", participant.person_id)
