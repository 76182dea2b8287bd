"""The report page: who may open it, what it shows for a known dataset, bad input, the access log.

The förbundschef reports on every municipality or one; Nässjö's manager on Nässjö only, and Eksjö's
manager cannot ask for Nässjö's figures. Nobody sees a name or a personnummer, and counts of 1 to 3
below a total are shown as a range.
"""

import re
from datetime import date

import pytest
from django.urls import reverse

from participants.models import IncomeRecord, MunicipalityPeriod, Participant
from reporting.models import Certification, SurveyResponse
from reporting.services import refresh_statistics
from sehoglandet.models import AccessLog
from tests import factories
from tests.helpers import MANAGERS, PERSONAS, body, css_rules, statuses_by_persona

H1 = {"kind": "H1", "year": "2026"}
SECRET_FIRST_NAME = "Hemligholm"


def url(name: str = "report_page") -> str:
    return reverse(f"reporting:{name}")


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed (the thousands separator is a no-break space)."""
    text = re.sub(r"<[^>]+>", " ", body(response)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


def texts(figures) -> list[str]:
    return [figure.text.replace("\xa0", " ") for figure in figures]


def enrolment(
    people,
    *,
    gender: str,
    municipality: str = "nassjo",
    decided: date = date(2026, 1, 15),
    exited: date | None = None,
    reason: str = "",
    birth: date = date(1990, 3, 3),
) -> Participant:
    """A participant written straight to the tables (the report reads records, it changes none),
    with the municipality period and the income at enrolment, and after an exit. Written outside the
    services, so its statistical record is refreshed afterwards, as `manage.py refresh_statistics`
    does for such data in production (docs/domain.md#statistical-record)."""
    person = factories.make_person(
        people["coach.nassjo"], first_name=SECRET_FIRST_NAME, last_name="Testsson", gender=gender, birth=birth
    )
    participant = Participant.objects.create(
        person=person,
        municipality=factories.municipality(municipality),
        status="exited" if exited else "active",
        decided_on=decided,
        started_on=decided,
        exited_on=exited,
        exit_reason=reason,
        occupation_after="work" if reason == "work" else ("none" if exited else ""),
        age_at_decision=person.age_on(decided),
    )
    MunicipalityPeriod.objects.create(
        participant=participant, municipality=participant.municipality, moved_in_on=decided
    )
    IncomeRecord.objects.create(
        participant=participant,
        phase="before",
        source="sickness_benefit",
        valid_from=decided,
        recorded_by=people["coach.nassjo"],
    )
    if exited:
        IncomeRecord.objects.create(
            participant=participant,
            phase="after",
            source="salary" if reason == "work" else "none",
            valid_from=exited,
            recorded_by=people["coach.nassjo"],
        )
    refresh_statistics(participants=[participant.pk])
    return participant


def known_dataset(people, *, scale: int = 1) -> list[Participant]:
    """2026 H1, times `scale`: in Nässjö 6 women (4 exit to work on 20 May), 5 men (1 exits for
    worse health on 30 June) and 1 person of other or unstated gender; in Eksjö 2 men.
    Active in the period 14: women 6, men 7, other 1. Exits 5: to work 4 of 5, 80 %."""
    created = []
    for _round in range(scale):
        for number in range(6):
            exited = date(2026, 5, 20) if number < 4 else None
            created.append(enrolment(people, gender="woman", exited=exited, reason="work" if exited else ""))
        for number in range(5):
            exited = date(2026, 6, 30) if number == 0 else None
            created.append(enrolment(people, gender="man", exited=exited, reason="worse_health" if exited else ""))
        created.append(enrolment(people, gender="other"))
        created += [enrolment(people, gender="man", municipality="eksjo") for _man in range(2)]
    return created


@pytest.fixture
def known(people):
    return known_dataset(people)


def report_rows() -> list[AccessLog]:
    return list(AccessLog.objects.filter(object_type="reporting.report").order_by("pk"))


# Who may open the page


def test_the_report_page_is_for_the_forbundschef_and_the_managers(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url(), H1))

    assert statuses == {username: 200 if username in ["forbundschef", *MANAGERS] else 403 for username in PERSONAS}


