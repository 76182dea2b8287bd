"""`manage.py demo_data`: a signed-in user for every role, for trying the app locally, never in production."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from participants.models import Participant, Transfer
from sehoglandet import demo
from sehoglandet.models import Membership, Municipality, ReferralGroupMember, Role
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
