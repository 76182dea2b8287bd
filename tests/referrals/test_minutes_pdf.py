"""The minutes of a remittentgrupp meeting as PDF (minnesanteckningar).

docs/domain.md#minutes: the minutes hold the decisions on participation only — never a name, a personnummer or
any case detail, not even de-identified. These tests read the PDF's text to prove it.
"""

import io
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from referrals import services
from referrals.models import Decision, Meeting
from sehoglandet.models import AccessLog, ReferralGroupSeat
from tests import factories
from tests.factories import WITHOUT_FK, make_case
from tests.helpers import OUTSIDERS, body, decision_result, every_row, outcomes_by_persona, statuses_by_persona, swedish

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
    assert decision_result(Decision.Outcome.ENROL) in text
    assert decision_result(Decision.Outcome.DECLINE) in text
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
    assert decision_result(Decision.Outcome.DECLINE) not in text
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


def test_before_the_meeting_is_held_the_minutes_url_sends_the_user_to_the_meeting_and_makes_no_document(
    client_for, people
):
    meeting = factories.make_meeting(people)
    factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting)
    client = client_for("fk.nassjo")
    before = every_row()

    response = client.get(minutes_url(meeting))

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:meeting_detail", args=[meeting.pk])
    assert response.get("Content-Type", "").startswith("text/html")
    assert every_row() == before  # no document, so no print row either
    page = body(client.get(response["Location"]))
    assert re.search(r"(Minnesanteckningarna skrivs|The minutes are written once the meeting is held)", page)
    assert "Frånvarande" not in page


@pytest.mark.parametrize("status", ["planned", "published", "cancelled"])
def test_no_minutes_for_a_meeting_in_any_state_but_held(client_for, people, status):
    meeting = factories.make_meeting(people)
    Meeting.objects.filter(pk=meeting.pk).update(status=status)

    response = client_for("coach.nassjo").get(minutes_url(meeting))

    assert response.status_code == 302
    assert not response.content.startswith(b"%PDF")


# The agenda (dagordning), before the meeting


def agenda_url(meeting) -> str:
    return reverse("referrals:meeting_agenda", args=[meeting.pk])


@pytest.fixture
def coming(people):
    """A published coming Nässjö meeting: one item every member sees, one FK may not see."""
    meeting = factories.make_meeting(people)
    cases = {
        "shared": make_case(people, "Alva", "Brandt"),
        "hidden": make_case(people, "Bo", "Cederholm", consent=WITHOUT_FK),
    }
    for referral in cases.values():
        factories.put_on_agenda(people, referral, meeting)
    meeting.refresh_from_db()
    return SimpleNamespace(meeting=meeting, cases=cases)


def test_the_meeting_page_offers_the_agenda_before_the_meeting_and_the_minutes_once_it_is_held(
    client_for, people, coming
):
    held = factories.make_meeting(people, days_ahead=-3)
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.HELD)

    before = body(client_for("fk.nassjo").get(reverse("referrals:meeting_detail", args=[coming.meeting.pk])))
    after = body(client_for("fk.nassjo").get(reverse("referrals:meeting_detail", args=[held.pk])))

    assert agenda_url(coming.meeting) in before
    assert minutes_url(coming.meeting) not in before
    assert re.search(r"(Ladda ner dagordningen|Download the agenda) \(PDF\)", before)
    assert minutes_url(held) in after
    assert agenda_url(held) not in after
    assert swedish("Download the minutes (PDF)") in after


def test_the_agenda_lists_each_item_by_reference_and_kind_with_no_name_decision_or_attendance(client_for, coming):
    response = client_for("coach.nassjo").get(agenda_url(coming.meeting))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localtime(coming.meeting.starts_at).date()
    assert response["Content-Disposition"] == f'attachment; filename="dagordning-nassjo-{day:%Y-%m-%d}.pdf"'
    text = pdf_text(response)
    assert swedish("Agenda") in text
    assert "Remittentgrupp Nässjö" in text
    lines = [line.strip() for line in text.splitlines()]
    for number, referral in enumerate(coming.cases.values(), start=1):
        assert f"{number} {referral.reference} Ny remiss" in lines, text
    leaked = [secret for referral in coming.cases.values() for secret in secrets_of(referral) if secret in text]
    assert leaked == []
    for absent in ("Närvarande", "Frånvarande", swedish("Attendance"), swedish("Decision"), "Minnesanteckningar"):
        assert absent not in text


def test_a_member_gets_no_reference_on_the_agenda_for_an_item_outside_their_consent(client_for, coming):
    text = pdf_text(client_for("fk.nassjo").get(agenda_url(coming.meeting)))

    assert coming.cases["shared"].reference in text
    assert coming.cases["hidden"].reference not in text
    assert "Samtycke för din organisation saknas." in text


def test_downloading_the_agenda_writes_a_print_row_and_changes_nothing_else(client_for, people, coming):
    client = client_for("fk.nassjo")
    before = every_row(access_log=False)

    client.get(agenda_url(coming.meeting))

    assert every_row(access_log=False) == before
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_id, entry.organisation.code, entry.purpose) == (
        people["fk.nassjo"],
        AccessLog.Action.PRINT,
        str(coming.meeting.pk),
        "fk",
        swedish("Agenda of the referral group's meeting"),
    )


def test_an_outsider_gets_404_for_the_agenda_and_a_role_without_meetings_403(client_for, coming):
    statuses = statuses_by_persona(
        client_for, [*OUTSIDERS, "referrer.af", "auditor"], lambda client: client.get(agenda_url(coming.meeting))
    )

    assert statuses == {**dict.fromkeys(OUTSIDERS, 404), "referrer.af": 403, "auditor": 403}


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
