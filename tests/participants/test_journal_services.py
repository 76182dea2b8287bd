"""The coach's journal and the SE step: who may write, what is refused, what history is kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from participants import services
from participants.events import ParticipantEvent
from participants.models import JournalEntry, Participant, StepChange
from tests.helpers import today

from .conftest import exit_directly

MEETING = JournalEntry.Kind.MEETING


def add(people, participant, username="coach.nassjo", **overrides):
    values = {"date": today(), "kind": MEETING, "text": "Träffades på biblioteket, pratade om yrkesprofilen."}
    values.update(overrides)
    return services.add_journal_entry(actor=people[username], participant=participant, **values)


# Enrolment


def test_enrolment_starts_the_participant_at_step_one_dated_the_decision(people, participant):
    change = StepChange.objects.get(participant=participant)

    assert participant.step == Participant.Step.AGREEMENT
    assert (change.step, change.changed_on, change.changed_by) == (1, participant.decided_on, people["coach.nassjo"])
    assert change.history.get().history_change_reason == ParticipantEvent.ENROLLED


# The journal


def test_the_coach_adds_a_dated_entry_with_herself_as_author_and_history(people, participant):
    entry = add(people, participant, date=today() - timedelta(days=2), kind=JournalEntry.Kind.EMPLOYER_CONTACT)

    entry.refresh_from_db()
    assert (entry.participant, entry.date, entry.kind, entry.author) == (
        participant,
        today() - timedelta(days=2),
        "employer_contact",
        people["coach.nassjo"],
    )
    record = entry.history.get()
    assert (record.history_user, record.history_change_reason) == (
        people["coach.nassjo"],
        ParticipantEvent.JOURNAL_ENTRY_ADDED,
    )


def test_the_text_is_kept_without_surrounding_whitespace(people, participant):
    entry = add(people, participant, text="  Ringde arbetsgivaren.\n ")

    assert entry.text == "Ringde arbetsgivaren."


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo", "chef.eksjo", "referrer.af", "fk.nassjo"])
def test_only_a_coach_of_the_participants_municipality_may_write_in_the_journal(people, participant, username):
    with pytest.raises(PermissionDenied):
        add(people, participant, username=username)

    assert not JournalEntry.objects.exists()


def test_a_coach_without_the_teams_grant_may_not_write(people, participant):
    from guardian.shortcuts import remove_perm

    remove_perm("participants.change_participant", participant.municipality.se_team.group, participant)

    with pytest.raises(PermissionDenied):
        add(people, participant)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": timezone.localdate() + timedelta(days=1)}, "date"),
        ({"text": "   "}, "text"),
        ({"kind": "coffee"}, "kind"),
    ],
    ids=["future date", "empty text", "unknown kind"],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(people, participant, overrides, field):
    with pytest.raises(ValidationError) as refused:
        add(people, participant, **overrides)

    assert field in refused.value.error_dict
    assert not JournalEntry.objects.exists()
    assert not JournalEntry.history.exists()


def test_the_journal_is_read_only_after_exit(people, participant):
    exit_directly(participant)

    with pytest.raises(ValidationError, match=r"utskriven|exited"):
        add(people, participant)

    assert not JournalEntry.objects.exists()


# The step


def test_changing_the_step_keeps_the_date_of_each_change(people, participant):
    services.change_step(
        actor=people["coach.nassjo"],
        participant=participant,
        step=Participant.Step.VOCATIONAL_PROFILE,
        changed_on=today(),
    )

    participant.refresh_from_db()
    assert participant.step == 2
    assert list(participant.step_changes.order_by("id").values_list("step", "changed_on")) == [
        (1, participant.decided_on),
        (2, today()),
    ]
    assert participant.history.first().history_change_reason == ParticipantEvent.STEP_CHANGED


@pytest.mark.parametrize(
    ("step", "days", "field"),
    [(7, 0, "step"), (0, 0, "step"), (1, 0, "step"), (2, 1, "changed_on"), (2, -1, "changed_on")],
    ids=["step 7", "step 0", "the same step", "future date", "before the decision"],
)
def test_a_bad_step_change_is_refused_and_nothing_is_saved(people, participant, step, days, field):
    with pytest.raises(ValidationError) as refused:
        services.change_step(
            actor=people["coach.nassjo"], participant=participant, step=step, changed_on=today() + timedelta(days=days)
        )

    participant.refresh_from_db()
    assert field in refused.value.error_dict
    assert participant.step == 1
    assert participant.step_changes.count() == 1


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo"])
def test_only_the_municipalitys_coach_may_change_the_step(people, participant, username):
    with pytest.raises(PermissionDenied):
        services.change_step(actor=people[username], participant=participant, step=2, changed_on=today())

    participant.refresh_from_db()
    assert participant.step == 1


def test_the_step_cannot_change_after_exit(people, participant):
    exit_directly(participant)

    with pytest.raises(ValidationError):
        services.change_step(actor=people["coach.nassjo"], participant=participant, step=2, changed_on=today())

    assert participant.step_changes.count() == 1
