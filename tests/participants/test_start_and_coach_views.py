"""Starting the support of a queued participant, the responsible coach, the insurance and the
municipality history on the participant page, and the responsible coach in the caseload."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from consent.models import Purpose
from participants import services
from participants.models import MunicipalityPeriod, Participant
from referrals.models import Referral
from tests import factories
from tests.helpers import PERSONAS, body, every_row, outcomes_by_persona, shows, status_shown_and_changed_tables, today

from .conftest import enrol, exit_directly
from .test_exit_services import second_coach
from .test_participant_views import url


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def queued(people) -> tuple[Participant, list[Participant]]:
    """Nässjö full, and Alva Brandt waiting in its queue (with the participants filling the places)."""
    filled = factories.fill_places(people["coach.nassjo"])
    (alva,) = enrol(people, ("Alva", "Brandt"))
    return alva, filled


@pytest.fixture
def ella(system_user) -> User:
    """Ella Berg, a second coach of Nässjö."""
    return second_coach(system_user)


# Starting the support


def test_only_the_municipalitys_coach_may_start_the_support(client_for, queued):
    alva, filled = queued
    exit_directly(filled[0])
    everyone_else = [username for username in PERSONAS if username != "coach.nassjo"]
    data = {"started_on": today().isoformat()}
    start = status_shown_and_changed_tables(
        lambda client: client.post(url("support_start", alva.pk), data), "Brandt", access_log=False
    )

    outcomes = outcomes_by_persona(client_for, everyone_else, start)

    assert outcomes == {username: (404 if username == "coach.eksjo" else 403, False, []) for username in everyone_else}


def test_the_coach_starts_the_support_of_a_queued_participant_when_a_place_is_free(client_for, people, queued):
    alva, filled = queued
    exit_directly(filled[0])
    client = client_for("coach.nassjo")

    page = body(client.get(url("participant_detail", alva.pk)))
    response = client.post(url("support_start", alva.pk), {"started_on": today().isoformat()}, follow=True)

    assert "Deltagaren står i kö." in page
    assert url("support_start", alva.pk) in page
    alva.refresh_from_db()
    assert (alva.status, alva.started_on, alva.responsible_coach) == ("active", today(), people["coach.nassjo"])
    started = body(response)
    assert "Stödet har startat." in started
    assert url("support_start", alva.pk) not in started
    assert "Maja Lindqvist" in section(started, "case-facts-heading")


def test_a_full_municipality_refuses_the_start_in_swedish_and_nothing_is_saved(client_for, queued):
    alva, _filled = queued
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("support_start", alva.pk), {"started_on": today().isoformat()}, follow=True)

    assert "Nässjö har ingen ledig plats: alla 36 platser är tagna." in body(response)
    assert every_row(access_log=False) == before


@pytest.mark.parametrize(
    ("started_on", "message"),
    [
        ((timezone.localdate() - timedelta(days=1)).isoformat(), "Starten kan inte vara före beslutet om inskrivning."),
        ((timezone.localdate() + timedelta(days=1)).isoformat(), "Datumet kan inte ligga i framtiden."),
        ("", ("Datum då stödet startar måste fyllas i.", "Datum då stödet startar must be filled in.")),
    ],
    ids=["before the decision", "future", "no date"],
)
def test_a_bad_start_date_is_refused_on_the_form_and_nothing_is_saved(client_for, queued, started_on, message):
    alva, filled = queued
    exit_directly(filled[0])
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("support_start", alva.pk), {"started_on": started_on})

    assert response.status_code == 200
    assert shows(section(body(response), "action-heading"), message)
    assert every_row(access_log=False) == before


def test_an_active_participant_has_no_start_button_and_cannot_be_started(client_for, participant):
    client = client_for("coach.nassjo")
    page = body(client.get(url("participant_detail", participant.pk)))
    before = every_row(access_log=False)

    response = client.post(url("support_start", participant.pk), {"started_on": today().isoformat()}, follow=True)

    assert url("support_start", participant.pk) not in page
    assert "Bara en deltagare i kön kan startas." in body(response)
    assert every_row(access_log=False) == before


# The responsible coach


@pytest.mark.parametrize("username", ["coach.nassjo", "chef.nassjo"])
def test_the_coach_or_the_manager_changes_the_responsible_coach(client_for, participant, ella, username):
    client = client_for(username)

    page = body(client.get(url("participant_detail", participant.pk)))
    form = body(client.get(url("coach_assign", participant.pk)))
    response = client.post(url("coach_assign", participant.pk), {"coach": ella.pk}, follow=True)

    assert "Byt ansvarig coach" in page
    assert url("coach_assign", participant.pk) in page
    assert f'<option value="{ella.pk}">Ella Berg</option>' in form
    participant.refresh_from_db()
    assert participant.responsible_coach == ella
    changed = body(response)
    assert "Ella Berg är nu ansvarig coach." in changed
    assert "Ella Berg" in section(changed, "case-facts-heading")


def test_no_one_else_may_change_the_responsible_coach(client_for, participant, ella):
    others = [username for username in PERSONAS if username not in ["coach.nassjo", "chef.nassjo"]]
    expected = {**dict.fromkeys(others, 403), "coach.eksjo": 404, "chef.eksjo": 404}
    assign = status_shown_and_changed_tables(
        lambda client: client.post(url("coach_assign", participant.pk), {"coach": ella.pk}), "Brandt", access_log=False
    )

    outcomes = outcomes_by_persona(client_for, others, assign)

    assert outcomes == {username: (status, False, []) for username, status in expected.items()}


@pytest.mark.parametrize("username", ["chef.nassjo", "coach.eksjo", "fk.nassjo"])
def test_only_a_coach_of_the_municipality_can_be_chosen(client_for, people, participant, username):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("coach_assign", participant.pk), {"coach": people[username].pk})

    assert response.status_code == 200
    assert "Välj en av kommunens coacher." in section(body(response), "action-heading")
    assert every_row(access_log=False) == before


def test_the_responsible_coach_cannot_change_after_exit(client_for, participant, ella):
    exit_directly(participant)
    client = client_for("chef.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("coach_assign", participant.pk), {"coach": ella.pk}, follow=True)

    assert "Deltagaren är avslutad: ansvarig coach kan inte längre ändras." in body(response)
    assert url("coach_assign", participant.pk) not in body(response)
    assert every_row(access_log=False) == before


def test_the_caseload_shows_the_responsible_coach(client_for, people, participant, ella):
    services.assign_coach(actor=people["coach.nassjo"], participant=participant, coach=ella)

    page = body(client_for("coach.nassjo").get(url("participant_list")))

    assert "Ansvarig coach" in page
    assert "Ella Berg" in page


# Insurance


def test_a_participant_referred_by_the_employment_service_is_insured_by_kammarkollegiet(client_for, participant):
    facts = section(
        body(client_for("coach.nassjo").get(url("participant_detail", participant.pk))), "participation-heading"
    )

    assert "Kammarkollegiets försäkring (remitterad av Arbetsförmedlingen)" in facts
    assert "Nässjö kommuns gruppförsäkring för olycksfall under verksamhetstid (praoklausulen)" in facts


def test_a_participant_referred_by_the_municipality_has_its_accident_insurance_only(client_for, participant):
    Referral.objects.filter(pk=participant.referral_id).update(referring_organisation=factories.org("nassjo-bistand"))

    facts = section(
        body(client_for("chef.nassjo").get(url("participant_detail", participant.pk))), "participation-heading"
    )

    assert "Kammarkollegiet" not in facts
    assert "Nässjö kommuns gruppförsäkring för olycksfall under verksamhetstid (praoklausulen)" in facts


# The municipality history and the transfer


def test_the_page_shows_the_municipalities_with_dates_after_a_transfer(client_for, people, participant):
    enrolled_on = date(2025, 1, 15)
    Participant.objects.filter(pk=participant.pk).update(decided_on=enrolled_on)
    MunicipalityPeriod.objects.filter(participant=participant).update(moved_in_on=enrolled_on)
    participant.refresh_from_db()
    factories.give_consent(
        people["coach.nassjo"], participant.person, org_codes=["eksjo-se"], purposes=[Purpose.TRANSFER]
    )
    transfer = services.start_transfer(
        actor=people["coach.nassjo"], participant=participant, to_municipality=factories.municipality("eksjo")
    )

    waiting = client_for("coach.nassjo").get(url("participant_detail", participant.pk))
    services.accept_transfer(actor=people["coach.eksjo"], transfer=transfer)
    moved = section(
        body(client_for("coach.eksjo").get(url("participant_detail", participant.pk))), "participation-heading"
    )

    assert waiting.context["pending_transfer"] == transfer
    history = moved[moved.index('id="municipalities-heading"') :]
    assert '<td>Nässjö</td><td class="date">2025-01-15</td><td class="date">' + today().isoformat() + "</td>" in history
    assert '<td>Eksjö</td><td class="date">' + today().isoformat() + '</td><td class="date">–</td>' in history
    assert "Eksjö kommuns gruppförsäkring" in moved
    assert "Sara Nyberg" in moved


def test_the_transfer_slot_is_for_the_coach_only(client_for, participant):
    coach = client_for("coach.nassjo").get(url("participant_detail", participant.pk))
    manager = client_for("chef.nassjo").get(url("participant_detail", participant.pk))

    templates = {t.name for t in coach.templates}
    assert "participants/detail/_transfer.html" in templates
    assert "participants/detail/_transfer.html" not in {t.name for t in manager.templates}
    assert coach.context["pending_transfer"] is None
