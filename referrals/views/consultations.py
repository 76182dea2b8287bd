"""Consultations (konsultationer) on a remittentgrupp meeting's agenda: raised by a member or the
convening coach, answered by the group at the meeting (recorded by the coach), or withdrawn
(docs/domain.md#consultations). They name no person; the minutes say only whether each was answered.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors, errors_as_messages
from sehoglandet.models import Role

from .. import fetch, selectors, services
from ..meeting_forms import ConsultationAnswerForm, ConsultationForm, submitted_data
from ..models import Consultation, Meeting


def _on_meeting_page(consultation: Consultation) -> str:
    return reverse("referrals:meeting_detail", args=[consultation.meeting_id]) + f"#consultation-{consultation.pk}"


def _organisation_of(user, meeting: Meeting):
    seats = access.seats_of(user, meeting.referral_group)
    return seats[0].organisation if seats else None


@access.require_roles(Role.COACH, Role.GROUP_MEMBER)
@require_http_methods(["GET", "POST"])
def consultation_raise(request, pk: int):
    """A member or the convening coach raises a consultation question for a coming meeting."""
    meeting = fetch.meeting(request, pk, may=access.may_raise_consultation)
    form = ConsultationForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.raise_consultation(
                actor=request.user,
                meeting=meeting,
                kind=data["kind"],
                question=data["question"],
                asking_organisation=data["asking_organisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Consultation %(number)d is on the agenda. The group's members can read it before the meeting.")
                % {"number": consultation.number},
            )
            return redirect(_on_meeting_page(consultation))
    context = {
        "meeting": meeting,
        "municipality": meeting.referral_group.municipality,
        "form": form,
        "closed": selectors.consultation_problems(meeting, Consultation.Kind.INTERNAL),
    }
    return render(request, "referrals/consultation_raise.html", context)


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def consultation_answer(request, pk: int):
    """The convening coach records the group's answer at or after the meeting."""
    consultation = fetch.consultation(request, pk, may=access.may_answer_consultation)
    meeting = consultation.meeting
    raised = consultation.status == Consultation.Status.RAISED
    form = ConsultationAnswerForm(submitted_data(request)) if raised else None
    if request.method == "POST" and not raised:
        messages.warning(
            request,
            _("Consultation %(number)d is already %(status)s. Nothing was changed.")
            % {"number": consultation.number, "status": consultation.get_status_display().lower()},
        )
        return redirect(_on_meeting_page(consultation))
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_consultation(
                actor=request.user, consultation=consultation, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group's answer is recorded."))
            return redirect(_on_meeting_page(consultation))
    log_access(
        request,
        consultation,
        purpose=_("Consultation in the referral group"),
        organisation=_organisation_of(request.user, meeting),
    )
    context = {
        "consultation": consultation,
        "meeting": meeting,
        "municipality": meeting.referral_group.municipality,
        "form": form,
        "begun": timezone.localdate(meeting.starts_at) <= timezone.localdate(),
    }
    return render(request, "referrals/consultation_answer.html", context)


@access.require_roles(Role.COACH, Role.GROUP_MEMBER)
@require_POST
def consultation_withdraw(request, pk: int):
    """Whoever raised the question, or the convening coach, takes it off the agenda."""
    consultation = fetch.consultation(request, pk, may=access.may_withdraw_consultation)
    try:
        services.withdraw_consultation(actor=request.user, consultation=consultation)
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        messages.success(request, _("Consultation %(number)d is withdrawn.") % {"number": consultation.number})
    return redirect(_on_meeting_page(consultation))
