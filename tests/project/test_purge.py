"""The retention purge (docs/domain.md#retention): whose file expires, what goes, what stays.

Time passes by asking the purge about a later day (`purge_expired(today=…)`): a case closed today
has expired 13 months from now for a declined referral (12 months kept) but not for an exit
(24 months kept).
"""

from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection

from consent.models import Consent, private_storage
from participants.models import add_months
from project import retention
from referrals.models import Decision
from sehoglandet import services
from sehoglandet.models import AccessLog, CaseEvent, Person, PurgeRun
from tests import factories
from tests.helpers import (
    PERSONAS,
    body,
    changed_tables,
    every_row,
    outcomes_by_persona,
    shows,
    signed_in,
    status_and_changed_tables,
    today,
)

from .cases import (
    Case,
    build_declined_case,
    build_full_case,
    build_open_referral,
    build_participant,
    decided_at_a_meeting,
)


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Signed forms in a directory of the test's own."""
    monkeypatch.setattr(private_storage, "_wrapped", FileSystemStorage(location=tmp_path))


def later(months: int):
    return add_months(today(), months)


def purge(system_user, *, months: int = 13, dry_run: bool = False) -> PurgeRun:
    return retention.purge_expired(actor=system_user, today=later(months), dry_run=dry_run)


def exists(case: Case) -> bool:
    return Person.objects.filter(pk=case.person.pk).exists()


# Whose file expires.


def test_a_declined_referral_expires_after_the_referral_period_and_an_exit_only_after_the_participant_period(
    people, system_user
):
    declined = build_declined_case(people, "Dagny", "Avslagsson")
    exited = build_participant(people, "Edvin", "Utskrivensson", exit_today=True)

    assert list(retention.expired_persons(later(11))) == []
    assert list(retention.expired_persons(later(13))) == [declined.person]
    assert set(retention.expired_persons(later(25))) == {declined.person, exited.person}


def test_an_open_case_is_never_purged_however_long_it_waits(people, system_user):
    open_referral = build_open_referral(people, "Oskar", "Väntesson")
    active = build_participant(people, "Aina", "Aktivsson", exit_today=False)

    purge(system_user, months=120)

    assert exists(open_referral) and exists(active)


def test_a_person_with_an_expired_declined_referral_and_an_open_participation_is_kept_whole(people, system_user):
    declined = build_declined_case(people, "Greta", "Tvåfallsson")
    decided_at_a_meeting(people, factories.make_ready_referral(people, person=declined.person), "enrol")

    purge(system_user, months=36)

    assert exists(declined)
    assert declined.referral.__class__.objects.filter(pk=declined.referral.pk).exists()


def test_a_draft_never_submitted_expires_a_referral_period_after_it_was_last_changed(people, system_user):
    draft = factories.make_referral(people, submit=False, consent=False)

    assert list(retention.expired_persons(later(11))) == []
    assert list(retention.expired_persons(later(13))) == [draft.person]


def test_a_referral_sent_back_and_left_counts_as_abandoned_after_the_referral_period(people, system_user):
    case = build_declined_case(people, "Sigrid", "Tillbakasson", outcome=Decision.Outcome.SEND_BACK)

    assert case.referral.__class__.objects.get(pk=case.referral.pk).status == "sent_back"
    assert list(retention.expired_persons(later(13))) == [case.person]


# What goes and what stays.


def test_the_purge_deletes_every_row_and_history_row_of_the_person_and_nothing_of_anyone_else(
    people, system_user, django_capture_on_commit_callbacks
):
    purged = build_full_case(people, "Ylva", "Raderasson")
    kept = build_participant(people, "Kerstin", "Kvarsson", exit_today=False)
    found = retention.person_file(purged.person.pk)
    kept_before = retention.person_file(kept.person.pk).counts()
    document = Consent.objects.exclude(document="").get(person=purged.person).document
    assert document.storage.exists(document.name)
    kinds = {model._meta.label for model, ids in found.ids.items() if ids}

    with django_capture_on_commit_callbacks(execute=True):
        run = purge(system_user, months=25)

    assert run.persons == 1
    assert kinds >= {
        "sehoglandet.Person",
        "referrals.Referral",
        "referrals.PreMeeting",
        "referrals.AgencyDecision",
        "referrals.AgendaItem",
        "referrals.ItemResponse",
        "referrals.Decision",
        "referrals.ReferralGroupObjectPermission",
        "participants.Participant",
        "participants.JournalEntry",
        "participants.StepChange",
        "participants.Employment",
        "participants.AftercareVisit",
        "participants.IncomeRecord",
        "participants.MunicipalityPeriod",
        "participants.Transfer",
        "participants.ParticipantGroupObjectPermission",
        "consent.Consent",
    }
    for model, ids in found.ids.items():
        assert not model._base_manager.filter(pk__in=ids).exists(), model._meta.label
        history = found.history(model)
        if history is not None:
            assert not history.exists(), f"history of {model._meta.label}"
    assert orphaned_history_links() == 0
    assert not CaseEvent.objects.filter(person_id=purged.person.pk).exists()
    assert not found.case_events().exists()
    assert not found.admin_log().exists()
    assert not document.storage.exists(document.name)
    assert retention.person_file(kept.person.pk).counts() == kept_before


