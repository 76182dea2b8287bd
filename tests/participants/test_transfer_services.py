"""Transfers between municipalities: starting one, the receiving coach's queue, accepting, cancelling.

Alva is enrolled in Nässjö; Eksjö is the receiving municipality. A transfer needs the person's
consent to inform Eksjö's SE team for the purpose "transfer".
"""

import re
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from consent.models import Purpose
from participants import selectors, services
from participants.events import ParticipantEvent
from participants.models import MunicipalityPeriod, Participant, Transfer
from sehoglandet import access
from sehoglandet.models import CaseEvent
from tests import factories
from tests.helpers import today

from .conftest import enrol, exit_directly


def consent_to_transfer(people, participant: Participant, *, to: str = "eksjo", **kwargs) -> None:
    """The participant agrees that Nässjö's coach informs the SE team of `to` about the transfer."""
    factories.give_consent(
        people["coach.nassjo"], participant.person, org_codes=[f"{to}-se"], purposes=[Purpose.TRANSFER], **kwargs
    )


def start(people, participant: Participant, *, to: str = "eksjo", username: str = "coach.nassjo", **kwargs):
    return services.start_transfer(
        actor=people[username], participant=participant, to_municipality=factories.municipality(to), **kwargs
    )


@pytest.fixture
def moving(people, participant) -> Participant:
    """Alva, who has agreed that Eksjö's SE team is told about her move."""
    consent_to_transfer(people, participant)
    return participant


@pytest.fixture
def transfer(people, moving) -> Transfer:
    """Alva's transfer from Nässjö to Eksjö, waiting for Eksjö's coach."""
    return start(people, moving, note="Flyttar till Eksjö i maj, vill fortsätta söka jobb inom handel.")


def visible_to(people, username: str) -> list[int]:
    return list(selectors.participants_visible_to(people[username]).values_list("pk", flat=True))


# Starting a transfer


def test_a_started_transfer_waits_for_the_receiving_coach_and_the_case_stays_in_nassjo(people, transfer):
    moving = transfer.participant
    moving.refresh_from_db()

    assert (transfer.status, transfer.requested_by, transfer.queue_position) == (
        Transfer.Status.PENDING,
        people["coach.nassjo"],
        1,
    )
    assert (transfer.from_municipality.code, transfer.to_municipality.code) == ("nassjo", "eksjo")
    assert transfer.note == "Flyttar till Eksjö i maj, vill fortsätta söka jobb inom handel."
    assert moving.municipality.code == "nassjo"
    assert moving.pk in visible_to(people, "coach.nassjo")
    assert moving.pk not in visible_to(people, "coach.eksjo")
    assert transfer.history.get().history_change_reason == ParticipantEvent.TRANSFER_STARTED


def test_a_transfer_can_be_started_with_the_meeting_booked(people, moving):
    meeting_at = timezone.now() + timedelta(days=7)

    transfer = start(people, moving, meeting_at=meeting_at, meeting_place="  Stadshuset i Eksjö ")

    assert (transfer.meeting_at, transfer.meeting_place) == (meeting_at, "Stadshuset i Eksjö")


def test_a_meeting_in_the_past_is_refused_at_the_start(people, moving):
    with pytest.raises(ValidationError) as refused:
        start(people, moving, meeting_at=timezone.now() - timedelta(hours=1))

    assert refused.value.error_dict["meeting_at"][0].messages == ["Mötet kan inte ligga i det förflutna."]
    assert not Transfer.objects.exists()


def test_a_transfer_without_consent_is_refused(people, participant):
    with pytest.raises(ValidationError, match="Det finns inget gällande samtycke till att informera SE-team Eksjö"):
        start(people, participant)

    assert not Transfer.objects.exists()
    assert selectors.transfer_consent_missing(participant, factories.municipality("eksjo"))


def test_a_consent_covering_another_municipality_is_not_enough(people, participant):
    consent_to_transfer(people, participant, to="tranas")

    with pytest.raises(ValidationError, match="samtycke"):
        start(people, participant)

    assert not Transfer.objects.exists()


def test_an_expired_consent_is_not_enough(people, participant):
    consent_to_transfer(people, participant)
    participant.person.consents.update(given_on=today() - timedelta(days=30), valid_until=today() - timedelta(days=1))

    with pytest.raises(ValidationError, match="samtycke"):
        start(people, participant)

    assert not Transfer.objects.exists()


