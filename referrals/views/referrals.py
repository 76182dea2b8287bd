"""Referrals and the coach's pre-meeting.

Thin views over referrals.services: each declares its roles, fetches through a
scoped selector (404 for anyone no grant reaches, and the attempt is logged), checks the policy
(403), parses a form, calls one service and redirects with a message. Every page that shows a
person's data writes an access-log row.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consent.selectors import consents_of, consents_visible_to
from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors, errors_as_messages
from sehoglandet.models import AccessLog, Role
from sehoglandet.paging import UncountedPaginator
from sehoglandet.services import find_or_create_person

from .. import fetch, selectors, services
from ..filters import ReferralFilter
from ..forms import (
    AgencyDecisionForm,
    NewReferralForm,
    PreMeetingBookingForm,
    PreMeetingHoldForm,
    PreMeetingRecordForm,
    ReferralForm,
)
from ..models import MIN_ACTIVE_PARTIES, Meeting, Referral

PAGE_SIZE = 25
WRITERS = (Role.REFERRER, Role.COACH)
READERS = (Role.REFERRER, Role.COACH, Role.MANAGER, Role.GROUP_MEMBER)
FORM_METHODS = ["GET", "POST"]


def _log(request, referral: Referral, purpose: str) -> None:
    log_access(request, referral, person_id=referral.person_id, purpose=purpose)


def _to_detail(referral: Referral):
    return redirect("referrals:referral_detail", pk=referral.pk)


def _may_withdraw_now(user, referral: Referral) -> bool:
    """The user may withdraw it (access) and its status still allows it (the transition table)."""
    return access.may_withdraw_referral(user, referral) and referral.can_become(Referral.Status.WITHDRAWN)


def _short_date(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# Referrals


@access.require_roles(*WRITERS)
@require_GET
def referral_list(request):
    """Referrers see their own referrals, coaches their municipality's (selectors.referral_list_for);
    filtered by status and "mine", newest first or by name, 25 a page, at most 40 pages."""
    filters = ReferralFilter(request.GET, queryset=selectors.referral_list_for(request.user), user=request.user)
    referrals = filters.qs if filters.is_valid() else filters.queryset.none()
    page = UncountedPaginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if page.object_list:
        log_access(
            request,
            action=AccessLog.Action.LIST,
            object_type=Referral._meta.label_lower,
            purpose=_("List of referrals"),
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "form": filters.form,
            "page": page,
            "query": query.urlencode(),
            "may_create": bool(selectors.referring_organisations(request.user)),
        },
    )


@access.require_roles(*WRITERS)
@require_http_methods(FORM_METHODS)
def referral_create(request):
    """One form for the person and the referral. A known personnummer links the referral to the known
    person, who is left unchanged; the referral keeps and shows what was typed, nothing of the
    registry's row (docs/domain.md#identity-lookup)."""
    form = NewReferralForm(request.POST if request.method == "POST" else None, actor=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person, _created = find_or_create_person(
                    actor=request.user, identity_number=data["identity_number"], **form.person_details()
                )
                referral = services.create_referral(
                    actor=request.user,
                    person=person,
                    municipality=data["municipality"],
                    referring_organisation=data["referring_organisation"],
                    active_at=list(data["active_at"]),
                    income_source=data["income_source"],
                    motivation=data["motivation"],
                    question=data["question"],
                    grounds=form.grounds_dict(),
                    referrer=data.get("referrer"),
                    as_written=form.as_written(),
                )
        except services.DraftExists as exists:
            messages.info(
                request,
                _(
                    "You already have a draft referral for this person, %(reference)s, and it is shown here. "
                    "No second draft was saved."
                )
                % {"reference": exists.referral.reference},
            )
            return _to_detail(exists.referral)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The referral %(reference)s is saved as a draft.") % {"reference": referral.reference}
            )
            if selectors.referrals_visible_to(request.user).filter(pk=referral.pk).exists():
                return _to_detail(referral)
            return redirect("referrals:referral_list")
    return render(request, "referrals/referral_form.html", {"form": form, "is_new": True})


@access.require_roles(*READERS)
@require_GET
def referral_detail(request, pk: int):
    """One URL, rendered by role: the SE team's coach sees the whole case; the referrer what they
    wrote, the status and the outcome; a group member whose organisation the consent covers the
    pre-read. Pre-meeting notes are put in the context for the coach only."""
    referral = fetch.referral(request, pk)
    user = request.user
    is_coach = access.is_coach_of(user, referral.municipality)
    if is_coach:
        role = "team"
        purpose = _("Case work in the SE team")
    elif access.is_manager_of(user, referral.municipality):
        role = "team"
        purpose = _("Manager's review of the case")
    elif access.is_writer_of(user, referral):
        role = "referrer"
        purpose = _("Follow-up of own referral")
    else:
        role = "member"
        purpose = _("Pre-read for the referral group")
    _log(request, referral, purpose)
    context = {
        "referral": referral,
        # The responsible team must know of a protected identity the registry knows, once the
        # referral has reached it; its writer sees only what they marked (docs/domain.md#identity-lookup).
        "protected_identity": referral.is_protected
        if is_coach and not referral.is_draft
        else referral.protected_identity,
        "view": role,
        "active_at": list(referral.active_at.all()),
        "too_few_parties": len(referral.active_at.all()) < MIN_ACTIVE_PARTIES,
    }
    if role in ("team", "referrer"):
        context.update(_case_context(request, referral, team=role == "team"))
    if role == "team" and not is_coach:
        context.update(may_book=False, may_hold_now=False, may_add_to_agenda=False)
    return render(request, "referrals/referral_detail.html", context)


