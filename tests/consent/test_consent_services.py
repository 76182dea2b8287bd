"""Consent (samtycke): recording, withdrawing, what it covers on a given day, and the access that follows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consent import services as consent_services
from consent.models import Consent, Purpose
from consent.selectors import covered_organisation_ids, missing_consent
from referrals.selectors import submission_problems
from sehoglandet import access
from tests import factories
from tests.helpers import NASSJO_MEMBERS, sees


def record(people, person, *, actor="referrer.af", given_days_ago=0, valid_days=365, codes=("af", "nassjo-se")):
    today = timezone.localdate()
    return consent_services.record_consent(
        actor=people[actor],
        person=person,
        organisations=[factories.org(code) for code in codes],
        purposes=[Purpose.REFERRAL_GROUP],
        given_on=today - timedelta(days=given_days_ago),
        method=Consent.Method.ORAL,
        valid_until=today + timedelta(days=valid_days),
    )


@pytest.fixture
def draft(people):
    """A draft referral without consent: its referrer may record one."""
    return factories.make_referral(people, consent=False, submit=False)


# Recording


def test_the_referrer_records_a_consent_for_the_organisations_and_purposes_given(people, draft):
    consent = record(people, draft.person, given_days_ago=3)

    consent.refresh_from_db()
    assert consent.recorded_by == people["referrer.af"]
    assert consent.given_on == timezone.localdate() - timedelta(days=3)
    assert {o.code for o in consent.organisations.all()} == {"af", "nassjo-se"}
    assert consent.purposes == [Purpose.REFERRAL_GROUP]
    assert consent.history.first().history_user == people["referrer.af"]


def test_a_consent_whose_valid_until_has_passed_is_refused_and_nothing_saved(people, draft):
    with pytest.raises(ValidationError) as refused:
        record(people, draft.person, given_days_ago=30, valid_days=-1)

    assert "valid_until" in refused.value.message_dict
    assert not Consent.objects.filter(person=draft.person).exists()
    assert submission_problems(draft), "the referral still cannot be submitted"


def test_a_consent_given_in_the_future_is_refused_and_nothing_saved(people, draft):
    with pytest.raises(ValidationError) as refused:
        record(people, draft.person, given_days_ago=-1)

    assert "given_on" in refused.value.message_dict
    assert not Consent.objects.filter(person=draft.person).exists()


def test_a_consent_needs_at_least_one_organisation(people, draft):
    with pytest.raises(ValidationError):
        record(people, draft.person, codes=())

    assert not Consent.objects.filter(person=draft.person).exists()


def test_someone_without_a_part_in_the_persons_referrals_cannot_record_consent(people, draft):
    with pytest.raises(PermissionDenied):
        record(people, draft.person, actor="coach.eksjo")

    assert not Consent.objects.filter(person=draft.person).exists()


# Withdrawing


def test_a_consent_cannot_be_withdrawn_before_it_was_given(people, draft):
    consent = record(people, draft.person, given_days_ago=10)

    with pytest.raises(ValidationError) as refused:
        consent_services.withdraw_consent(
            actor=people["referrer.af"], consent=consent, withdrawn_on=consent.given_on - timedelta(days=1)
        )

    assert "withdrawn_on" in refused.value.message_dict
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert consent.withdrawal_recorded_by is None


def test_a_consent_cannot_be_withdrawn_twice(people, draft):
    consent = record(people, draft.person, given_days_ago=10)
    first_day = timezone.localdate() - timedelta(days=2)
    consent_services.withdraw_consent(actor=people["referrer.af"], consent=consent, withdrawn_on=first_day)
    rows = consent.history.count()

    with pytest.raises(ValidationError):
        consent_services.withdraw_consent(
            actor=people["referrer.af"], consent=consent, withdrawn_on=timezone.localdate()
        )

    consent.refresh_from_db()
    assert consent.withdrawn_on == first_day
    assert consent.history.count() == rows


def test_a_withdrawal_cannot_be_recorded_for_a_future_date(people, draft):
    consent = record(people, draft.person)

    with pytest.raises(ValidationError):
        consent_services.withdraw_consent(
            actor=people["referrer.af"], consent=consent, withdrawn_on=timezone.localdate() + timedelta(days=1)
        )

    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_the_withdrawal_records_who_and_why(people, draft):
    consent = record(people, draft.person)

    consent_services.withdraw_consent(actor=people["referrer.af"], consent=consent, withdrawn_on=timezone.localdate())

    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    assert consent.withdrawal_recorded_by == people["referrer.af"]
    last = consent.history.first()
    assert last.history_user == people["referrer.af"]
    assert last.history_change_reason


# What a consent covers, on a given day


def test_what_a_consent_covers_depends_on_the_day(people, draft):
    today = timezone.localdate()
    af, fk = factories.org("af"), factories.org("fk")
    person = draft.person
    consent = record(people, person, given_days_ago=10, valid_days=10, codes=("af", "nassjo-se"))

    def missing(day, purpose=Purpose.REFERRAL_GROUP):
        return missing_consent(person, [af, fk], purpose, day)

    assert missing(today - timedelta(days=11)) == [af, fk], "before it was given"
    assert missing(today - timedelta(days=10)) == [fk], "the day it was given"
    assert missing(today) == [fk], "today"
    assert missing(today + timedelta(days=10)) == [fk], "its last day"
    assert missing(today + timedelta(days=11)) == [af, fk], "after it expired"
    assert missing(today, Purpose.PARTICIPATION) == [af, fk], "a purpose it does not name"
    assert covered_organisation_ids(person, Purpose.REFERRAL_GROUP, today) == {af.pk, factories.org("nassjo-se").pk}

    consent_services.withdraw_consent(
        actor=people["referrer.af"], consent=consent, withdrawn_on=today - timedelta(days=2)
    )

    assert missing(today - timedelta(days=3)) == [fk], "the day before the withdrawal"
    assert missing(today - timedelta(days=2)) == [af, fk], "the day of the withdrawal"
    assert missing(today) == [af, fk], "after the withdrawal"
    assert covered_organisation_ids(person, Purpose.REFERRAL_GROUP, today) == set()


def test_consents_add_up(people, draft):
    af, fk = factories.org("af"), factories.org("fk")
    record(people, draft.person, codes=("af", "nassjo-se"))
    record(people, draft.person, codes=("fk",))

    assert missing_consent(draft.person, [af, fk], Purpose.REFERRAL_GROUP) == []


# Access that follows consent


@pytest.fixture
def on_agenda(people):
    """A ready referral on a published agenda, with consent covering the SE team and every member."""
    referral = factories.make_ready_referral(people)
    factories.put_on_agenda(people, referral, factories.make_meeting(people))
    return referral


def test_withdrawing_consent_takes_the_referral_away_from_the_members_at_once(people, on_agenda):
    consent = Consent.objects.get(person=on_agenda.person)
    assert all(sees(people[member], on_agenda) for member in NASSJO_MEMBERS)

    consent_services.withdraw_consent(actor=people["coach.nassjo"], consent=consent, withdrawn_on=timezone.localdate())

    for member in NASSJO_MEMBERS:
        assert not sees(people[member], on_agenda), member
    assert sees(people["coach.nassjo"], on_agenda), "the SE team keeps the case"
    assert sees(people["chef.nassjo"], on_agenda)
    assert sees(people["referrer.af"], on_agenda), "the referrer keeps seeing the outcome of their referral"


def test_a_new_consent_gives_back_access_to_the_organisations_it_covers(people, on_agenda):
    consent = Consent.objects.get(person=on_agenda.person)
    consent_services.withdraw_consent(actor=people["coach.nassjo"], consent=consent, withdrawn_on=timezone.localdate())

    record(people, on_agenda.person, actor="coach.nassjo", codes=("nassjo-se", "af"))

    assert sees(people["af.nassjo"], on_agenda)
    assert not sees(people["fk.nassjo"], on_agenda)
    assert not sees(people["region.nassjo"], on_agenda)
    assert not sees(people["fk.eksjo"], on_agenda)


def test_when_access_cannot_be_revoked_the_withdrawal_is_not_recorded_either(people, on_agenda, monkeypatch):
    consent = Consent.objects.get(person=on_agenda.person)
    real_remove_grants = access.remove_grants
    removed = []

    def remove_then_fail(obj, *, groups=(), users=()):
        real_remove_grants(obj, groups=groups, users=users)
        if groups or users:
            removed.append(obj)
            raise RuntimeError("the database went away")

    monkeypatch.setattr(access, "remove_grants", remove_then_fail)

    with pytest.raises(RuntimeError):
        consent_services.withdraw_consent(
            actor=people["coach.nassjo"], consent=consent, withdrawn_on=timezone.localdate()
        )

    assert removed == [on_agenda], "the seats' grants were taken away before the failure"
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert all(sees(people[member], on_agenda) for member in NASSJO_MEMBERS), "the revocations made are rolled back"
