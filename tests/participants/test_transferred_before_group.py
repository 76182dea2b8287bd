"""A transferred participant comes before the referral group of their current municipality (issue 14,
point 7). Alva was enrolled by Nässjö's group and moved to Eksjö: Eksjö's coach puts her follow-up or
exit on Eksjö's agenda and Eksjö's group decides; Nässjö's group can no longer take her up. The seats
of Eksjö's group whose organisation her consent covers see her case once it is on their agenda;
Nässjö's seats lose it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consent.models import Purpose
from participants import services as participant_services
from participants.models import Participant
from referrals import selectors, services
from referrals.models import AgendaItem, Decision, ExitReason
from tests import factories
from tests.helpers import body, every_row, messages_of, sees, shows, today


@pytest.fixture
def moved(people, participant) -> Participant:
    """Alva, enrolled in Nässjö, moved to Eksjö: Eksjö's coach accepted the transfer."""
    factories.give_consent(
        people["coach.nassjo"], participant.person, org_codes=["eksjo-se"], purposes=[Purpose.TRANSFER]
    )
    transfer = participant_services.start_transfer(
        actor=people["coach.nassjo"], participant=participant, to_municipality=factories.municipality("eksjo")
    )
    participant_services.accept_transfer(actor=people["coach.eksjo"], transfer=transfer)
    participant.refresh_from_db()
    return participant


@pytest.fixture
def eksjo_meeting(people):
    return factories.make_meeting(people, municipality_code="eksjo", coach="coach.eksjo")


def put_before_eksjo(people, moved, meeting, kind=AgendaItem.Kind.PROPOSED_EXIT) -> AgendaItem:
    return services.add_agenda_item(actor=people["coach.eksjo"], meeting=meeting, referral=moved.referral, kind=kind)


# The agenda


def test_the_receiving_coach_finds_the_participant_among_the_cases_for_their_agenda(people, moved, eksjo_meeting):
    candidates = selectors.agenda_candidates(people["coach.eksjo"], eksjo_meeting)

    assert list(candidates) == [moved.referral]


def test_the_handing_over_coach_no_longer_finds_them(people, moved):
    nassjo_meeting = factories.make_meeting(people, days_ahead=20)

    assert moved.referral not in selectors.agenda_candidates(people["coach.nassjo"], nassjo_meeting)


def test_the_receiving_coach_puts_the_participants_exit_on_their_groups_agenda(people, moved, eksjo_meeting):
    item = put_before_eksjo(people, moved, eksjo_meeting)

    assert (item.meeting, item.kind, item.referral) == (eksjo_meeting, AgendaItem.Kind.PROPOSED_EXIT, moved.referral)


def test_the_handing_over_group_can_no_longer_add_them_and_is_told_where_they_went(people, moved):
    nassjo_meeting = factories.make_meeting(people, days_ahead=20)
    before = every_row()

    with pytest.raises(ValidationError) as refused:
        services.add_agenda_item(
            actor=people["coach.nassjo"], meeting=nassjo_meeting, referral=moved.referral, kind="follow_up"
        )

    assert any("Eksjö" in message for message in refused.value.messages)
    assert every_row() == before


# Who sees the case


def test_the_receiving_team_sees_the_referral_and_the_groups_seats_only_once_it_is_on_their_agenda(
    people, moved, eksjo_meeting
):
    assert sees(people["coach.eksjo"], moved.referral)
    assert not sees(people["fk.eksjo"], moved.referral)

    put_before_eksjo(people, moved, eksjo_meeting)

    assert sees(people["fk.eksjo"], moved.referral)


def test_the_handing_over_groups_seats_lose_the_case_with_the_transfer(people, participant, moved):
    for username in ("fk.nassjo", "af.nassjo", "region.nassjo", "bistand.nassjo"):
        assert not sees(people[username], moved.referral), username


def test_the_receiving_team_gets_to_view_the_referral_only(people, moved):
    coach = people["coach.eksjo"]

    assert coach.has_perm("referrals.view_referral", moved.referral)
    assert not coach.has_perm("referrals.change_referral", moved.referral)


# The decisions


def hold_today(meeting):
    factories.hold_meeting_today(meeting)
    return meeting


