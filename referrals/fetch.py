"""The gate for referral records (sehoglandet.gate): each helper returns the record, or answers 404
to anyone no grant reaches and 403 to someone who may see it but not do this, writing the refused
access-log row either way."""

from django.http import Http404
from django.utils.translation import gettext as _

from sehoglandet import access, gate

from . import selectors
from .models import AgendaItem, Consultation, Decision, Meeting, PreMeeting, Referral


def referral(request, pk: int, *, may: gate.Rule | None = None) -> Referral:
    return gate.fetch(request, selectors.get_referral_for_user, Referral, pk, may=may)


def pre_meeting(request, pk: int, *, may: gate.Rule | None = None) -> PreMeeting:
    return gate.fetch(request, selectors.get_pre_meeting_for_user, PreMeeting, pk, may=may)


def meeting(request, pk: int, *, may: gate.Rule | None = None) -> Meeting:
    return gate.fetch(request, selectors.get_meeting_for_user, Meeting, pk, may=may)


def agenda_item(request, pk: int, *, may: gate.Rule | None = None) -> AgendaItem:
    """An item of a meeting the user may see, with `visible` (whether consent covers the user's
    organisation), as the convener needs it."""
    return gate.fetch(request, selectors.get_agenda_item_for_user, AgendaItem, pk, may=may)


def consented_agenda_item(request, pk: int) -> AgendaItem:
    """An item a member may act on: on an agenda they see, and covered by the person's consent for
    their organisation. An item the consent does not cover is a 404 too, logged with the person and
    the member's organisation, so the member learns nothing about it."""
    item = agenda_item(request, pk)
    if not item.visible:
        seats = access.seats_of(request.user, item.meeting.referral_group)
        gate.refuse(
            request,
            AgendaItem,
            pk,
            _("Refused: no consent for your organisation"),
            person_id=item.referral.person_id,
            organisation=seats[0].organisation if seats else None,
        )
        raise Http404
    return item


def escalation(request, pk: int, *, may: gate.Rule | None = None) -> Decision:
    return gate.fetch(request, selectors.get_escalation_for_user, Decision, pk, may=may)


def consultation(request, pk: int, *, may: gate.Rule | None = None) -> Consultation:
    """A consultation of a meeting the user may see, whose grant reaches them (the group and the team)."""
    return gate.fetch(request, selectors.get_consultation_for_user, Consultation, pk, may=may)
