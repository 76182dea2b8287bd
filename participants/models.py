"""Enrolments (participants) and the case work on them.

A Participant is one enrolment of a person (sehoglandet.models.Person) in a municipality; a person
who comes back later gets a new one. Changes go through participants/services.py.
"""

import calendar
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from referrals.models import EXITS_TO_WORK_OR_STUDIES, ExitReason, IncomeSource
from sehoglandet.history import History
from sehoglandet.models import Municipality, Organisation, Person

# The queue puts young people first (docs/domain.md#queue).
YOUTH_MIN_AGE = 18
YOUTH_MAX_AGE = 29


class Occupation(models.TextChoices):
    """What the participant does after exit, as SUS asks for it."""

    WORK = "work", _("Work without support")
    SUBSIDISED_WORK = "subsidised_work", _("Work with support (wage subsidy)")
    STUDIES = "studies", _("Studies")
    JOB_SEEKING = "job_seeking", _("Job seeking")
    OTHER_PROGRAMME = "other_programme", _("Another programme or activity")
    SICK_LEAVE = "sick_leave", _("Sick leave or sickness compensation")
    NONE = "none", _("No occupation")
    UNKNOWN = "unknown", _("Unknown")


class Participant(models.Model):
    """One enrolment of a person in a municipality's SE team."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In the queue")
        ACTIVE = "active", _("Active")
        AFTERCARE = "aftercare", _("Aftercare")
        EXITED = "exited", _("Exited")

    class Step(models.IntegerChoices):
        """The five steps of the SE model (docs/domain.md#five-steps)."""

        AGREEMENT = 1, _("1. Agreement")
        VOCATIONAL_PROFILE = 2, _("2. Vocational profile")
        JOB_SEARCH = 3, _("3. Job search / finding a workplace")
        EMPLOYER_ENGAGEMENT = 4, _("4. Employer engagement")
        SUPPORT = 5, _("5. Support on and off the job")

    ALLOWED_TRANSITIONS = {
        Status.QUEUED: {Status.ACTIVE, Status.EXITED},
        Status.ACTIVE: {Status.AFTERCARE, Status.EXITED},
        Status.AFTERCARE: {Status.ACTIVE, Status.EXITED},
        Status.EXITED: set(),
    }

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("person"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="participants", verbose_name=_("municipality")
    )
    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="participant",
        null=True,
        blank=True,
        verbose_name=_("referral"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices, default=Step.AGREEMENT, editable=False)
    decided_on = models.DateField(_("decision on enrolment"))
    started_on = models.DateField(_("started"), null=True, blank=True)
    age_at_decision = models.PositiveSmallIntegerField(_("age at the decision"), editable=False)
    responsible_coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        null=True,
        blank=True,
        verbose_name=_("responsible coach"),
    )
    exited_on = models.DateField(_("exit date"), null=True, blank=True, editable=False)
    exit_reason = models.CharField(
        _("exit reason"), max_length=30, choices=ExitReason.choices, blank=True, editable=False
    )
    exit_note = models.TextField(_("about the exit"), blank=True, editable=False)
    occupation_after = models.CharField(
        _("occupation after exit"), max_length=30, choices=Occupation.choices, blank=True, editable=False
    )
    exit_decision = models.ForeignKey(
        "referrals.Decision",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("exit decided by the referral group"),
    )
    sus_registered_on = models.DateField(_("registered in SUS"), null=True, blank=True, editable=False)
    sus_deregistered_on = models.DateField(_("de-registered in SUS"), null=True, blank=True, editable=False)
    history = History()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [
            # A team's open participants, read from the index alone (their ids and persons, no table
            # page): the to-do's parts and the start page's counts (bench/README.md, sixth pass).
            models.Index(fields=["municipality", "status"], include=["id", "person"], name="participant_team_status"),
            models.Index(fields=["exited_on"]),
            models.Index(fields=["started_on"]),
            models.Index(fields=["decided_on"]),
            # The participant list: one coach's ("mine"), and by decision date (participants.filters).
            models.Index(fields=["municipality", "responsible_coach", "status"], name="participant_lists_coach"),
            models.Index(fields=["municipality", "decided_on"], name="participant_lists_decided"),
            # The list as it opens: a team's open participants by status, the newest decision first.
            # Read in this order, a page stops after its rows; without it the busiest team's 2 792
            # open participants were grant-checked and sorted for every page (bench/README.md,
            # tenth pass).
            models.Index(
                fields=["municipality", "status", "-decided_on", "-id"],
                condition=Q(status__in=["queued", "active", "aftercare"]),
                name="participant_lists_open",
            ),
            # The to-do list and the SUS page (participants.todo): the few rows still to act on.
            models.Index(
                fields=["municipality", "started_on"],
                condition=Q(started_on__isnull=False, sus_registered_on__isnull=True),
                name="participant_sus_to_register",
            ),
            # Exits registered in SUS, by date: those still to de-register (the to-do) and the
            # month's SUS list, which shows those de-registered in the month too.
            models.Index(
                fields=["municipality", "exited_on"],
                condition=Q(status="exited", sus_registered_on__isnull=False),
                name="participant_sus_exits",
            ),
            # Those still to de-register alone: the to-do and the start page read a few hundred of a
            # team's rows, not its every exit since SUS began (19 000 of the bench's busiest team).
            models.Index(
                fields=["municipality", "exited_on"],
                condition=Q(status="exited", sus_registered_on__isnull=False, sus_deregistered_on__isnull=True),
                name="participant_sus_to_deregister",
            ),
            models.Index(
                fields=["municipality", "exited_on"],
                condition=Q(status="exited", occupation_after=""),
                name="participant_exit_details_due",
            ),
            # The month's SUS list (participants.todo.sus_querysets) also shows who was registered,
            # and who de-registered, during the month: with these, each of its two lists reads a
            # team's few rows through two indexes instead of every enrolment of the municipality.
            models.Index(
                fields=["municipality", "sus_registered_on"],
                condition=Q(sus_registered_on__isnull=False),
                name="participant_sus_registered",
            ),
            models.Index(
                fields=["municipality", "sus_deregistered_on"],
                condition=Q(sus_deregistered_on__isnull=False),
                name="participant_sus_deregistered",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=5), name="participant_step_1_to_5"),
            models.CheckConstraint(
                condition=Q(status="exited", exited_on__isnull=False, exit_reason__gt="")
                | (~Q(status="exited") & Q(exited_on__isnull=True)),
                name="participant_exited_with_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("decided_on")),
                name="participant_exit_after_enrolment",
                violation_error_message=_("The exit date cannot be before the decision on enrolment."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status="exited"),
                name="one_open_enrolment_per_person",
                violation_error_message=_("The person already has an open enrolment."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.municipality})"

    @property
    def is_young(self) -> bool:
        return YOUTH_MIN_AGE <= self.age_at_decision <= YOUTH_MAX_AGE

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.EXITED

    @property
    def is_queued(self) -> bool:
        """Enrolled and waiting for a place; what the referral's writer may learn (issue 14)."""
        return self.status == self.Status.QUEUED

    @property
    def exit_details_missing(self) -> bool:
        """Exited by a group decision, the coach still has to record occupation and income after."""
        return self.status == self.Status.EXITED and not self.occupation_after

    @property
    def sus_deregistration_due_on(self) -> date | None:
        """SUS de-registration: three months after an exit to work or studies, at once otherwise
        (docs/domain.md#sus)."""
        if self.exited_on is None:
            return None
        if self.exit_reason in EXITS_TO_WORK_OR_STUDIES:
            return add_months(self.exited_on, 3)
        return self.exited_on

    @property
    def referred_by_agency(self) -> bool:
        """Referred by Arbetsförmedlingen or Försäkringskassan: insured through Kammarkollegiet
        (docs/domain.md#insurance)."""
        referral = self.referral
        return referral is not None and referral.referring_organisation.kind in AGENCY_KINDS


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


