"""Income (försörjning) on the participant page: the list from enrolment on, the short form for a
change, what is refused in Swedish with nothing saved, and a page whose queries do not grow."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants import services
from participants.models import IncomeRecord
from tests.helpers import PERSONAS, body, every_row, outcomes_by_persona, status_shown_and_changed_tables, today

from .conftest import exit_directly
from .test_participant_views import url


def income_data(**overrides) -> dict:
    data = {
        "source": "activity_compensation",
        "valid_from": today().isoformat(),
        "review_on": (today() + timedelta(days=180)).isoformat(),
    }
    data.update(overrides)
    return data


def income_section(page: str) -> str:
    """The text of the income section as a reader sees it, tags left out and spaces collapsed."""
    start = page.index('id="income-heading"')
    return " ".join(re.sub(r"<[^>]+>", "", page[start : page.index("</section>", start)]).split())


def action_form(page: str) -> str:
    """The text of an action's own page's form, where a refused form comes back with its errors."""
    start = page.index('class="card action-form"')
    return " ".join(re.sub(r"<[^>]+>", "", page[start : page.index("</section>", start)]).split())


def test_only_the_municipalitys_coach_may_record_income(client_for, participant):
    everyone_else = [username for username in PERSONAS if username != "coach.nassjo"]
    data = income_data()
    record = status_shown_and_changed_tables(
        lambda client: client.post(url("income_add", participant.pk), data), "Brandt", access_log=False
    )

    outcomes = outcomes_by_persona(client_for, everyone_else, record)

    assert outcomes == {username: (404 if username == "coach.eksjo" else 403, False, []) for username in everyone_else}


def test_the_page_shows_the_income_at_enrolment_from_the_referral(client_for, participant):
    section = income_section(body(client_for("coach.nassjo").get(url("participant_detail", participant.pk))))

    assert f"Sjukpenning: vid inskrivning, från {participant.decided_on.isoformat()}" in section
    assert "Registrera ändrad försörjning" in section


def test_the_coach_records_a_change_and_sees_it_with_its_review_date(client_for, people, participant):
    response = client_for("coach.nassjo").post(url("income_add", participant.pk), income_data(), follow=True)

    income = participant.incomes.get(phase=IncomeRecord.Phase.DURING)
    assert response.redirect_chain == [(url("participant_detail", participant.pk), 302)]
    assert (income.source, income.valid_from, income.review_on, income.recorded_by) == (
        "activity_compensation",
        today(),
        today() + timedelta(days=180),
        people["coach.nassjo"],
    )
    page = body(response)
    assert "Försörjningen är registrerad." in page
    section = income_section(page)
    review_on = (today() + timedelta(days=180)).isoformat()
    assert f"Aktivitetsersättning: under stödet, från {today().isoformat()}, omprövas senast {review_on}" in section
    assert section.index("Sjukpenning") < section.index("Aktivitetsersättning")


def test_the_review_date_may_be_left_empty(client_for, participant):
    client_for("coach.nassjo").post(url("income_add", participant.pk), income_data(review_on=""))

    assert participant.incomes.get(phase=IncomeRecord.Phase.DURING).review_on is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (income_data(source="lottery"), "Välj en försörjning i listan."),
        (income_data(source=""), "Välj en försörjning i listan."),
        (
            income_data(valid_from=(timezone.localdate() - timedelta(days=1)).isoformat()),
            "Datumet kan inte ligga före beslutet om inskrivning.",
        ),
        (
            income_data(valid_from=(timezone.localdate() + timedelta(days=1)).isoformat()),
            "Datumet kan inte ligga i framtiden.",
        ),
        (
            income_data(review_on=(timezone.localdate() - timedelta(days=1)).isoformat()),
            "Omprövningsdatumet kan inte vara före att försörjningen börjar.",
        ),
        (income_data(valid_from="idag"), "Fyll i ett giltigt datum."),
    ],
    ids=["source outside the list", "no source", "before the enrolment", "future", "review before start", "not a date"],
)
def test_a_bad_income_is_refused_in_swedish_and_nothing_is_saved(client_for, participant, data, message):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("income_add", participant.pk), data)

    assert response.status_code == 200
    assert message in action_form(body(response))
    assert every_row(access_log=False) == before


def test_no_income_is_recorded_after_exit_and_the_form_is_gone(client_for, participant):
    exit_directly(participant)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("income_add", participant.pk), income_data(), follow=True)

    assert every_row(access_log=False) == before
    page = body(response)
    assert "Deltagaren är avslutad: försörjningen kan inte längre ändras." in page
    assert "Sjukpenning" in income_section(page)
    assert url("income_add", participant.pk) not in page


def test_the_manager_sees_the_incomes_without_the_form(client_for, people, participant):
    services.record_income(
        actor=people["coach.nassjo"], participant=participant, source="social_assistance", valid_from=today()
    )

    section = income_section(body(client_for("chef.nassjo").get(url("participant_detail", participant.pk))))

    assert "Försörjningsstöd: under stödet" in section
    assert "Registrera ändrad försörjning" not in section


def test_the_page_needs_the_same_number_of_queries_for_one_income_and_for_many(
    client_for, people, participant, django_assert_num_queries
):
    client = client_for("coach.nassjo")
    client.get(url("participant_detail", participant.pk))
    with CaptureQueriesContext(connection) as one:
        client.get(url("participant_detail", participant.pk))
    for source in ("activity_compensation", "social_assistance", "salary", "none"):
        services.record_income(actor=people["coach.nassjo"], participant=participant, source=source, valid_from=today())

    with django_assert_num_queries(len(one)):
        response = client.get(url("participant_detail", participant.pk))

    assert len(response.context["incomes"]) == 5
