"""Remittentgrupp meetings: planning the year, the agenda, its publication and the members' responses."""

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals import selectors, services
from referrals.models import AgendaItem, ItemResponse, Meeting, PreMeeting, Referral
from sehoglandet import dates
from sehoglandet.models import ReferralGroup
from tests import factories
from tests.helpers import NASSJO_MEMBERS, sees


def nassjo_group() -> ReferralGroup:
    return ReferralGroup.objects.get(municipality__code="nassjo")


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def plan(people, year: int, *, actor: str = "coach.nassjo", deadline_days: int = 7) -> list[Meeting]:
    return services.create_meetings_for_year(
        actor=people[actor],
        referral_group=nassjo_group(),
        year=year,
        weekday=1,  # Tuesday
        nth=2,
        starts=time(13, 0),
        location="Stadshuset, rum 3",
        deadline_days=deadline_days,
    )


def add(people, meeting, referral, *, coach: str = "coach.nassjo") -> AgendaItem:
    return services.add_agenda_item(
        actor=people[coach], meeting=meeting, referral=referral, kind=AgendaItem.Kind.NEW_REFERRAL
    )


# Planning the year


def test_planning_a_coming_year_makes_one_meeting_a_month_on_the_chosen_weekday(people):
    year = timezone.localdate().year + 1

    meetings = plan(people, year, deadline_days=5)

    expected = [nth_weekday(year, month, 1, 2) for month in range(1, 13)]
    local = [timezone.localtime(m.starts_at) for m in meetings]
    assert [moment.date() for moment in local] == expected
    assert {moment.time() for moment in local} == {time(13, 0)}
    assert [m.item_deadline for m in meetings] == [day - timedelta(days=5) for day in expected]
    assert {(m.status, m.location) for m in meetings} == {(Meeting.Status.PLANNED, "Stadshuset, rum 3")}
    assert Meeting.objects.filter(referral_group=nassjo_group()).count() == 12
    assert all(m.history.first().history_user == people["coach.nassjo"] for m in meetings)


def test_planning_skips_dates_that_have_passed(people):
    today = timezone.localdate()
    now = timezone.now()

    assert plan(people, today.year - 1) == []
    meetings = plan(people, today.year)

    expected = [
        day
        for day in (nth_weekday(today.year, month, 1, 2) for month in range(1, 13))
        if timezone.make_aware(datetime.combine(day, time(13, 0))) > now
    ]
    assert [timezone.localtime(m.starts_at).date() for m in meetings] == expected
    assert not Meeting.objects.filter(starts_at__lte=now).exists()


def test_planning_again_skips_meetings_that_already_exist(people):
    year = timezone.localdate().year + 1
    march = nth_weekday(year, 3, 1, 2)
    Meeting.objects.create(
        referral_group=nassjo_group(),
        starts_at=timezone.make_aware(datetime.combine(march, time(13, 0))),
        item_deadline=march - timedelta(days=10),
    )

    first = plan(people, year)
    second = plan(people, year)

    assert len(first) == 11
    assert march not in [timezone.localtime(m.starts_at).date() for m in first]
    assert second == []
    assert Meeting.objects.filter(referral_group=nassjo_group()).count() == 12


@pytest.mark.parametrize("outsider", ["coach.eksjo", "fk.nassjo"])
def test_only_the_municipalitys_coach_plans_its_meetings(people, outsider):
    with pytest.raises(PermissionDenied):
        plan(people, timezone.localdate().year + 1, actor=outsider)

    assert not Meeting.objects.exists()


# The agenda


def test_ready_referrals_go_on_a_coming_meeting_in_the_order_they_were_added(people):
    meeting = factories.make_meeting(people)
    first, second = factories.make_ready_referral(people), factories.make_ready_referral(people)

    items = [add(people, meeting, first), add(people, meeting, second)]

    assert [item.referral for item in meeting.items.all()] == [first, second]
    assert [item.position for item in items] == [1, 2]
    assert {item.added_by for item in items} == {people["coach.nassjo"]}


def test_a_referral_sent_back_and_prepared_again_returns_to_a_later_agenda(people):
    coach = people["coach.nassjo"]
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    factories.decide(people, item, "send_back")
    pre_meeting = services.book_pre_meeting(actor=coach, referral=referral, booked_for=timezone.now())
    services.record_pre_meeting(
        actor=coach, pre_meeting=pre_meeting, held_on=timezone.localdate(), outcome=PreMeeting.Outcome.MEETS
    )

    add(people, factories.make_meeting(people, days_ahead=30), referral)

    assert referral.agenda_items.count() == 2


