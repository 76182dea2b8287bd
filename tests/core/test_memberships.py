"""Roles and seats: who is in which organisation, and which referral groups that lets them see.

Personas come from tests/conftest.py: `admin` administers, `coach.nassjo` is the Nässjö coach,
`coach.eksjo` the outsider from Eksjö, `nobody` a signed-in user without any role.
"""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError

from sehoglandet import access, selectors, services
from sehoglandet.models import Membership, Organisation, ReferralGroup, ReferralGroupMember, ReferralGroupSeat, Role

VIEW = "sehoglandet.view_referralgroup"


@pytest.fixture
def newcomer(db) -> User:
    return User.objects.create_user("ny.anvandare", first_name="Nora", last_name="Ny", password="demo-2026-ny")


@pytest.fixture
def superuser(reference_data) -> User:
    return User.objects.create_superuser("root", "root@example.se", "demo-2026-root")


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def seat(municipality_code: str, organisation_code: str) -> ReferralGroupSeat:
    return ReferralGroupSeat.objects.get(
        referral_group__municipality__code=municipality_code, organisation__code=organisation_code
    )


def referral_group(municipality_code: str) -> ReferralGroup:
    return ReferralGroup.objects.get(municipality__code=municipality_code)


def visible(user) -> list[str]:
    return [group.municipality.code for group in selectors.referral_groups_visible_to(user)]


def fresh(user: User) -> User:
    """The user as the next request would load them, without cached roles or permissions."""
    return User.objects.get(pk=user.pk)


def seat_member(actor, user, municipality_code="nassjo", organisation_code="fk") -> ReferralGroupMember:
    services.add_membership(
        actor=actor, user=user, organisation=organisation(organisation_code), role=Role.GROUP_MEMBER
    )
    return services.add_referral_group_member(actor=actor, seat=seat(municipality_code, organisation_code), user=user)


# --- Memberships -----------------------------------------------------------------------------------


def test_a_new_role_puts_the_user_in_the_organisations_group(people, newcomer):
    nassjo_se = organisation("nassjo-se")

    services.add_membership(actor=people["admin"], user=newcomer, organisation=nassjo_se, role=Role.COACH)

    assert nassjo_se.group in fresh(newcomer).groups.all()
    assert access.roles_of(fresh(newcomer)) == {Role.COACH}


def test_a_new_role_is_recorded_in_the_history_with_the_actor_and_a_reason(people, newcomer):
    admin = people["admin"]

    membership = services.add_membership(
        actor=admin, user=newcomer, organisation=organisation("nassjo-se"), role=Role.COACH
    )

    row = membership.history.get()
    assert row.history_type == "+"
    assert row.history_user == admin
    assert row.history_change_reason
    assert row.role == Role.COACH


def test_a_removed_role_is_recorded_in_the_history_with_the_actor_and_a_reason(people, newcomer):
    admin = people["admin"]
    membership = services.add_membership(
        actor=admin, user=newcomer, organisation=organisation("nassjo-se"), role=Role.COACH
    )

    membership_id = membership.pk

    services.remove_membership(actor=admin, membership=membership)

    row = Membership.history.filter(id=membership_id).latest("history_date")
    assert row.history_type == "-"
    assert row.history_user == admin
    assert row.history_change_reason
    assert organisation("nassjo-se").group not in fresh(newcomer).groups.all()


def test_the_administrator_role_makes_the_user_staff_and_an_administrator_in_the_admin(people, newcomer):
    services.add_membership(
        actor=people["admin"], user=newcomer, organisation=organisation("forbundet"), role=Role.ADMINISTRATOR
    )

    user = fresh(newcomer)
    assert user.is_staff
    assert not user.is_superuser
    assert user.groups.filter(name="Administratörer").exists()
    assert access.may_use_admin(user)


def test_removing_the_administrator_role_takes_away_staff_and_the_administrators_group(people, newcomer):
    membership = services.add_membership(
        actor=people["admin"], user=newcomer, organisation=organisation("forbundet"), role=Role.ADMINISTRATOR
    )

    services.remove_membership(actor=people["admin"], membership=membership)

    user = fresh(newcomer)
    assert not user.is_staff
    assert not user.groups.filter(name="Administratörer").exists()
    assert not access.may_use_admin(user)


def test_another_role_does_not_make_the_user_staff(people, newcomer):
    services.add_membership(
        actor=people["admin"], user=newcomer, organisation=organisation("forbundet"), role=Role.DIRECTOR
    )

    assert not fresh(newcomer).is_staff
    assert not fresh(newcomer).groups.filter(name="Administratörer").exists()


NON_ADMINISTRATORS = ["coach.nassjo", "chef.nassjo", "fk.nassjo", "forbundschef", "auditor", "nobody"]


def everything_about(user: User) -> dict:
    return {
        "memberships": sorted(Membership.objects.values_list("user", "organisation", "role")),
        "members": sorted(ReferralGroupMember.objects.values_list("user", "seat")),
        "membership history": Membership.history.count(),
        "member history": ReferralGroupMember.history.count(),
        "groups": sorted(fresh(user).groups.values_list("name", flat=True)),
        "staff": fresh(user).is_staff,
    }


