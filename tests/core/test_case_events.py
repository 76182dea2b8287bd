"""Explicit state and the case event log: every model with a status has a complete transition table;
every status change the services make writes a CaseEvent naming the change; history reasons are
stable codes; an illegal move is refused and leaves no trace."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from simple_history.models import HistoricalChanges

from consent.models import Purpose
from participants import services as participant_services
from participants.models import AftercareVisit, Transfer
from project.demo import create_demo_cases
from referrals import services as referral_services
from referrals.events import ReferralEvent
from referrals.models import Decision, Referral
from sehoglandet import events
from sehoglandet.models import AppendOnlyError, CaseEvent
from tests import factories
from tests.conftest import _build_personas
from tests.helpers import PERSONAS
from tests.participants.conftest import enrol

APPS = ["sehoglandet", "consent", "referrals", "participants", "reporting"]


def models_with_a_status() -> list[type]:
    return [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges) and any(field.name == "status" for field in model._meta.fields)
    ]


def history_models() -> list[type]:
    """The historical tables that record a reason (the m2m ones record only the link)."""
    return [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if issubclass(model, HistoricalChanges) and any(f.name == "history_change_reason" for f in model._meta.fields)
    ]


def test_every_model_with_a_status_has_a_transition_table_over_all_its_statuses():
    models = models_with_a_status()
    incomplete = [
        model._meta.label
        for model in models
        if set(getattr(model, "ALLOWED_TRANSITIONS", {})) != set(model.Status)
        or any(not targets <= set(model.Status) for targets in model.ALLOWED_TRANSITIONS.values())
    ]

    assert {model._meta.label for model in models} >= {
        "referrals.Referral",
        "referrals.Meeting",
        "referrals.Decision",
        "participants.Participant",
        "participants.AftercareVisit",
        "participants.Transfer",
    }
    assert incomplete == []


def work_the_cases(people: dict[str, User]) -> None:
    """The demo cases, plus the changes they leave out: a transfer accepted and one called off, an
    employment ended with its later visits cancelled, an escalated question decided."""
    create_demo_cases(people)
    eksjo = people["coach.eksjo"]
    waiting = Transfer.objects.get(status=Transfer.Status.PENDING)
    participant_services.accept_transfer(actor=eksjo, transfer=waiting)
    (bo,) = enrol(people, ("Bo", "Cederholm"), municipality_code="eksjo")
    factories.give_consent(eksjo, bo.person, org_codes=["nassjo-se"], purposes=[Purpose.TRANSFER])
    called_off = participant_services.start_transfer(
        actor=eksjo, participant=bo, to_municipality=factories.municipality("nassjo")
    )
    participant_services.cancel_transfer(actor=eksjo, transfer=called_off)
    employment = factories.employ(eksjo, bo, days_ago=10)
    participant_services.end_employment(actor=eksjo, employment=employment, ends_on=timezone.localdate())
    escalated = Decision.objects.get(status=Decision.Status.ESCALATED)
    referral_services.decide_escalated(
        actor=people["chef.nassjo"], decision=escalated, outcome=Decision.Outcome.SEND_BACK
    )


def status_changes_in_history() -> list[tuple]:
    """(model label, record id, new status, reason) for every history row that changed a status."""
    changes = []
    for model in models_with_a_status():
        last = {}
        for row in model.history.order_by("id", "history_date", "history_id").values(
            "id", "status", "history_type", "history_change_reason"
        ):
            before = last.get(row["id"])
            if row["history_type"] == "~" and before is not None and before != row["status"]:
                changes.append((model._meta.label_lower, str(row["id"]), row["status"], row["history_change_reason"]))
            last[row["id"]] = row["status"]
    return changes


@pytest.mark.xdist_group("worked_cases")  # built once, on one pytest-xdist worker (--dist loadgroup)
class TestTheWorkedCases:
    """The checks over the worked cases share them: building them takes seconds, so they are built
    once for the class, in a transaction rolled back afterwards, and each test runs in a savepoint
    inside it (a class rather than the module, so the other tests here never see them)."""

    @pytest.fixture(scope="class")
    @classmethod
    def _worked_once(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
            _build_personas()
            work_the_cases({user.username: user for user in User.objects.filter(username__in=PERSONAS)})
            yield
            transaction.set_rollback(True)

    @pytest.fixture
    def worked_cases(self, _worked_once, db, settings):
        settings.DEBUG = True

    def test_every_status_change_the_services_make_writes_its_case_event(self, people, worked_cases):
        changes = status_changes_in_history()
        written = {
            (event.record_type, event.record_id, event.payload.get("to"), event.code)
            for event in CaseEvent.objects.exclude(payload__to=None)
        }

        kinds = {(label, status) for label, _pk, status, _reason in changes}
        assert {
            ("participants.transfer", Transfer.Status.ACCEPTED),
            ("participants.transfer", Transfer.Status.CANCELLED),
        } <= kinds
        assert ("participants.aftercarevisit", AftercareVisit.Status.CANCELLED) in kinds
        assert ("referrals.decision", "final") in kinds
        assert [change for change in changes if change not in written] == []

    def test_every_history_reason_is_a_registered_event_code(self, people, worked_cases):
        unknown = {
            (model._meta.label, reason)
            for model in history_models()
            for reason in model.objects.values_list("history_change_reason", flat=True).distinct()
            if reason is not None and not events.is_known(reason)
        }

        assert unknown == set()


def test_an_event_names_who_did_what_to_which_record_of_which_person(people):
    referral = factories.make_referral(people, submit=False)

    referral_services.submit_referral(actor=people["referrer.af"], referral=referral)

    event = CaseEvent.objects.filter(code=ReferralEvent.SUBMITTED).get()
    assert (event.actor, event.person_id, event.record_type, event.record_id) == (
        people["referrer.af"],
        referral.person_id,
        "referrals.referral",
        str(referral.pk),
    )
    assert event.payload == {"from": "draft", "to": "submitted"}
    assert events.label(event.code) == "Remiss skickad"


def test_an_illegal_transition_is_refused_in_swedish_and_leaves_no_trace(people):
    referral = factories.make_referral(people, submit=False)
    referral_services.withdraw_referral(actor=people["referrer.af"], referral=referral)
    referral.refresh_from_db()
    events_before, history_before = CaseEvent.objects.count(), referral.history.count()

    with pytest.raises(ValidationError) as refused:
        events.transition(
            referral, Referral.Status.SUBMITTED, actor=people["referrer.af"], code=ReferralEvent.SUBMITTED
        )

    referral.refresh_from_db()
    assert refused.value.messages == ["Remiss: ”Återkallad” kan inte bli ”Inskickad”."]
    assert referral.status == Referral.Status.WITHDRAWN
    assert (CaseEvent.objects.count(), referral.history.count()) == (events_before, history_before)


def test_an_unknown_event_code_is_refused(people):
    with pytest.raises(ValueError, match="Unknown event code"):
        events.record(actor=people["coach.nassjo"], code="referral.teleported")


def test_an_event_is_never_changed(people):
    referral = factories.make_referral(people)
    event = CaseEvent.objects.filter(record_id=str(referral.pk)).first()

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.update(code="referral.changed")


def test_a_reason_is_shown_in_the_users_language(settings):
    assert events.label("participant.step_changed") == "Steget ändrat"
    assert events.label("something else") == "something else"
    assert events.label(None) == ""


def test_the_admins_history_of_a_record_shows_its_reasons_in_swedish(client_for):
    nassjo = factories.municipality("nassjo")

    page = client_for("admin").get(f"/admin/sehoglandet/municipality/{nassjo.pk}/history/").content.decode()

    assert "Referensdata inläst" in page
    assert "reference_data.loaded" not in page


# The migration that turned the old texts into codes and filled the log from history (0008).

MIGRATION = importlib.import_module("sehoglandet.migrations.0008_history_reasons_as_codes")


def test_old_reasons_in_either_language_become_codes_and_table_specific_ones_are_told_apart(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    coach = people["coach.nassjo"]
    employment = factories.employ(coach, alva, days_ago=10)
    participant_services.end_employment(actor=coach, employment=employment, ends_on=timezone.localdate())
    referral = alva.referral
    old = {
        referral.history.filter(history_change_reason=ReferralEvent.SUBMITTED): "Remiss skickad",
        referral.history.filter(history_change_reason=ReferralEvent.ENROLLED): "Enrolled",
        employment.history.filter(history_change_reason="employment.ended"): "Anställning avslutad",
        AftercareVisit.history.filter(history_change_reason="aftercare.visit_cancelled"): "Anställning avslutad",
        alva.municipality_periods.model.history.filter(participant_id=alva.pk): "Flyttad från Nässjö till Eksjö",
        referral.history.filter(history_change_reason=ReferralEvent.WRITTEN): "Text nobody knows",
    }
    for rows, text in old.items():
        assert rows.exists()
        rows.update(history_change_reason=text)

    MIGRATION.reasons_to_codes(apps, None)

    assert set(referral.history.values_list("history_change_reason", flat=True)) >= {
        "referral.submitted",
        "referral.enrolled",
        "Text nobody knows",
    }
    assert set(employment.history.values_list("history_change_reason", flat=True)) == {
        "employment.registered",
        "employment.ended",
    }
    cancelled = AftercareVisit.history.filter(status=AftercareVisit.Status.CANCELLED)
    assert set(cancelled.values_list("history_change_reason", flat=True)) == {"aftercare.visit_cancelled"}
    periods = alva.municipality_periods.model.history.filter(participant_id=alva.pk)
    assert set(periods.values_list("history_change_reason", flat=True)) == {"transfer.accepted"}


def test_the_log_is_filled_from_history_once_with_one_event_per_action(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    written = {
        (event.code, event.record_type, event.record_id, event.actor_id, event.person_id)
        for event in CaseEvent.objects.all()
    }
    CaseEvent.objects.all().delete()

    MIGRATION.backfill_events(apps, None)
    MIGRATION.backfill_events(apps, None)

    backfilled = {(e.code, e.record_type, e.record_id, e.actor_id, e.person_id) for e in CaseEvent.objects.all()}
    assert backfilled
    assert CaseEvent.objects.filter(payload__backfilled=True).count() == CaseEvent.objects.count() == len(backfilled)
    assert backfilled <= written
    enrolment = ("participant.enrolled", "participants.participant", str(alva.pk))
    assert (*enrolment, people["coach.nassjo"].pk, alva.person_id) in backfilled
