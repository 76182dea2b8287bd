"""The report page: who may open it, what it shows for a known dataset, bad input, the access log.

The förbundschef reports on every municipality or one; Nässjö's manager on Nässjö only, and Eksjö's
manager cannot ask for Nässjö's figures. Nobody sees a name or a personnummer. Every count is
published rounded to base 3 and the breakdowns of small groups are held back: the expected figures
are built from the true ones by the rule the app promises (tests/reporting/published.py), or are
literals where the true count is a multiple of 3 and so published as it is.
"""

import itertools
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from participants.models import IncomeRecord, MunicipalityPeriod, Participant
from reporting import disclosure
from reporting.models import Certification, EnrolmentStatistic, SurveyResponse
from reporting.report import GENDERS, build_report, period_from_code
from reporting.services import refresh_statistics
from sehoglandet.models import AccessLog
from tests import factories
from tests.helpers import MANAGERS, PERSONAS, body, css_rules, statuses_by_persona

from .published import TOO_FEW, part_of, published, rounded, split, texts

H1 = {"kind": "H1", "year": "2026"}
SECRET_FIRST_NAME = "Hemligholm"
# The participants table holds figures of their own; every other table is category rows and their total.
SEPARATE_FIGURES = {"participants"}


def url(name: str = "report_page") -> str:
    return reverse(f"reporting:{name}")


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed (the thousands separator is a no-break space)."""
    text = re.sub(r"<[^>]+>", " ", body(response)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


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
    Active in the period 14: women 6, men 7, other 1. Exits 5: to work 4 of 5, 80 %.
    At `scale` 3 every count is a multiple of 3, so every published count is the true one."""
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


@pytest.fixture
def exact(people):
    """The known dataset three times over: women 18, men 21, other 3 active; exits 15, 12 of them (the
    women) to work. Every count is a multiple of 3 and is published as it is (tests/reporting/conftest.py)."""
    return known_dataset(people, scale=3)


def report_rows() -> list[AccessLog]:
    return list(AccessLog.objects.filter(object_type="reporting.report").order_by("pk"))


def expected_table(table) -> list[list[str]]:
    """A true table (reporting.report.Table) as the page must show it: every count rounded by its
    records; in a table of rows and their total, a gender's column held back under a small published
    total of that column; in the participants table, a figure's split held back under its own total."""
    if table.key in SEPARATE_FIGURES:
        return [split(row) for row in table.rows]
    *rows, totals = [published(row) for row in table.rows]
    return [[part_of(number, totals[column]) for column, number in enumerate(row)] for row in rows] + [
        [str(number) for number in totals]
    ]


def shown_table(table) -> list[list[str]]:
    return [texts(row.figures) for row in table.rows]


def key_sums(statistics) -> dict[str, int]:
    """The sum of the statistical records' rounding keys, by gender."""
    sums = dict(statistics.values_list("gender").annotate(keys=Sum("rounding_key")))
    return {gender: sums.get(gender, 0) for gender in GENDERS}


def key_drawing(count: int, to: int, *, after: int = 0) -> int:
    """The first key sum above `after` whose draw publishes `count` as `to`."""
    return next(key for key in itertools.count(after + 1) if disclosure.rounded(count, key) == to)


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


# The period form: a half-year or a year, no own dates


def test_the_period_is_a_choice_of_a_half_year_or_the_year_and_nothing_else(client_for):
    page = body(client_for("forbundschef").get(url()))

    kinds = re.findall(r'<input type="radio" name="kind" value="([^"]+)"', page)
    assert kinds == ["H1", "H2", "year"]
    assert re.search(r'<input type="radio" name="kind" value="H1"[^>]*checked', page)
    assert "Egna datum" not in page
    assert 'name="start"' not in page and 'name="end"' not in page


def test_dates_left_in_an_old_link_do_not_stop_a_report_for_a_half_year(client_for, known):
    response = client_for("forbundschef").get(url(), {**H1, "start": "2026-13-01", "end": "igår"})

    assert response.context["report"] is not None
    assert "Skriv datumet som" not in body(response)


def test_the_download_buttons_are_a_list_without_bullets():
    assert any("list-style: none" in rule for rule in css_rules("ul.actions"))


# What the förbundschef sees: every count rounded, small breakdowns held back


