"""Typing in the survey's paper forms: who may, the six-step scales, skipped questions, the day."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reporting import services
from reporting.events import ReportingEvent
from reporting.models import SurveyResponse
from tests import factories

QUESTIONS = [f"q{number}" for number in range(1, 8)]
FULL_FORM = {"q1": 6, "q2": 5, "q3": 4, "q4": 3, "q5": 2, "q6": 1, "q7": 6}


def record(people, answers: dict, *, username="coach.nassjo", municipality="nassjo", answered_on=None, gender="woman"):
    return services.record_survey_response(
        actor=people[username],
        municipality=factories.municipality(municipality),
        answered_on=answered_on or timezone.localdate(),
        gender=gender,
        answers=answers,
    )


def test_the_coach_types_in_a_form_and_it_is_saved_as_written(people):
    response = record(people, FULL_FORM, gender="other")

    saved = SurveyResponse.objects.get()
    assert saved == response
    assert [getattr(saved, name) for name in QUESTIONS] == [6, 5, 4, 3, 2, 1, 6]
    assert (saved.municipality.code, saved.gender, saved.answered_on) == ("nassjo", "other", timezone.localdate())
    assert saved.entered_by == people["coach.nassjo"]
    history = saved.history.get()
    assert (history.history_user, history.history_change_reason) == (
        people["coach.nassjo"],
        ReportingEvent.SURVEY_ANSWERS_ENTERED,
    )


def test_the_manager_may_type_in_forms_too(people):
    record(people, FULL_FORM, username="chef.nassjo")

    assert SurveyResponse.objects.get().entered_by == people["chef.nassjo"]


@pytest.mark.parametrize("skipped", QUESTIONS)
def test_any_question_may_be_skipped(people, skipped):
    record(people, {**FULL_FORM, skipped: None})

    saved = SurveyResponse.objects.get()
    assert getattr(saved, skipped) is None
    assert sum(getattr(saved, name) is not None for name in QUESTIONS) == 6


def test_a_question_left_out_of_the_answers_counts_as_skipped(people):
    record(people, {"q5": 4})

    saved = SurveyResponse.objects.get()
    assert [getattr(saved, name) for name in QUESTIONS] == [None, None, None, None, 4, None, None]


def test_a_form_with_no_answer_at_all_is_refused(people):
    with pytest.raises(ValidationError) as refused:
        record(people, dict.fromkeys(QUESTIONS))

    assert refused.value.messages == ["Ingen fråga är besvarad på formuläret: fyll i minst ett svar."]
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("value", [0, 7, -1, "4", 4.0, True], ids=["0", "7", "-1", "text", "float", "bool"])
def test_an_answer_off_the_scale_is_refused_naming_the_question(people, value):
    with pytest.raises(ValidationError) as refused:
        record(people, {**FULL_FORM, "q3": value})

    assert refused.value.message_dict == {"q3": ["Svaret på fråga 3 måste vara ett av stegen 1–6."]}
    assert not SurveyResponse.objects.exists()


def test_every_answer_off_the_scale_is_named_at_once(people):
    with pytest.raises(ValidationError) as refused:
        record(people, {**FULL_FORM, "q1": 0, "q7": 7})

    assert refused.value.message_dict == {
        "q1": ["Svaret på fråga 1 måste vara ett av stegen 1–6."],
        "q7": ["Svaret på fråga 7 måste vara ett av stegen 1–6."],
    }


@pytest.mark.parametrize("step", [1, 6])
def test_the_ends_of_the_scale_are_steps(people, step):
    record(people, dict.fromkeys(QUESTIONS, step))

    assert SurveyResponse.objects.get().q4 == step


def test_an_unknown_question_is_a_programming_error(people):
    with pytest.raises(ValueError, match="q8"):
        record(people, {"q8": 3})


def test_a_date_in_the_future_is_refused(people):
    with pytest.raises(ValidationError) as refused:
        record(people, FULL_FORM, answered_on=timezone.localdate() + timedelta(days=1))

    assert refused.value.message_dict == {"answered_on": ["Datumet kan inte ligga i framtiden."]}
    assert not SurveyResponse.objects.exists()


def test_a_gender_not_on_the_form_is_refused(people):
    with pytest.raises(ValidationError) as refused:
        record(people, FULL_FORM, gender="unknown")

    assert refused.value.message_dict == {"gender": ["Välj ett av formulärets alternativ under ”Om dig”."]}


@pytest.mark.parametrize(
    "username", ["coach.eksjo", "chef.eksjo", "forbundschef", "referrer.af", "bistand.nassjo", "admin", "nobody"]
)
def test_only_the_municipalitys_coaches_and_manager_may_enter_its_answers(people, username):
    with pytest.raises(PermissionDenied):
        record(people, FULL_FORM, username=username)

    assert not SurveyResponse.objects.exists()
