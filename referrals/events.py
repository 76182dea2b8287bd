"""What happens to referrals, pre-meetings, meetings and decisions: the codes of their case events
(sehoglandet.events), stable and never translated, with the labels users read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralEvent(models.TextChoices):
    WRITTEN = "referral.written", _("Referral written")
    CHANGED = "referral.changed", _("Referral changed")
    PERSON_CORRECTED = "referral.person_corrected", _("Person's details corrected in the referral")
    AGENCY_DECISION_ADDED = "referral.agency_decision_added", _("Individual decision recorded")
    SUBMITTED = "referral.submitted", _("Referral submitted")
    WITHDRAWN = "referral.withdrawn", _("Referral withdrawn")
    PRE_MEETING_BOOKED = "pre_meeting.booked", _("Pre-meeting booked")
    PRE_MEETING_RECORDED = "pre_meeting.recorded", _("Pre-meeting recorded")
    PRE_MEETING_HELD_NOW = "pre_meeting.held_now", _("Pre-meeting held and recorded at once")
    MEETING_PLANNED = "meeting.planned", _("Meeting planned")
    EXTRA_MEETING_PLANNED = "meeting.extra_planned", _("Extra meeting planned")
    ITEM_ADDED = "agenda.item_added", _("Added to the agenda")
    AGENDA_PUBLISHED = "meeting.agenda_published", _("Agenda published")
    MEMBER_RESPONDED = "agenda.member_responded", _("Member responded")
    ATTENDANCE_RECORDED = "meeting.attendance_recorded", _("Attendance recorded")
    DECISION_RECORDED = "decision.recorded", _("Decision recorded")
    DECISION_ESCALATED = "decision.escalated", _("Escalated to the manager")
    DECIDED_BY_MANAGER = "decision.decided_by_manager", _("Decided by the manager")
    ENROLLED = "referral.enrolled", _("Enrolled")
    DECLINED = "referral.declined", _("Declined")
    SENT_BACK = "referral.sent_back", _("Sent back")
    MEETING_HELD = "meeting.held", _("Meeting held")
    CONSULTATION_RAISED = "consultation.raised", _("Consultation raised")
    CONSULTATION_ANSWERED = "consultation.answered", _("Consultation answered")
    CONSULTATION_WITHDRAWN = "consultation.withdrawn", _("Consultation withdrawn")