@pytest.mark.parametrize("actor", NON_ADMINISTRATORS)
def test_only_an_administrator_may_give_a_role(people, newcomer, actor):
    before = everything_about(newcomer)

    with pytest.raises(PermissionDenied):
        services.add_membership(
            actor=people[actor], user=newcomer, organisation=organisation("forbundet"), role=Role.ADMINISTRATOR
        )

    assert everything_about(newcomer) == before


def test_a_superuser_without_the_administrator_role_may_not_give_a_role(people, newcomer, superuser):
    before = everything_about(newcomer)

    with pytest.raises(PermissionDenied):
        services.add_membership(actor=superuser, user=newcomer, organisation=organisation("nassjo-se"), role=Role.COACH)

    assert everything_about(newcomer) == before


@pytest.mark.parametrize("actor", NON_ADMINISTRATORS)
def test_only_an_administrator_may_take_a_role_or_a_seat_away(people, actor):
    fk_nassjo = people["fk.nassjo"]
    membership = Membership.objects.get(user=fk_nassjo, role=Role.GROUP_MEMBER)
    member = ReferralGroupMember.objects.get(user=fk_nassjo)
    before = everything_about(fk_nassjo)

    with pytest.raises(PermissionDenied):
        services.remove_membership(actor=people[actor], membership=membership)
    with pytest.raises(PermissionDenied):
        services.remove_referral_group_member(actor=people[actor], member=member)

    assert everything_about(fk_nassjo) == before
    assert visible(fk_nassjo) == ["nassjo"]


@pytest.mark.parametrize("actor", NON_ADMINISTRATORS)
def test_only_an_administrator_may_seat_someone_in_a_referral_group(people, newcomer, actor):
    services.add_membership(
        actor=people["admin"], user=newcomer, organisation=organisation("fk"), role=Role.GROUP_MEMBER
    )
    before = everything_about(newcomer)

    with pytest.raises(PermissionDenied):
        services.add_referral_group_member(actor=people[actor], seat=seat("nassjo", "fk"), user=newcomer)

    assert everything_about(newcomer) == before
    assert visible(newcomer) == []


# --- Seats in referral groups ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organisation_code", "role"),
    [
        (None, None),
        ("fk", Role.REFERRER),
        ("af", Role.GROUP_MEMBER),
        ("nassjo-bistand", Role.GROUP_MEMBER),
    ],
    ids=["no role at all", "another role in FK", "group member of AF", "group member of the biståndsenhet"],
)
def test_a_seat_for_fk_needs_the_group_member_role_in_fk(people, newcomer, organisation_code, role):
    if organisation_code:
        services.add_membership(
            actor=people["admin"], user=newcomer, organisation=organisation(organisation_code), role=role
        )
    before = everything_about(newcomer)

    with pytest.raises(ValidationError) as refused:
        services.add_referral_group_member(actor=people["admin"], seat=seat("nassjo", "fk"), user=newcomer)

    assert "Försäkringskassan" in " ".join(refused.value.messages)
    assert everything_about(newcomer) == before
    assert visible(newcomer) == []


def test_a_group_member_role_alone_does_not_show_any_referral_group(people, newcomer):
    services.add_membership(
        actor=people["admin"], user=newcomer, organisation=organisation("fk"), role=Role.GROUP_MEMBER
    )

    assert visible(newcomer) == []


def test_a_seat_shows_the_user_that_referral_group_and_no_other(people, newcomer):
    member = seat_member(people["admin"], newcomer)

    assert visible(newcomer) == ["nassjo"]
    assert member.seat.group in fresh(newcomer).groups.all()
    row = member.history.get()
    assert row.history_user == people["admin"]
    assert row.history_change_reason


def test_seats_in_two_referral_groups_show_both(people, newcomer):
    seat_member(people["admin"], newcomer, "nassjo")
    services.add_referral_group_member(actor=people["admin"], seat=seat("eksjo", "fk"), user=newcomer)

    assert visible(newcomer) == ["eksjo", "nassjo"]


def test_after_the_seat_is_taken_away_the_referral_group_is_no_longer_visible(people, newcomer):
    member = seat_member(people["admin"], newcomer)
    member_id = member.pk

    services.remove_referral_group_member(actor=people["admin"], member=member)

    assert visible(newcomer) == []
    assert not access.has_object_permission(fresh(newcomer), VIEW, referral_group("nassjo"))
    assert not ReferralGroupMember.objects.filter(user=newcomer).exists()
    assert member.seat.group not in fresh(newcomer).groups.all()
    row = ReferralGroupMember.history.filter(id=member_id).latest("history_date")
    assert row.history_type == "-"
    assert row.history_user == people["admin"]