def test_a_meeting_that_has_taken_place_gets_no_new_items(people):
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people, days_ahead=-2)

    with pytest.raises(ValidationError):
        add(people, meeting, referral)

    assert not AgendaItem.objects.exists()
    assert not sees(people["af.nassjo"], referral)


def test_no_item_is_added_after_the_meetings_deadline(people):
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people, days_ahead=3)
    assert meeting.item_deadline < timezone.localdate()

    with pytest.raises(ValidationError) as refused:
        add(people, meeting, referral)

    assert "Sista dag att anmäla ärenden till det här mötet var" in " ".join(refused.value.messages)
    assert dates.long_date(meeting.item_deadline) in " ".join(refused.value.messages)  # a sentence: the long form
    assert not AgendaItem.objects.exists()


def test_a_referral_to_another_municipality_cannot_go_on_nassjos_agenda(people):
    referral = factories.make_ready_referral(
        people, referrer="referrer.af", municipality_code="eksjo", coach="coach.eksjo"
    )
    meeting = factories.make_meeting(people)

    with pytest.raises(ValidationError):
        add(people, meeting, referral)

    assert not AgendaItem.objects.exists()
    assert not sees(people["fk.nassjo"], referral)


@pytest.mark.parametrize("status", [Referral.Status.SUBMITTED, Referral.Status.PRE_MEETING_BOOKED])
def test_a_referral_not_yet_ready_cannot_go_on_the_agenda(people, status):
    referral = factories.make_referral(people)
    if status == Referral.Status.PRE_MEETING_BOOKED:
        services.book_pre_meeting(actor=people["coach.nassjo"], referral=referral, booked_for=timezone.now())
    referral.refresh_from_db()
    assert referral.status == status

    with pytest.raises(ValidationError):
        add(people, factories.make_meeting(people), referral)

    assert not AgendaItem.objects.exists()


def test_a_person_whose_consent_covers_no_member_of_the_group_cannot_go_on_the_agenda(people):
    # The coach refers on behalf of the SE team, with consent for the SE team only.
    referral = factories.make_ready_referral(people, referrer="coach.nassjo", consent=["{m}-se"])
    assert referral.status == Referral.Status.READY

    with pytest.raises(ValidationError):
        add(people, factories.make_meeting(people), referral)

    assert not AgendaItem.objects.exists()
    assert not any(sees(people[member], referral) for member in NASSJO_MEMBERS)


def test_the_same_referral_cannot_be_on_a_meetings_agenda_twice(people):
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    add(people, meeting, referral)

    with pytest.raises(ValidationError):
        add(people, meeting, referral)

    assert AgendaItem.objects.filter(meeting=meeting, referral=referral).count() == 1


def test_a_coach_of_another_municipality_cannot_add_to_nassjos_agenda(people):
    referral = factories.make_ready_referral(people)

    with pytest.raises(PermissionDenied):
        add(people, factories.make_meeting(people), referral, coach="coach.eksjo")

    assert not AgendaItem.objects.exists()


# Who sees an item on the agenda


def test_members_see_a_referral_only_once_it_is_on_the_agenda(people):
    referral = factories.make_ready_referral(people)
    assert not any(sees(people[member], referral) for member in NASSJO_MEMBERS)

    add(people, factories.make_meeting(people), referral)

    assert all(sees(people[member], referral) for member in NASSJO_MEMBERS)


def test_the_agenda_opens_the_referral_only_to_the_organisations_the_consent_covers(people):
    referral = factories.make_ready_referral(people, consent=factories.WITHOUT_FK)
    meeting = factories.make_meeting(people)

    add(people, meeting, referral)

    assert sees(people["af.nassjo"], referral)
    assert sees(people["region.nassjo"], referral)
    assert sees(people["bistand.nassjo"], referral)
    assert not sees(people["fk.nassjo"], referral)
    assert selectors.organisations_without_consent(referral, meeting.referral_group) == [factories.org("fk")]


def test_the_coach_and_members_of_another_municipality_never_see_the_referral(people):
    referral = factories.make_referral(people, submit=False)
    outsiders = [people["coach.eksjo"], people["fk.eksjo"], people["chef.eksjo"]]
    assert not any(sees(user, referral) for user in outsiders)

    services.submit_referral(actor=people["referrer.af"], referral=referral)
    assert not any(sees(user, referral) for user in outsiders)

    referral = factories.make_ready_referral(people)
    factories.put_on_agenda(people, referral, factories.make_meeting(people))
    assert not any(sees(user, referral) for user in outsiders)


