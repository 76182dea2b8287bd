"""`access.add_grants` and `access.remove_grants`: the grants the services give and take away, several
pairs in one statement (sehoglandet/access.py)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sehoglandet import access
from sehoglandet.models import ReferralGroup, ReferralGroupGroupObjectPermission, ReferralGroupUserObjectPermission

VIEW = "sehoglandet.view_referralgroup"
CHANGE = "sehoglandet.change_referralgroup"


def statements(captured: CaptureQueriesContext, verb: str) -> int:
    return sum(1 for query in captured.captured_queries if query["sql"].lstrip().upper().startswith(verb))


def test_pairs_given_reach_their_holders_and_no_one_else(people):
    eksjo = ReferralGroup.objects.get(municipality__code="eksjo")
    coach, outsider = people["coach.nassjo"], people["coach.eksjo"]
    seat_group = eksjo.seats.first().group

    access.add_grants(eksjo, groups={(seat_group.pk, CHANGE)}, users={(coach.pk, VIEW), (coach.pk, CHANGE)})

    assert access.has_object_permission(coach, VIEW, eksjo)
    assert access.has_object_permission(coach, CHANGE, eksjo)
    assert not access.has_object_permission(outsider, CHANGE, eksjo)
    assert ReferralGroupGroupObjectPermission.objects.filter(
        content_object=eksjo, group=seat_group, permission__codename="change_referralgroup"
    ).exists()


def test_many_pairs_take_one_insert_a_table_and_a_pair_held_already_stays_one_grant(people):
    nassjo = ReferralGroup.objects.get(municipality__code="nassjo")
    groups = [seat.group_id for seat in nassjo.seats.all()]
    held_before = ReferralGroupGroupObjectPermission.objects.filter(content_object=nassjo).count()
    for perm in (VIEW, CHANGE):
        access.permission_id(perm)  # read once per process; the count below is of the grants alone

    with CaptureQueriesContext(connection) as captured:
        access.add_grants(
            nassjo,
            groups={(group_id, perm) for group_id in groups for perm in (VIEW, CHANGE)},
            users={(people["admin"].pk, VIEW)},
        )

    assert statements(captured, "INSERT") == 2
    # Every seat held the view grant already (the reference data gives it): only the change grants are new.
    assert ReferralGroupGroupObjectPermission.objects.filter(content_object=nassjo).count() == held_before + len(groups)
    assert ReferralGroupUserObjectPermission.objects.filter(content_object=nassjo).count() == 1


def test_removing_takes_away_the_named_pairs_only(people):
    nassjo = ReferralGroup.objects.get(municipality__code="nassjo")
    first, second = (seat.group_id for seat in nassjo.seats.order_by("pk")[:2])
    coach = people["coach.nassjo"]
    access.add_grants(nassjo, groups={(first, CHANGE), (second, CHANGE)}, users={(coach.pk, CHANGE)})

    with CaptureQueriesContext(connection) as captured:
        access.remove_grants(nassjo, groups={(first, CHANGE), (first, VIEW)}, users={(coach.pk, CHANGE)})

    assert statements(captured, "DELETE") == 2
    remaining = set(
        ReferralGroupGroupObjectPermission.objects.filter(content_object=nassjo, group__in=[first, second]).values_list(
            "group_id", "permission__codename"
        )
    )
    assert remaining == {(second, "view_referralgroup"), (second, "change_referralgroup")}
    assert not access.has_object_permission(coach, CHANGE, nassjo)
