"""Consultations in the remittentgrupp (docs/domain.md#consultations): raised by a member or the
coach with no person attached, answered by the group at the meeting, or withdrawn; refused when the
text names someone or the meeting is over."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from referrals import deidentified, selectors, services
from referrals.events import ReferralEvent
from referrals.models import Consultation, Meeting
from sehoglandet.models import CaseEvent
from tests import factories
from tests.helpers import NASSJO_MEMBERS

QUESTION = "Hur stöttar vi en deltagare med social fobi inför ett första arbetsgivarmöte?"


@pytest.fixture
def meeting(people):
    """A published coming Nässjö meeting, whose last day for items is a week ahead."""
    meeting = factories.make_meeting(people)
    services.publish_agenda(actor=people["coach.nassjo"], meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def raise_(people, meeting, *, by="fk.nassjo", kind=Consultation.Kind.INTERNAL, question=QUESTION, **kwargs):
    return services.raise_consultation(actor=people[by], meeting=meeting, kind=kind, question=question, **kwargs)


def messages(error: ValidationError) -> str:
    return " ".join(error.value.messages)


# Raising


def test_a_member_raises_an_internal_consultation_asked_by_their_own_organisation(people, meeting):
    consultation = raise_(people, meeting)

    assert consultation.status == Consultation.Status.RAISED
    assert consultation.number == 1
    assert consultation.asking_organisation.code == "fk"
    assert consultation.question == QUESTION
    event = CaseEvent.objects.get(code=ReferralEvent.CONSULTATION_RAISED)
    assert event.person_id is None
    assert event.record_id == str(consultation.pk)
    assert consultation.history.get().history_change_reason == ReferralEvent.CONSULTATION_RAISED


def test_the_coach_raises_one_for_the_se_team_and_the_numbers_follow_on(people, meeting):
    raise_(people, meeting)

    consultation = raise_(people, meeting, by="coach.nassjo")

    assert consultation.number == 2
    assert consultation.asking_organisation == meeting.referral_group.municipality.se_team


def test_an_external_consultation_names_only_the_organisation_of_the_person_asking(people, meeting):
    af = factories.org("af")

    consultation = raise_(people, meeting, by="coach.nassjo", kind=Consultation.Kind.EXTERNAL, asking_organisation=af)

    assert consultation.asking_organisation == af
    assert consultation.kind == Consultation.Kind.EXTERNAL


def test_an_external_consultation_needs_the_organisation_asking(people, meeting):
    with pytest.raises(ValidationError) as error:
        raise_(people, meeting, kind=Consultation.Kind.EXTERNAL)

    assert "asking_organisation" in error.value.error_dict
    assert not Consultation.objects.exists()


def test_the_groups_members_and_the_se_team_read_it_and_no_one_else_does(people, meeting):
    consultation = raise_(people, meeting)

    readers = {
        name for name, user in people.items() if selectors.consultations_visible_to(user).filter(pk=consultation.pk)
    }

    assert readers == {"coach.nassjo", "chef.nassjo", *NASSJO_MEMBERS}


def test_a_member_of_another_group_the_manager_and_a_referrer_may_not_raise_one(people, meeting):
    for username in ("fk.eksjo", "coach.eksjo", "chef.nassjo", "referrer.af"):
        with pytest.raises(PermissionDenied):
            raise_(people, meeting, by=username)

    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    "question",
    [
        "Hur går vi vidare med 850312-1234 som har tappat motivationen?",
        "Gäller 198503121234.",
        "Gäller 19850312-1235, en deltagare.",
        "Personen har samordningsnummer 850372-1238.",
        "Personen, 850312 1234, har svårt med bussresor.",
        "Gäller 19850312+1234.",
    ],
)
def test_a_question_with_a_personnummer_or_samordningsnummer_in_any_form_is_refused(people, meeting, question):
    with pytest.raises(ValidationError) as error:
        raise_(people, meeting, question=question)

    assert "personnummer" in messages(error)
    assert "de-identified" in messages(error) or "avidentifierad" in messages(error)
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    "question",
    [
        "Hur stöttar vi Anna inför arbetsgivarmötet?",
        "Vi undrar om Lisa Berg kan få stöd av Försäkringskassan.",
        "Kontakt: kalle@example.se, som har frågor.",
        "- Anna-Karin har svårt att komma i tid.\nHur ska vi tänka med Anna-Karin?",
    ],
)
def test_a_question_that_names_someone_is_refused(people, meeting, question):
    with pytest.raises(ValidationError) as error:
        raise_(people, meeting, question=question)

    assert "de-identified" in messages(error) or "avidentifierad" in messages(error)
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    "question",
    [
        QUESTION,
        "Kan FK-handläggaren och Arbetsförmedlingen samordna stödet? Vad säger Region Jönköpings län?",
        "Försäkringskassans bedömning dröjer; hur gör vi i Nässjö och Eksjö? Mötet 2026-05-12 kl. 13.",
        "Personen har LSS-insats. Hur påverkar det SIP?",
    ],
)
def test_a_de_identified_question_naming_only_parties_places_and_abbreviations_is_accepted(people, meeting, question):
    assert raise_(people, meeting, question=question).status == Consultation.Status.RAISED


def test_the_refusal_is_the_same_whether_or_not_a_person_of_that_name_has_a_case(people, meeting):
    """Nothing is learnt by asking: the check never looks in the registry."""
    factories.make_case(people, "Anna", "Brandt")
    allowed = deidentified.allowed_words(selectors.names_allowed_in_consultations())

    known = deidentified.identifying_details("Hur stöttar vi Anna?", allowed=allowed)
    unknown = deidentified.identifying_details("Hur stöttar vi Wilma?", allowed=allowed)

    assert known == [problem.replace("Wilma", "Anna") for problem in unknown]


def test_no_consultation_for_a_held_cancelled_or_begun_meeting(people, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    with pytest.raises(ValidationError) as error:
        raise_(people, meeting)
    assert "coming meeting" in messages(error) or "kommande möte" in messages(error)

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    with pytest.raises(ValidationError):
        raise_(people, meeting)

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PUBLISHED)
    factories.hold_meeting_today(meeting)
    with pytest.raises(ValidationError):
        raise_(people, meeting)
    assert not Consultation.objects.exists()


def test_an_external_consultation_after_the_last_day_for_items_is_refused_and_an_internal_one_is_not(people, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(item_deadline=timezone.localdate() - timedelta(days=1))

    with pytest.raises(ValidationError) as error:
        raise_(people, meeting, kind=Consultation.Kind.EXTERNAL, asking_organisation=factories.org("af"))

    assert "in advance" in messages(error) or "i förväg" in messages(error)
    assert raise_(people, meeting).kind == Consultation.Kind.INTERNAL


# Answering and withdrawing


def test_the_coach_records_the_groups_answer_at_the_meeting(people, meeting):
    consultation = raise_(people, meeting)
    factories.hold_meeting_today(meeting)

    services.answer_consultation(actor=people["coach.nassjo"], consultation=consultation, answer="Börja i liten skala.")

    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ANSWERED
    assert consultation.answer == "Börja i liten skala."
    assert consultation.answered_by == people["coach.nassjo"]
    event = CaseEvent.objects.get(code=ReferralEvent.CONSULTATION_ANSWERED)
    assert event.payload["from"] == "raised" and event.payload["to"] == "answered"
    assert consultation.history.first().history_change_reason == ReferralEvent.CONSULTATION_ANSWERED


def test_no_answer_before_the_meeting_nor_twice_nor_by_a_member(people, meeting):
    consultation = raise_(people, meeting)
    coach = people["coach.nassjo"]

    with pytest.raises(ValidationError):
        services.answer_consultation(actor=coach, consultation=consultation, answer="Tidigt svar.")
    factories.hold_meeting_today(meeting)
    with pytest.raises(PermissionDenied):
        services.answer_consultation(actor=people["fk.nassjo"], consultation=consultation, answer="Svar.")
    services.answer_consultation(actor=coach, consultation=consultation, answer="Svar.")
    with pytest.raises(ValidationError):
        services.answer_consultation(actor=coach, consultation=consultation, answer="Ett annat svar.")

    consultation.refresh_from_db()
    assert consultation.answer == "Svar."


def test_an_answer_that_names_someone_or_is_empty_is_refused(people, meeting):
    consultation = raise_(people, meeting)
    factories.hold_meeting_today(meeting)

    for answer in ("Ring Karin Ek om saken.", "   "):
        with pytest.raises(ValidationError):
            services.answer_consultation(actor=people["coach.nassjo"], consultation=consultation, answer=answer)

    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.RAISED
    assert consultation.answer == ""


def test_whoever_raised_it_or_the_coach_withdraws_it_and_another_member_may_not(people, meeting):
    first = raise_(people, meeting)
    second = raise_(people, meeting)

    with pytest.raises(PermissionDenied):
        services.withdraw_consultation(actor=people["af.nassjo"], consultation=first)
    services.withdraw_consultation(actor=people["fk.nassjo"], consultation=first)
    services.withdraw_consultation(actor=people["coach.nassjo"], consultation=second)

    assert set(Consultation.objects.values_list("status", flat=True)) == {Consultation.Status.WITHDRAWN}
    assert CaseEvent.objects.filter(code=ReferralEvent.CONSULTATION_WITHDRAWN).count() == 2


def test_an_answered_consultation_cannot_be_withdrawn_nor_a_withdrawn_one_answered(people, meeting):
    answered, withdrawn = raise_(people, meeting), raise_(people, meeting)
    factories.hold_meeting_today(meeting)
    coach = people["coach.nassjo"]
    services.answer_consultation(actor=coach, consultation=answered, answer="Svar.")
    services.withdraw_consultation(actor=coach, consultation=withdrawn)

    with pytest.raises(ValidationError):
        services.withdraw_consultation(actor=coach, consultation=answered)
    with pytest.raises(ValidationError):
        services.answer_consultation(actor=coach, consultation=withdrawn, answer="Svar.")