# Publishing the agenda


def test_publishing_the_agenda_emails_every_member_once_with_a_link_and_no_personal_data(
    people, django_capture_on_commit_callbacks
):
    coach = people["coach.nassjo"]
    person = factories.make_person(coach, first_name="Zelmira", last_name="Östergren", birth=date(1988, 9, 3))
    referral = factories.make_ready_referral(people, person=person)
    meeting = factories.make_meeting(people)
    add(people, meeting, referral)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_agenda(actor=coach, meeting=meeting)
        assert mail.outbox == [], "mail leaves only after the commit"

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.published_at is not None
    recipients = [address for message in mail.outbox for address in message.to]
    assert sorted(recipients) == sorted(people[member].email for member in NASSJO_MEMBERS)
    assert all(len(message.to) == 1 for message in mail.outbox), "members must not see each other's addresses"
    link = settings.SITE_URL.rstrip("/") + reverse("referrals:meeting_detail", args=[meeting.pk])
    digits = person.identity_number
    secrets = ["Zelmira", "Östergren", digits, person.identity_display, digits[2:], f"{digits[2:8]}-{digits[8:]}"]
    for message in mail.outbox:
        assert link in message.body
        for secret in secrets:
            assert secret not in message.subject, secret
            assert secret not in message.body, secret


def test_an_agenda_is_published_only_once(people, django_capture_on_commit_callbacks):
    meeting = factories.make_meeting(people)
    add(people, meeting, factories.make_ready_referral(people))
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_agenda(actor=people["coach.nassjo"], meeting=meeting)
    sent = len(mail.outbox)
    published_at = Meeting.objects.get(pk=meeting.pk).published_at

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.publish_agenda(actor=people["coach.nassjo"], meeting=meeting)

    assert sent == len(NASSJO_MEMBERS)
    assert len(mail.outbox) == sent
    assert Meeting.objects.get(pk=meeting.pk).published_at == published_at


@pytest.mark.parametrize("outsider", ["fk.nassjo", "coach.eksjo"])
def test_only_the_coach_publishes_the_agenda(people, outsider, django_capture_on_commit_callbacks):
    meeting = factories.make_meeting(people)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.publish_agenda(actor=people[outsider], meeting=meeting)

    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED
    assert mail.outbox == []


# Members' responses


@pytest.fixture
def item_without_fk(people):
    referral = factories.make_ready_referral(people, consent=factories.WITHOUT_FK)
    return factories.put_on_agenda(people, referral, factories.make_meeting(people))


def respond(people, member, item, active=ItemResponse.Active.YES, note=""):
    return services.respond_to_item(actor=people[member], item=item, active=active, note=note)


def test_a_member_whose_organisation_the_consent_covers_marks_the_person_active_with_them(people, item_without_fk):
    response = respond(people, "af.nassjo", item_without_fk, note="Inskriven sedan mars.")

    response.refresh_from_db()
    assert response.organisation == factories.org("af")
    assert response.responded_by == people["af.nassjo"]
    assert (response.active, response.note) == (ItemResponse.Active.YES, "Inskriven sedan mars.")


def test_a_second_response_from_the_same_organisation_updates_the_first(people, item_without_fk):
    respond(people, "af.nassjo", item_without_fk, note="Inskriven sedan mars.")
    respond(people, "region.nassjo", item_without_fk)

    respond(people, "af.nassjo", item_without_fk, ItemResponse.Active.NO, "Avslutad i oktober.")

    responses = {r.organisation.code: (r.active, r.note) for r in item_without_fk.responses.all()}
    assert responses == {
        "af": (ItemResponse.Active.NO, "Avslutad i oktober."),
        "region-psykiatri": (ItemResponse.Active.YES, ""),
    }


@pytest.mark.parametrize(
    "outsider",
    ["fk.nassjo", "fk.eksjo", "coach.nassjo", "referrer.af"],
    ids=["member the consent leaves out", "member of another group", "coach (no seat)", "referrer (no seat)"],
)
def test_anyone_else_cannot_respond(people, item_without_fk, outsider):
    with pytest.raises(PermissionDenied):
        respond(people, outsider, item_without_fk)

    assert not ItemResponse.objects.exists()


def test_members_respond_only_once_the_agenda_is_published(people):
    referral = factories.make_ready_referral(people)
    item = factories.put_on_agenda(people, referral, factories.make_meeting(people), publish=False)

    with pytest.raises(ValidationError):
        respond(people, "af.nassjo", item)

    assert not ItemResponse.objects.exists()