def _case_context(request, referral: Referral, *, team: bool) -> dict:
    user = request.user
    visible = consents_visible_to(user)
    consents = list(consents_of(referral.person) & visible)
    items = selectors.agenda_items_of(referral)
    # The decision on the referral itself; later ones on the participant are not the writer's to see.
    decided = [
        item for item in items if hasattr(item, "decision") and item.decision.outcome in selectors.REFERRAL_OUTCOMES
    ]
    context = {
        "consents": consents,
        "agency_decisions": list(referral.agency_decisions.all()),
        "outcome": decided[-1].decision if decided else None,
        "problems": selectors.submission_problems(referral) if referral.status == Referral.Status.DRAFT else [],
        "may_edit": access.may_edit_referral(user, referral),
        "may_add_agency_decision": access.may_add_agency_decision(user, referral),
        "may_record_consent": access.may_record_consent(user, referral.person),
        "may_withdraw": _may_withdraw_now(user, referral),
        "today": timezone.localdate(),
    }
    group = getattr(referral.municipality, "referral_group", None)
    context["without_consent"] = (
        selectors.organisations_without_consent(referral, group, among=None if team else visible)
        if group and (referral.is_draft or referral.is_open)
        else []
    )
    context["participation"] = selectors.participation_stage(referral)
    if team:
        context.update(
            {
                "pre_meetings": list(referral.pre_meetings.all()),
                "agenda_items": items,
                "may_book": Referral.Status.PRE_MEETING_BOOKED in Referral.ALLOWED_TRANSITIONS[referral.status]
                or referral.status == Referral.Status.PRE_MEETING_BOOKED,
                "may_hold_now": referral.status in services.HOLD_NOW_FROM,
                "may_add_to_agenda": referral.status in (Referral.Status.READY, Referral.Status.SENT_BACK)
                and all(hasattr(item, "decision") for item in items),
                "withdrawal_notice": _withdrawal_notice(referral, consents),
                "agenda_kind": selectors.default_agenda_kind(referral),
            }
        )
        context["coming_meetings"] = (
            list(selectors.coming_meetings(group)) if group and context["may_add_to_agenda"] else []
        )
    return context


def _withdrawal_notice(referral: Referral, consents: list) -> str:
    """What must follow a withdrawn consent that no later consent has replaced: exit or new consent."""
    withdrawn = [consent.withdrawn_on for consent in consents if consent.withdrawn_on]
    if not withdrawn:
        return ""
    last = max(withdrawn)
    today = timezone.localdate()
    if any(consent.is_valid_on(today) and consent.given_on >= last for consent in consents):
        return ""
    values = {"date": _short_date(last)}
    participant = getattr(referral, "participant", None)
    if participant is not None and participant.is_open:
        return (
            _(
                "The person withdrew their consent on %(date)s. Record a new consent, or propose the "
                "participant's exit to the referral group."
            )
            % values
        )
    if referral.status == Referral.Status.DRAFT or referral.status in Referral.OPEN_STATUSES:
        return (
            _(
                "The person withdrew their consent on %(date)s. Record a new consent before the case goes "
                "further, or withdraw the referral."
            )
            % values
        )
    return ""