AGENCY_KINDS = (Organisation.Kind.EMPLOYMENT_SERVICE, Organisation.Kind.SOCIAL_INSURANCE)


class StepChange(models.Model):
    """The participant reached `step` on `changed_on`: the dated history of the SE steps."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="step_changes", verbose_name=_("participant")
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Participant.Step.choices)
    changed_on = models.DateField(_("date of the change"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("step change")
        verbose_name_plural = _("step changes")
        indexes = [models.Index(fields=["participant", "changed_on"])]
        constraints = [models.CheckConstraint(condition=Q(step__gte=1, step__lte=5), name="step_change_step_1_to_5")]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_step_display()} ({self.changed_on})"


class JournalEntry(models.Model):
    """One dated note or contact in the coach's journal. Only the participant's SE team sees it."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting with the participant")
        EMPLOYER_CONTACT = "employer_contact", _("Employer contact")
        WORKPLACE_VISIT = "workplace_visit", _("Workplace visit")
        STUDY_VISIT = "study_visit", _("Study visit or job tasting")
        WORK_TRIAL = "work_trial", _("Work trial")
        PHONE = "phone", _("Phone call")
        NETWORK_MEETING = "network_meeting", _("SIP or network meeting")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="journal", verbose_name=_("participant")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of contact"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [models.Index(fields=["participant", "date"])]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_kind_display()} ({self.date})"


