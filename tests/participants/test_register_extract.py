"""The register extract (GDPR art. 15): who may make it, what it holds, what making it leaves behind.

Alva Brandt is enrolled in Nässjö through a referral from AF with a pre-meeting, a consent and the
group's decision; the coach has written in the journal, registered an employment and corrected her
last name. The PDF is read back with pypdf.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from consent.models import Purpose
from participants import services as participant_services
from participants.models import JournalEntry
from sehoglandet import events, services
from sehoglandet.events import CoreEvent
from sehoglandet.models import AccessLog, CaseEvent, Organisation, Role
from tests import factories
from tests.helpers import PERSONAS, outcomes_by_persona, status_and_changed_tables

from .conftest import enrol


def url_of(participant) -> str:
    return f"/personer/{participant.person_id}/registerutdrag.pdf"


def text_of(response) -> str:
    """The PDF's text, with the line breaks pypdf puts in long cells taken out."""
    reader = PdfReader(BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def write_in_journal(people, participant, text: str, days_ago: int = 1) -> JournalEntry:
    return participant_services.add_journal_entry(
        actor=people["coach.nassjo"],
        participant=participant,
        date=timezone.localdate() - timedelta(days=days_ago),
        kind=JournalEntry.Kind.MEETING,
        text=text,
    )


@pytest.fixture
def alva(people, participant):
    write_in_journal(people, participant, "Alva vill arbeta i butik och har sökt tre tjänster.")
    factories.employ(people["coach.nassjo"], participant, employer="Hemköp Nässjö")
    services.correct_person(
        actor=people["coach.nassjo"],
        person=participant.person,
        changes={"last_name": "Brandh"},
        reason="Efternamnet var felstavat; personen visade sitt id-kort.",
    )
    participant.refresh_from_db()
    return participant


def test_the_responsible_coach_and_the_administrator_may_make_it_and_no_one_else(client_for, alva):
    outcomes = outcomes_by_persona(client_for, PERSONAS, status_and_changed_tables(lambda c: c.get(url_of(alva))))

    statuses = {username: status for username, (status, _changed) in outcomes.items()}
    assert statuses == {
        username: 200 if username in ("coach.nassjo", "admin") else 404 if username == "coach.eksjo" else 403
        for username in PERSONAS
    }


def test_a_refusal_changes_nothing_but_the_access_log(client_for, alva):
    outcomes = outcomes_by_persona(
        client_for,
        ["coach.eksjo", "referrer.af", "fk.nassjo", "forbundschef", "auditor"],
        status_and_changed_tables(lambda c: c.get(url_of(alva)), access_log=False),
    )

    assert {username: changed for username, (_status, changed) in outcomes.items()} == {
        username: [] for username in outcomes
    }


def test_the_coach_of_the_handing_over_team_may_not_make_it_after_a_transfer(client_for, people, alva):
    factories.give_consent(people["coach.nassjo"], alva.person, org_codes=["tranas-se"], purposes=[Purpose.TRANSFER])
    transfer = participant_services.start_transfer(
        actor=people["coach.nassjo"], participant=alva, to_municipality=factories.municipality("tranas")
    )
    participant_services.accept_transfer(actor=_tranas_coach(people), transfer=transfer)

    assert client_for("coach.nassjo").get(url_of(alva)).status_code == 403


def _tranas_coach(people):
    from django.contrib.auth.models import User

    from sehoglandet import services as core_services

    coach = User.objects.create_user("coach.tranas")
    core_services.add_membership(
        actor=core_services.get_system_user(), user=coach, organisation=factories.org("tranas-se"), role=Role.COACH
    )
    return coach


def test_it_says_what_it_is_for_whom_and_who_made_it_when(client_for, alva):
    response = client_for("coach.nassjo").get(url_of(alva))

    text = text_of(response)
    assert response["Content-Type"] == "application/pdf"
    assert "Brandh" not in response["Content-Disposition"]
    assert "artikel 15" in text or "Article 15" in text
    assert "Alva Brandh" in text
    assert alva.person.identity_display in text
    assert "Maja Lindqvist" in text  # the coach who made it
    assert timezone.localdate().isoformat() in text


def test_it_holds_every_section_of_the_record(client_for, people, alva):
    referral = alva.referral
    consent = alva.person.consents.get()

    with translation.override("sv"):
        text = text_of(client_for("coach.nassjo").get(url_of(alva)))
        enrolled, coach_role = events.label("referral.enrolled"), str(Role.COACH.label)

    # the person, and the correction with its reason
    assert "Alva Brandh" in text and "Efternamnet var felstavat" in text
    # the referral as the writer typed the person, its grounds, organisation and pre-meeting
    assert referral.reference in text
    assert "Alva Brandt" in text
    assert "Jag vill ha ett riktigt jobb." in text
    assert referral.referring_organisation.name in text
    assert "Motiverad, vill arbeta inom handel." in text
    # the consent, with the organisations it covers
    assert all(organisation.name in text for organisation in consent.organisations.all())
    # participation: the employment and the journal in full
    assert "Hemköp Nässjö" in text
    assert "Alva vill arbeta i butik och har sökt tre tjänster." in text
    # the timeline, by organisation and role, and who has viewed the record
    assert enrolled in text
    assert coach_role in text and Organisation.objects.get(code="nassjo-se").name in text


def test_it_names_no_staff_member_but_its_maker_and_the_responsible_coach(client_for, people, alva):
    text = text_of(client_for("admin").get(url_of(alva)))

    assert "Erik Dahl" in text  # the administrator made it
    for name in ("Amir Haddad", "Omar Rashid", "Karin Ek"):  # the referrer and members of the group
        assert name not in text


def test_making_it_is_logged_as_an_export_and_recorded_as_a_case_event(client_for, people, alva):
    client_for("coach.nassjo").get(url_of(alva))

    row = AccessLog.objects.order_by("-pk").first()
    assert (row.user, row.action, row.person_id) == (people["coach.nassjo"], AccessLog.Action.EXPORT, alva.person_id)
    event = CaseEvent.objects.order_by("-pk").first()
    assert (event.code, event.actor, event.person_id) == (
        CoreEvent.REGISTER_EXTRACT_MADE,
        people["coach.nassjo"],
        alva.person_id,
    )


def test_it_shows_who_has_viewed_the_record_by_organisation_and_role(client_for, people, alva):
    client_for("coach.nassjo").get(f"/deltagare/{alva.pk}/")

    with translation.override("sv"):
        text = text_of(client_for("admin").get(url_of(alva)))
        role = str(Role.COACH.label)

    assert f"{Organisation.objects.get(code='nassjo-se').name} {role}" in text


def test_its_queries_do_not_grow_with_the_record(client_for, people, alva):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_for("coach.nassjo").get(url_of(alva)).status_code == 200
        return len(captured)

    queries()  # the first request of a session reads what later ones have cached
    small = queries()
    for day in range(2, 8):
        write_in_journal(people, alva, f"Anteckning {day}.", days_ago=day)
    factories.employ(people["coach.nassjo"], alva, employer="Biltvätten", days_ago=3)
    enrol(people, ("Bo", "Ek"))
    factories.give_consent(people["coach.nassjo"], alva.person)

    assert queries() == small


def test_a_corrected_number_with_another_birth_date_changes_the_age_at_the_decision(people, participant):
    born = participant.decided_on.replace(year=participant.decided_on.year - 40)

    services.correct_person(
        actor=people["coach.nassjo"],
        person=participant.person,
        changes={"identity_number": factories.valid_personnummer(born, 412)},
        reason="Fel personnummer vid registreringen; rättat efter id-kort.",
    )

    participant.refresh_from_db()
    assert participant.age_at_decision == 40