def test_the_forbundschef_sees_every_municipality_split_by_gender(client_for, known):
    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)
    true = build_report(period_from_code("2026H1"))

    assert "Första halvåret 2026 (2026-01-01 – 2026-06-30)" in text
    assert "Alla kommuner" in text
    active = true.table("participants").row("Aktiva någon gång under perioden")
    assert [*active.counts.values(), active.total] == [6, 7, 1, 14]
    shown = response.context["report"].table("participants").rows[0]
    assert shown.label == "Aktiva någon gång under perioden"
    # 14 is published as 12 or 15, at least 10: the split by gender is shown, each rounded on its own.
    expected = [str(number) for number in published(active)]
    assert texts(shown.figures) == expected
    assert expected[0] == "6"  # six women: a multiple of 3, exact
    assert f"Aktiva någon gång under perioden {' '.join(expected)}" in text


def test_every_table_shows_its_counts_rounded_and_its_small_breakdowns_held_back(client_for, known):
    for municipality in ("", "nassjo", "eksjo"):
        response = client_for("forbundschef").get(url(), {**H1, "municipality": municipality})
        scope = factories.municipality(municipality) if municipality else None
        true = build_report(period_from_code("2026H1"), municipality=scope)

        shown = response.context["report"]
        assert [table.key for table in shown.tables] == [table.key for table in true.tables]
        for true_table, shown_table_ in zip(true.tables, shown.tables, strict=True):
            assert [row.label for row in shown_table_.rows] == [row.label for row in true_table.rows]
            assert shown_table(shown_table_) == expected_table(true_table), (municipality, true_table.key)


def test_a_figure_of_under_10_shows_its_total_and_holds_back_its_split(client_for, known):
    response = client_for("forbundschef").get(url(), H1)
    shown = response.context["report"]

    # Five exits, published as 3 or 6: the total is shown, its split is not.
    exited = shown.table("participants").rows[-1]
    assert exited.label == "Avslutade under perioden"
    assert texts(exited.figures)[:3] == [TOO_FEW] * 3
    assert exited.figures[-1].number in (3, 6)
    # The exits table: under a total of 3 or 6, no reason is shown for anyone; its total row is.
    exits = shown.table("exits")
    assert all(texts(row.figures)[-1] == TOO_FEW for row in exits.rows[:-1])
    assert all(texts(row.figures)[0] == TOO_FEW for row in exits.rows[:-1])  # four women: 3 or 6
    assert all(texts(row.figures)[2] == "0" for row in exits.rows[:-1])  # no one of other gender exited
    assert exits.rows[-1].figures[-1] == exited.figures[-1]  # "exited" is one figure, rounded once


def test_each_count_is_drawn_by_the_keys_of_the_records_it_counts(known):
    true = build_report(period_from_code("2026H1"))
    every = EnrolmentStatistic.objects.all()
    exits = every.filter(exited_on__isnull=False)

    assert true.table("participants").row("Aktiva någon gång under perioden").tally.keys == key_sums(every)
    assert true.table("participants").row("Avslutade under perioden").tally.keys == key_sums(exits)
    assert true.table("exits").row("Arbete").tally.keys == key_sums(exits.filter(exit_reason="work"))
    caseload = {row["code"]: row["key_sum"] for row in true.caseload}
    assert caseload["eksjo"] == sum(key_sums(every.filter(participant__municipality__code="eksjo")).values())


def test_the_same_people_give_the_same_published_figure_in_every_report_that_counts_them(client_for, known):
    client = client_for("forbundschef")
    half_year = client.get(url(), H1).context["report"]
    year = client.get(url(), {"kind": "year", "year": "2026"}).context["report"]
    nassjo = client.get(url(), {**H1, "municipality": "nassjo"}).context["report"]

    # Everyone of the dataset started, and those who left exited, in the first half-year.
    assert shown_table(year.table("participants")) == shown_table(half_year.table("participants"))
    assert shown_table(year.table("exits")) == shown_table(half_year.table("exits"))
    # The one person of other gender is in Nässjö: the same figure for all municipalities and for Nässjö.
    assert half_year.table("participants").rows[0].figures[2] == nassjo.table("participants").rows[0].figures[2]


def test_the_rounding_is_announced_on_every_report(client_for, people):
    for _number in range(3):
        enrolment(people, gender="woman")

    response = client_for("forbundschef").get(url(), H1)

    notice = re.search(r'<p class="notice" id="rounding-notice">(.*?)</p>', body(response), re.S)
    assert notice, "the rounding is announced even where every count is exact"
    assert "Alla antal avrundas slumpvis till en multipel av 3, även summorna" in notice.group(1)
    assert "Grupper under 10 personer delas inte upp." in notice.group(1)
    assert 'href="#definitions-heading"' in notice.group(1)
    assert "intervallet 1–3" not in body(response)


