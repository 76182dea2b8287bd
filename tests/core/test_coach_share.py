"""A coach's share of a full-time post (Membership.fte_percent): 20 participants per full-time post
(docs/domain.md#capacity). It changes only through sehoglandet.services.set_coach_share."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from sehoglandet import services
from sehoglandet.events import CoreEvent
from sehoglandet.models import CaseEvent, Membership, Organisation, Role


def coach_membership(username: str = "coach.nassjo") -> Membership:
    return Membership.objects.get(user__username=username, role=Role.COACH)


def test_the_administrator_sets_a_coachs_share_with_history_and_a_case_event(people):
    membership = services.set_coach_share(actor=people["admin"], membership=coach_membership(), fte_percent=80)

    assert coach_membership().fte_percent == 80
    assert coach_membership().capacity == 16
    latest = membership.history.latest("history_date")
    assert (latest.history_user.username, latest.history_change_reason) == ("admin", CoreEvent.COACH_SHARE_CHANGED)
    event = CaseEvent.objects.get(code=CoreEvent.COACH_SHARE_CHANGED)
    assert event.actor.username == "admin"
    assert (event.payload["from"], event.payload["to"]) == (100, 80)


def test_setting_the_same_share_again_writes_nothing(people):
    history = Membership.history.count()

    services.set_coach_share(actor=people["admin"], membership=coach_membership(), fte_percent=100)

    assert Membership.history.count() == history
    assert not CaseEvent.objects.filter(code=CoreEvent.COACH_SHARE_CHANGED).exists()


@pytest.mark.parametrize("username", ["coach.nassjo", "chef.nassjo", "forbundschef", "auditor"])
def test_nobody_but_the_administrator_may_set_a_share(people, username):
    with pytest.raises(PermissionDenied):
        services.set_coach_share(actor=people[username], membership=coach_membership(), fte_percent=50)

    assert coach_membership().fte_percent == 100


@pytest.mark.parametrize("share", [101, 250])
def test_a_share_above_a_full_post_is_refused_and_nothing_changes(people, share):
    with pytest.raises(ValidationError):
        services.set_coach_share(actor=people["admin"], membership=coach_membership(), fte_percent=share)

    assert coach_membership().fte_percent == 100
    assert not CaseEvent.objects.filter(code=CoreEvent.COACH_SHARE_CHANGED).exists()


def test_only_a_coach_has_a_share_of_a_post(people):
    manager = Membership.objects.get(user__username="chef.nassjo")

    with pytest.raises(ValidationError) as refused:
        services.set_coach_share(actor=people["admin"], membership=manager, fte_percent=50)

    assert "fte_percent" in refused.value.message_dict
    assert Membership.objects.get(pk=manager.pk).fte_percent == 100


def test_a_coach_the_administrator_adds_in_the_admin_keeps_the_share_typed_in(client_for, people):
    newcomer = User.objects.create_user("ny.coach")
    team = Organisation.objects.get(code="eksjo-se")

    response = client_for("admin").post(
        "/admin/sehoglandet/membership/add/",
        {"user": newcomer.pk, "organisation": team.pk, "role": Role.COACH, "fte_percent": 50},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert (membership.role, membership.fte_percent, membership.capacity) == (Role.COACH, 50, 10)
    assert CaseEvent.objects.filter(code=CoreEvent.COACH_SHARE_CHANGED, actor=people["admin"]).exists()
