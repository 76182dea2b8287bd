"""Read queries scoped to the user who asks, each built for a constant number of queries."""

from django.db.models import QuerySet
from django.http import Http404

from . import access
from .models import Membership, Municipality, Person, ReferralGroup, ReferralGroupMember, Role


def referral_groups_visible_to(user) -> QuerySet[ReferralGroup]:
    """The remittentgrupper whose view permission reaches the user, directly or through a group."""
    return access.objects_for_user(
        user, "sehoglandet.view_referralgroup", ReferralGroup.objects.select_related("municipality")
    ).order_by("municipality__name")


def get_referral_group_for_user(user, pk: int) -> ReferralGroup:
    """One remittentgrupp, or 404 for anyone the grants do not reach (never revealing it exists)."""
    group = referral_groups_visible_to(user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def get_person_for_user(user, pk: int) -> Person:
    """A person with a case the user may see (access.persons_visible_to), or 404."""
    person = access.persons_visible_to(user).select_related("municipality").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def referral_group_members(group: ReferralGroup) -> QuerySet[ReferralGroupMember]:
    return (
        ReferralGroupMember.objects.filter(seat__referral_group=group)
        .select_related("user", "seat__organisation")
        .order_by("seat__organisation__name", "user__last_name", "user__first_name")
    )


def municipalities_with_capacity() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("se_team").order_by("name")


def roles_in_organisations(user_ids) -> dict[tuple[int, int], list[str]]:
    """The roles each user holds in each organisation, as labels users read, in one query:
    `{(user_id, organisation_id): ["SE-coach", …]}`. For pages that say in which capacity someone
    saw or changed a record (the auditor's page, the register extract)."""
    roles: dict[tuple[int, int], list[str]] = {}
    memberships = Membership.objects.filter(user_id__in=set(user_ids)).order_by("role")
    for user_id, organisation_id, role in memberships.values_list("user_id", "organisation_id", "role"):
        roles.setdefault((user_id, organisation_id), []).append(str(Role(role).label))
    return roles
