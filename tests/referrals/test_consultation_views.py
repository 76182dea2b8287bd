"""The consultation pages: who may raise, answer and withdraw one; what the meeting page, the agenda
and the minutes show of it (docs/domain.md#consultations)."""

import io
import re
from collections.abc import Collection
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from referrals import minutes, services
from referrals.models import Consultation, Meeting
from sehoglandet.models import AccessLog
from tests import factories
from tests.helpers import (
    NASSJO_GROUP,
    NASSJO_MEMBERS,
    PERSONAS,
    body,
    every_row,
    outcomes_by_persona,
    status_and_changed_tables,
    statuses_by_persona,
)

QUESTION = "Hur stöttar vi en deltagare med social fobi inför ett första arbetsgivarmöte?"
ANSWER = "Börja med en kort praktik och följ upp varje vecka."
DE_IDENTIFIED = ("avidentifierad", "de-identified")


@pytest.fixture
def raised(people):
    """A published coming Nässjö meeting with one internal consultation raised by FK's member."""
    meeting = factories.make_meeting(people)
    services.publish_agenda(actor=people["coach.nassjo"], meeting=meeting)
    meeting.refresh_from_db()
    consultation = services.raise_consultation(
        actor=people["fk.nassjo"], meeting=meeting, kind=Consultation.Kind.INTERNAL, question=QUESTION
    )
    return SimpleNamespace(meeting=meeting, consultation=consultation)


def _statuses(allowed: Collection[str], ok: int, outsiders: Collection[str]) -> dict[str, int]:
    return {p: ok if p in allowed else 404 if p in outsiders else 403 for p in PERSONAS}


def raise_url(meeting) -> str:
    return reverse("referrals:consultation_raise", args=[meeting.pk])


def answer_url(consultation) -> str:
    return reverse("referrals:consultation_answer", args=[consultation.pk])


def withdraw_url(consultation) -> str:
    return reverse("referrals:consultation_withdraw", args=[consultation.pk])


# Who may use which page


def test_the_groups_members_and_coach_open_the_raise_page_and_no_one_else(client_for, raised):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(raise_url(raised.meeting)))

    assert statuses == _statuses({"coach.nassjo", *NASSJO_MEMBERS}, 200, {"coach.eksjo", "fk.eksjo"})


def test_the_groups_members_and_coach_raise_one_and_no_one_else(client_for, raised):
    data = {"kind": "internal", "question": "Hur hanterar vi långa sjukskrivningar?"}

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.post(raise_url(raised.meeting), data))

    assert statuses == _statuses({"coach.nassjo", *NASSJO_MEMBERS}, 302, {"coach.eksjo", "fk.eksjo"})


def test_only_the_convening_coach_opens_the_answer_page(client_for, raised):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(answer_url(raised.consultation)))

    assert statuses == _statuses({"coach.nassjo"}, 200, {"coach.eksjo"})


def test_whoever_raised_it_and_the_coach_withdraw_it_and_other_members_get_403(client_for, raised):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.post(withdraw_url(raised.consultation)))

    assert statuses == _statuses({"coach.nassjo", "fk.nassjo"}, 302, {"coach.eksjo", "fk.eksjo"})


@pytest.mark.parametrize("page", ["raise", "answer"])
def test_opening_a_page_changes_nothing_but_the_access_log(client_for, raised, page):
    url = raise_url(raised.meeting) if page == "raise" else answer_url(raised.consultation)
    username = "fk.nassjo" if page == "raise" else "coach.nassjo"

    outcome = outcomes_by_persona(
        client_for, [username], status_and_changed_tables(lambda client: client.get(url), access_log=False)
    )

    assert outcome == {username: (200, [])}


def test_a_get_to_withdraw_gets_405_and_changes_nothing(client_for, raised):
    client = client_for("coach.nassjo")
    before = every_row()

    response = client.get(withdraw_url(raised.consultation))

    assert response.status_code == 405
    assert every_row() == before


# Raising through the page


def test_a_member_raises_an_external_consultation_and_finds_it_on_the_agenda(client_for, raised):
    client = client_for("af.nassjo")
    response = client.post(
        raise_url(raised.meeting),
        {"kind": "external", "asking_organisation": factories.org("fk").pk, "question": "Hur samordnar vi insatser?"},
    )

    consultation = Consultation.objects.get(number=2)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#consultation-{consultation.pk}")
    assert consultation.kind == Consultation.Kind.EXTERNAL
    assert consultation.asking_organisation.code == "fk"
    assert "Hur samordnar vi insatser?" in body(
        client.get(reverse("referrals:meeting_detail", args=[raised.meeting.pk]))
    )


@pytest.mark.parametrize(
    "question",
    ["Gäller 850312-1234, som har svårt med bussresor.", "Hur stöttar vi Anna inför arbetsgivarmötet?"],
)
def test_a_question_that_names_someone_is_refused_with_a_clear_message_and_nothing_is_saved(
    client_for, raised, question
):
    client = client_for("fk.nassjo")
    before = every_row(access_log=False)

    response = client.post(raise_url(raised.meeting), {"kind": "internal", "question": question})

    assert response.status_code == 200
    assert any(word in body(response) for word in DE_IDENTIFIED)
    assert 'class="error-summary"' in body(response)
    assert every_row(access_log=False) == before


