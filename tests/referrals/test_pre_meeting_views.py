"""The coach's pre-meeting (förmöte): booking it and recording the checklist, notes and outcome.
Only the municipality's coach uses these pages; the notes never reach the referrer or the group."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import PreMeeting, Referral
from sehoglandet.models import AccessLog
from tests.factories import make_meeting, make_ready_referral, make_referral, put_on_agenda
from tests.helpers import PERSONAS, every_row, shows, statuses_by_persona

NOTE = "Har tidigare arbetat i lager, vill tillbaka dit."


def url(name: str, pk: int) -> str:
    return reverse(f"referrals:{name}", args=[pk])


def booked(people, referral: Referral | None = None) -> PreMeeting:
    referral = referral or make_referral(people)
    return services.book_pre_meeting(
        actor=people["coach.nassjo"], referral=referral, booked_for=timezone.now() - timedelta(hours=1)
    )


def record_data(**overrides) -> dict:
    data = {
        "held_on": timezone.localdate().isoformat(),
        "target_group": "on",
        "needs_two_parties": "on",
        "motivated": "on",
        "income_secured": "on",
        "notes": NOTE,
        "outcome": PreMeeting.Outcome.MEETS.value,
        "outcome_reason": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def everyone_else(expected: dict) -> dict:
    """`expected`, and 403 for every other persona."""
    return {**dict.fromkeys(PERSONAS, 403), **expected}


# Booking


def test_the_coach_books_a_pre_meeting(client_for, people):
    referral = make_referral(people)
    day = timezone.localdate() + timedelta(days=3)

    response = client_for("coach.nassjo").post(
        url("pre_meeting_book", referral.pk), {"day": day.isoformat(), "time": "09:30"}, follow=True
    )

    pre_meeting = PreMeeting.objects.get()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PRE_MEETING_BOOKED
    assert timezone.localtime(pre_meeting.booked_for).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 09:30"
    assert pre_meeting.coach == people["coach.nassjo"]
    assert f"Förmötet är bokat till {day.isoformat()} 09:30." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-02-30", "time": "09:30"}, "Fyll i ett giltigt datum."),
        ({"day": "2030-01-10", "time": "25:00"}, "Fyll i en giltig tid."),
        ({"day": "", "time": "09:30"}, ("Datum måste fyllas i.", "Datum must be filled in.")),
        ({"time": "09:30"}, ("Datum måste fyllas i.", "Datum must be filled in.")),
    ],
)
def test_a_bad_booking_is_refused_in_swedish_and_nothing_is_saved(client_for, people, data, message):
    referral = make_referral(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("pre_meeting_book", referral.pk), data)

    assert response.status_code == 200
    assert shows(response.content.decode(), message)
    assert every_row(access_log=False) == before


def test_a_referral_ready_for_the_group_cannot_be_booked_again(client_for, people):
    referral = make_ready_referral(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("pre_meeting_book", referral.pk), {"day": "2030-01-10", "time": "10:00"})

    assert response.status_code == 200
    assert "kan inte bli" in response.content.decode()
    assert every_row(access_log=False) == before


def test_booking_is_for_the_municipalitys_coach(client_for, people):
    referral = make_referral(people)
    page = url("pre_meeting_book", referral.pk)
    expected = everyone_else({"coach.nassjo": 200, "coach.eksjo": 404, "referrer.af": 403})

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(page))

    assert statuses == expected


def test_an_outsider_cannot_book(client_for, people):
    referral = make_referral(people)

    response = client_for("coach.eksjo").post(
        url("pre_meeting_book", referral.pk), {"day": "2030-01-10", "time": "10:00"}
    )

    assert response.status_code == 404
    assert not PreMeeting.objects.exists()


def test_the_booking_page_changes_nothing_but_logs_the_look(client_for, people):
    referral = make_referral(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(url("pre_meeting_book", referral.pk))

    assert every_row(access_log=False) == before
    assert AccessLog.objects.get().person_id == referral.person_id


# Recording


def test_the_coach_records_a_pre_meeting_that_meets_the_criteria(client_for, people):
    pre_meeting = booked(people)

    response = client_for("coach.nassjo").post(url("pre_meeting_record", pre_meeting.pk), record_data())

    pre_meeting.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("referral_detail", pre_meeting.referral_id)
    assert pre_meeting.held_on == timezone.localdate()
    assert (pre_meeting.target_group, pre_meeting.needs_two_parties, pre_meeting.motivated) == (True, True, True)
    assert pre_meeting.notes == NOTE
    assert pre_meeting.referral.status == Referral.Status.READY


def test_a_pre_meeting_that_needs_more_preparation_sends_the_referral_back_to_submitted(client_for, people):
    pre_meeting = booked(people)

    client_for("coach.nassjo").post(
        url("pre_meeting_record", pre_meeting.pk),
        record_data(outcome=PreMeeting.Outcome.NEEDS_PREPARATION.value, income_secured=None),
    )

    pre_meeting.refresh_from_db()
    assert pre_meeting.income_secured is False
    assert pre_meeting.referral.status == Referral.Status.SUBMITTED


def test_not_meeting_the_criteria_needs_a_reason(client_for, people):
    pre_meeting = booked(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(
        url("pre_meeting_record", pre_meeting.pk), record_data(outcome=PreMeeting.Outcome.DOES_NOT_MEET.value)
    )

    assert response.status_code == 200
    assert "Ange varför kriterierna inte är uppfyllda." in response.content.decode()
    assert NOTE in response.content.decode()
    assert every_row(access_log=False) == before


def test_not_meeting_the_criteria_with_a_reason_is_recorded(client_for, people):
    pre_meeting = booked(people)

    client_for("coach.nassjo").post(
        url("pre_meeting_record", pre_meeting.pk),
        record_data(outcome=PreMeeting.Outcome.DOES_NOT_MEET.value, outcome_reason="Saknar behov från två parter."),
    )

    pre_meeting.refresh_from_db()
    assert pre_meeting.outcome_reason == "Saknar behov från två parter."
    assert pre_meeting.referral.status == Referral.Status.READY


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": "2999-01-01"}, "Ett förmöte kan inte registreras som hållet i framtiden."),
        ({"held_on": "förra veckan"}, "Fyll i ett giltigt datum."),
        ({"outcome": "maybe"}, "Välj ett giltigt alternativ."),
        ({"outcome": None}, ("Utfall måste väljas.", "Utfall must be chosen.")),
    ],
)
def test_a_bad_record_is_refused_in_swedish_and_nothing_is_saved(client_for, people, overrides, message):
    pre_meeting = booked(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("pre_meeting_record", pre_meeting.pk), record_data(**overrides))

    assert response.status_code == 200
    assert shows(response.content.decode(), message)
    assert every_row(access_log=False) == before


def test_recording_is_for_the_municipalitys_coach(client_for, people):
    pre_meeting = booked(people)
    page = url("pre_meeting_record", pre_meeting.pk)
    expected = everyone_else({"coach.nassjo": 200, "coach.eksjo": 404, "referrer.af": 403})

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(page))

    assert statuses == expected


def test_an_outsider_cannot_record_and_a_missing_pre_meeting_gives_404(client_for, people):
    pre_meeting = booked(people)

    outsider = client_for("coach.eksjo").post(url("pre_meeting_record", pre_meeting.pk), record_data())
    missing = client_for("coach.nassjo").get(url("pre_meeting_record", pre_meeting.pk + 1000))

    pre_meeting.refresh_from_db()
    assert (outsider.status_code, missing.status_code) == (404, 404)
    assert pre_meeting.held_on is None


def test_the_record_page_changes_nothing_and_shows_what_was_recorded(client_for, people):
    pre_meeting = booked(people)
    client = client_for("coach.nassjo")
    client.post(url("pre_meeting_record", pre_meeting.pk), record_data())
    before = every_row(access_log=False)

    response = client.get(url("pre_meeting_record", pre_meeting.pk))

    assert NOTE in response.content.decode()
    assert response.context["form"]["outcome"].value() == PreMeeting.Outcome.MEETS
    assert every_row(access_log=False) == before


# Who sees the notes


def test_the_notes_reach_the_coach_and_never_the_referrer_nor_the_group(client_for, people):
    pre_meeting = booked(people)
    client_for("coach.nassjo").post(url("pre_meeting_record", pre_meeting.pk), record_data())
    referral = pre_meeting.referral
    put_on_agenda(people, referral, make_meeting(people))
    detail = url("referral_detail", referral.pk)

    coach = client_for("coach.nassjo").get(detail).content.decode()
    referrer = client_for("referrer.af").get(detail).content.decode()
    member = client_for("fk.nassjo").get(detail).content.decode()

    assert NOTE in coach
    assert NOTE not in referrer
    assert NOTE not in member
    assert "Förmöten" not in referrer and "Förmöten" not in member