def test_the_receiving_group_decides_the_exit(people, moved, eksjo_meeting):
    item = put_before_eksjo(people, moved, eksjo_meeting)
    hold_today(eksjo_meeting)

    services.record_decision(
        actor=people["coach.eksjo"], item=item, group_agreed=True, outcome="exit", exit_reason=ExitReason.WORK
    )

    moved.refresh_from_db()
    assert (moved.status, moved.exit_reason, moved.exited_on) == (Participant.Status.EXITED, ExitReason.WORK, today())
    assert moved.exit_decision == item.decision


def test_the_receiving_group_books_a_follow_up(people, moved, eksjo_meeting):
    item = put_before_eksjo(people, moved, eksjo_meeting, kind=AgendaItem.Kind.FOLLOW_UP)
    hold_today(eksjo_meeting)

    decision = services.record_decision(
        actor=people["coach.eksjo"], item=item, group_agreed=True, outcome="follow_up", follow_up_on=today()
    )

    assert (decision.status, decision.outcome) == (Decision.Status.FINAL, Decision.Outcome.FOLLOW_UP)


# The pages


def test_the_receiving_coach_adds_them_from_the_meeting_page(client_for, people, moved, eksjo_meeting):
    client = client_for("coach.eksjo")
    page = client.get(reverse("referrals:meeting_detail", args=[eksjo_meeting.pk]))
    assert moved.referral in page.context["candidates"]

    response = client.post(
        reverse("referrals:agenda_add", args=[moved.referral.pk]),
        {"meeting": eksjo_meeting.pk, "kind": "proposed_exit"},
        follow=True,
    )

    assert AgendaItem.objects.filter(meeting=eksjo_meeting, referral=moved.referral).exists()
    assert shows(" ".join(messages_of(response)), moved.referral.reference)


def test_the_handing_over_coach_posting_to_their_own_group_is_refused_and_nothing_is_saved(client_for, people, moved):
    nassjo_meeting = factories.make_meeting(people, days_ahead=20)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(
        reverse("referrals:agenda_add", args=[moved.referral.pk]),
        {"meeting": nassjo_meeting.pk, "kind": "follow_up"},
        follow=True,
    )

    assert shows(" ".join(messages_of(response)), ("Eksjö",))
    assert every_row(access_log=False) == before


def test_a_member_cannot_add_an_item(client_for, people, moved, eksjo_meeting):
    response = client_for("fk.eksjo").post(
        reverse("referrals:agenda_add", args=[moved.referral.pk]), {"meeting": eksjo_meeting.pk, "kind": "follow_up"}
    )

    assert response.status_code == 403
    assert not AgendaItem.objects.filter(meeting=eksjo_meeting).exists()


def test_the_receiving_groups_member_reads_the_item_and_the_old_groups_member_no_longer_does(
    client_for, people, moved, eksjo_meeting
):
    item = put_before_eksjo(people, moved, eksjo_meeting)
    services.publish_agenda(actor=people["coach.eksjo"], meeting=eksjo_meeting)
    old_item = AgendaItem.objects.exclude(pk=item.pk).get(referral=moved.referral)

    eksjo_page = client_for("fk.eksjo").get(reverse("referrals:meeting_detail", args=[eksjo_meeting.pk]))
    nassjo_page = client_for("fk.nassjo").get(reverse("referrals:meeting_detail", args=[old_item.meeting_id]))

    assert [i.visible for i in eksjo_page.context["items"]] == [True]
    assert [i.visible for i in nassjo_page.context["items"]] == [False]
    assert moved.person.first_name not in body(nassjo_page)


def test_the_receiving_groups_member_follows_them_up_and_the_old_groups_member_no_longer_does(
    client_for, people, moved, eksjo_meeting
):
    put_before_eksjo(people, moved, eksjo_meeting, kind=AgendaItem.Kind.FOLLOW_UP)

    eksjo_summary = body(client_for("fk.eksjo").get(reverse("participants:followup_summary")))
    nassjo_summary = body(client_for("fk.nassjo").get(reverse("participants:followup_summary")))

    assert moved.referral.reference in eksjo_summary
    assert moved.person.first_name in eksjo_summary
    assert moved.referral.reference not in nassjo_summary
    assert moved.person.first_name not in nassjo_summary


def test_the_receiving_coach_records_the_exit_on_the_decision_page(client_for, people, moved, eksjo_meeting):
    item = put_before_eksjo(people, moved, eksjo_meeting)
    hold_today(eksjo_meeting)

    response = client_for("coach.eksjo").post(
        reverse("referrals:item_decide", args=[item.pk]),
        {"group_agreed": "yes", "outcome": "exit", "exit_reason": "work"},
    )

    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.status == Participant.Status.EXITED
