"""Who sees the person a referral names: access.may_see_referral_identity for one referral, and
access.referral_identity_seen, the same rule as a filter for lists that sort and search by name,
give the same answer for every kind of reader and every way an identity is protected
(docs/domain.md#protected-identity)."""

import pytest

from referrals.models import Referral
from sehoglandet import access
from sehoglandet.models import Person
from tests import factories

READERS = ["coach.nassjo", "coach.eksjo", "chef.nassjo", "referrer.af", "af.nassjo", "forbundschef"]


@pytest.fixture
def referrals(people) -> dict[str, Referral]:
    """Nässjö's referrals: one open, one the writer marked protected, one of a person the registry
    protects, and one written by the Nässjö coach for AF's referrer."""
    made = {kind: factories.make_referral(people) for kind in ("open", "marked", "registry")}
    Referral.objects.filter(pk=made["marked"].pk).update(protected_identity=True)
    Person.objects.filter(pk=made["registry"].person_id).update(protected_identity=True)
    return {kind: Referral.objects.select_related("person", "municipality").get(pk=r.pk) for kind, r in made.items()}


@pytest.mark.parametrize("reader", READERS)
def test_the_filter_and_the_rule_agree_on_every_referral(people, referrals, reader):
    user = people[reader]
    for kind, referral in referrals.items():
        by_rule = access.may_see_referral_identity(user, referral)
        by_filter = Referral.objects.filter(access.referral_identity_seen(user), pk=referral.pk).exists()
        assert by_filter == by_rule, (reader, kind)


def test_the_rule_shows_the_writer_what_they_typed_unless_they_marked_it(people, referrals):
    writer = people["referrer.af"]
    assert access.may_see_referral_identity(writer, referrals["open"])
    assert access.may_see_referral_identity(writer, referrals["registry"])
    assert not access.may_see_referral_identity(writer, referrals["marked"])
    assert all(access.may_see_referral_identity(people["coach.nassjo"], r) for r in referrals.values())
    assert not access.may_see_referral_identity(people["chef.nassjo"], referrals["registry"])