def test_taking_away_the_group_member_role_also_takes_away_the_seat(people, newcomer):
    seat_member(people["admin"], newcomer)
    membership = Membership.objects.get(user=newcomer, role=Role.GROUP_MEMBER)

    services.remove_membership(actor=people["admin"], membership=membership)

    assert visible(newcomer) == []
    assert not access.has_object_permission(fresh(newcomer), VIEW, referral_group("nassjo"))
    assert not ReferralGroupMember.objects.filter(user=newcomer).exists()


def test_taking_away_another_role_in_the_organisation_keeps_the_seat(people, newcomer):
    seat_member(people["admin"], newcomer)
    referrer = services.add_membership(
        actor=people["admin"], user=newcomer, organisation=organisation("fk"), role=Role.REFERRER
    )

    services.remove_membership(actor=people["admin"], membership=referrer)

    assert visible(newcomer) == ["nassjo"]


# --- Who sees which referral group -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coach.nassjo", ["nassjo"]),
        ("chef.nassjo", ["nassjo"]),
        ("bistand.nassjo", ["nassjo"]),
        ("af.nassjo", ["nassjo"]),
        ("fk.nassjo", ["nassjo"]),
        ("region.nassjo", ["nassjo"]),
        ("coach.eksjo", ["eksjo"]),
        ("fk.eksjo", ["eksjo"]),
        ("referrer.af", []),
        ("forbundschef", []),
        ("auditor", []),
        ("admin", []),
        ("nobody", []),
    ],
)
def test_each_persona_sees_only_the_referral_groups_of_their_team_or_seat(people, persona, expected):
    assert visible(people[persona]) == expected


def test_the_nassjo_coach_sees_nassjos_referral_group_and_not_eksjos(people):
    coach = people["coach.nassjo"]

    assert referral_group("nassjo") in selectors.referral_groups_visible_to(coach)
    assert referral_group("eksjo") not in selectors.referral_groups_visible_to(coach)


def test_a_superuser_without_a_membership_sees_no_referral_group(superuser):
    assert visible(superuser) == []
    assert not any(access.has_object_permission(superuser, VIEW, group) for group in ReferralGroup.objects.all())


def test_a_model_level_view_permission_given_to_the_user_opens_no_referral_group(people, newcomer):
    permission = Permission.objects.get(content_type__app_label="sehoglandet", codename="view_referralgroup")

    newcomer.user_permissions.add(permission)

    user = fresh(newcomer)
    assert user.has_perm(VIEW), "the model-level permission is in force, so the selector is what must ignore it"
    assert visible(user) == []
    assert not any(access.has_object_permission(user, VIEW, group) for group in ReferralGroup.objects.all())


def test_a_model_level_view_permission_given_through_a_group_opens_no_referral_group(people, newcomer):
    permission = Permission.objects.get(content_type__app_label="sehoglandet", codename="view_referralgroup")
    readers = Group.objects.create(name="Läsare av remittentgrupper")
    readers.permissions.add(permission)

    newcomer.groups.add(readers)

    user = fresh(newcomer)
    assert user.has_perm(VIEW)
    assert visible(user) == []


def test_a_model_level_permission_adds_nothing_to_what_a_seat_shows(people):
    permission = Permission.objects.get(content_type__app_label="sehoglandet", codename="view_referralgroup")
    people["fk.nassjo"].user_permissions.add(permission)

    assert visible(fresh(people["fk.nassjo"])) == ["nassjo"]


def test_the_object_permission_check_agrees_with_the_selector_for_every_persona_and_group(people, superuser):
    groups = list(ReferralGroup.objects.all())
    answers = set()
    for user in [*people.values(), superuser]:
        shown = set(selectors.referral_groups_visible_to(user))
        for group in groups:
            allowed = access.has_object_permission(user, VIEW, group)
            assert allowed == (group in shown), (user.username, str(group))
            answers.add(allowed)
    assert answers == {True, False}


def test_an_inactive_user_sees_no_referral_group_even_with_a_seat(people):
    fk_nassjo = people["fk.nassjo"]
    fk_nassjo.is_active = False
    fk_nassjo.save(update_fields=["is_active"])

    assert visible(fk_nassjo) == []
    assert not access.has_object_permission(fk_nassjo, VIEW, referral_group("nassjo"))


def test_a_role_and_a_seat_given_count_at_once_for_the_same_user_object(people, newcomer):
    """The gate reads a user's roles once per request (access.memberships_of), and their groups
    within each grant check; a service that changes them makes it read them afresh."""
    nassjo = referral_group("nassjo")
    assert access.roles_of(newcomer) == frozenset()
    assert list(selectors.referral_groups_visible_to(newcomer)) == []

    services.add_membership(
        actor=people["admin"], user=newcomer, organisation=organisation("af"), role=Role.GROUP_MEMBER
    )
    member = services.add_referral_group_member(actor=people["admin"], seat=seat("nassjo", "af"), user=newcomer)

    assert access.roles_of(newcomer) == {Role.GROUP_MEMBER}
    assert list(selectors.referral_groups_visible_to(newcomer)) == [nassjo]

    services.remove_referral_group_member(actor=people["admin"], member=member)

    assert list(selectors.referral_groups_visible_to(member.user)) == []