def test_a_consent_for_another_purpose_is_not_enough(people, participant):
    factories.give_consent(people["coach.nassjo"], participant.person, org_codes=["eksjo-se"])

    with pytest.raises(ValidationError, match="samtycke"):
        start(people, participant)


def test_a_transfer_to_the_own_municipality_is_refused(people, moving):
    consent_to_transfer(people, moving, to="nassjo")

    with pytest.raises(ValidationError) as refused:
        start(people, moving, to="nassjo")

    assert refused.value.error_dict["to_municipality"][0].messages == ["Deltagaren tillhör redan den här kommunen."]
    assert not Transfer.objects.exists()


def test_a_second_transfer_is_refused_while_one_waits(people, transfer):
    consent_to_transfer(people, transfer.participant, to="tranas")

    with pytest.raises(ValidationError, match=re.escape("Deltagaren har redan en överflyttning som väntar.")):
        start(people, transfer.participant, to="tranas")

    assert Transfer.objects.count() == 1


def test_an_exited_participant_cannot_be_transferred(people, moving):
    exit_directly(moving)

    with pytest.raises(ValidationError, match=re.escape("Deltagaren är avslutad och kan inte flyttas.")):
        start(people, moving)

    assert not Transfer.objects.exists()


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo", "chef.eksjo", "referrer.af", "fk.nassjo"])
def test_only_a_coach_of_the_participants_municipality_may_start_a_transfer(people, moving, username):
    with pytest.raises(PermissionDenied):
        start(people, moving, username=username)

    assert not Transfer.objects.exists()


# The receiving coach's queue


@pytest.fixture
def queue(people) -> list[Transfer]:
    """Three transfers to Eksjö, started in the order Alva, Bo, Cilla."""
    transfers = []
    for moving in enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"), ("Cilla", "Dahl")):
        consent_to_transfer(people, moving)
        transfers.append(start(people, moving))
    return transfers


def queue_names(people) -> list[str]:
    return [t.participant.person.first_name for t in selectors.transfers_incoming(people["coach.eksjo"])]


def move(people, transfer: Transfer, *, up: bool, username: str = "coach.eksjo") -> Transfer:
    return services.move_in_transfer_queue(actor=people[username], transfer=transfer, up=up)


def test_the_queue_keeps_the_order_the_transfers_were_started_in(people, queue):
    assert queue_names(people) == ["Alva", "Bo", "Cilla"]
    assert [t.queue_position for t in queue] == [1, 2, 3]
    assert list(selectors.transfers_incoming(people["coach.nassjo"])) == []
    assert [t.pk for t in selectors.transfers_outgoing(people["coach.nassjo"])] == [t.pk for t in queue]


def test_the_receiving_coach_moves_a_transfer_up_and_down(people, queue):
    alva, _bo, cilla = queue

    move(people, cilla, up=True)
    assert queue_names(people) == ["Alva", "Cilla", "Bo"]

    move(people, alva, up=False)
    assert queue_names(people) == ["Cilla", "Alva", "Bo"]
    assert (
        Transfer.objects.get(pk=cilla.pk).history.first().history_change_reason
        == ParticipantEvent.TRANSFER_QUEUE_REORDERED
    )


def test_the_first_cannot_move_up_nor_the_last_down(people, queue):
    alva, _bo, cilla = queue

    with pytest.raises(ValidationError, match=re.escape("Överflyttningen är redan först i kön.")):
        move(people, alva, up=True)
    with pytest.raises(ValidationError, match=re.escape("Överflyttningen är redan sist i kön.")):
        move(people, cilla, up=False)

    assert queue_names(people) == ["Alva", "Bo", "Cilla"]


def test_only_the_receiving_coach_orders_the_queue(people, queue):
    with pytest.raises(PermissionDenied):
        move(people, queue[2], up=True, username="coach.nassjo")

    assert queue_names(people) == ["Alva", "Bo", "Cilla"]


def test_a_new_transfer_joins_the_end_of_the_queue_after_a_reordering(people, queue):
    move(people, queue[2], up=True)
    (david,) = enrol(people, ("David", "Ek"))
    consent_to_transfer(people, david)

    start(people, david)

    assert queue_names(people) == ["Alva", "Cilla", "Bo", "David"]


# Accepting


def accept(people, transfer: Transfer, username: str = "coach.eksjo") -> Participant:
    return services.accept_transfer(actor=people[username], transfer=transfer)