@pytest.mark.parametrize("name", ["report_pdf", "report_xlsx", "report_csv"])
def test_the_files_are_for_the_forbundschef_and_the_managers_too(client_for, name):
    expected = {"forbundschef": 200, "chef.eksjo": 200, "coach.nassjo": 403, "auditor": 403}

    statuses = statuses_by_persona(client_for, expected, lambda client: client.get(url(name), H1))

    assert statuses == expected


def test_without_a_period_the_page_shows_the_form_only(client_for):
    response = client_for("forbundschef").get(url())

    assert response.status_code == 200
    assert "Välj period" in body(response)
    assert response.context["report"] is None
    assert 'value="2026"' in body(response)
    assert report_rows() == []


# The period form shows the fields that apply


def test_the_period_is_a_choice_of_radio_buttons_with_own_dates_among_them(client_for):
    page = body(client_for("forbundschef").get(url()))

    kinds = re.findall(r'<input type="radio" name="kind" value="([^"]+)"', page)
    assert kinds == ["H1", "H2", "year", "dates"]
    assert re.search(r'<input type="radio" name="kind" value="H1"[^>]*checked', page)
    assert "Egna datum" in page


def test_from_and_until_sit_in_their_own_fieldset_apart_from_the_year(client_for):
    page = body(client_for("forbundschef").get(url()))

    dates = re.search(r'<fieldset class="[^"]*\bperiod-dates\b[^"]*">(.*?)</fieldset>', page, re.S)
    assert dates, "the own dates need a fieldset of their own"
    assert 'name="start"' in dates.group(1) and 'name="end"' in dates.group(1)
    assert 'name="year"' not in dates.group(1)
    year = re.search(r'<div class="period-year">(.*?)</div>\s*<fieldset', page, re.S)
    assert year and 'name="year"' in year.group(1)


def test_the_stylesheet_shows_the_dates_only_for_own_dates_and_the_year_only_for_the_others():
    # By CSS on the checked radio, so it works without JavaScript; a browser without :has() shows all.
    hidden_dates = css_rules('.period-form:not(:has(input[name="kind"][value="dates"]:checked)) .period-dates')
    hidden_year = css_rules('.period-form:has(input[name="kind"][value="dates"]:checked) .period-year')
    assert hidden_dates == ["display: none;"]
    assert hidden_year == ["display: none;"]


def test_a_hidden_year_does_not_stop_a_report_for_own_dates(client_for, known):
    query = {"kind": "dates", "year": "tjugotjugosex", "start": "2026-01-01", "end": "2026-06-30"}

    response = client_for("forbundschef").get(url(), query)

    assert response.context["report"] is not None
    assert "Skriv året med fyra siffror" not in body(response)


def test_hidden_dates_do_not_stop_a_report_for_a_half_year(client_for, known):
    response = client_for("forbundschef").get(url(), {**H1, "start": "2026-13-01", "end": "igår"})

    assert response.context["report"] is not None
    assert "Skriv datumet som" not in body(response)


def test_the_download_buttons_are_a_list_without_bullets():
    assert any("list-style: none" in rule for rule in css_rules("ul.actions"))


# What the förbundschef sees


def test_the_forbundschef_sees_every_municipality_split_by_gender(client_for, known):
    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)

    assert "Första halvåret 2026 (2026-01-01 – 2026-06-30)" in text
    assert "Alla kommuner" in text
    participants = response.context["report"].table("participants")
    active = participants.rows[0]
    assert active.label == "Aktiva någon gång under perioden"
    assert texts(active.figures) == ["6", "7", "1–3", "14"]
    assert re.search(r"Aktiva någon gång under perioden 6 7 1–3 14", text)
    exits = response.context["report"].table("exits")
    assert texts(exits.rows[-1].figures) == ["4", "1–3", "0", "5"]


def test_masking_is_announced_when_a_count_is_shown_as_a_range(client_for, known):
    text = text_of(client_for("forbundschef").get(url(), H1))

    assert "Antal från 1 till 3 visas som intervallet 1–3" in text


def test_no_masking_notice_when_no_count_is_masked(client_for, people):
    for _number in range(4):
        enrolment(people, gender="woman")

    text = text_of(client_for("forbundschef").get(url(), H1))

    assert "visas som intervallet" not in text