@access.require_roles(*WRITERS)
@require_http_methods(FORM_METHODS)
def referral_edit(request, pk: int):
    """Change what the referral says, while the policy lets the user edit it."""
    referral = fetch.referral(request, pk, may=access.may_edit_referral)
    form = ReferralForm(request.POST if request.method == "POST" else None, initial=ReferralForm.initial_for(referral))
    if form.is_bound and form.is_valid():
        try:
            services.update_referral(
                actor=request.user,
                referral=referral,
                active_at=list(form.cleaned_data["active_at"]),
                **form.referral_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The referral has been changed."))
            return _to_detail(referral)
    _log(request, referral, _("Changing a referral"))
    return render(request, "referrals/referral_form.html", {"form": form, "referral": referral, "is_new": False})


@access.require_roles(*WRITERS)
@require_POST
def referral_submit(request, pk: int):
    """Send a draft to the municipality's SE team; the page lists what is missing when it cannot."""
    referral = fetch.referral(request, pk, may=access.may_edit_referral)
    try:
        services.submit_referral(actor=request.user, referral=referral)
    except ValidationError as error:
        messages.error(request, _("The referral could not be submitted."))
        errors_as_messages(request, error)
    else:
        messages.success(
            request,
            _("The referral has been submitted to the SE team in %(municipality)s.")
            % {"municipality": referral.municipality.name},
        )
    return _to_detail(referral)


@access.require_roles(*WRITERS)
@require_http_methods(FORM_METHODS)
def referral_withdraw(request, pk: int):
    """GET asks for confirmation and changes nothing; POST withdraws the referral."""
    referral = fetch.referral(request, pk, may=access.may_withdraw_referral)
    if request.method == "POST":
        try:
            services.withdraw_referral(actor=request.user, referral=referral)
        except ValidationError as error:
            errors_as_messages(request, error)
        else:
            messages.success(request, _("The referral has been withdrawn."))
        return _to_detail(referral)
    _log(request, referral, _("Withdrawing a referral"))
    return render(
        request,
        "referrals/referral_withdraw.html",
        {"referral": referral, "may_withdraw": _may_withdraw_now(request.user, referral)},
    )


@access.require_roles(*WRITERS)
@require_http_methods(FORM_METHODS)
def agency_decision_add(request, pk: int):
    """Record the reference of an individual decision on insats made by AF, FK or the municipality."""
    referral = fetch.referral(request, pk, may=access.may_add_agency_decision)
    form = AgencyDecisionForm(request.POST if request.method == "POST" else None, referral=referral)
    if form.is_bound and form.is_valid():
        try:
            services.add_agency_decision(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The individual decision has been recorded."))
            return _to_detail(referral)
    _log(request, referral, _("Recording an individual decision"))
    return render(request, "referrals/referral_agency_decision.html", {"form": form, "referral": referral})


# Pre-meeting


@access.require_roles(Role.COACH)
@require_http_methods(FORM_METHODS)
def pre_meeting_book(request, pk: int):
    """The coach books the intake meeting with the person."""
    referral = fetch.referral(request, pk, may=access.may_hold_pre_meeting)
    form = PreMeetingBookingForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            pre_meeting = services.book_pre_meeting(actor=request.user, referral=referral, booked_for=form.booked_for())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            when = formats.date_format(timezone.localtime(pre_meeting.booked_for), "SHORT_DATETIME_FORMAT")
            messages.success(request, _("The pre-meeting is booked for %(when)s.") % {"when": when})
            return _to_detail(referral)
    _log(request, referral, _("Booking a pre-meeting"))
    return render(request, "referrals/pre_meeting_book.html", {"form": form, "referral": referral})


@access.require_roles(Role.COACH)
@require_http_methods(FORM_METHODS)
def pre_meeting_hold(request, pk: int):
    """The coach holds the pre-meeting now: one form books it, records it and, if the coach picks a
    meeting, puts the referral on that meeting's agenda."""
    referral = fetch.referral(request, pk, may=access.may_hold_pre_meeting)
    group = getattr(referral.municipality, "referral_group", None)
    meetings = selectors.meetings_open_for_items(group) if group else Meeting.objects.none()
    form = PreMeetingHoldForm(request.POST if request.method == "POST" else None, meetings=meetings)
    if form.is_bound and form.is_valid():
        meeting = form.cleaned_data["meeting"]
        try:
            services.hold_pre_meeting_now(
                actor=request.user,
                referral=referral,
                outcome=form.cleaned_data["outcome"],
                meeting=meeting,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if meeting is None:
                messages.success(request, _("The pre-meeting has been recorded."))
                return _to_detail(referral)
            messages.success(
                request,
                _("The pre-meeting has been recorded and %(reference)s is on the agenda.")
                % {"reference": referral.reference},
            )
            return redirect("referrals:meeting_detail", pk=meeting.pk)
    _log(request, referral, _("Recording a pre-meeting"))
    context = {"form": form, "referral": referral, "today": timezone.localdate()}
    return render(request, "referrals/pre_meeting_hold.html", context)


@access.require_roles(Role.COACH)
@require_http_methods(FORM_METHODS)
def pre_meeting_record(request, pk: int):
    """The coach records the held pre-meeting: checklist, notes and outcome."""
    pre_meeting = fetch.pre_meeting(request, pk, may=access.may_record_pre_meeting)
    referral = pre_meeting.referral
    form = PreMeetingRecordForm(
        request.POST if request.method == "POST" else None, initial=PreMeetingRecordForm.initial_for(pre_meeting)
    )
    if form.is_bound and form.is_valid():
        try:
            services.record_pre_meeting(
                actor=request.user,
                pre_meeting=pre_meeting,
                held_on=form.cleaned_data["held_on"],
                outcome=form.cleaned_data["outcome"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pre-meeting has been recorded."))
            return _to_detail(referral)
    _log(request, referral, _("Recording a pre-meeting"))
    return render(
        request,
        "referrals/pre_meeting_record.html",
        {"form": form, "referral": referral, "pre_meeting": pre_meeting},
    )