def test_accepting_moves_the_case_and_the_access_to_the_receiving_team(people, transfer):
    moving = transfer.participant
    services.add_journal_entry(
        actor=people["coach.nassjo"], participant=moving, date=today(), kind="meeting", text="Inför flytten."
    )

    accepted = accept(people, transfer)

    accepted.refresh_from_db()
    transfer.refresh_from_db()
    assert accepted.municipality.code == "eksjo"
    assert accepted.responsible_coach == people["coach.eksjo"]
    assert accepted.person.municipality.code == "eksjo"
    assert (transfer.status, transfer.decided_by) == (Transfer.Status.ACCEPTED, people["coach.eksjo"])
    assert accepted.pk in visible_to(people, "coach.eksjo")
    assert accepted.pk not in visible_to(people, "coach.nassjo")
    assert access.may_work_on_participant(people["coach.eksjo"], accepted)
    assert not access.may_work_on_participant(people["coach.nassjo"], accepted)
    # The journal follows the participant to the receiving team.
    assert [e.text for e in selectors.journal_of(accepted)] == ["Inför flytten."]


def test_accepting_closes_the_old_period_and_opens_one_dated_today(people, transfer):
    accepted = accept(people, transfer)

    periods = selectors.municipality_history_of(accepted)
    assert [(p.municipality.code, p.moved_in_on, p.moved_out_on) for p in periods] == [
        ("nassjo", accepted.decided_on, today()),
        ("eksjo", today(), None),
    ]
    assert periods[1].history.get().history_change_reason == ParticipantEvent.TRANSFER_ACCEPTED
    event = CaseEvent.objects.filter(code=ParticipantEvent.TRANSFER_ACCEPTED).get()
    assert (event.person_id, event.record_id) == (accepted.person_id, str(transfer.pk))
    assert (event.payload["from_municipality"], event.payload["to_municipality"]) == (
        factories.municipality("nassjo").pk,
        factories.municipality("eksjo").pk,
    )


def test_the_history_keeps_where_the_participant_and_the_person_were_before(people, transfer):
    moving = transfer.participant
    before = moving.history.count()

    accepted = accept(people, transfer)

    records = list(accepted.history.order_by("history_date"))
    assert len(records) == before + 1
    assert {r.municipality.code for r in records[:-1]} == {"nassjo"}
    assert (records[-1].municipality.code, records[-1].history_user) == ("eksjo", people["coach.eksjo"])
    person_records = list(accepted.person.history.order_by("history_date"))
    assert [r.municipality_id for r in person_records][-1] == factories.municipality("eksjo").pk
    assert len(person_records) >= 2


def test_a_failure_half_way_leaves_the_case_where_it_was(people, transfer, monkeypatch):
    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_grant_team", broken)

    with pytest.raises(RuntimeError):
        accept(people, transfer)

    moving = Participant.objects.get(pk=transfer.participant_id)
    assert moving.municipality.code == "nassjo"
    assert moving.pk in visible_to(people, "coach.nassjo")
    assert MunicipalityPeriod.objects.get(participant=moving).moved_out_on is None
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.PENDING


def test_accepting_twice_is_refused(people, transfer):
    accept(people, transfer)

    with pytest.raises(ValidationError, match=re.escape("Överflyttningen är redan mottagen.")):
        accept(people, transfer)

    assert MunicipalityPeriod.objects.filter(participant=transfer.participant).count() == 2


@pytest.mark.parametrize("username", ["coach.nassjo", "chef.eksjo", "fk.eksjo"])
def test_only_the_receiving_coach_accepts(people, transfer, username):
    with pytest.raises(PermissionDenied):
        accept(people, transfer, username=username)

    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.PENDING


def test_a_full_receiving_municipality_refuses_an_active_participant(people, transfer):
    factories.fill_places(people["coach.eksjo"], municipality_code="eksjo")

    with pytest.raises(ValidationError, match=re.escape("Eksjö har ingen ledig plats: alla 30 platser är tagna.")):
        accept(people, transfer)

    moving = Participant.objects.get(pk=transfer.participant_id)
    assert moving.municipality.code == "nassjo"
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.PENDING


def test_a_participant_from_the_queue_can_be_accepted_into_a_full_municipality_and_waits_there(people):
    factories.fill_places(people["coach.nassjo"])
    (queued,) = enrol(people, ("Alva", "Brandt"))
    assert queued.status == Participant.Status.QUEUED
    factories.fill_places(people["coach.eksjo"], municipality_code="eksjo")
    consent_to_transfer(people, queued)

    accepted = accept(people, start(people, queued))

    accepted.refresh_from_db()
    assert (accepted.municipality.code, accepted.status) == ("eksjo", Participant.Status.QUEUED)
    assert accepted in selectors.queue_of(factories.municipality("eksjo"))


