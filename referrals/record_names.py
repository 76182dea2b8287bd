"""How referrals, pre-meetings, meetings, agendas and decisions are named on the auditor's pages
(sehoglandet.records), and where a person's history rows of them are. Registered from
ReferralsConfig.ready()."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sehoglandet.record_names import by_id
from sehoglandet.records import register_person_history, register_record_names

from .models import (
    AgencyDecision,
    AgendaItem,
    Attendance,
    Consultation,
    Decision,
    ItemResponse,
    Meeting,
    PreMeeting,
    Referral,
)


def meeting_name(meeting: Meeting) -> str:
    """ "Remittentgruppsmöte Nässjö 2026-05-12"."""
    return _("Referral group meeting %(municipality)s %(date)s") % {
        "municipality": meeting.referral_group.municipality.name,
        "date": timezone.localdate(meeting.starts_at).isoformat(),
    }


def on_referral(text: str, referral: Referral) -> str:
    """ "Förmöte 2026-05-03 (remiss SE-2026-0052)"."""
    return _("%(record)s (referral %(reference)s)") % {"record": text, "reference": referral.reference}


MEETING = "meeting__referral_group__municipality"


def register() -> None:
    register_record_names(
        Referral._meta.label_lower,
        kind=gettext_lazy("Referral"),
        list_name=gettext_lazy("Referral list"),
        namer=by_id(
            Referral.objects.only("reference"),
            lambda referral: _("Referral %(reference)s") % {"reference": referral.reference},
        ),
    )
    register_record_names(
        PreMeeting._meta.label_lower,
        kind=gettext_lazy("Pre-meeting"),
        namer=by_id(
            PreMeeting.objects.select_related("referral"),
            lambda pre: on_referral(
                _("Pre-meeting %(date)s") % {"date": timezone.localdate(pre.booked_for).isoformat()}, pre.referral
            ),
        ),
    )
    register_record_names(
        AgencyDecision._meta.label_lower,
        kind=gettext_lazy("Decision on an intervention"),
        namer=by_id(
            AgencyDecision.objects.select_related("referral", "organisation"),
            lambda decision: on_referral(
                _("Decision on an intervention, %(organisation)s") % {"organisation": decision.organisation.short_name},
                decision.referral,
            ),
        ),
    )
    register_record_names(
        Meeting._meta.label_lower,
        kind=gettext_lazy("Referral group meeting"),
        list_name=gettext_lazy("List of meetings"),
        namer=by_id(Meeting.objects.select_related("referral_group__municipality"), meeting_name),
    )
    register_record_names(
        AgendaItem._meta.label_lower,
        kind=gettext_lazy("Agenda item"),
        namer=by_id(
            AgendaItem.objects.select_related("referral", MEETING),
            lambda item: on_referral(
                _("Agenda item, %(meeting)s") % {"meeting": meeting_name(item.meeting)}, item.referral
            ),
        ),
    )
    register_record_names(
        ItemResponse._meta.label_lower,
        kind=gettext_lazy("Answer on an agenda item"),
        namer=by_id(
            ItemResponse.objects.select_related("organisation", "item__referral", f"item__{MEETING}"),
            lambda response: on_referral(
                _("Answer from %(organisation)s, %(meeting)s")
                % {"organisation": response.organisation.short_name, "meeting": meeting_name(response.item.meeting)},
                response.item.referral,
            ),
        ),
    )
    register_record_names(
        Attendance._meta.label_lower,
        kind=gettext_lazy("Attendance"),
        namer=by_id(
            Attendance.objects.select_related(MEETING, "seat__organisation"),
            lambda attendance: (
                _("Attendance of %(organisation)s, %(meeting)s")
                % {"organisation": attendance.seat.organisation.short_name, "meeting": meeting_name(attendance.meeting)}
            ),
        ),
    )
    register_record_names(
        Decision._meta.label_lower,
        kind=gettext_lazy("Decision"),
        list_name=gettext_lazy("List of escalated questions"),
        namer=by_id(
            Decision.objects.select_related("item__referral", f"item__{MEETING}"),
            lambda decision: on_referral(
                _("Decision, %(meeting)s") % {"meeting": meeting_name(decision.item.meeting)}, decision.item.referral
            ),
        ),
    )
    register_record_names(
        Consultation._meta.label_lower,
        kind=gettext_lazy("Consultation"),
        namer=by_id(
            Consultation.objects.select_related(MEETING),
            lambda consultation: (
                _("Consultation %(number)d, %(meeting)s")
                % {"number": consultation.number, "meeting": meeting_name(consultation.meeting)}
            ),
        ),
    )
    register_person_history(Referral, "person_id")
    register_person_history(PreMeeting, "referral__person_id")
    register_person_history(AgencyDecision, "referral__person_id")
    register_person_history(AgendaItem, "referral__person_id")
    register_person_history(ItemResponse, "item__referral__person_id")
    register_person_history(Decision, "item__referral__person_id")
