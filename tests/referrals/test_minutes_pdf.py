"""The minutes of a remittentgrupp meeting as PDF (minnesanteckningar).

docs/domain.md#minutes: the minutes hold the decisions on participation only — never a name, a personnummer or
any case detail, not even de-identified. These tests read the PDF's text to prove it.
"""

import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from referrals import services
from referrals.models import Decision
from sehoglandet.models import AccessLog, ReferralGroupSeat
from tests import factories
from tests.factories import WITHOUT_FK, make_case
from tests.helpers import OUTSIDERS, every_row, outcomes_by_persona, swedish

GROUNDS = "Pågående behandling för beroende"
RECOMMENDATION = "Kontakt med beroendemottagningen"
DISAGREEMENT = "Om motivationen räcker"


@pytest.fixture
def held(people):
    """A held Nässjö meeting: one enrolment, one escalation, one undecided, one decline FK may not see."""
    meeting = factories.make_meeting(people)
    cases = {
        "enrolled": make_case(people, "Alva", "Brandt"),
        "escalated": make_case(people, "Bo", "Cederholm"),
        "undecided": make_case(people, "Cim", "Dahlgren"),
        "declined": make_case(people, "Dan", "Ekström", consent=WITHOUT_FK),
    }
    items = {name: factories.put_on_agenda(people, referral, meeting) for name, referral in cases.items()}
    factories.hold_meeting_today(meeting)
    coach = people["coach.nassjo"]
    factories.decide(people, items["enrolled"], Decision.Outcome.ENROL)
    services.record_decision(actor=coach, item=items["escalated"], group_agreed=False, disagreement=DISAGREEMENT)
    factories.decide(
        people,
        items["declined"],
        Decision.Outcome.DECLINE,
        recommendation=RECOMMENDATION,
        grounds=GROUNDS,
        informs_person="Handläggaren på AF",
    )
    seats = {
        seat.organisation.code: seat for seat in ReferralGroupSeat.objects.filter(referral_group=meeting.referral_group)
    }
    services.record_attendance(
        actor=coach, meeting=meeting, present={seats["af"].pk: "Omar Rashid", seats["nassjo-bistand"].pk: "Elin Holm"}
    )
    services.close_meeting(actor=coach, meeting=meeting)
    meeting.refresh_from_db()
    return SimpleNamespace(meeting=meeting, cases=cases)


def minutes_url(meeting) -> str:
    return reverse("referrals:meeting_minutes", args=[meeting.pk])


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def secrets_of(referral) -> list[str]:
    """Everything that would identify the person or tell about the case."""
    person = referral.person
    number = person.identity_number
    return [
        person.first_name,
        person.last_name,
        person.full_name,
        person.identity_display,
        number,
        f"{number[2:8]}-{number[8:]}",
        number[2:],
        referral.motivation,
        referral.question,
    ]


def test_the_coach_downloads_the_minutes_as_an_a4_pdf_attachment(client_for, held):
    response = client_for("coach.nassjo").get(minutes_url(held.meeting))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localtime(held.meeting.starts_at).date()
    assert response["Content-Disposition"] == f'attachment; filename="minnesanteckningar-nassjo-{day:%Y-%m-%d}.pdf"'
    assert response.content.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_the_minutes_hold_references_and_decisions_and_no_name_personnummer_or_case_detail(client_for, held):
    text = pdf_text(client_for("coach.nassjo").get(minutes_url(held.meeting)))

    for referral in held.cases.values():
        assert referral.reference in text
    assert swedish("Enrol") in text
    assert swedish("Decline") in text
    assert "Hänskjutet till chef" in text
    lines = [line.strip() for line in text.splitlines()]
    assert f"3 {held.cases['undecided'].reference}" in lines  # nothing for an undecided item
    leaked = [secret for referral in held.cases.values() for secret in secrets_of(referral) if secret in text]
    assert leaked == []
    for detail in (GROUNDS, RECOMMENDATION, DISAGREEMENT, "Handläggaren på AF"):
        assert detail not in text


def test_the_minutes_say_group_date_place_and_attendance_per_party(client_for, held):
    text = pdf_text(client_for("coach.nassjo").get(minutes_url(held.meeting)))

    assert "Minnesanteckningar" in text
    assert "Remittentgrupp Nässjö" in text
    assert f"{timezone.localtime(held.meeting.starts_at):%Y}" in text
    lines = text.splitlines()
    assert any("Arbetsförmedlingen" in line and "Närvarande" in line and "Omar Rashid" in line for line in lines)
    assert any("Försäkringskassan" in line and "Frånvarande" in line for line in lines)
    assert "Preliminär" not in text


def test_the_footer_says_who_generated_the_minutes_and_numbers_the_pages(client_for, held):
    text = pdf_text(client_for("coach.nassjo").get(minutes_url(held.meeting)))

    assert "Skapad av Maja Lindqvist" in text
    assert "Sida 1 av 1" in text


def test_a_member_gets_no_reference_or_decision_for_an_item_outside_their_consent(client_for, held):
    text = pdf_text(client_for("fk.nassjo").get(minutes_url(held.meeting)))

    assert held.cases["enrolled"].reference in text
    assert held.cases["declined"].reference not in text
    assert swedish("Decline") not in text
    assert "Samtycke för din organisation saknas." in text


def test_downloading_the_minutes_writes_a_print_row_and_changes_nothing_else(client_for, people, held):
    client = client_for("fk.nassjo")
    before = every_row(access_log=False)

    client.get(minutes_url(held.meeting))

    assert every_row(access_log=False) == before

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.organisation.code) == (
        people["fk.nassjo"],
        AccessLog.Action.PRINT,
        "referrals.meeting",
        str(held.meeting.pk),
        "fk",
    )


def test_minutes_of_a_meeting_not_yet_held_say_they_are_preliminary(client_for, people):
    meeting = factories.make_meeting(people)

    text = pdf_text(client_for("coach.nassjo").get(minutes_url(meeting)))

    assert "Preliminär: mötet är inte markerat som hållet." in text
    assert "Dagordningen hade inga punkter." in text


def test_an_outsider_gets_404_with_only_the_refusal_logged_and_a_role_without_meetings_403(client_for, people, held):
    without_meetings = ["referrer.af", "forbundschef", "auditor", "nobody"]

    def download(client):
        response = client.get(minutes_url(held.meeting))
        logged = AccessLog.objects.values_list("user", "action", "object_type", "object_id", "person_id")
        return response.status_code, list(logged)

    outcomes = outcomes_by_persona(client_for, [*OUTSIDERS, *without_meetings], download)

    refused = {
        username: (
            404,
            [(people[username].pk, AccessLog.Action.REFUSED, "referrals.meeting", str(held.meeting.pk), None)],
        )
        for username in OUTSIDERS
    }
    assert outcomes == {**refused, **dict.fromkeys(without_meetings, (403, []))}