def test_the_page_states_how_each_figure_is_counted(client_for, known):
    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)

    assert "Så räknas siffrorna" in text
    terms = [definition.term for definition in response.context["report"].definitions]
    assert terms == [
        "Personer, inte händelser",
        "Beslut om inskrivning",
        "Började",
        "Aktiv",
        "Avslut till arbete eller studier (målet 35 %)",
        "Försörjning vid periodens slut",
        "Remissernas utfall",
        "Median antal månader i insatsen",
        "Avrundning och små grupper",
    ]
    for definition in response.context["report"].definitions:
        assert f"{definition.term} {definition.text}".replace("\xa0", " ") in text


def test_the_participants_table_has_the_new_rows_and_no_new_enrolments(client_for, known):
    shown = client_for("forbundschef").get(url(), H1).context["report"]

    assert [row.label for row in shown.table("participants").rows] == [
        "Aktiva någon gång under perioden",
        "Beslut om inskrivning under perioden",
        "Startade under perioden",
        "Aktiva vid periodens slut",
        "Varav i efterstöd vid slutet",
        "I kö vid periodens slut",
        "Ändrad försörjning under perioden",
        "Avslutade under perioden",
    ]
    assert [table.title for table in shown.tables][-4:] == [
        "Försörjning vid inskrivning (startade under perioden)",
        "Försörjning vid periodens slut (aktiva vid slutet)",
        "Försörjning efter avslut",
        "Sysselsättning efter avslut",
    ]


def test_every_row_is_on_the_page_whatever_the_data(client_for, known):
    client = client_for("forbundschef")
    with_data = client.get(url(), H1).context["report"]
    empty = client.get(url(), {"kind": "H1", "year": "2020"}).context["report"]

    assert [[row.label for row in table.rows] for table in empty.tables] == [
        [row.label for row in table.rows] for table in with_data.tables
    ]
    assert "Andra åldrar" in [row.label for row in empty.table("ages").rows]
    assert all("Inte registrerad" in [row.label for row in empty.table(key).rows] for key in ("exits", "income_after"))
    assert all(figure.text == "0" for table in empty.tables for row in table.rows for figure in row.figures)


# Goals and key figures: from the published counts


def test_the_exit_goal_is_shown_plainly_with_the_share(client_for, exact):
    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)

    assert "Målet är uppnått. 80,0 % av dem som avslutades gick till arbete eller studier; målet är 35 %." in text
    goal = response.context["report"].exit_goal
    # 12 women exited to work; 3 men exited, under 10: too few.
    assert texts(goal.figures) == ["100,0 %", "för få", "–", "80,0 %"]
    assert goal.met is True


def test_too_few_exits_to_judge_the_goal_say_so(client_for, known):
    response = client_for("forbundschef").get(url(), H1)

    goal = response.context["report"].exit_goal
    # Five exits are published as 3 or 6: no share, and no judgement, from so few.
    assert "För få avslut under perioden för att bedöma målet." in text_of(response)
    assert texts(goal.figures)[0] == TOO_FEW and texts(goal.figures)[-1] == TOO_FEW
    assert texts(goal.figures)[2] == "–"
    assert goal.met is None
    assert "av dem som avslutades gick till arbete" not in text_of(response)


def test_a_missed_goal_says_so(client_for, people):
    for _number in range(9):
        enrolment(people, gender="man", exited=date(2026, 3, 1), reason="lack_of_motivation")
    for _number in range(3):
        enrolment(people, gender="man", exited=date(2026, 3, 1), reason="studies")

    text = text_of(client_for("forbundschef").get(url(), H1))

    assert "Målet är inte uppnått. 25,0 % av dem som avslutades gick till arbete eller studier" in text


def test_the_goal_is_judged_on_the_published_share_not_the_true_one(client_for, people):
    to_work = [enrolment(people, gender="man", exited=date(2026, 3, 1), reason="work") for _number in range(4)]
    others = [
        enrolment(people, gender="man", exited=date(2026, 3, 1), reason="lack_of_motivation") for _number in range(7)
    ]
    # Truly 4 of 11 (36.4 %) went to work: over the goal. The draws are set so that the 4 are published
    # as 3 and the 11 as 12, which gives 25 %: under it.
    part_key = key_drawing(4, 3)
    whole_key = key_drawing(11, 12, after=part_key)
    EnrolmentStatistic.objects.filter(participant__in=[*to_work, *others]).update(rounding_key=0)
    EnrolmentStatistic.objects.filter(participant=to_work[0]).update(rounding_key=part_key)
    EnrolmentStatistic.objects.filter(participant=others[0]).update(rounding_key=whole_key - part_key)
    assert build_report(period_from_code("2026H1")).exit_goal.of() == Decimal("0.364")

    response = client_for("forbundschef").get(url(), H1)

    goal = response.context["report"].exit_goal
    assert texts(goal.figures) == ["–", "25,0 %", "–", "25,0 %"]
    assert goal.met is False
    assert "Målet är inte uppnått. 25,0 % av dem som avslutades" in text_of(response)


