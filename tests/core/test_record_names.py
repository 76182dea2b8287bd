"""Every record the access log or the case events can name has a name people read
(sehoglandet.records): never `referrals.referral #52`, never a person's name."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sehoglandet import records
from sehoglandet.models import AccessLog, CaseEvent
from tests.factories import make_person, make_ready_referral
from tests.helpers import APPS

# Kinds that are no model of ours: the report (reporting.exports.OBJECT_TYPE) and the user account.
NOT_MODELS = {"reporting.report", "auth.user"}


def our_records() -> set[str]:
    """Every model of the project's apps, but the history tables and guardian's grant tables."""
    return {
        model._meta.label_lower
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical") and not model.__name__.endswith("ObjectPermission")
    }


def test_every_record_of_ours_has_a_name_registered():
    assert our_records() | NOT_MODELS <= records.named_kinds()


@pytest.fixture
def case(people):
    person = make_person(people["referrer.af"], first_name="Greta", last_name="Granskad")
    return make_ready_referral(people, person=person)


def test_every_record_the_case_events_name_is_named_without_its_code_or_the_persons_name(case):
    named = records.describe(CaseEvent.objects.exclude(record_type="").values_list("record_type", "record_id"))

    assert named
    for (kind, _id), name in named.items():
        assert kind not in name
        assert "Greta" not in name and "Granskad" not in name
        assert name not in ("Annan post", "Other record")


def test_a_referral_is_named_by_its_reference(case):
    assert records.describe([("referrals.referral", str(case.pk))]) == {
        ("referrals.referral", str(case.pk)): f"Remiss {case.reference}"
    }


def test_a_record_that_no_longer_exists_is_named_by_its_kind_as_purged(db):
    named = records.describe([("referrals.referral", "999999"), ("referrals.referral", "abc")])

    assert set(named.values()) <= {"Remiss (gallrad)", "Remiss (purged)"}


def test_a_list_is_named_by_the_lists_name(db):
    named = records.describe([("participants.participant", ""), ("referrals.referral", "")])

    assert named[("participants.participant", "")] in ("Deltagarlista", "Participant list")
    assert named[("referrals.referral", "")] in ("Remisslista", "Referral list")


def test_a_kind_nobody_registered_is_named_as_another_record_never_by_its_code(db):
    named = records.describe([("something.unknown", "1")])

    assert named[("something.unknown", "1")] in ("Annan post", "Other record")


def test_an_id_no_database_integer_holds_names_no_record_and_raises_nothing(db):
    named = records.describe([("referrals.referral", "9" * 40), ("sehoglandet.person", "١٢")])

    assert len(named) == 2


def test_describe_reads_each_kind_once_however_many_records(case, people):
    few = [("referrals.referral", str(case.pk)), ("sehoglandet.person", str(case.person_id))]
    many = few + [("sehoglandet.person", str(make_person(people["referrer.af"]).pk)) for _ in range(10)]
    many += [("referrals.referral", str(make_ready_referral(people).pk)) for _ in range(3)]

    with CaptureQueriesContext(connection) as queries:
        records.describe(many)

    assert len(queries) == 2


def test_every_object_type_the_log_holds_after_the_demo_walk_is_named(case, client_for):
    client_for("coach.nassjo").get(f"/remisser/{case.pk}/")
    client_for("coach.eksjo").get(f"/remisser/{case.pk}/")
    kinds = set(AccessLog.objects.values_list("object_type", flat=True))

    assert kinds <= records.named_kinds()
