"""Ending an employment: the later aftercare contacts are cancelled, and with no job left the
participant is back to finding work. Who may, and what is refused with nothing saved."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from participants import services
from participants.models import AftercareVisit, Employment, Participant
from tests.helpers import OUTSIDE_THE_SE_TEAMS, body, every_row, outcomes_by_persona, today

from .conftest import exit_directly
from .test_participant_views import url


@pytest.fixture
def employed(people, participant) -> Employment:
    """Alva, employed at the bakery since 40 days ago, with her aftercare plan: in aftercare."""
    employment = services.register_employment(
        actor=people["coach.nassjo"],
        participant=participant,
        employer="Bageriet på torget",
        kind=Employment.Kind.EMPLOYMENT,
        starts_on=today() - timedelta(days=40),
        hours_per_week=20,
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.AFTERCARE
    return employment


def end(people, employment, ends_on, username="coach.nassjo"):
    return services.end_employment(actor=people[username], employment=employment, ends_on=ends_on)


def test_ending_cancels_the_later_contacts_and_the_participant_is_active_again(people, employed):
    ends_on = today() - timedelta(days=10)

    end(people, employed, ends_on)

    employed.refresh_from_db()
    participant = Participant.objects.get(pk=employed.participant_id)
    visits = employed.aftercare_visits.all()
    assert employed.ends_on == ends_on
    assert participant.status == Participant.Status.ACTIVE
    assert {v.status for v in visits if v.due_on > ends_on} == {AftercareVisit.Status.CANCELLED}
    assert {v.status for v in visits if v.due_on <= ends_on} == {AftercareVisit.Status.PLANNED}


def test_with_another_job_running_the_participant_stays_in_aftercare(people, employed):
    services.register_employment(
        actor=people["coach.nassjo"],
        participant=employed.participant,
        employer="Kaféet",
        kind=Employment.Kind.SUBSIDISED_EMPLOYMENT,
        starts_on=today() - timedelta(days=5),
        hours_per_week=10,
    )

    end(people, employed, today())

    assert Participant.objects.get(pk=employed.participant_id).status == Participant.Status.AFTERCARE


@pytest.mark.parametrize(
    ("days", "message"),
    [(-41, "Anställningen kan inte sluta innan den börjar."), (1, "Datumet kan inte ligga i framtiden.")],
    ids=["before the start", "in the future"],
)
def test_a_bad_end_date_is_refused_and_nothing_changes(people, employed, days, message):
    before = every_row(access_log=False)

    with pytest.raises(ValidationError) as refused:
        end(people, employed, today() + timedelta(days=days))

    assert message in str(refused.value)
    assert every_row(access_log=False) == before


def test_an_employment_cannot_be_ended_twice(people, employed):
    end(people, employed, today())

    with pytest.raises(ValidationError, match="redan avslutad"):
        end(people, employed, today())


def test_a_coach_of_another_municipality_may_not(people, employed):
    with pytest.raises(PermissionDenied):
        end(people, employed, today(), username="coach.eksjo")


def test_not_after_exit(people, employed):
    exit_directly(employed.participant)

    with pytest.raises(ValidationError, match="utskriven"):
        end(people, Employment.objects.get(pk=employed.pk), today())


# The view


def test_the_coach_ends_it_from_the_participant_page(client_for, employed):
    client = client_for("coach.nassjo")
    page = body(client.get(url("participant_detail", employed.participant_id)))
    assert url("employment_end", employed.pk) in page
    assert "Avsluta anställningen" in page

    response = client.post(url("employment_end", employed.pk), {"ends_on": today().isoformat()}, follow=True)

    assert "Anställningen på Bageriet på torget är avslutad." in body(response)
    assert Employment.objects.get(pk=employed.pk).ends_on == today()
    assert url("employment_end", employed.pk) not in body(response)


def test_a_bad_date_gives_a_swedish_message_and_saves_nothing(client_for, employed):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("employment_end", employed.pk), {"ends_on": "i går"}, follow=True)

    assert "Fyll i ett giltigt datum." in body(response)
    assert every_row(access_log=False) == before


def test_an_outsider_gets_404_and_nothing_changes(client_for, employed):
    client = client_for("coach.eksjo")
    before = every_row(access_log=False)

    response = client.post(url("employment_end", employed.pk), {"ends_on": today().isoformat()})

    assert response.status_code == 404
    assert every_row(access_log=False) == before


def test_other_roles_are_refused(client_for, employed):
    others = [*OUTSIDE_THE_SE_TEAMS, "chef.nassjo"]

    def end_it(client):
        response = client.post(url("employment_end", employed.pk), {"ends_on": today().isoformat()})
        return response.status_code, Employment.objects.get(pk=employed.pk).ends_on

    outcomes = outcomes_by_persona(client_for, others, end_it)

    assert outcomes == dict.fromkeys(others, (403, None))