class Employment(models.Model):
    """A job, studies or a placement the participant has started (issue 4, item 3)."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("Employment")
        SUBSIDISED_EMPLOYMENT = "subsidised_employment", _("Employment with support (wage subsidy)")
        STUDIES = "studies", _("Studies")
        PLACEMENT = "placement", _("Work placement or work trial")

    # The kinds that start the aftercare plan (efterstöd, docs/domain.md#aftercare).
    AFTERCARE_KINDS = {Kind.EMPLOYMENT, Kind.SUBSIDISED_EMPLOYMENT}

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="employments", verbose_name=_("participant")
    )
    employer = models.CharField(_("employer or school"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        indexes = [models.Index(fields=["participant", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="employment_ends_after_it_starts",
                violation_error_message=_("The employment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0, hours_per_week__lte=80), name="employment_hours_0_to_80"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.employer} ({self.starts_on})"

    @property
    def starts_aftercare(self) -> bool:
        return self.kind in self.AFTERCARE_KINDS

    @property
    def has_ended(self) -> bool:
        return self.ends_on is not None and self.ends_on <= date.today()


class AftercareVisit(models.Model):
    """One planned contact of the aftercare plan (efterstöd): a workplace visit or a phone call."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Workplace visit")
        PHONE = "phone", _("Phone call")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled: the employment ended")

    # Still to do: a moved visit waits on its new date.
    OPEN_STATUSES = [Status.PLANNED, Status.MOVED]
    ALLOWED_TRANSITIONS = {
        Status.PLANNED: {Status.DONE, Status.MISSED, Status.MOVED, Status.CANCELLED},
        Status.MOVED: {Status.DONE, Status.MISSED, Status.MOVED, Status.CANCELLED},
        Status.DONE: set(),
        Status.MISSED: set(),
        Status.CANCELLED: set(),
    }

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="aftercare_visits", verbose_name=_("participant")
    )
    employment = models.ForeignKey(
        Employment, on_delete=models.CASCADE, related_name="aftercare_visits", verbose_name=_("employment")
    )
    due_on = models.DateField(_("due"))
    kind = models.CharField(_("kind of contact"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = History()

    class Meta:
        verbose_name = _("aftercare visit")
        verbose_name_plural = _("aftercare visits")
        indexes = [
            models.Index(fields=["participant", "due_on"]),
            # The visits still to do, by date (the to-do list, the start page's week): a few hundred
            # of a national installation's hundred thousand.
            models.Index(
                fields=["due_on"],
                condition=models.Q(status__in=["planned", "moved"]),
                name="aftercare_visit_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_kind_display()} ({self.due_on})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class IncomeRecord(models.Model):
    """The participant's income (försörjning): at enrolment, each change during the support, at exit."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("At enrolment")
        DURING = "during", _("During the support")
        AFTER = "after", _("At exit")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="incomes", verbose_name=_("participant")
    )
    phase = models.CharField(_("when"), max_length=10, choices=Phase.choices)
    source = models.CharField(_("income"), max_length=30, choices=IncomeSource.choices)
    valid_from = models.DateField(_("from"))
    review_on = models.DateField(
        _("review by"),
        null=True,
        blank=True,
        help_text=_("When the decision on the income ends or must be reviewed, if it does."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # Why the income at enrolment was corrected (services.correct_income_before); the history keeps
    # every earlier value and reason.
    correction_reason = models.TextField(_("reason for the correction"), blank=True, editable=False)
    history = History()

    class Meta:
        verbose_name = _("income")
        verbose_name_plural = _("incomes")
        indexes = [
            models.Index(fields=["participant", "phase", "valid_from"]),
            models.Index(fields=["review_on"]),
            # The incomes to review of a team's open participants (the to-do): one probe per
            # participant in the few incomes that have a review date.
            models.Index(
                fields=["participant", "review_on"], condition=Q(review_on__isnull=False), name="income_review_due"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "phase"],
                condition=Q(phase__in=["before", "after"]),
                name="one_income_before_and_after",
            ),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True) | Q(review_on__gte=F("valid_from")),
                name="income_review_after_start",
                violation_error_message=_("The review date cannot be before the income starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_source_display()} ({self.valid_from})"


class MunicipalityPeriod(models.Model):
    """Which municipality the participant belonged to when: from `moved_in_on` up to (not including)
    `moved_out_on`. Reports count each participant in the municipality of the relevant date."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="municipality_periods", verbose_name=_("participant")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    moved_in_on = models.DateField(_("from"))
    moved_out_on = models.DateField(_("until"), null=True, blank=True)
    history = History()

    class Meta:
        verbose_name = _("municipality period")
        verbose_name_plural = _("municipality periods")
        ordering = ["moved_in_on", "id"]
        indexes = [models.Index(fields=["municipality", "moved_in_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=F("moved_in_on")),
                name="municipality_period_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["participant"], condition=Q(moved_out_on__isnull=True), name="one_current_municipality"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.municipality} ({self.moved_in_on}–{self.moved_out_on or ''})"


class Transfer(models.Model):
    """A participant moving to another municipality (docs/domain.md#transfers). The handing-over coach stays
    responsible until the receiving coach accepts; access then moves to the receiving SE team."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving coach")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled")

    ALLOWED_TRANSITIONS = {
        Status.PENDING: {Status.ACCEPTED, Status.CANCELLED},
        Status.ACCEPTED: set(),
        Status.CANCELLED: set(),
    }

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("participant")
    )
    from_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("from municipality")
    )
    to_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="incoming_transfers", verbose_name=_("to municipality")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )
    note = models.TextField(
        _("to the receiving coach"),
        blank=True,
        help_text=_("What the receiving coach needs to know to plan; the journal follows the participant."),
    )
    meeting_at = models.DateTimeField(
        _("transfer meeting"),
        null=True,
        blank=True,
        help_text=_("The meeting with the participant, the handing-over and the receiving coach."),
    )
    meeting_place = models.CharField(_("place of the meeting"), max_length=200, blank=True)
    queue_position = models.PositiveIntegerField(_("place in the transfer queue"), default=0, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    requested_at = models.DateTimeField(_("started"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("accepted or cancelled by"),
    )
    decided_at = models.DateTimeField(_("accepted or cancelled"), null=True, blank=True, editable=False)
    history = History()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        indexes = [models.Index(fields=["to_municipality", "status", "queue_position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="pending"),
                name="one_pending_transfer_per_participant",
                violation_error_message=_("The participant already has a transfer waiting."),
            ),
            models.CheckConstraint(
                condition=~Q(from_municipality=F("to_municipality")),
                name="transfer_to_another_municipality",
                violation_error_message=_("The participant already belongs to this municipality."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.from_municipality} → {self.to_municipality}"


class ParticipantUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Participant, on_delete=models.CASCADE)


class ParticipantGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Participant, on_delete=models.CASCADE)


class ReminderDelivery(models.Model):
    """That a coach was sent the daily reminder for a day, so that running the job twice sends no
    second e-mail (docs/operations.md#scheduled-jobs). It holds counts only, never a participant."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("coach")
    )
    day = models.DateField(_("day"))
    items = models.PositiveIntegerField(_("items"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["coach", "day"], name="one_reminder_per_coach_and_day")]

    def __str__(self) -> str:
        return f"{self.coach} {self.day}"
