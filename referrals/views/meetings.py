"""Remittentgrupp meetings: the year's plan, the agenda, members' answers, attendance, decisions, the
agenda and the minutes as PDF.

The coach convenes the group of their municipality and sees every item; a member sees an item only
where the person's consent covers their organisation, and otherwise only that consent is missing.
"""

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors, errors_as_messages
from sehoglandet.http import safe_next
from sehoglandet.models import AccessLog, Role

from .. import fetch, minutes, selectors, services
from ..meeting_forms import (
    AgendaAddForm,
    AttendanceForm,
    CandidateSearchForm,
    DecisionForm,
    ExtraMeetingForm,
    ItemResponseForm,
    PlanYearForm,
    submitted_data,
)
from ..models import AgendaItem, Consultation, Decision, Meeting, Referral

MEETING_ROLES = (Role.COACH, Role.MANAGER, Role.GROUP_MEMBER)
PAST_MEETINGS_PAGE_SIZE = 20
# Cases offered at once for the agenda: a search narrows them, never a list of thousands.
CANDIDATE_LIMIT = 20


def _meeting_url(meeting: Meeting, item: AgendaItem | None = None) -> str:
    """The meeting's page; with an item, the agenda page that shows it, at the item."""
    url = reverse("referrals:meeting_detail", args=[meeting.pk])
    if item is None:
        return url
    page = selectors.agenda_page_of(item)
    return f"{url}{f'?page={page}' if page > 1 else ''}#item-{item.pk}"


def _is_open_for_items(meeting: Meeting) -> bool:
    return (
        meeting.status in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED)
        and meeting.starts_at > timezone.now()
        and meeting.item_deadline >= timezone.localdate()
    )


def _has_begun(meeting: Meeting) -> bool:
    """Attendance and decisions are recorded on the meeting's day or after it."""
    return (
        meeting.status != Meeting.Status.CANCELLED
        and timezone.localtime(meeting.starts_at).date() <= timezone.localdate()
    )


def _start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


