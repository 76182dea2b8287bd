"""The survey pages: the list of answers entered and the quick form that mirrors the paper.

Nässjö's coach and manager enter and see Nässjö's answers; Eksjö's coach holds the right role for
another municipality and sees none of Nässjö's; every other role is refused.
"""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from reporting import services
from reporting.models import SURVEY_QUESTIONS, SURVEY_SHORT_LABELS, SurveyResponse
from tests import factories
from tests.helpers import (
    COACHES,
    MANAGERS,
    OUTSIDE_THE_SE_TEAMS,
    PERSONAS,
    body,
    every_row,
    outcomes_by_persona,
    shows,
    status_and_changed_tables,
    statuses_by_persona,
)

LIST, ADD = reverse("reporting:survey_list"), reverse("reporting:survey_add")


def form_data(municipality_code="nassjo", **overrides) -> dict:
    data = {
        "municipality": factories.municipality(municipality_code).pk,
        "answered_on": timezone.localdate().isoformat(),
        "gender": "woman",
        "q1": "6",
        "q2": "4",
        "q3": "",
        "q4": "5",
        "q5": "1",
        "q6": "3",
        "q7": "",
    }
    data.update(overrides)
    return data


def enter(people, count: int, *, municipality="nassjo", day: date | None = None) -> None:
    for number in range(count):
        services.record_survey_response(
            actor=people[f"coach.{municipality}"],
            municipality=factories.municipality(municipality),
            answered_on=day or timezone.localdate() - timedelta(days=number),
            gender="man",
            answers={"q1": 1 + number % 6},
        )


# Who may open the pages


@pytest.mark.parametrize("page", [LIST, ADD])
def test_the_survey_pages_are_for_coaches_and_managers(client_for, page):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(page))

    assert statuses == {username: 200 if username in [*COACHES, *MANAGERS] else 403 for username in PERSONAS}


def test_the_list_shows_the_own_municipalitys_answers_only(client_for, people):
    enter(people, 2, municipality="nassjo", day=date(2026, 10, 5))
    enter(people, 1, municipality="eksjo", day=date(2026, 10, 6))

    nassjo = body(client_for("coach.nassjo").get(LIST))

    assert "2 registrerade formulär" in nassjo
    assert "2026-10-05" in nassjo and "Nässjö" in nassjo
    assert "2026-10-06" not in nassjo and "Eksjö" not in nassjo
    eksjo = body(client_for("coach.eksjo").get(LIST))
    assert "1 registrerat formulär" in eksjo and "2026-10-05" not in eksjo


def test_the_manager_sees_the_answers_the_coach_entered(client_for, people):
    enter(people, 1, day=date(2026, 10, 5))

    page = body(client_for("chef.nassjo").get(LIST))

    assert "1 registrerat formulär" in page
    assert "Maja Lindqvist" in page


def test_the_list_shows_each_step_and_a_skipped_question_as_no_answer(client_for, people):
    services.record_survey_response(
        actor=people["coach.nassjo"],
        municipality=factories.municipality("nassjo"),
        answered_on=date(2026, 10, 5),
        gender="other",
        answers={"q1": 6, "q2": 4, "q7": 2},
    )

    page = body(client_for("coach.nassjo").get(LIST))

    assert "Vill inte svara/inget svarsalternativ passar" in page
    assert page.count('<td class="num">6</td>') == 1 and page.count('<td class="num">2</td>') == 1
    assert page.count('<span class="visually-hidden">Inget svar</span>') == 4


def test_each_column_is_headed_by_the_questions_short_text_and_described_by_the_full_question(client_for, people):
    enter(people, 1, day=date(2026, 10, 5))

    page = body(client_for("coach.nassjo").get(LIST))

    header = r'<th scope="col" class="num question-column" aria-describedby="([^"]+)">(.*?)</th>'
    headers = re.findall(header, page, re.S)
    assert len(headers) == len(SURVEY_QUESTIONS)
    assert "Får du stöd på ett sätt som är till stor nytta för dig?" in page
    for number, ((name, question, _scale), (described_by, header)) in enumerate(
        zip(SURVEY_QUESTIONS, headers, strict=True), start=1
    ):
        with translation.override("sv"):
            short, full = str(SURVEY_SHORT_LABELS[name]), str(question)
        assert re.sub(r"<[^>]+>", "", header).split() == [f"{number}.", *short.split()]
        assert re.search(rf'<li id="{described_by}">\s*{re.escape(full)}\s*</li>', page), full


def test_every_survey_question_has_a_short_text_shorter_than_the_question():
    assert list(SURVEY_SHORT_LABELS) == [name for name, _question, _scale in SURVEY_QUESTIONS]
    for name, question, _scale in SURVEY_QUESTIONS:
        assert 0 < len(str(SURVEY_SHORT_LABELS[name])) <= 25 < len(str(question))