@pytest.mark.parametrize(("exits", "published_as"), [(10, 9), (10, 12), (11, 9), (11, 12)])
def test_a_median_and_a_share_are_shown_where_the_published_number_of_exits_is_at_least_10(
    client_for, people, exits, published_as
):
    exited = [enrolment(people, gender="man", exited=date(2026, 3, 1), reason="work") for _number in range(exits)]
    EnrolmentStatistic.objects.filter(participant__in=exited).update(rounding_key=0)
    EnrolmentStatistic.objects.filter(participant=exited[0]).update(rounding_key=key_drawing(exits, published_as))
    # 15 January to 1 March: 45 days, 1.5 months, for everyone.
    assert build_report(period_from_code("2026H1")).median_months["total"] == Decimal("1.5")

    report = client_for("forbundschef").get(url(), H1).context["report"]

    shown = "1,5" if published_as >= 10 else TOO_FEW
    assert texts(report.median_months) == ["–", shown, "–", shown]
    share = "100,0 %" if published_as >= 10 else TOO_FEW
    assert texts(report.exit_goal.figures) == ["–", share, "–", share]


def test_the_page_shows_youth_share_median_and_caseload(client_for, people, exact):
    for _number in range(6):
        enrolment(people, gender="woman", birth=date(2000, 1, 1))

    response = client_for("forbundschef").get(url(), H1)
    text = text_of(response)
    report = response.context["report"]

    # Of those who started: women 6 young of 24, men none of 21, other 3 in all (too few), 6 of 48.
    assert texts(report.youth_share.figures) == ["25,0 %", "0,0 %", "för få", "12,5 %"]
    assert "12,5 % av dem som startade under perioden var 18–29 år." in text
    # Twelve women from 15 January to 20 May: 125 days, 4.1 months; three men to 30 June, too few.
    assert texts(report.median_months) == ["4,1", "för få", "–", "4,1"]
    nassjo = next(row for row in report.caseload if row.municipality == "Nässjö")
    assert texts([nassjo.active, nassjo.capacity, nassjo.fte, nassjo.use]) == ["27", "36", "180 %", "75,0 %"]
    assert re.search(r"Nässjö 27 36 180 % 75,0 %", text)


def test_the_caseload_is_the_published_active_at_the_end_of_each_municipality(client_for, known):
    client = client_for("forbundschef")
    everyone = client.get(url(), H1).context["report"]

    for municipality in ("nassjo", "eksjo"):
        own = client.get(url(), {**H1, "municipality": municipality}).context["report"]
        (caseload,) = own.caseload
        listed = next(row for row in everyone.caseload if row.municipality == caseload.municipality)
        assert listed.active == caseload.active == own.table("participants").rows[3].figures[-1]
        assert listed.active.number % 3 == 0


def test_one_municipality_is_counted_alone(client_for, known):
    response = client_for("forbundschef").get(url(), {**H1, "municipality": "eksjo"})

    report = response.context["report"]
    assert report.scope == "Eksjö"
    # Two men: published as 0 or 3, and under 10 their split is held back (all "0" under a total of 0).
    active = build_report(period_from_code("2026H1"), municipality=factories.municipality("eksjo")).table(
        "participants"
    )
    assert [*active.rows[0].counts.values(), active.rows[0].total] == [0, 2, 0, 2]
    assert texts(report.table("participants").rows[0].figures) == split(active.rows[0])
    assert texts(report.table("participants").rows[0].figures) in (["0", "0", "0", "0"], ["för få"] * 3 + ["3"])
    assert [row.municipality for row in report.caseload] == ["Eksjö"]


def test_a_municipality_sees_health_data_only_in_groups(client_for, known):
    response = client_for("forbundschef").get(url(), {**H1, "municipality": "nassjo"})
    report = response.context["report"]

    assert [row.label for row in report.table("exits").rows] == [
        "Arbete eller studier",
        "Andra orsaker",
        "Inte registrerad",
        "Totalt",
    ]
    assert [row.label for row in report.table("income_before").rows] == [
        "Lön",
        "Studiemedel",
        "Ersättning, bidrag eller stöd",
        "Ingen eller annan",
        "Inte registrerad",
        "Totalt",
    ]
    assert [row.label for row in report.table("occupation_after").rows] == [
        "Arbete, med eller utan stöd",
        "Studier",
        "Annat eller okänt",
        "Inte registrerad",
        "Totalt",
    ]
    text = text_of(response)
    assert "Försämrad hälsa" not in text and "Sjukpenning" not in text and "Sjukskrivning" not in text
    everyone = text_of(client_for("forbundschef").get(url(), H1))
    assert "Försämrad hälsa" in everyone and "Sjukpenning" in everyone