def test_an_external_consultation_without_the_asking_organisation_is_refused(client_for, raised):
    client = client_for("fk.nassjo")
    before = every_row(access_log=False)

    response = client.post(raise_url(raised.meeting), {"kind": "external", "question": QUESTION})

    assert response.status_code == 200
    assert 'class="error-summary"' in body(response)
    assert every_row(access_log=False) == before


def test_an_internal_consultation_ignores_a_hidden_organisation(client_for, raised):
    client_for("fk.nassjo").post(
        raise_url(raised.meeting),
        {"kind": "internal", "asking_organisation": factories.org("af").pk, "question": "En annan fråga om stöd?"},
    )

    assert Consultation.objects.get(number=2).asking_organisation.code == "fk"


def test_the_raise_page_of_a_held_meeting_says_why_and_offers_no_form(client_for, people, raised):
    Meeting.objects.filter(pk=raised.meeting.pk).update(status=Meeting.Status.HELD)

    response = client_for("fk.nassjo").get(raise_url(raised.meeting))

    assert response.status_code == 200
    assert response.context["closed"]
    assert 'name="question"' not in body(response)
    meeting_page = body(client_for("fk.nassjo").get(reverse("referrals:meeting_detail", args=[raised.meeting.pk])))
    assert raise_url(raised.meeting) not in meeting_page


# The meeting page and the agenda


def test_the_groups_members_and_the_team_read_the_question_on_the_meeting_page(client_for, raised):
    url = reverse("referrals:meeting_detail", args=[raised.meeting.pk])

    shown = outcomes_by_persona(client_for, NASSJO_GROUP, lambda client: QUESTION in body(client.get(url)))

    assert shown == dict.fromkeys(NASSJO_GROUP, True)


def test_showing_the_consultations_writes_an_access_log_row(client_for, people, raised):
    client_for("af.nassjo").get(reverse("referrals:meeting_detail", args=[raised.meeting.pk]))

    row = AccessLog.objects.filter(user=people["af.nassjo"], purpose__icontains="onsultation").get()
    assert row.object_id == str(raised.meeting.pk)
    assert row.person_id is None


def test_the_agenda_pdf_holds_the_question_for_the_members_to_prepare(client_for, raised):
    response = client_for("region.nassjo").get(reverse("referrals:meeting_agenda", args=[raised.meeting.pk]))

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "social fobi" in " ".join(text.split())


def test_opening_the_answer_page_writes_a_view_row_for_the_consultation(client_for, people, raised):
    client_for("coach.nassjo").get(answer_url(raised.consultation))

    row = AccessLog.objects.filter(user=people["coach.nassjo"], object_type="referrals.consultation").get()
    assert (row.action, row.object_id) == (AccessLog.Action.VIEW, str(raised.consultation.pk))


# Answering, and what the minutes say


def test_before_the_meeting_the_answer_page_offers_no_form(client_for, raised):
    response = client_for("coach.nassjo").get(answer_url(raised.consultation))

    assert 'name="answer"' not in body(response)


def test_an_answer_that_names_someone_is_refused_and_nothing_is_saved(client_for, raised):
    factories.hold_meeting_today(raised.meeting)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(answer_url(raised.consultation), {"answer": "Ring Karin Ek i morgon."})

    assert response.status_code == 200
    assert any(word in body(response) for word in DE_IDENTIFIED)
    assert every_row(access_log=False) == before


def test_the_minutes_say_only_that_the_consultation_was_answered(client_for, people, raised):
    factories.hold_meeting_today(raised.meeting)
    client = client_for("coach.nassjo")
    assert client.post(answer_url(raised.consultation), {"answer": ANSWER}).status_code == 302
    services.close_meeting(actor=people["coach.nassjo"], meeting=raised.meeting)

    response = client_for("fk.nassjo").get(reverse("referrals:meeting_minutes", args=[raised.meeting.pk]))

    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert re.search(r"(Konsultation|Consultation) 1: (besvarad|answered)", text)
    assert "social fobi" not in text
    assert "praktik" not in text


def test_the_minutes_html_holds_no_question_or_answer_and_says_withdrawn_or_not_answered(people, raised):
    factories.hold_meeting_today(raised.meeting)
    coach = people["coach.nassjo"]
    answered = services.answer_consultation(actor=coach, consultation=raised.consultation, answer=ANSWER)
    Meeting.objects.filter(pk=raised.meeting.pk).update(starts_at=timezone.now() + timedelta(hours=1))
    unanswered = services.raise_consultation(
        actor=coach, meeting=raised.meeting, kind="internal", question="Fråga två?"
    )
    withdrawn = services.raise_consultation(actor=coach, meeting=raised.meeting, kind="internal", question="Fråga tre?")
    withdrawn = services.withdraw_consultation(actor=coach, consultation=withdrawn)

    html = render_to_string(
        "referrals/minutes.html",
        {"consultations": minutes.minutes_consultations([answered, unanswered, withdrawn]), "attendance": []},
    )

    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert re.search(r"(Konsultation|Consultation) 1: (besvarad|answered)", text)
    assert re.search(r"(Konsultation|Consultation) 2: (inte besvarad|not answered)", text)
    assert re.search(r"(Konsultation|Consultation) 3: (återkallad|withdrawn)", text)
    for secret in ("social fobi", "praktik", "Fråga två", "Fråga tre"):
        assert secret not in html
