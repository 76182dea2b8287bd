"""Participants enrolled the way a user enrols them: a ready referral decided by Nässjö's group."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from participants.models import Participant
from referrals.models import ExitReason, Meeting
from tests import factories


def enrol(people: dict[str, User], *names: tuple[str, str], municipality_code: str = "nassjo") -> list[Participant]:
    """One participant per (first name, last name), all enrolled at one meeting held today."""
    coach = f"coach.{municipality_code}"
    meeting = factories.make_meeting(people, municipality_code=municipality_code, coach=coach)
    items = []
    for first_name, last_name in names:
        person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name)
        referral = factories.make_ready_referral(
            people, person=person, coach=coach, municipality_code=municipality_code
        )
        items.append(factories.put_on_agenda(people, referral, meeting, coach=coach))
    _hold_today(meeting)
    for item in items:
        item.refresh_from_db()
        factories.decide(people, item, coach=coach)
    return list(Participant.objects.filter(referral__in=[item.referral_id for item in items]).order_by("pk"))


def _hold_today(meeting: Meeting) -> None:
    """Like factories.hold_meeting_today, a minute after any meeting already held today, so a test
    can enrol more than once."""
    earlier = Meeting.objects.filter(referral_group=meeting.referral_group).exclude(pk=meeting.pk).count()
    start = datetime.combine(timezone.localdate(), time(0, 5)) + timedelta(minutes=earlier)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.make_aware(start))
    meeting.refresh_from_db()


@pytest.fixture
def participant(people) -> Participant:
    """Alva Brandt, enrolled in Nässjö today: active, at step 1."""
    (alva,) = enrol(people, ("Alva", "Brandt"))
    return alva


def exit_directly(participant: Participant) -> None:
    """Mark the participant exited on the day of the decision, bypassing the exit service's checks."""
    Participant.objects.filter(pk=participant.pk).update(
        status=Participant.Status.EXITED, exited_on=F("decided_on"), exit_reason=ExitReason.OTHER
    )
    participant.refresh_from_db()
