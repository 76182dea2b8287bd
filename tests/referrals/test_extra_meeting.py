"""A single extra meeting of a remittentgrupp (issue 14, point 6), besides the year's plan: a date, a
time and a place. Refused with a reason for a date that has passed or already has a meeting of the
group; decisions are recorded on the meeting's day, and the minutes follow once it is held."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals import minutes, services
from referrals.events import ReferralEvent
from referrals.models import Decision, Meeting, Referral
from sehoglandet.models import CaseEvent, ReferralGroup
from tests.factories import make_case, make_meeting
from tests.helpers import PERSONAS, body, every_row, messages_of, shows, statuses_by_persona

URL = reverse("referrals:meeting_add_extra")


def nassjo() -> ReferralGroup:
    return ReferralGroup.objects.get(municipality__code="nassjo")


def create(people, *, days_ahead: int = 5, starts: time = time(10, 0), username: str = "coach.nassjo", **kwargs):
    return services.create_extra_meeting(
        actor=people[username],
        referral_group=kwargs.pop("referral_group", None) or nassjo(),
        day=timezone.localdate() + timedelta(days=days_ahead),
        starts=starts,
        **kwargs,
    )


def form_data(**overrides) -> dict:
    data = {
        "referral_group": nassjo().pk,
        "day": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "starts": "10:00",
        "location": "Stadshuset, rum 2",
    }
    data.update(overrides)
    return data


# The service


def test_an_extra_meeting_is_planned_for_the_day_time_and_place_given(people):
    meeting = create(people, location="Stadshuset, rum 2")

    day = timezone.localdate() + timedelta(days=5)
    assert timezone.localtime(meeting.starts_at) == timezone.make_aware(datetime.combine(day, time(10, 0)))
    assert (meeting.location, meeting.status, meeting.item_deadline) == ("Stadshuset, rum 2", "planned", day)
    assert meeting.history.get().history_change_reason == ReferralEvent.EXTRA_MEETING_PLANNED
    event = CaseEvent.objects.get(code=ReferralEvent.EXTRA_MEETING_PLANNED)
    assert (event.actor, event.record_id) == (people["coach.nassjo"], str(meeting.pk))


def test_an_extra_meeting_today_at_a_later_hour_is_allowed(people):
    later = (timezone.localtime() + timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    if later < timezone.localtime().time():
        pytest.skip("the clock is about to pass midnight")

    meeting = create(people, days_ahead=0, starts=later)

    assert timezone.localtime(meeting.starts_at).date() == timezone.localdate()


@pytest.mark.parametrize(
    ("days_ahead", "starts", "field"),
    [(-1, time(10, 0), "day"), (0, time(0, 0), "starts")],
)
def test_a_date_or_time_that_has_passed_is_refused_with_a_reason(people, days_ahead, starts, field):
    before = every_row()

    with pytest.raises(ValidationError) as refused:
        create(people, days_ahead=days_ahead, starts=starts)

    assert field in refused.value.message_dict
    assert every_row() == before


def test_a_day_that_already_has_a_meeting_of_the_group_is_refused_naming_it(people):
    make_meeting(people, days_ahead=5)
    before = every_row()

    with pytest.raises(ValidationError) as refused:
        create(people, days_ahead=5, starts=time(9, 0))

    assert "13:00" in refused.value.message_dict["day"][0]
    assert every_row() == before


def test_a_cancelled_meeting_does_not_hold_the_day(people):
    cancelled = make_meeting(people, days_ahead=5)
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)

    assert create(people, days_ahead=5).pk != cancelled.pk


def test_another_groups_meeting_on_the_day_does_not_hold_it(people):
    make_meeting(people, municipality_code="eksjo", coach="coach.eksjo", days_ahead=5)

    assert create(people, days_ahead=5).referral_group == nassjo()


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo", "fk.nassjo"])
def test_only_the_groups_coach_creates_an_extra_meeting(people, username):
    with pytest.raises(PermissionDenied):
        create(people, username=username)
    assert not Meeting.objects.exists()


def test_decisions_are_recorded_on_the_extra_meetings_day_and_the_minutes_follow(people):
    referral = make_case(people, "Dan", "Ek")
    later = (timezone.localtime() + timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    if later < timezone.localtime().time():
        pytest.skip("the clock is about to pass midnight")
    meeting = create(people, days_ahead=0, starts=later)
    item = services.add_agenda_item(
        actor=people["coach.nassjo"], meeting=meeting, referral=referral, kind="new_referral"
    )
    services.publish_agenda(actor=people["coach.nassjo"], meeting=meeting)

    decision = services.record_decision(
        actor=people["coach.nassjo"], item=item, group_agreed=True, outcome=Decision.Outcome.ENROL
    )
    services.close_meeting(actor=people["coach.nassjo"], meeting=meeting)

    referral.refresh_from_db()
    meeting.refresh_from_db()
    assert (decision.status, referral.status) == (Decision.Status.FINAL, Referral.Status.ENROLLED)
    assert referral.participant.decided_on == timezone.localdate()
    assert minutes.has_minutes(meeting)


def test_decisions_wait_for_the_day_of_an_extra_meeting(people):
    referral = make_case(people, "Eva", "Fors")
    meeting = create(people, days_ahead=2)
    item = services.add_agenda_item(
        actor=people["coach.nassjo"], meeting=meeting, referral=referral, kind="new_referral"
    )

    with pytest.raises(ValidationError):
        services.record_decision(actor=people["coach.nassjo"], item=item, group_agreed=True, outcome="enrol")


# The page


def test_the_page_is_for_coaches(client_for):
    expected = {**dict.fromkeys(PERSONAS, 403), "coach.nassjo": 200, "coach.eksjo": 200}

    assert statuses_by_persona(client_for, PERSONAS, lambda client: client.get(URL)) == expected


def test_opening_the_page_changes_nothing(client_for):
    client = client_for("coach.nassjo")
    before = every_row()

    client.get(URL)

    assert every_row() == before


def test_the_meeting_list_and_the_year_plan_link_to_it(client_for):
    client = client_for("coach.nassjo")

    assert URL in body(client.get(reverse("referrals:meeting_list")))
    assert URL in body(client.get(reverse("referrals:meeting_plan_year")))


def test_the_coach_creates_an_extra_meeting_and_lands_on_it(client_for):
    response = client_for("coach.nassjo").post(URL, form_data(), follow=True)

    meeting = Meeting.objects.get()
    assert response.redirect_chain == [(reverse("referrals:meeting_detail", args=[meeting.pk]), 302)]
    assert meeting.location == "Stadshuset, rum 2"
    assert shows(" ".join(messages_of(response)), ("Extramötet är skapat", "The extra meeting is created"))


def test_the_coach_cannot_create_one_for_another_municipalitys_group(client_for):
    eksjo = ReferralGroup.objects.get(municipality__code="eksjo")

    response = client_for("coach.nassjo").post(URL, form_data(referral_group=eksjo.pk))

    assert response.status_code == 200
    assert shows(body(response), "Välj ett giltigt alternativ.")
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day": (timezone.localdate() - timedelta(days=1)).isoformat()}, ("Datumet har passerat", "date has passed")),
        ({"day": "2026-02-30"}, "Fyll i ett giltigt datum."),
        ({"day": ""}, "Datum måste fyllas i."),
        ({"starts": "25:00"}, "Fyll i en giltig tid."),
        ({"location": "x" * 201}, "som mest 200 tecken"),
        ({"day": "same"}, ("har redan ett möte", "already has a meeting")),
        ({"day": "9999-12-31"}, "Planera högst 2 år framåt."),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_is_saved(client_for, people, overrides, message):
    existing = make_meeting(people, days_ahead=5)
    if overrides.get("day") == "same":
        overrides["day"] = timezone.localtime(existing.starts_at).date().isoformat()
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(URL, form_data(**overrides))

    assert response.status_code == 200
    assert shows(body(response), message)
    assert every_row(access_log=False) == before
