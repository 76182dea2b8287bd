"""`manage.py demo_data`: a signed-in user for every role, for trying the app locally, never in production."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from participants.models import Participant, Transfer
from participants.selectors import queue_of
from referrals.models import Consultation, Meeting, PreMeeting, Referral
from sehoglandet import demo
from sehoglandet.events import CoreEvent
from sehoglandet.models import CaseEvent, Membership, Municipality, ReferralGroupMember, Role
from tests.conftest import clear_database
from tests.helpers import ROLE_PERSONAS


def run_demo_data() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "seats": ReferralGroupMember.objects.count(),
        "membership history": Membership.history.count(),
        "seat history": ReferralGroupMember.history.count(),
        "municipalities": Municipality.objects.count(),
    }


def roles_of(username: str) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user__username=username).values_list("organisation__name", "role"))


def test_without_debug_the_command_refuses_and_creates_no_user(empty_database, settings):
    settings.DEBUG = False
    users_before = User.objects.count()

    with translation.override("en"), pytest.raises(CommandError) as refused:
        run_demo_data()

    assert "DEBUG" in str(refused.value)
    assert User.objects.count() == users_before
    assert not User.objects.filter(username__in=ROLE_PERSONAS).exists()
    assert not Municipality.objects.exists()


# The demo is loaded once per process that runs these tests: all go to one pytest-xdist worker
# (the Makefile runs `--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("demo_data")


@pytest.fixture(scope="module")
def _loaded_once(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, from an empty database as on a fresh installation, in
    a transaction rolled back afterwards: loading the demo cases takes a while."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        clear_database()
        output = run_demo_data()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo_data(_loaded_once, db, settings):
    settings.DEBUG = True
    return _loaded_once


def test_with_debug_every_demo_user_can_sign_in_with_the_demo_password(demo_data):
    users = {user.username: user for user in User.objects.filter(username__in=ROLE_PERSONAS)}

    assert sorted(users) == sorted(ROLE_PERSONAS)
    for user in users.values():
        assert user.is_active
        assert user.check_password("demo-2026"), user.username


def test_the_command_lists_the_logins_it_made(demo_data):
    for username in ROLE_PERSONAS:
        assert username in demo_data
    assert "demo-2026" in demo_data


def test_every_demo_user_has_the_role_demo_py_describes(demo_data):
    for username, _first, _last, organisation_code, role, _seat_of in demo.DEMO_USERS:
        memberships = Membership.objects.filter(user__username=username)
        assert list(memberships.values_list("organisation__code", "role")) == [(organisation_code, role)], username


def test_the_nassjo_coach_is_a_coach_in_the_nassjo_se_team(demo_data):
    assert roles_of("coach.nassjo") == {("SE-team Nässjö", Role.COACH)}
    assert not ReferralGroupMember.objects.filter(user__username="coach.nassjo").exists()


def test_fk_nassjo_sits_in_nassjos_referral_group_for_forsakringskassan(demo_data):
    seat = (
        ReferralGroupMember.objects.select_related("seat__organisation", "seat__referral_group__municipality")
        .get(user__username="fk.nassjo")
        .seat
    )

    assert seat.referral_group.municipality.name == "Nässjö"
    assert seat.organisation.name == "Försäkringskassan"
    assert roles_of("fk.nassjo") == {("Försäkringskassan", Role.GROUP_MEMBER)}


def test_every_demo_seat_is_where_demo_py_puts_it(demo_data):
    expected = {
        (username, seat_of, organisation_code)
        for username, _f, _l, organisation_code, _role, seat_of in demo.DEMO_USERS
        if seat_of
    }

    seats = set(
        ReferralGroupMember.objects.values_list(
            "user__username", "seat__referral_group__municipality__code", "seat__organisation__code"
        )
    )
    assert seats == expected


def test_the_demo_administrator_is_staff_but_not_a_superuser(demo_data):
    admin = User.objects.get(username="admin")

    assert admin.is_staff
    assert not admin.is_superuser
    assert roles_of("admin") == {("Höglandets samordningsförbund", Role.ADMINISTRATOR)}


def test_no_other_demo_user_is_staff_or_superuser(demo_data):
    others = User.objects.filter(username__in=ROLE_PERSONAS).exclude(username="admin")

    assert not others.filter(is_staff=True).exists()
    assert not others.filter(is_superuser=True).exists()


def test_the_director_of_the_association_is_forbundschef(demo_data):
    assert roles_of("forbundschef") == {("Höglandets samordningsförbund", Role.DIRECTOR)}


def test_running_it_twice_changes_no_count_and_writes_no_membership_history(demo_data):
    before = counts()

    run_demo_data()

    assert counts() == before


def test_the_history_names_the_system_user_as_the_one_who_made_the_demo_roles_and_seats(demo_data):
    rows = [
        *Membership.history.select_related("history_user"),
        *ReferralGroupMember.history.select_related("history_user"),
    ]

    assert rows
    assert {row.history_user.username for row in rows} == {"system"}


def test_the_history_names_the_system_user_as_the_one_who_made_the_demo_accounts(demo_data):
    rows = User.history.filter(username__in=ROLE_PERSONAS)

    assert rows.exists()
    assert set(rows.values_list("history_user__username", flat=True)) == {"system"}


def test_running_it_again_restores_a_changed_demo_password(demo_data):
    coach = User.objects.get(username="coach.nassjo")
    coach.set_password("something-else-entirely")
    coach.save(update_fields=["password"])

    run_demo_data()

    assert User.objects.get(username="coach.nassjo").check_password("demo-2026")


def test_the_demo_has_participants_in_every_status_and_step(demo_data):
    participants = Participant.objects.all()

    assert set(participants.values_list("status", flat=True)) == set(Participant.Status.values)
    assert set(participants.values_list("step", flat=True)) == set(Participant.Step.values)


def test_nassjo_is_full_and_two_people_wait_in_its_queue(demo_data):
    nassjo = Municipality.objects.get(code="nassjo")
    open_places = Participant.objects.filter(
        municipality=nassjo, status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE]
    )

    assert open_places.count() == nassjo.capacity
    assert Participant.objects.filter(municipality=nassjo, status=Participant.Status.QUEUED).count() == 2


def test_the_demo_has_an_aftercare_plan_with_a_contact_still_to_do(demo_data):
    in_aftercare = Participant.objects.get(status=Participant.Status.AFTERCARE)

    assert in_aftercare.aftercare_visits.filter(status="done").exists()
    assert in_aftercare.aftercare_visits.filter(status="planned").exists()


def test_a_transfer_from_nassjo_waits_for_eksjos_coach(demo_data):
    transfer = Transfer.objects.get()

    assert transfer.status == Transfer.Status.PENDING
    assert (transfer.from_municipality.code, transfer.to_municipality.code) == ("nassjo", "eksjo")
    assert transfer.meeting_at is not None


# The story the demo tells (issue 13): dates in order, meetings on weekdays, coaches for everyone.


def local(moment):
    return timezone.localtime(moment)


def in_working_hours(moment) -> bool:
    moment = local(moment)
    return moment.weekday() < 5 and 8 <= moment.hour < 17


def test_every_demo_case_is_referred_before_its_pre_meeting_before_the_decision_before_the_start(demo_data):
    referrals = Referral.objects.exclude(status=Referral.Status.DRAFT).prefetch_related("pre_meetings")
    now = timezone.now()

    assert referrals.count() > 40
    for referral in referrals:
        assert referral.created_at <= referral.submitted_at <= now, referral.reference
        for pre_meeting in referral.pre_meetings.all():
            assert local(referral.submitted_at).date() < local(pre_meeting.booked_for).date(), referral.reference
            if pre_meeting.held_on:
                assert pre_meeting.held_on <= local(referral.decided_at or now).date(), referral.reference
        if referral.decided_at:
            held = Meeting.objects.get(items__referral=referral, items__decision__isnull=False)
            assert held.starts_at <= referral.decided_at <= now, referral.reference
    for participant in Participant.objects.select_related("referral"):
        assert participant.decided_on == local(participant.referral.decided_at).date()
        assert participant.started_on is None or participant.decided_on <= participant.started_on
        assert participant.exited_on is None or participant.started_on < participant.exited_on


def test_meetings_and_pre_meetings_fall_on_weekdays_in_working_hours(demo_data):
    moments = [
        *Meeting.objects.values_list("starts_at", flat=True),
        *PreMeeting.objects.values_list("booked_for", flat=True),
        *Transfer.objects.values_list("meeting_at", flat=True),
    ]

    assert len(moments) > 50
    assert [local(moment) for moment in moments if not in_working_hours(moment)] == []
    assert [
        day for day in PreMeeting.objects.exclude(held_on=None).values_list("held_on", flat=True) if day.weekday() >= 5
    ] == []


def test_what_the_demo_says_happened_has_happened_and_the_coming_meetings_are_to_come(demo_data):
    now = timezone.now()

    assert not CaseEvent.objects.filter(occurred_at__gt=now).exists()
    assert not Meeting.objects.filter(status__in=[Meeting.Status.HELD], starts_at__gt=now).exists()
    assert Meeting.objects.filter(status=Meeting.Status.PUBLISHED, starts_at__gt=now).exists()
    assert Meeting.objects.filter(status=Meeting.Status.PLANNED, starts_at__gt=now).exists()


def test_the_demo_cases_have_their_case_events_on_the_days_they_happened(demo_data):
    for referral in Referral.objects.exclude(status=Referral.Status.DRAFT):
        submitted = CaseEvent.objects.get(
            code="referral.submitted", record_type="referrals.referral", record_id=str(referral.pk)
        )
        assert submitted.occurred_at == referral.submitted_at, referral.reference
    for participant in Participant.objects.all():
        enrolled = CaseEvent.objects.get(
            code="participant.enrolled", record_type="participants.participant", record_id=str(participant.pk)
        )
        assert local(enrolled.occurred_at).date() == participant.decided_on


def test_every_open_participant_has_a_responsible_coach(demo_data):
    open_cases = Participant.objects.filter(
        status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE, Participant.Status.QUEUED]
    )

    assert open_cases.count() > 30
    assert list(open_cases.filter(responsible_coach=None)) == []


def test_two_coaches_share_nassjos_places_and_carry_no_more_than_their_share(demo_data):
    nassjo = Municipality.objects.get(code="nassjo")
    coaches = Membership.objects.filter(organisation=nassjo.se_team, role=Role.COACH).select_related("user")

    assert {c.user.username: c.fte_percent for c in coaches} == {"coach.nassjo": 100, "coach2.nassjo": 80}
    assert sum(c.capacity for c in coaches) == nassjo.capacity == 36
    for membership in coaches:
        carried = membership.user.caseload.filter(
            municipality=nassjo, status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE]
        )
        assert carried.count() == membership.capacity, membership.user.username


def test_the_second_nassjo_coachs_share_was_set_through_the_service(demo_data):
    membership = Membership.objects.get(user__username="coach2.nassjo")

    assert membership.history.filter(history_change_reason=CoreEvent.COACH_SHARE_CHANGED).exists()
    assert CaseEvent.objects.filter(
        code=CoreEvent.COACH_SHARE_CHANGED, record_id=str(membership.pk), actor__username="system"
    ).exists()


def test_the_demo_only_coach_is_listed_and_signs_in_with_the_demo_password(demo_data):
    assert "coach2.nassjo" in demo_data
    assert User.objects.get(username="coach2.nassjo").check_password("demo-2026")
    assert demo.is_demo_login("coach2.nassjo")
    assert "coach2.nassjo" not in ROLE_PERSONAS


def test_a_young_person_enrolled_later_is_first_in_nassjos_queue(demo_data):
    young, older = queue_of(Municipality.objects.get(code="nassjo"))

    assert young.is_young and not older.is_young
    assert young.decided_on > older.decided_on


def test_the_coming_meeting_has_a_consultation_question(demo_data):
    consultation = Consultation.objects.get()

    assert consultation.status == Consultation.Status.RAISED
    assert consultation.meeting.status == Meeting.Status.PUBLISHED
    assert consultation.meeting.starts_at > timezone.now()


def test_running_it_twice_creates_no_second_set_of_cases(demo_data):
    counts_before = (Referral.objects.count(), Participant.objects.count(), CaseEvent.objects.count())

    output = run_demo_data()

    assert (Referral.objects.count(), Participant.objects.count(), CaseEvent.objects.count()) == counts_before
    assert "coach2.nassjo" in output
