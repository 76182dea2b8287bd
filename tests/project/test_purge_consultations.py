"""Consultations belong to no person: the retention purge erases their question and answer once the
referral period has passed since their meeting, history included, and keeps the rest for the minutes
(docs/domain.md#retention)."""

from project import retention
from referrals import services
from referrals.models import Consultation
from tests import factories
from tests.project.test_purge import later

QUESTION = "Hur stöttar vi en deltagare inför ett första arbetsgivarmöte?"


def answered_consultation(people) -> Consultation:
    meeting = factories.make_meeting(people)
    coach = people["coach.nassjo"]
    consultation = services.raise_consultation(actor=coach, meeting=meeting, kind="internal", question=QUESTION)
    factories.hold_meeting_today(meeting)
    return services.answer_consultation(actor=coach, consultation=consultation, answer="Börja i liten skala.")


def test_the_purge_erases_the_texts_of_consultations_whose_meeting_is_older_than_the_referral_period(
    system_user, people
):
    consultation = answered_consultation(people)

    run = retention.purge_expired(actor=system_user, today=later(13))

    consultation.refresh_from_db()
    assert (consultation.question, consultation.answer) == ("", "")
    assert consultation.status == Consultation.Status.ANSWERED
    assert set(consultation.history.values_list("question", "answer")) == {("", "")}
    assert run.counts["consultation_texts"] == 1
    assert run.persons == 0


def test_within_the_period_and_in_a_dry_run_the_texts_stay(system_user, people):
    consultation = answered_consultation(people)

    retention.purge_expired(actor=system_user, today=later(11))
    dry = retention.purge_expired(actor=system_user, today=later(13), dry_run=True)

    consultation.refresh_from_db()
    assert consultation.question == QUESTION
    assert dry.counts["consultation_texts"] == 1
    assert QUESTION in set(consultation.history.values_list("question", flat=True))


def test_a_second_run_finds_nothing_left_to_erase(system_user, people):
    answered_consultation(people)
    retention.purge_expired(actor=system_user, today=later(13))

    again = retention.purge_expired(actor=system_user, today=later(13))

    assert "consultation_texts" not in again.counts
