"""A pre-meeting held on the spot (issue 14, point 5): the coach holds it with the person now, and one
form books it, records it and, if the coach picks a coming meeting, puts the referral on its agenda.

Before, a submitted referral reached the agenda through six pages (referral, booking, referral,
record, referral, meeting) and three posts; now through three pages (referral, this form, meeting)
and one post.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.events import ReferralEvent
from referrals.models import AgendaItem, PreMeeting, Referral
from sehoglandet.models import AccessLog, CaseEvent
from tests.factories import WITHOUT_FK, make_meeting, make_ready_referral, make_referral
from tests.helpers import PERSONAS, body, every_row, messages_of, shows, statuses_by_persona

NOTE = "Vill arbeta inom handel, har körkort."


def url(referral: Referral) -> str:
    return reverse("referrals:pre_meeting_hold", args=[referral.pk])


def hold_data(**overrides) -> dict:
    data = {
        "target_group": "on",
        "needs_two_parties": "on",
        "motivated": "on",
        "income_secured": "on",
        "notes": NOTE,
        "outcome": PreMeeting.Outcome.MEETS.value,
        "outcome_reason": "",
        "meeting": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def hold(people, referral: Referral, **kwargs) -> PreMeeting:
    values = {"outcome": PreMeeting.Outcome.MEETS, "target_group": True, "notes": NOTE, **kwargs}
    return services.hold_pre_meeting_now(actor=people["coach.nassjo"], referral=referral, **values)


# The service


def test_held_now_the_pre_meeting_is_booked_and_held_today_and_the_referral_is_ready(people):
    referral = make_referral(people)

    pre_meeting = hold(people, referral)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.READY
    assert pre_meeting.held_on == timezone.localdate()
    assert timezone.localtime(pre_meeting.booked_for).date() == timezone.localdate()
    assert (pre_meeting.coach, pre_meeting.notes, pre_meeting.target_group) == (people["coach.nassjo"], NOTE, True)
    assert pre_meeting.history.get().history_change_reason == ReferralEvent.PRE_MEETING_HELD_NOW
    assert list(CaseEvent.objects.filter(record_id=referral.pk).values_list("code", flat=True).order_by("pk"))[-1:] == [
        ReferralEvent.PRE_MEETING_HELD_NOW
    ]


def test_held_now_with_a_meeting_the_referral_goes_on_its_agenda_in_the_same_step(people):
    referral = make_referral(people)
    meeting = make_meeting(people)

    hold(people, referral, meeting=meeting)

    item = AgendaItem.objects.get(referral=referral)
    assert (item.meeting, item.kind) == (meeting, AgendaItem.Kind.NEW_REFERRAL)


def test_a_referral_sent_back_can_be_held_again_on_the_spot_and_goes_back_as_sent_back(people):
    referral = make_referral(people)
    hold(people, referral)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.SENT_BACK, decided_at=timezone.now())
    meeting = make_meeting(people)

    hold(people, referral, meeting=meeting)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.READY
    assert AgendaItem.objects.get(referral=referral).kind == AgendaItem.Kind.SENT_BACK


def test_a_referral_that_needs_more_preparation_keeps_its_status_and_waits(people):
    referral = make_referral(people)

    hold(people, referral, outcome=PreMeeting.Outcome.NEEDS_PREPARATION)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED
    assert PreMeeting.objects.get(referral=referral).outcome == PreMeeting.Outcome.NEEDS_PREPARATION


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"outcome": PreMeeting.Outcome.DOES_NOT_MEET, "outcome_reason": " "}, "outcome_reason"),
        ({"outcome": PreMeeting.Outcome.NEEDS_PREPARATION, "meeting": "coming"}, "meeting"),
        ({"meeting": "past_deadline"}, "meeting"),
    ],
)
def test_a_refused_hold_saves_nothing(people, kwargs, field):
    referral = make_referral(people)
    meetings = {"coming": make_meeting(people), "past_deadline": make_meeting(people, days_ahead=3)}
    if "meeting" in kwargs:
        kwargs["meeting"] = meetings[kwargs["meeting"]]
    before = every_row()

    with pytest.raises(ValidationError) as refused:
        hold(people, referral, **kwargs)

    assert field in refused.value.message_dict
    assert every_row() == before


def test_a_booked_or_ready_referral_is_not_held_on_the_spot(people):
    ready = make_ready_referral(people)
    booked = make_referral(people)
    services.book_pre_meeting(actor=people["coach.nassjo"], referral=booked, booked_for=timezone.now())

    for referral in (ready, booked):
        with pytest.raises(ValidationError):
            hold(people, referral)


@pytest.mark.parametrize("username", ["coach.eksjo", "referrer.af", "chef.nassjo"])
def test_only_the_municipalitys_coach_holds_the_pre_meeting(people, username):
    referral = make_referral(people)

    with pytest.raises(PermissionDenied):
        services.hold_pre_meeting_now(actor=people[username], referral=referral, outcome=PreMeeting.Outcome.MEETS)


# The page


def test_the_referral_page_offers_to_hold_the_pre_meeting_now(client_for, people):
    referral = make_referral(people)

    page = body(client_for("coach.nassjo").get(reverse("referrals:referral_detail", args=[referral.pk])))

    assert url(referral) in page


def test_the_referral_page_does_not_offer_it_once_the_referral_is_ready(client_for, people):
    referral = make_ready_referral(people)

    page = body(client_for("coach.nassjo").get(reverse("referrals:referral_detail", args=[referral.pk])))

    assert url(referral) not in page


def test_the_form_is_for_the_municipalitys_coach(client_for, people):
    referral = make_referral(people)
    expected = {**dict.fromkeys(PERSONAS, 403), "coach.nassjo": 200, "coach.eksjo": 404}

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url(referral)))

    assert statuses == expected


def test_an_outsider_posting_the_form_gets_404_and_nothing_is_saved(client_for, people):
    referral = make_referral(people)

    response = client_for("coach.eksjo").post(url(referral), hold_data())

    assert response.status_code == 404
    assert not PreMeeting.objects.exists()


def test_the_referrer_posting_the_form_gets_403_and_nothing_is_saved(client_for, people):
    referral = make_referral(people)

    response = client_for("referrer.af").post(url(referral), hold_data())

    assert response.status_code == 403
    assert not PreMeeting.objects.exists()


def test_opening_the_form_changes_nothing_but_logs_the_look(client_for, people):
    referral = make_referral(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(url(referral))

    assert every_row(access_log=False) == before
    assert AccessLog.objects.get().person_id == referral.person_id


def test_one_post_records_the_pre_meeting_and_lands_on_the_meeting_with_the_item(client_for, people):
    referral = make_referral(people)
    meeting = make_meeting(people)

    response = client_for("coach.nassjo").post(url(referral), hold_data(meeting=meeting.pk), follow=True)

    assert response.redirect_chain == [(reverse("referrals:meeting_detail", args=[meeting.pk]), 302)]
    assert AgendaItem.objects.get(referral=referral).meeting == meeting
    assert shows(
        " ".join(messages_of(response)),
        (f"{referral.reference} står på dagordningen", f"{referral.reference} is on the agenda"),
    )


def test_without_a_meeting_the_post_goes_back_to_the_ready_referral(client_for, people):
    referral = make_referral(people)

    response = client_for("coach.nassjo").post(url(referral), hold_data())

    assert response.url == reverse("referrals:referral_detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == Referral.Status.READY


def test_the_form_offers_only_the_groups_meetings_still_open_for_items(client_for, people):
    referral = make_referral(people)
    open_meeting = make_meeting(people)
    closed = make_meeting(people, days_ahead=3)
    eksjo = make_meeting(people, municipality_code="eksjo", coach="coach.eksjo")

    form = client_for("coach.nassjo").get(url(referral)).context["form"]

    offered = list(form.fields["meeting"].queryset)
    assert offered == [open_meeting]
    assert closed not in offered and eksjo not in offered


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcome": ""}, "Utfall måste väljas."),
        ({"outcome": "does_not_meet", "outcome_reason": ""}, "Ange varför kriterierna inte är uppfyllda."),
        ({"meeting": "999999999999999999999"}, ("Välj ett av remittentgruppens kommande möten.", "Choose one of the")),
        ({"outcome": "needs_preparation", "meeting": "coming"}, ("needs more preparation", "förberedelse")),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client_for, people, overrides, message):
    referral = make_referral(people)
    meeting = make_meeting(people)
    if overrides.get("meeting") == "coming":
        overrides["meeting"] = meeting.pk
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url(referral), hold_data(**overrides))

    assert response.status_code == 200
    assert shows(body(response), message)
    assert every_row(access_log=False) == before


def test_a_consent_without_fk_still_lets_the_referral_on_the_agenda(client_for, people):
    referral = make_referral(people, consent=WITHOUT_FK)
    meeting = make_meeting(people)

    client_for("coach.nassjo").post(url(referral), hold_data(meeting=meeting.pk))

    assert AgendaItem.objects.filter(referral=referral, meeting=meeting).exists()