def orphaned_history_links() -> int:
    """Rows of simple_history's many-to-many tables (a referral's "active at", a consent's
    organisations) whose history row is gone."""
    orphans = 0
    models, _edges = retention.person_file_models()
    for history_model in filter(None, map(retention._history_model, models)):
        for m2m in retention._m2m_history_models(history_model):
            orphans += m2m.objects.exclude(history_id__in=history_model.objects.values("history_id")).count()
    return orphans


def test_the_access_log_keeps_its_rows_and_they_no_longer_lead_to_a_person(people, system_user):
    case = build_declined_case(people, "Lova", "Loggsson")
    AccessLog.objects.create(
        user=people["coach.nassjo"],
        object_type="referrals.referral",
        object_id=str(case.referral.pk),
        person_id=case.person.pk,
        action=AccessLog.Action.VIEW,
        purpose="Handläggning",
    )
    logged = list(AccessLog.objects.filter(person_id=case.person.pk).values())

    purge(system_user)

    assert list(AccessLog.objects.filter(person_id=case.person.pk).values()) == logged
    assert not Person.objects.filter(pk=case.person.pk).exists()
    assert not case.referral.__class__.objects.filter(pk=case.referral.pk).exists()


def test_a_purged_persons_id_is_never_given_to_someone_new(people, system_user):
    case = build_declined_case(people, "Ida", "Idsson")
    purged_id = case.person.pk

    purge(system_user)
    newcomer = factories.make_person(people["referrer.af"], first_name="Ny", last_name="Nysson")

    assert newcomer.pk > purged_id


def test_the_admins_log_entries_of_the_purged_records_go_too(people, system_user):
    case = build_declined_case(people, "Alma", "Adminsson")
    LogEntry.objects.create(
        user=people["admin"],
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(case.person.pk),
        object_repr=str(case.person),
        action_flag=CHANGE,
    )

    purge(system_user)

    assert not LogEntry.objects.filter(object_repr__contains="Adminsson").exists()


# Twice, interrupted, dry.


def test_a_second_run_finds_nothing_and_changes_nothing_but_its_own_record(people, system_user):
    build_declined_case(people, "Tove", "Tvåggersson")
    purge(system_user)
    before = every_row()

    run = purge(system_user)

    assert run.persons == 0
    assert changed_tables(before, every_row()) == [
        "sehoglandet.CaseEvent",
        "sehoglandet.HistoricalPurgeRun",
        "sehoglandet.PurgeRun",
    ]


def test_a_dry_run_counts_what_would_go_and_deletes_nothing(people, system_user):
    build_full_case(people, "Doris", "Provsson")
    before = every_row()

    dry = purge(system_user, months=25, dry_run=True)

    assert changed_tables(before, every_row()) == [
        "sehoglandet.CaseEvent",
        "sehoglandet.HistoricalPurgeRun",
        "sehoglandet.PurgeRun",
    ]
    real = purge(system_user, months=25)
    assert (dry.dry_run, dry.persons, dry.counts) == (True, 1, real.counts)