def test_a_municipalitys_report_leaves_the_survey_to_the_report_for_all(client_for, people, known):
    for answer in (5, 6, 2):
        SurveyResponse.objects.create(
            municipality=factories.municipality("nassjo"),
            answered_on=date(2026, 3, 10),
            gender="woman",
            q1=answer,
            entered_by=people["coach.nassjo"],
        )

    response = client_for("chef.nassjo").get(url(), H1)

    report = response.context["report"]
    assert (report.survey, report.survey_responses) == ([], [])
    assert report.survey_note.startswith("Indikatorenkäten redovisas för Höglandet som helhet, aldrig per kommun")
    assert f'<p id="survey-note">{report.survey_note}</p>' in body(response)
    assert 'id="survey-caption"' not in body(response)
    assert "besvarade enkäten" not in text_of(response)


def test_the_page_lists_the_survey_and_the_certifications(client_for, people, known):
    nassjo = factories.municipality("nassjo")
    # Question 1: twelve women, nine of them in the top three steps; three men, none of them.
    answers = [("woman", 5)] * 6 + [("woman", 4)] * 3 + [("woman", 2)] * 3 + [("man", 1)] * 3
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
    assert texts(first.shares) == ["75,0 %", "för få", "–", "60,0 %"]
    assert texts(first.answered) == ["12", "3", "0", "15"]
    assert first.verdict == "Målet är inte uppnått"
    assert first.question in text
    assert "15 besvarade enkäten under perioden" in text
    assert "Nässjö, 2026-01-01 – 2026-06-30" in text
    assert "Per Sandberg" in text
    assert "En coach var föräldraledig i mars." in text


def test_the_number_of_answers_is_rounded_by_the_answers_it_counts(client_for, people):
    for gender in ("woman", "woman", "woman", "woman", "man", "man"):
        SurveyResponse.objects.create(
            municipality=factories.municipality("nassjo"),
            answered_on=date(2026, 3, 10),
            gender=gender,
            q1=5,
            entered_by=people["coach.nassjo"],
        )
    keys = key_sums(SurveyResponse.objects.all())

    report = client_for("forbundschef").get(url(), H1).context["report"]

    expected = [rounded(4, keys["woman"]), rounded(2, keys["man"]), 0, rounded(6, sum(keys.values()))]
    assert texts(report.survey_responses) == [str(number) for number in expected]
    assert expected[-1] == 6
    # Six answers: too few for a share, in total and for each gender.
    assert texts(report.survey[0].shares) in (
        [TOO_FEW, TOO_FEW, "–", TOO_FEW],
        [TOO_FEW, "–", "–", TOO_FEW],
    )
    assert report.survey[0].verdict == "För få svar för att bedöma"


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
    assert report.table("participants").rows[0].figures[-1].text == "12"  # 6 + 5 + 1, a multiple of 3
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
        # There are no own dates (two ranges a day apart would single out the events between them).
        ({"kind": "dates", "start": "2026-01-01", "end": "2026-06-30"}, "Välj en period i listan."),
        ({"kind": "dates", "year": "2026", "start": "2026-06-30", "end": "2026-07-01"}, "Välj en period i listan."),
        ({"kind": "H3", "year": "2026"}, "Välj en period i listan."),
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
            period_start=date(2026, 1, 1) if number < 6 else date(2026, 7, 1),
            period_end=date(2026, 6, 30) if number < 6 else date(2026, 12, 31),
            follows_description=True,
            fte_as_agreed=True,
            certified_by=people["chef.nassjo"],
        )
    client = client_for("forbundschef")

    with django_assert_num_queries(QUERIES_FOR_THE_PAGE):
        response = client.get(url(), {"kind": "year", "year": "2026"})

    assert response.status_code == 200
    assert len(response.context["report"].certifications) == min(scale * 3, 12)


# Session, user, the second-factor device that verified the session (django-otp checks it on every
# request), memberships, the municipalities to choose from (the caseload's too); the report's counts
# (every table and the caseload, in one query), the medians, the survey and the certifications; the
# period's adopted scope, if any; the access-log row. (The session, renewed at sign-in, is not written
# again within the minute.)
QUERIES_FOR_THE_PAGE = 11