def test_masking_is_announced_when_only_the_survey_has_a_small_group(client_for, people):
    for _number in range(4):
        enrolment(people, gender="woman")
    for gender in ("woman", "woman", "woman", "woman", "man", "man"):
        SurveyResponse.objects.create(
            municipality=factories.municipality("nassjo"),
            answered_on=date(2026, 3, 10),
            gender=gender,
            q1=5,
            entered_by=people["coach.nassjo"],
        )

    response = client_for("forbundschef").get(url(), H1)

    assert texts(response.context["report"].survey_responses) == ["4", "1–3", "0", "6"]
    assert "Antal från 1 till 3 visas som intervallet 1–3" in text_of(response)


def test_the_exit_goal_is_shown_plainly_with_the_share(client_for, known):
    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)

    assert "Målet är uppnått. 80,0 % av dem som avslutades gick till arbete eller studier; målet är 35 %." in text
    goal = response.context["report"].exit_goal
    assert texts(goal.figures) == ["100,0 %", "för få", "–", "80,0 %"]


def test_a_missed_goal_says_so(client_for, people):
    for _number in range(4):
        enrolment(people, gender="man", exited=date(2026, 3, 1), reason="lack_of_motivation")
    enrolment(people, gender="man", exited=date(2026, 3, 1), reason="studies")

    text = text_of(client_for("forbundschef").get(url(), H1))

    assert "Målet är inte uppnått. 20,0 % av dem som avslutades" in text


def test_the_page_shows_youth_share_median_and_caseload(client_for, people, known):
    for _number in range(4):
        enrolment(people, gender="woman", birth=date(2000, 1, 1))

    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)
    report = response.context["report"]

    assert texts(report.youth_share.figures) == ["40,0 %", "0,0 %", "för få", "22,2 %"]
    assert "22,2 % av de nya deltagarna var 18–29 år." in text
    # Four women from 15 January to 20 May: 125 days, 4.1 months; the man to 30 June: 5.5 months.
    assert texts(report.median_months) == ["4,1", "för få", "–", "4,1"]
    nassjo = next(row for row in report.caseload if row.municipality == "Nässjö")
    assert texts([nassjo.active, nassjo.capacity, nassjo.fte, nassjo.use]) == ["11", "36", "180 %", "30,6 %"]
    assert re.search(r"Nässjö 11 36 180 % 30,6 %", text)


def test_one_municipality_is_counted_alone(client_for, known):
    response = client_for("forbundschef").get(url(), {**H1, "municipality": "eksjo"})

    report = response.context["report"]
    assert report.scope == "Eksjö"
    assert texts(report.table("participants").rows[0].figures) == ["0", "1–3", "0", "2"]
    assert [row.municipality for row in report.caseload] == ["Eksjö"]


def test_the_page_lists_the_survey_and_the_certifications(client_for, people, known):
    nassjo = factories.municipality("nassjo")
    answers = [("woman", 5), ("woman", 6), ("woman", 2), ("woman", 4), ("woman", 4), ("man", 1)]
    for gender, answer in answers:
        SurveyResponse.objects.create(
            municipality=nassjo,
            answered_on=date(2026, 3, 10),
            gender=gender,
            q1=answer,
            entered_by=people["coach.nassjo"],
        )
    Certification.objects.create(
        municipality=nassjo,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        follows_description=True,
        fte_as_agreed=False,
        comment="En coach var föräldraledig i mars.",
        certified_by=people["chef.nassjo"],
    )

    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)

    first = response.context["report"].survey[0]
    assert texts(first.shares) == ["80,0 %", "för få", "–", "66,7 %"]
    assert first.verdict == "Målet är inte uppnått"
    assert first.question in text
    assert "6 besvarade enkäten under perioden" in text
    assert "Nässjö, 2026-01-01 – 2026-06-30" in text
    assert "Per Sandberg" in text
    assert "En coach var föräldraledig i mars." in text


def test_the_page_never_shows_a_name_or_a_personnummer(client_for, known):
    page = body(client_for("forbundschef").get(url(), H1))

    assert SECRET_FIRST_NAME not in page
    for participant in known:
        number = participant.person.identity_number
        assert number not in page and f"{number[:8]}-{number[8:]}" not in page