@access.require_roles(*MEETING_ROLES)
@require_GET
def meeting_list(request):
    """The coach's and manager's meetings of their group; a member's published and held meetings."""
    # Counted per meeting shown (a subquery), not by grouping every meeting of ten years with its items.
    items = AgendaItem.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting")
    meetings = selectors.meetings_visible_to(request.user).annotate(
        item_count=Subquery(items.annotate(count=Count("pk")).values("count"), output_field=IntegerField())
    )
    coming = meetings.filter(starts_at__gte=_start_of_today()).order_by("starts_at")
    past = meetings.filter(starts_at__lt=_start_of_today()).order_by("-starts_at")
    context = {
        "coming": list(coming),
        "past": Paginator(past, PAST_MEETINGS_PAGE_SIZE).get_page(request.GET.get("page")),
        "may_plan": access.has_role(request.user, Role.COACH),
    }
    return render(request, "referrals/meeting_list.html", context)


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def meeting_plan_year(request):
    """Create the year's monthly meetings of the coach's group in one go."""
    form = PlanYearForm(submitted_data(request), referral_groups=selectors.referral_groups_convened_by(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = services.create_meetings_for_year(
            actor=request.user,
            referral_group=data["referral_group"],
            year=data["year"],
            weekday=data["weekday"],
            nth=data["nth"],
            starts=data["starts"],
            location=data["location"],
            deadline_days=data["deadline_days"],
        )
        if created:
            messages.success(
                request,
                ngettext("%(count)d meeting was planned.", "%(count)d meetings were planned.", len(created))
                % {"count": len(created)},
            )
        else:
            messages.info(request, _("No meeting was planned: every date has passed or already has a meeting."))
        return redirect("referrals:meeting_list")
    return render(request, "referrals/meeting_plan.html", {"form": form})


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def meeting_add_extra(request):
    """One meeting of the coach's group besides the year's plan."""
    groups = selectors.referral_groups_convened_by(request.user)
    form = ExtraMeetingForm(submitted_data(request), referral_groups=groups)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_extra_meeting(
                actor=request.user,
                referral_group=data["referral_group"],
                day=data["day"],
                starts=data["starts"],
                location=data["location"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The extra meeting is created. Add its items and publish the agenda."))
            return redirect(_meeting_url(meeting))
    return render(request, "referrals/meeting_add_extra.html", {"form": form})


def _render_meeting(request, meeting: Meeting, *, attendance_form=None, response_forms=None, page_number=None):
    """The meeting page, for the convener, the manager and the members; forms with errors passed in.
    The agenda shows one page of items: `page_number`, or the one the address asks for."""
    user = request.user
    group = meeting.referral_group
    convener = access.may_run_meetings(user, group)
    seats = access.seats_of(user, group)
    own_organisations = {seat.organisation_id for seat in seats}
    page = selectors.agenda_page(user, meeting, page_number or request.GET.get("page"))
    items = page.object_list
    begun = _has_begun(meeting)
    answers_open = meeting.status == Meeting.Status.PUBLISHED and meeting.starts_at > timezone.now()
    response_forms = response_forms or {}
    for item in items:
        item.recorded = getattr(item, "decision", None)
        item.own_responses = [r for r in item.responses.all() if r.organisation_id in own_organisations]
        if seats and item.visible and (answers_open or item.pk in response_forms):
            own = item.own_responses[0] if item.own_responses else None
            initial = {"active": own.active, "note": own.note} if own else None
            item.response_form = response_forms.get(item.pk) or ItemResponseForm(item=item, initial=initial)
    context = {
        "meeting": meeting,
        "group": group,
        "municipality": group.municipality,
        "items": items,
        "page": page,
        "page_query": urlencode({"q": request.GET["q"]}) if "q" in request.GET else "",
        "convener": convener,
        "member": bool(seats),
        "begun": begun,
        "open_for_items": _is_open_for_items(meeting),
    }
    context["consultations"] = selectors.consultations_for(user, meeting)
    for consultation in context["consultations"]:
        consultation.withdrawable = convener or consultation.raised_by_id == user.pk
    context["may_raise_consultation"] = access.may_raise_consultation(user, meeting) and not (
        selectors.consultation_problems(meeting, Consultation.Kind.INTERNAL)
    )
    if context["consultations"]:
        log_access(
            request,
            meeting,
            action=AccessLog.Action.LIST,
            purpose=_("Consultations of the referral group's meeting"),
            organisation=seats[0].organisation if seats else None,
        )
    if convener:
        hidden_from = selectors.organisations_without_consent_by_item(meeting, items)
        for item in items:
            item.hidden_from = hidden_from[item.pk]
        context["candidates"] = []
        if context["open_for_items"]:
            context.update(_candidates(request, meeting))
        for referral in context["candidates"]:
            referral.default_kind = selectors.default_agenda_kind(referral)
        context["kinds"] = AgendaItem.Kind.choices
        if begun:
            seats_with_attendance = selectors.attendance_by_seat(meeting)
            context["attendance_form"] = attendance_form or AttendanceForm(seats_with_attendance=seats_with_attendance)
            context["missing_parties"] = selectors.missing_parties(seats_with_attendance)
    if any(item.visible for item in items) or context.get("candidates"):
        log_access(
            request,
            meeting,
            action=AccessLog.Action.LIST,
            purpose=_("Agenda of the referral group's meeting"),
            organisation=seats[0].organisation if seats else None,
        )
    return render(request, "referrals/meeting_detail.html", context)


def _candidates(request, meeting: Meeting) -> dict:
    """The cases the convener may add, found by the search in the "add" section (the first
    CANDIDATE_LIMIT by case reference before a search), and the search form."""
    form = CandidateSearchForm(request.GET if "q" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return {"candidate_form": form, "candidates": [], "candidates_searched": False}
    query = vars(form.cleaned_data["q"]) if form.is_bound else {}
    found = selectors.search_agenda_candidates(request.user, meeting, limit=CANDIDATE_LIMIT, **query)
    return {
        "candidate_form": form,
        "candidates": found[:CANDIDATE_LIMIT],
        "more_candidates": len(found) > CANDIDATE_LIMIT,
        "candidates_searched": form.is_bound,
        "candidate_limit": CANDIDATE_LIMIT,
    }


@access.require_roles(*MEETING_ROLES)
@require_GET
def meeting_detail(request, pk: int):
    meeting = fetch.meeting(request, pk)
    return _render_meeting(request, meeting)


@access.require_roles(Role.COACH)
@require_POST
def agenda_add(request, pk: int):
    """Put a referral (or an enrolled participant's case) on a coming meeting's agenda."""
    referral = fetch.referral(request, pk)
    form = AgendaAddForm(request.POST, meetings=selectors.meetings_visible_to(request.user))
    if not form.is_valid():
        errors_as_messages(request, form)
        return redirect(safe_next(request) or reverse("referrals:referral_detail", args=[referral.pk]))
    meeting = form.cleaned_data["meeting"]
    try:
        item = services.add_agenda_item(
            actor=request.user, meeting=meeting, referral=referral, kind=form.cleaned_data["kind"]
        )
    except ValidationError as error:
        messages.error(request, _("%(reference)s was not added to the agenda.") % {"reference": referral.reference})
        errors_as_messages(request, error)
        return redirect(safe_next(request) or _meeting_url(meeting))
    messages.success(request, _("%(reference)s is on the agenda.") % {"reference": referral.reference})
    left_out = selectors.organisations_without_consent(referral, meeting.referral_group)
    if left_out:
        messages.warning(
            request,
            _("The consent does not cover %(organisations)s: they will not see the item.")
            % {"organisations": ", ".join(organisation.name for organisation in left_out)},
        )
    return redirect(safe_next(request) or _meeting_url(meeting, item))


def _confirm(request, meeting: Meeting, **context):
    back = {"back_url": _meeting_url(meeting), "back_label": _("Back to the meeting")}
    return render(request, "confirm.html", back | context)


@access.require_roles(Role.COACH)
@require_GET
def meeting_publish_confirm(request, pk: int):
    """What publishing will do, before it is done: who gets e-mail (counts per organisation, no names)
    and who sees the items."""
    meeting = fetch.meeting(request, pk, may=access.may_run_meeting)
    heading = _("Publish the agenda")
    if meeting.status != Meeting.Status.PLANNED:
        return _confirm(request, meeting, heading=heading, done=_("The agenda has already been published."))
    items = list(meeting.items.select_related("referral"))
    hidden = selectors.organisations_without_consent_by_item(meeting, items)
    by_organisation = selectors.agenda_mail_by_organisation(meeting)
    total = sum(count for _name, count in by_organisation)
    consequences = [
        ngettext(
            "%(count)s member of the referral group gets an e-mail with a link to the meeting; it holds no "
            "personal data.",
            "%(count)s members of the referral group get an e-mail with a link to the meeting; it holds no "
            "personal data.",
            total,
        )
        % {"count": total},
        *(
            ngettext("%(organisation)s: %(count)s member", "%(organisation)s: %(count)s members", count)
            % {"organisation": name, "count": count}
            for name, count in by_organisation
        ),
        ngettext(
            "The members can read the %(count)s case on the agenda where the person's consent covers their "
            "organisation, and answer whether the person is active with them.",
            "The members can read the %(count)s cases on the agenda where the person's consent covers their "
            "organisation, and answer whether the person is active with them.",
            len(items),
        )
        % {"count": len(items)},
    ]
    if without := sum(1 for item in items if hidden.get(item.pk)):
        consequences.append(
            ngettext(
                "For %(count)s case some member organisations are not covered by consent: they see only that "
                "consent is missing.",
                "For %(count)s cases some member organisations are not covered by consent: they see only that "
                "consent is missing.",
                without,
            )
            % {"count": without}
        )
    return _confirm(
        request,
        meeting,
        heading=heading,
        consequences=consequences,
        action_url=reverse("referrals:meeting_publish", args=[meeting.pk]),
        button=_("Yes, publish and send the e-mail"),
    )


@access.require_roles(Role.COACH)
@require_GET
def meeting_close_confirm(request, pk: int):
    """What marking the meeting as held will do, before it is done."""
    meeting = fetch.meeting(request, pk, may=access.may_run_meeting)
    heading = _("Mark the meeting as held")
    if meeting.status == Meeting.Status.HELD:
        return _confirm(request, meeting, heading=heading, done=_("The meeting has already been marked as held."))
    if meeting.status != Meeting.Status.PUBLISHED:
        return _confirm(
            request, meeting, heading=heading, done=_("Only a meeting with a published agenda can be marked as held.")
        )
    counts = meeting.items.aggregate(total=Count("pk"), open=Count("pk", filter=Q(decision__isnull=True)))
    consequences = [
        _("The members can no longer answer on the agenda's cases."),
        _("The minutes, with the decisions only, can be downloaded."),
        _("No e-mail is sent, and no one gains or loses access to a case."),
    ]
    if counts["open"]:
        consequences.append(
            ngettext(
                "%(count)s case on the agenda has no decision yet; it can still be recorded afterwards.",
                "%(count)s cases on the agenda have no decision yet; they can still be recorded afterwards.",
                counts["open"],
            )
            % {"count": counts["open"]}
        )
    return _confirm(
        request,
        meeting,
        heading=heading,
        consequences=consequences,
        action_url=reverse("referrals:meeting_close", args=[meeting.pk]),
        button=_("Yes, mark the meeting as held"),
    )


@access.require_roles(Role.COACH)
@require_POST
def meeting_publish(request, pk: int):
    """Publish the agenda; the members get an e-mail with a link and no personal data."""
    meeting = fetch.meeting(request, pk, may=access.may_run_meeting)
    try:
        services.publish_agenda(actor=request.user, meeting=meeting)
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        messages.success(
            request, _("The agenda is published. The members got an e-mail with a link; it holds no personal data.")
        )
    return redirect(_meeting_url(meeting))


@access.require_roles(Role.COACH)
@require_POST
def meeting_attendance(request, pk: int):
    """Who attended, per seat of the group."""
    meeting = fetch.meeting(request, pk, may=access.may_run_meeting)
    form = AttendanceForm(request.POST, seats_with_attendance=selectors.attendance_by_seat(meeting))
    if not form.is_valid():
        return _render_meeting(request, meeting, attendance_form=form)
    services.record_attendance(actor=request.user, meeting=meeting, present=form.present())
    messages.success(request, _("Attendance recorded."))
    return redirect(f"{_meeting_url(meeting)}#attendance")


@access.require_roles(Role.COACH)
@require_POST
def meeting_close(request, pk: int):
    """Mark the meeting as held."""
    meeting = fetch.meeting(request, pk, may=access.may_run_meeting)
    try:
        services.close_meeting(actor=request.user, meeting=meeting)
    except ValidationError as error:
        errors_as_messages(request, error)
    else:
        messages.success(request, _("The meeting is marked as held."))
    return redirect(_meeting_url(meeting))


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@access.require_roles(*MEETING_ROLES)
@require_GET
def meeting_agenda(request, pk: int):
    """The agenda as PDF: per item the case reference and the kind only, as the reader may see them."""
    meeting = fetch.meeting(request, pk)
    pdf = minutes.render_agenda(
        meeting=meeting,
        items=selectors.agenda_for(request.user, meeting),
        generated_by=request.user.get_full_name() or request.user.username,
        generated_at=timezone.now(),
        consultations=selectors.consultations_for(request.user, meeting),
    )
    seats = access.seats_of(request.user, meeting.referral_group)
    log_access(
        request,
        meeting,
        action=AccessLog.Action.PRINT,
        purpose=_("Agenda of the referral group's meeting"),
        organisation=seats[0].organisation if seats else None,
    )
    return _pdf_response(pdf, minutes.agenda_filename(meeting))


@access.require_roles(*MEETING_ROLES)
@require_GET
def meeting_minutes(request, pk: int):
    """The minutes as PDF: attendance and, per item, the case reference and the decision only.
    Before the meeting is held there are none: back to the meeting, which offers the agenda."""
    meeting = fetch.meeting(request, pk)
    if not minutes.has_minutes(meeting):
        messages.info(request, _("The minutes are written once the meeting is held. Until then, download the agenda."))
        return redirect(_meeting_url(meeting))
    pdf = minutes.render_minutes(
        meeting=meeting,
        items=selectors.agenda_for(request.user, meeting),
        seats_with_attendance=selectors.attendance_by_seat(meeting),
        generated_by=request.user.get_full_name() or request.user.username,
        generated_at=timezone.now(),
        consultations=selectors.consultations_for(request.user, meeting),
    )
    seats = access.seats_of(request.user, meeting.referral_group)
    log_access(
        request,
        meeting,
        action=AccessLog.Action.PRINT,
        purpose=_("Minutes of the referral group's meeting"),
        organisation=seats[0].organisation if seats else None,
    )
    return _pdf_response(pdf, minutes.minutes_filename(meeting))


@access.require_roles(Role.GROUP_MEMBER)
@require_POST
def item_respond(request, pk: int):
    """A member marks whether the person is active with their organisation, and adds what is relevant."""
    item = fetch.consented_agenda_item(request, pk)
    form = ItemResponseForm(request.POST, item=item)
    if form.is_valid():
        try:
            services.respond_to_item(
                actor=request.user, item=item, active=form.cleaned_data["active"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            errors_as_messages(request, error)
        else:
            messages.success(
                request, _("Your answer on %(reference)s is saved.") % {"reference": item.referral.reference}
            )
        return redirect(_meeting_url(item.meeting, item))
    return _render_meeting(
        request, item.meeting, response_forms={item.pk: form}, page_number=selectors.agenda_page_of(item)
    )


def already_decided_message(decision: Decision) -> str:
    return _("Someone else already recorded the decision on this item: %(decision)s. Nothing was changed.") % {
        "decision": minutes.decision_label(decision)
    }


@access.require_roles(Role.COACH)
@require_http_methods(["GET", "POST"])
def item_decide(request, pk: int):
    """The group's decision on one item, recorded by the coach; escalated when the group cannot agree."""
    item = fetch.agenda_item(request, pk, may=access.may_record_decision)
    recorded = getattr(item, "decision", None)
    if request.method == "POST" and recorded is not None:
        messages.warning(request, already_decided_message(recorded))
        return redirect(_meeting_url(item.meeting, item))
    form = DecisionForm(submitted_data(request)) if recorded is None else None
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.record_decision(actor=request.user, item=item, **form.service_kwargs())
        except services.AlreadyDecided as race:
            messages.warning(request, already_decided_message(race.decision))
            return redirect(_meeting_url(item.meeting, item))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if decision.status == Decision.Status.ESCALATED:
                messages.success(request, _("The question is referred to the manager, who decides."))
            else:
                messages.success(request, _("The decision is recorded."))
            return redirect(_meeting_url(item.meeting, item))
    log_access(
        request,
        item.referral,
        person_id=item.referral.person_id,
        purpose=_("Decision in the referral group"),
    )
    context = {
        "item": item,
        "meeting": item.meeting,
        "meeting_url": _meeting_url(item.meeting, item),
        "referral": item.referral,
        "recorded": recorded,
        "form": form,
        "begun": _has_begun(item.meeting),
        "ready": item.referral.status in (Referral.Status.READY, Referral.Status.SENT_BACK),
    }
    return render(request, "referrals/item_decide.html", context)
