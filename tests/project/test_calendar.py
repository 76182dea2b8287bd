"""The calendar feed: a secret address per user, kept as a hash, renewable (the old one answers 404),
carrying meetings, pre-meetings, transfer meetings and aftercare visits with a case reference and a link,
never a name. Fetching it writes an access-log row."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from participants import services as participant_services
from referrals import services as referral_services
from sehoglandet.models import AccessLog, CalendarFeed
from sehoglandet.services import calendar_token_hash
from tests import factories
from tests.helpers import COACHES, GROUP_MEMBERS, MANAGERS, PERSONAS, body, statuses_by_persona

PAGE = reverse("calendar_page")
MAKE = reverse("calendar_make")
STOP = reverse("calendar_stop")


def make_address(client) -> str:
    """Press "make a calendar address" and read the address off the page, as the user copies it."""
    page = body(client.post(MAKE, follow=True))
    return re.search(r'id="calendar-address"[^>]*value="([^"]+)"', page).group(1)


def feed_path(address: str) -> str:
    return address.removeprefix("http://testserver")


def fetch(address: str):
    return Client().get(feed_path(address))


def events_of(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_calendar_page_is_for_those_whose_work_has_dates(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(PAGE))

    allowed = {*COACHES, *MANAGERS, *GROUP_MEMBERS}
    assert statuses == {username: 200 if username in allowed else 403 for username in PERSONAS}


def test_the_address_is_shown_once_and_only_its_hash_is_kept(client_for, people):
    client = client_for("coach.nassjo")

    address = make_address(client)
    token = address.rsplit("/", 1)[1].removesuffix(".ics")

    feed = CalendarFeed.objects.get(user=people["coach.nassjo"])
    assert feed.token_hash == calendar_token_hash(token)
    assert token not in feed.token_hash
    assert address not in body(client.get(PAGE))


def test_the_feed_opens_without_signing_in_as_an_ical_calendar(client_for):
    address = make_address(client_for("coach.nassjo"))

    response = fetch(address)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(response.content).get("version") == "2.0"


def test_a_new_address_makes_the_old_one_answer_404(client_for):
    client = client_for("coach.nassjo")
    old = make_address(client)

    new = make_address(client)

    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200


def test_a_turned_off_address_answers_404(client_for):
    client = client_for("coach.nassjo")
    address = make_address(client)

    client.post(STOP)

    assert fetch(address).status_code == 404
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("token", ["x", "a" * 43, "a" * 500, "%00"])
def test_an_unknown_or_stale_token_answers_404_and_writes_nothing(db, token):
    before = AccessLog.objects.count()

    assert Client().get(f"/kalender/{token}.ics").status_code == 404
    assert AccessLog.objects.count() == before


def test_an_inactive_user_s_address_answers_404(client_for, people):
    address = make_address(client_for("coach.nassjo"))
    people["coach.nassjo"].is_active = False
    people["coach.nassjo"].save(update_fields=["is_active"])

    assert fetch(address).status_code == 404


def test_making_and_turning_off_take_post_only(client_for):
    client = client_for("coach.nassjo")

    assert client.get(MAKE).status_code == 405
    assert client.get(STOP).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_fetching_the_feed_writes_an_access_log_row_in_the_user_s_name(client_for, people):
    address = make_address(client_for("coach.nassjo"))

    fetch(address)

    row = AccessLog.objects.latest("created_at")
    assert (row.user, row.action, row.object_type) == (people["coach.nassjo"], "list", "sehoglandet.calendarfeed")


def test_the_feed_holds_the_user_s_appointments_with_a_reference_and_a_link_and_no_name(client_for, people):
    person = factories.make_person(people["referrer.af"], first_name="Alva", last_name="Brandt")
    referral = factories.make_referral(people, person=person)
    referral_services.book_pre_meeting(
        actor=people["coach.nassjo"], referral=referral, booked_for=timezone.now() + timedelta(days=3)
    )
    meeting = factories.make_meeting(people)
    address = make_address(client_for("coach.nassjo"))

    events = events_of(fetch(address))

    summaries = [str(event["summary"]) for event in events]
    assert any(referral.reference in summary for summary in summaries)
    assert any(f"/moten/{meeting.pk}/" in str(event["url"]) for event in events)
    text = fetch(address).content.decode()
    for secret in ("Alva", "Brandt", person.identity_number):
        assert secret not in text


def test_a_coach_s_feed_holds_the_aftercare_visits_and_transfer_meetings_of_their_participants(client_for, people):
    from tests.participants.conftest import enrol
    from tests.participants.test_transfer_views import consent_to_transfer, in_a_week

    (alva,) = enrol(people, ("Alva", "Brandt"))
    participant_services.assign_coach(actor=people["coach.nassjo"], participant=alva, coach=people["coach.nassjo"])
    factories.employ(people["coach.nassjo"], alva, days_ago=1)
    consent_to_transfer(people, alva)
    participant_services.start_transfer(
        actor=people["coach.nassjo"],
        participant=alva,
        to_municipality=factories.municipality("eksjo"),
        meeting_at=in_a_week(),
    )
    nassjo = make_address(client_for("coach.nassjo"))
    eksjo = make_address(client_for("coach.eksjo"))

    mine = [event["uid"] for event in events_of(fetch(nassjo))]
    theirs = [event["uid"] for event in events_of(fetch(eksjo))]

    assert any(uid.startswith("aftercare-") for uid in mine)
    assert any(uid.startswith("transfer-") for uid in mine)
    assert any(uid.startswith("transfer-") for uid in theirs)
    assert not any(uid.startswith("aftercare-") for uid in theirs)
    assert "Alva" not in fetch(nassjo).content.decode()


def test_a_group_member_s_feed_holds_their_group_s_published_meetings_only(client_for, people):
    nassjo = factories.make_meeting(people)
    factories.put_on_agenda(people, factories.make_ready_referral(people), nassjo)
    eksjo = factories.make_meeting(people, municipality_code="eksjo", coach="coach.eksjo")

    uids = [str(event["uid"]) for event in events_of(fetch(make_address(client_for("fk.nassjo"))))]

    assert f"meeting-{nassjo.pk}@se-hoglandet" in uids
    assert f"meeting-{eksjo.pk}@se-hoglandet" not in uids