# Cancelling


def test_the_handing_over_coach_withdraws_the_transfer_and_may_start_a_new_one(people, transfer):
    services.cancel_transfer(actor=people["coach.nassjo"], transfer=transfer)

    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (Transfer.Status.CANCELLED, people["coach.nassjo"])
    assert list(selectors.transfers_incoming(people["coach.eksjo"])) == []
    assert selectors.pending_transfer_of(transfer.participant) is None
    assert start(people, transfer.participant).status == Transfer.Status.PENDING


def test_the_receiving_coach_declines_and_the_case_stays_in_nassjo(people, transfer):
    services.cancel_transfer(actor=people["coach.eksjo"], transfer=transfer)

    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (Transfer.Status.CANCELLED, people["coach.eksjo"])
    assert transfer.participant.pk in visible_to(people, "coach.nassjo")
    with pytest.raises(ValidationError, match=re.escape("Överflyttningen är avbruten.")):
        accept(people, transfer)


@pytest.mark.parametrize("username", ["chef.nassjo", "chef.eksjo", "referrer.af"])
def test_only_the_two_coaches_may_cancel(people, transfer, username):
    with pytest.raises(PermissionDenied):
        services.cancel_transfer(actor=people[username], transfer=transfer)

    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.PENDING


def test_an_accepted_transfer_cannot_be_cancelled(people, transfer):
    accept(people, transfer)

    with pytest.raises(ValidationError, match=re.escape("Överflyttningen är redan mottagen.")):
        services.cancel_transfer(actor=people["coach.eksjo"], transfer=transfer)


def test_the_exit_cancels_a_waiting_transfer(people, transfer):
    services.exit_participant(
        actor=people["coach.nassjo"],
        participant=transfer.participant,
        exited_on=today(),
        reason="moved",
        occupation_after="unknown",
        income_after="none",
    )

    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (Transfer.Status.CANCELLED, people["coach.nassjo"])
    assert transfer.history.first().history_change_reason == ParticipantEvent.TRANSFER_CANCELLED_BY_EXIT


# The meeting


def test_either_coach_books_the_meeting(people, transfer):
    first = timezone.now() + timedelta(days=5)
    later = first + timedelta(days=2)

    services.book_transfer_meeting(actor=people["coach.nassjo"], transfer=transfer, meeting_at=first)
    booked = services.book_transfer_meeting(
        actor=people["coach.eksjo"], transfer=transfer, meeting_at=later, meeting_place="Eksjö stadshus"
    )

    assert (booked.meeting_at, booked.meeting_place) == (later, "Eksjö stadshus")
    assert [r.meeting_at for r in booked.history.order_by("history_date")][-2:] == [first, later]


@pytest.mark.parametrize(
    ("when", "message"),
    [(None, "Ange datum och tid för mötet."), (-1, "Mötet kan inte ligga i det förflutna.")],
    ids=["no time", "in the past"],
)
def test_a_meeting_without_a_time_or_in_the_past_is_refused(people, transfer, when, message):
    meeting_at = None if when is None else timezone.now() + timedelta(hours=when)

    with pytest.raises(ValidationError) as refused:
        services.book_transfer_meeting(actor=people["coach.eksjo"], transfer=transfer, meeting_at=meeting_at)

    assert refused.value.error_dict["meeting_at"][0].messages == [message]
    assert Transfer.objects.get(pk=transfer.pk).meeting_at is None


def test_a_manager_cannot_book_the_meeting(people, transfer):
    with pytest.raises(PermissionDenied):
        services.book_transfer_meeting(
            actor=people["chef.eksjo"], transfer=transfer, meeting_at=timezone.now() + timedelta(days=1)
        )


@pytest.mark.django_db(transaction=True)
def test_two_coaches_accepting_at_once_move_the_case_once(people, transfer):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database, so the race on a row lock needs PostgreSQL")
    start_together = threading.Barrier(2)
    results: list[str] = []

    def accept_now():
        try:
            start_together.wait(timeout=10)
            accept(people, transfer)
            results.append("accepted")
        except ValidationError as refused:
            results.append(" ".join(refused.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept_now) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["accepted", "Överflyttningen är redan mottagen."]
    periods = MunicipalityPeriod.objects.filter(participant=transfer.participant)
    assert [p.municipality.code for p in periods.order_by("moved_in_on", "id")] == ["nassjo", "eksjo"]
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.ACCEPTED