def test_the_download_links_carry_the_same_choice(client_for, known):
    response = client_for("forbundschef").get(url(), {**H1, "municipality": "nassjo"})

    for name, label in (("report_pdf", "PDF"), ("report_xlsx", "XLSX"), ("report_csv", "CSV")):
        link = f'href="{url(name)}?kind=H1&amp;year=2026&amp;municipality=nassjo">Ladda ner som {label}</a>'
        assert link in body(response)


def test_showing_the_report_writes_an_access_log_row(client_for, people, known):
    client_for("forbundschef").get(url(), H1)

    (row,) = report_rows()
    assert row.user == people["forbundschef"]
    assert row.action == AccessLog.Action.LIST
    assert row.purpose == "Statistik för Första halvåret 2026 (2026-01-01 – 2026-06-30), Alla kommuner"
    assert row.person_id is None


# Managers


def test_a_manager_gets_their_own_municipality_whatever_they_leave_empty(client_for, known):
    response = client_for("chef.nassjo").get(url(), H1)

    report = response.context["report"]
    assert report.scope == "Nässjö"
    assert report.table("participants").rows[0].figures[-1].text == "12"
    assert [row.municipality for row in report.caseload] == ["Nässjö"]
    assert "Alla kommuner" not in body(response)


@pytest.mark.parametrize("name", ["report_page", "report_pdf", "report_xlsx", "report_csv"])
def test_a_manager_cannot_ask_for_another_municipality(client_for, people, known, name):
    response = client_for("chef.eksjo").get(url(name), {**H1, "municipality": "nassjo"})

    assert response.status_code == 404
    assert "Nässjö" not in body(response)
    (row,) = report_rows()
    assert (row.user, row.action, row.object_id) == (people["chef.eksjo"], AccessLog.Action.REFUSED, "nassjo")


# Bad input


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"kind": "dates", "start": "2026-06-30", "end": "2026-01-01"},
            "Perioden slutar innan den börjar.",
        ),
        ({"kind": "H3", "year": "2026"}, "Välj en period i listan."),
        ({"kind": "dates", "start": "2026-13-01", "end": "2026-12-31"}, "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ({"kind": "dates", "start": "2026-01-01"}, "Fyll i datumet för egna datum."),
        ({"kind": "H1", "year": "tjugotjugosex"}, "Skriv året med fyra siffror, till exempel 2026."),
        ({"kind": "H1", "year": "1999"}, "Välj ett år mellan 2000 och 2100."),
        ({"kind": "year", "year": ""}, "Fyll i året."),
        ({**H1, "municipality": "atlantis"}, "Det finns ingen kommun med koden atlantis."),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_report(client_for, known, query, message):
    response = client_for("forbundschef").get(url(), query)

    assert response.status_code == 200
    assert message in body(response)
    assert response.context["report"] is None
    assert "Ladda ner som PDF" not in body(response)
    assert report_rows() == []


# A constant number of queries


@pytest.mark.parametrize("scale", [1, 4])
def test_the_page_takes_the_same_number_of_queries_whatever_the_data(
    client_for, people, django_assert_num_queries, scale
):
    known_dataset(people, scale=scale)
    nassjo = factories.municipality("nassjo")
    for number in range(scale * 3):
        SurveyResponse.objects.create(
            municipality=nassjo,
            answered_on=date(2026, 2, 1 + number),
            gender="woman",
            q1=5,
            entered_by=people["coach.nassjo"],
        )
        Certification.objects.create(
            municipality=factories.municipality(
                ["nassjo", "eksjo", "tranas", "aneby", "savsjo", "vetlanda"][number % 6]
            ),
            period_start=date(2026 - number // 6, 1, 1),
            period_end=date(2026 - number // 6, 6, 30),
            follows_description=True,
            fte_as_agreed=True,
            certified_by=people["chef.nassjo"],
        )
    client = client_for("forbundschef")

    with django_assert_num_queries(QUERIES_FOR_THE_PAGE):
        response = client.get(url(), {"kind": "dates", "start": "2020-01-01", "end": "2026-06-30"})

    assert response.status_code == 200


# Session, user, the second-factor device that verified the session (django-otp checks it on every
# request), memberships, the municipalities to choose from; the report's 18 queries, the survey and
# the certifications; the access-log row; the session saved (in a savepoint).
QUERIES_FOR_THE_PAGE = 28
