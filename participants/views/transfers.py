"""Transfers between municipalities (docs/domain.md#transfers): the handing-over coach starts one, the receiving
coach keeps the transfer queue in order and accepts or declines; either coach books the meeting.

Thin views over participants.selectors and participants.services: each declares its roles, fetches
through a scoped selector (404 for anyone it does not reach, and the attempt is logged), parses a
form, calls one service and redirects with a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consent.models import Purpose
from consent.selectors import covered_organisation_ids
from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors, errors_as_messages
from sehoglandet.models import AccessLog, Role

from .. import fetch, selectors, services
from ..models import Transfer
from ..transfer_forms import TransferMeetingForm, TransferMoveForm, TransferStartForm


def _to_list():
    return redirect("participants:transfer_list")


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def transfer_start(request, pk: int):
    """The handing-over coach chooses the receiving municipality, writes to its coach and, if it is
    agreed already, books the meeting. Without a consent covering the receiving SE team the page
    says so and links to the consent form."""
    participant = fetch.participant(request, pk, may=access.may_work_on_participant)
    form = TransferStartForm(request.POST or None, participant=participant)
    if form.is_bound and form.is_valid():
        try:
            transfer = services.start_transfer(actor=request.user, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The transfer to %(municipality)s has been started. It waits for the receiving coach.")
                % {"municipality": transfer.to_municipality.name},
            )
            return redirect("participants:participant_detail", pk=participant.pk)
    chosen = form.cleaned_data.get("to_municipality") if form.is_bound else None
    municipalities = list(form.fields["to_municipality"].queryset)
    covered = covered_organisation_ids(participant.person, Purpose.TRANSFER)
    log_access(request, participant, person_id=participant.person_id, purpose=_("Transfer to another municipality"))
    context = {
        "participant": participant,
        "form": form,
        "pending_transfer": selectors.pending_transfer_of(participant),
        "consented": [m for m in municipalities if m.se_team_id in covered],
        "chosen_without_consent": chosen
        if chosen and selectors.transfer_consent_missing(participant, chosen)
        else None,
    }
    return render(request, "participants/transfer_start.html", context)


@access.require_roles(Role.COACH)
@require_GET
def transfer_list(request):
    """Incoming: the transfer queue of the coach's municipality, in the receiving coach's order.
    Outgoing: the waiting transfers the coach's municipality hands over."""
    incoming = list(selectors.transfers_incoming(request.user))
    outgoing = list(selectors.transfers_outgoing(request.user))
    if incoming or outgoing:
        log_access(
            request,
            action=AccessLog.Action.LIST,
            object_type=Transfer._meta.label_lower,
            purpose=_("Transfers between municipalities"),
        )
    return render(request, "participants/transfer_list.html", {"sections": [(True, incoming), (False, outgoing)]})


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def transfer_meeting(request, pk: int):
    """Book or change the meeting with the participant and both coaches, on a page of its own: the
    transfers page shows each transfer's facts and buttons, not a form per card, and a time that is
    refused comes back on the form with what the coach typed."""
    transfer = fetch.transfer(request, pk, may=access.may_take_part_in_transfer)
    if request.method == "POST":
        form = TransferMeetingForm(request.POST)
    else:
        form = TransferMeetingForm(initial={"meeting_at": transfer.meeting_at, "meeting_place": transfer.meeting_place})
    if form.is_bound and form.is_valid():
        try:
            transfer = services.book_transfer_meeting(actor=request.user, transfer=transfer, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                errors_as_messages(request, error)
                return _to_list()
            add_service_errors(form, error)
        else:
            when = date_format(timezone.localtime(transfer.meeting_at), "Y-m-d H:i")
            messages.success(request, _("The transfer meeting is booked for %(when)s.") % {"when": when})
            return _to_list()
    purpose = _("Transfers between municipalities")
    log_access(request, transfer, person_id=transfer.participant.person_id, purpose=purpose)
    return render(request, "participants/transfer_meeting.html", {"transfer": transfer, "form": form})


@access.require_roles(Role.COACH)
@require_POST
def transfer_move(request, pk: int):
    """Move a waiting transfer one place up or down in the receiving municipality's queue."""
    transfer = fetch.transfer(request, pk, may=access.may_receive_transfer)
    form = TransferMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to move the transfer up or down."))
        return _to_list()
    try:
        services.move_in_transfer_queue(actor=request.user, transfer=transfer, up=form.up)
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        messages.success(
            request, _("The transfer has been moved up.") if form.up else _("The transfer has been moved down.")
        )
    return _to_list()


def _confirm(request, transfer: Transfer, **context):
    back = {"back_url": reverse("participants:transfer_list"), "back_label": _("Back to the transfers")}
    if transfer.status != Transfer.Status.PENDING:
        context["done"] = (
            _("The transfer has already been accepted.")
            if transfer.status == Transfer.Status.ACCEPTED
            else _("The transfer has already been declined or cancelled.")
        )
    return render(request, "confirm.html", back | context)


@access.require_roles(Role.COACH)
@require_GET
def transfer_accept_confirm(request, pk: int):
    """What accepting will do, before it is done: who gains and who loses access to the case."""
    transfer = fetch.transfer(request, pk, may=access.may_receive_transfer)
    names = {"from": transfer.from_municipality.name, "to": transfer.to_municipality.name}
    return _confirm(
        request,
        transfer,
        heading=_("Accept the transfer from %(from)s") % names,
        consequences=[
            _("The participant moves to %(to)s from today, with you as responsible coach.") % names,
            _("The SE team of %(to)s gets access to the whole case, the journal included.") % names,
            _("The SE team of %(from)s loses access: they see nothing written after today.") % names,
            _("The participant takes one of the places of %(to)s, unless they are waiting in the queue.") % names,
            _("No e-mail is sent."),
        ],
        action_url=reverse("participants:transfer_accept", args=[transfer.pk]),
        button=_("Yes, accept the transfer"),
    )


@access.require_roles(Role.COACH)
@require_GET
def transfer_cancel_confirm(request, pk: int):
    """What declining (the receiving coach) or cancelling (the handing-over coach) will do."""
    transfer = fetch.transfer(request, pk, may=access.may_take_part_in_transfer)
    names = {"from": transfer.from_municipality.name, "to": transfer.to_municipality.name}
    stays = _("The participant stays with %(from)s and its SE team keeps access to the case.") % names
    no_access = _("The SE team of %(to)s does not get access to the case.") % names
    if access.is_coach_of(request.user, transfer.to_municipality):
        heading = _("Decline the transfer from %(from)s") % names
        consequences = [stays, no_access, _("The handing-over coach sees on the transfer page that you declined.")]
        button = _("Yes, decline the transfer")
    else:
        heading = _("Cancel the transfer to %(to)s") % names
        consequences = [stays, no_access, _("The transfer leaves the transfer queue of %(to)s.") % names]
        button = _("Yes, cancel the transfer")
    return _confirm(
        request,
        transfer,
        heading=heading,
        consequences=[*consequences, _("No e-mail is sent.")],
        action_url=reverse("participants:transfer_cancel", args=[transfer.pk]),
        button=button,
        danger=True,
    )


@access.require_roles(Role.COACH)
@require_POST
def transfer_accept(request, pk: int):
    """The receiving coach accepts: the participant and access to the case move to their team."""
    transfer = fetch.transfer(request, pk, may=access.may_receive_transfer)
    try:
        participant = services.accept_transfer(actor=request.user, transfer=transfer)
    except ValidationError as error:
        errors_as_messages(request, error)
        return _to_list()
    messages.success(
        request,
        _(
            "The transfer has been accepted: the participant now belongs to %(municipality)s, with you as "
            "responsible coach."
        )
        % {"municipality": participant.municipality.name},
    )
    return redirect("participants:participant_detail", pk=participant.pk)


@access.require_roles(Role.COACH)
@require_POST
def transfer_cancel(request, pk: int):
    """The handing-over coach withdraws a waiting transfer, or the receiving coach declines it."""
    transfer = fetch.transfer(request, pk, may=access.may_take_part_in_transfer)
    receiving = access.is_coach_of(request.user, transfer.to_municipality)
    try:
        services.cancel_transfer(actor=request.user, transfer=transfer)
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        if receiving:
            message = _("The transfer from %(municipality)s has been declined.") % {
                "municipality": transfer.from_municipality.name
            }
        else:
            message = _("The transfer to %(municipality)s has been cancelled.") % {
                "municipality": transfer.to_municipality.name
            }
        messages.success(request, message)
    return _to_list()