def test_the_list_is_empty_with_a_clear_note(client_for):
    assert "Inga enkätsvar är registrerade ännu." in body(client_for("coach.nassjo").get(LIST))


def test_the_list_needs_the_same_number_of_queries_for_one_answer_and_for_a_full_page(
    client_for, people, django_assert_num_queries
):
    enter(people, 1)
    client = client_for("coach.nassjo")
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    enter(people, 30)

    with django_assert_num_queries(len(one)):
        response = client.get(LIST)

    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.num_pages == 2


def test_opening_the_pages_changes_nothing(client_for, people):
    enter(people, 1)
    client = client_for("coach.nassjo")
    before = every_row()

    client.get(LIST)
    client.get(ADD)

    assert every_row() == before


# The form


def test_the_form_mirrors_the_paper(client_for):
    page = body(client_for("coach.nassjo").get(ADD))

    assert "<legend>Om dig</legend>" in page
    assert "Kvinna" in page and "Vill inte svara/inget svarsalternativ passar" in page
    assert "<legend>1. Får du stöd på ett sätt som är till stor nytta för dig?</legend>" in page
    assert "<legend>5. Har det stöd du fått hjälpt dig att utveckla sätt att hantera din situation?</legend>" in page
    for step in ["Aldrig", "Sällan", "Ibland", "Ofta", "För det mesta", "Alltid"]:
        assert page.count(f">{step}</label>") == 4
    for step in ["Inte alls", "Till liten del", "Delvis", "Till stor del", "Till mycket stor del", "Helt och hållet"]:
        assert page.count(f">{step}</label>") == 3
    assert page.count(">Inget svar</label>") == 7
    assert len(re.findall(r'value="" id="id_q\d_6" checked', page)) == 7
    assert "Spara och registrera nästa" in page


def test_the_form_starts_with_the_coachs_municipality_and_today(client_for):
    response = client_for("coach.nassjo").get(ADD)

    form = response.context["form"]
    assert form["municipality"].value() == factories.municipality("nassjo").pk
    assert form["answered_on"].value() == timezone.localdate()


def test_the_coach_saves_a_form_and_gets_an_empty_one_for_the_next_paper(client_for, people):
    response = client_for("coach.nassjo").post(ADD, form_data(answered_on="2026-10-05"), follow=True)

    saved = SurveyResponse.objects.get()
    assert [saved.q1, saved.q2, saved.q3, saved.q4, saved.q5, saved.q6, saved.q7] == [6, 4, None, 5, 1, 3, None]
    assert (saved.gender, saved.answered_on, saved.entered_by) == ("woman", date(2026, 10, 5), people["coach.nassjo"])
    page = body(response)
    assert "Svaren är sparade för Nässjö. Fyll i nästa formulär nedan." in page
    form = response.context["form"]
    assert not form.is_bound
    assert form["answered_on"].value() == date(2026, 10, 5)
    assert form["municipality"].value() == saved.municipality_id
    assert form["gender"].value() is None and form["q1"].value() == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"q3": "7"}, "Svaret på fråga 3 måste vara ett av stegen 1–6."),
        ({"q1": "0"}, "Svaret på fråga 1 måste vara ett av stegen 1–6."),
        ({"q6": "fyra"}, "Svaret på fråga 6 måste vara ett av stegen 1–6."),
        ({"gender": ""}, "Välj det som är ikryssat under ”Om dig”."),
        ({"gender": "unknown"}, "Välj ett giltigt alternativ."),
        ({"answered_on": "5/10/2026"}, "Fyll i ett giltigt datum."),
        ({"answered_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "Datumet kan inte ligga i framtiden"),
        (dict.fromkeys([f"q{n}" for n in range(1, 8)], ""), "Ingen fråga är besvarad på formuläret"),
        ({"municipality": ""}, ("Kommun måste väljas.", "Kommun must be chosen.")),
    ],
    ids=["step 7", "step 0", "not a step", "no gender", "unknown gender", "date format", "future", "blank", "no place"],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_saved(client_for, overrides, message):
    client = client_for("coach.nassjo")
    before = every_row()

    response = client.post(ADD, form_data(**overrides))

    assert response.status_code == 200
    assert shows(body(response), message)
    assert 'class="error-summary"' in body(response)
    assert every_row() == before


def test_a_coach_cannot_enter_answers_for_another_municipality(client_for):
    client = client_for("coach.eksjo")
    before = every_row()

    response = client.post(ADD, form_data(municipality_code="nassjo"))

    assert response.status_code == 200
    assert "Välj en av dina egna kommuner." in body(response)
    assert every_row() == before


def test_other_roles_cannot_enter_answers(client_for):
    data = form_data()

    outcomes = outcomes_by_persona(
        client_for, OUTSIDE_THE_SE_TEAMS, status_and_changed_tables(lambda client: client.post(ADD, data))
    )

    assert outcomes == dict.fromkeys(OUTSIDE_THE_SE_TEAMS, (403, []))
