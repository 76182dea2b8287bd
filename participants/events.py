"""What happens to participants, their journal, employments, aftercare, income, SUS and transfers:
the codes of their case events (sehoglandet.events), stable and never translated, with the labels
users read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantEvent(models.TextChoices):
    ENROLLED = "participant.enrolled", _("Enrolled by the referral group")
    STEP_CHANGED = "participant.step_changed", _("Step changed")
    JOURNAL_ENTRY_ADDED = "journal.entry_added", _("Journal entry added")
    EMPLOYMENT_REGISTERED = "employment.registered", _("Employment registered")
    AFTERCARE_STARTED = "participant.aftercare_started", _("Employment started: aftercare")
    EMPLOYMENT_ENDED = "employment.ended", _("Employment ended")
    BACK_TO_FINDING_WORK = "participant.back_to_finding_work", _("Employment ended: back to finding work")
    VISIT_MARKED = "aftercare.visit_marked", _("Aftercare visit marked")
    VISIT_CANCELLED = "aftercare.visit_cancelled", _("Aftercare contact cancelled: the employment ended")
    AFTERCARE_EXTENDED = "aftercare.extended", _("Aftercare extended")
    SUPPORT_STARTED = "participant.support_started", _("Support started")
    COACH_ASSIGNED = "participant.coach_assigned", _("Responsible coach changed")
    INCOME_RECORDED = "income.recorded", _("Income changed")
    INCOME_BEFORE_CORRECTED = "income.before_corrected", _("Income at enrolment corrected")
    EXITED = "participant.exited", _("Exit recorded by the coach")
    EXITED_BY_DECISION = "participant.exited_by_decision", _("Exit decided by the referral group")
    EXIT_COMPLETED = "participant.exit_completed", _("Exit details recorded")
    SUS_REGISTERED = "sus.registered", _("Registered in SUS")
    SUS_DEREGISTERED = "sus.deregistered", _("De-registered in SUS")
    TRANSFER_STARTED = "transfer.started", _("Transfer started")
    TRANSFER_MEETING_BOOKED = "transfer.meeting_booked", _("Transfer meeting booked")
    TRANSFER_QUEUE_REORDERED = "transfer.queue_reordered", _("Transfer queue reordered")
    TRANSFER_ACCEPTED = "transfer.accepted", _("Transfer accepted")
    TRANSFER_CANCELLED = "transfer.cancelled", _("Transfer cancelled")
    TRANSFER_CANCELLED_BY_EXIT = "transfer.cancelled_by_exit", _("Cancelled: the participant has exited")
    REMINDER_SENT = "reminder.sent", _("Reminder e-mail sent")