def test_an_interrupted_run_leaves_each_person_untouched_or_fully_purged_and_a_rerun_finishes(
    people, system_user, monkeypatch
):
    first = build_declined_case(people, "Frida", "Förstasson")
    second = build_declined_case(people, "Sune", "Andrasson")
    second_before = retention.person_file(second.person.pk).counts()
    delete_file = retention.delete_file
    calls = []

    def fail_on_the_second_person(found):
        calls.append(found.person_id)
        if len(calls) == 2:
            raise RuntimeError("the machine stopped")
        delete_file(found)

    monkeypatch.setattr(retention, "delete_file", fail_on_the_second_person)
    with pytest.raises(RuntimeError):
        purge(system_user)

    assert not exists(first)
    assert exists(second)
    assert retention.person_file(second.person.pk).counts() == second_before
    interrupted = PurgeRun.objects.get()
    assert (interrupted.is_finished, interrupted.persons) == (False, 1)

    monkeypatch.setattr(retention, "delete_file", delete_file)
    rerun = purge(system_user)

    assert (rerun.is_finished, rerun.persons) == (True, 1)
    assert not exists(second)


# The command.


def test_the_command_purges_and_prints_the_summary_in_swedish(people, system_user, settings, monkeypatch):
    build_declined_case(people, "Kalle", "Kommandosson")
    settings.RETENTION_REFERRAL_MONTHS = 1
    out = StringIO()

    monkeypatch.setattr(retention, "current_day", lambda: later(2))

    call_command("purge_expired", stdout=out)

    text = out.getvalue()
    assert shows(text, ("Gallring: akten för 1 person har raderats.", "the file of 1 person was deleted"))
    assert "Remisser: 1" in text
    assert "Kommandosson" not in text
    assert not Person.objects.filter(last_name="Kommandosson").exists()


def test_the_commands_dry_run_says_so_and_deletes_nothing(people, system_user, settings, monkeypatch):
    build_declined_case(people, "Pia", "Provkörsson")
    settings.RETENTION_REFERRAL_MONTHS = 1
    out = StringIO()

    monkeypatch.setattr(retention, "current_day", lambda: later(2))

    call_command("purge_expired", "--dry-run", stdout=out)

    assert shows(out.getvalue(), ("Provkörning: inget har raderats.", "Dry run: nothing was deleted."))
    assert Person.objects.filter(last_name="Provkörsson").exists()


@pytest.mark.parametrize("value", ["0", "-3", "många", "2.5"])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused_in_swedish(people, system_user, value):
    before = every_row()

    with pytest.raises(CommandError, match="--limit"):
        call_command("purge_expired", "--limit", value)

    assert changed_tables(before, every_row()) == []


def test_only_the_system_user_may_purge(people):
    with pytest.raises(PermissionDenied):
        retention.purge_expired(actor=people["admin"])
    assert not PurgeRun.objects.exists()


# The auditor's page.

PAGE = "/gallring/"


def test_only_the_auditor_may_open_the_purge_runs_and_opening_them_changes_nothing(client_for, people, system_user):
    purge(system_user, dry_run=True)

    outcomes = outcomes_by_persona(client_for, PERSONAS, status_and_changed_tables(lambda client: client.get(PAGE)))

    assert outcomes == {username: (200 if username == "auditor" else 403, []) for username in PERSONAS}


def test_the_auditor_sees_each_run_with_its_counts_and_never_who_was_purged(client_for, people, system_user):
    build_declined_case(people, "Hjördis", "Hemligsson")
    purge(system_user, dry_run=True)
    purge(system_user)

    page = body(client_for("auditor").get(PAGE))

    assert "Hemligsson" not in page and "Hjördis" not in page
    assert shows(page, ("Provkörning", "Dry run"))
    assert "Remisser: 1" in page
    assert page.count("Remisser: 1") == 2


def test_an_interrupted_run_shows_as_not_finished(client_for, people, system_user):
    services.start_purge_run(actor=system_user, dry_run=False)

    page = body(client_for("auditor").get(PAGE))

    assert shows(page, ("Inte avslutad", "Not finished"))


def test_the_purge_page_takes_no_post(client_for, people):
    client = client_for("auditor")
    before = every_row()

    response = client.post(PAGE)

    assert (response.status_code, changed_tables(before, every_row())) == (405, [])


def test_the_main_menu_shows_the_purge_to_the_auditor_only(client_for, people):
    assert 'href="/gallring/"' in body(client_for("auditor").get("/"))
    assert 'href="/gallring/"' not in body(signed_in(client_for, "coach.nassjo").get("/"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings only")
def test_on_sqlite_deleted_rows_are_overwritten_and_ids_are_never_used_again(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        secure_delete = cursor.fetchone()[0]
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [Person._meta.db_table])
        table = cursor.fetchone()[0]

    assert secure_delete == 1
    assert "AUTOINCREMENT" in table
