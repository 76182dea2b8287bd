"""Referrals (remisser), the coach's pre-meeting, remittentgrupp meetings, agendas and decisions.

Statuses are explicit state machines (ALLOWED_TRANSITIONS); every change goes through
referrals/services.py, which also grants and revokes record access.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from sehoglandet.history import History
from sehoglandet.models import Municipality, Organisation, Person, ReferralGroup, ReferralGroupSeat

# Enrolment needs the person active at two or more parties (docs/domain.md#two-parties).
MIN_ACTIVE_PARTIES = 2


class IncomeSource(models.TextChoices):
    """Income (försörjning): at enrolment, during the support and at exit (docs/domain.md#income)."""

    ACTIVITY_COMPENSATION = "activity_compensation", _("Activity compensation (aktivitetsersättning)")
    SICKNESS_COMPENSATION = "sickness_compensation", _("Sickness compensation (sjukersättning)")
    SICKNESS_BENEFIT = "sickness_benefit", _("Sickness benefit (sjukpenning)")
    ACTIVITY_SUPPORT = "activity_support", _("Activity support or establishment benefit")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance (försörjningsstöd)")
    UNEMPLOYMENT_INSURANCE = "unemployment_insurance", _("Unemployment insurance (a-kassa)")
    SALARY = "salary", _("Salary")
    STUDENT_FINANCE = "student_finance", _("Student finance (studiemedel)")
    NONE = "none", _("None")
    OTHER = "other", _("Other")


class ExitReason(models.TextChoices):
    WORK = "work", _("Work")
    STUDIES = "studies", _("Studies")
    LACK_OF_MOTIVATION = "lack_of_motivation", _("Lack of motivation")
    RELAPSE = "relapse", _("Relapse into substance abuse")
    WORSE_HEALTH = "worse_health", _("Worse health")
    OTHER_SUPPORT = "other_support", _("Needs other support")
    MOVED = "moved", _("Moved")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


# Exits that count towards the goal (docs/domain.md#goals) and are de-registered in SUS three
# months later (docs/domain.md#sus).
EXITS_TO_WORK_OR_STUDIES = (ExitReason.WORK, ExitReason.STUDIES)


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PRE_MEETING_BOOKED = "pre_meeting_booked", _("Pre-meeting booked")
        READY = "ready", _("Ready for the referral group")
        ENROLLED = "enrolled", _("Decided: enrolled")
        DECLINED = "declined", _("Decided: declined")
        SENT_BACK = "sent_back", _("Decided: sent back for more preparation")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ALLOWED_TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.PRE_MEETING_BOOKED, Status.READY, Status.WITHDRAWN},
        Status.PRE_MEETING_BOOKED: {Status.READY, Status.SUBMITTED, Status.WITHDRAWN},
        Status.READY: {Status.ENROLLED, Status.DECLINED, Status.SENT_BACK, Status.WITHDRAWN},
        Status.SENT_BACK: {
            Status.PRE_MEETING_BOOKED,
            Status.READY,
            Status.ENROLLED,
            Status.DECLINED,
            Status.WITHDRAWN,
        },
        Status.ENROLLED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
    }
    OPEN_STATUSES = [Status.SUBMITTED, Status.PRE_MEETING_BOOKED, Status.READY, Status.SENT_BACK]

    reference = models.CharField(_("case reference"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("person"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("municipality")
    )
    referring_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_made", verbose_name=_("referring organisation")
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        verbose_name=_("referrer (handläggare)"),
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False, db_index=True
    )
    # The person as the referral's writer described them. A referral shows these, never the
    # registry's Person row: typing a known personnummer links the referral to that person but
    # reveals nothing the writer did not type (docs/domain.md#identity-lookup).
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=10, choices=Person.Gender.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    residence = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("municipality of residence"),
    )
    protected_identity = models.BooleanField(_("protected identity"), default=False)
    ground_disability = models.BooleanField(_("disability (funktionsnedsättning)"), default=False)
    ground_mental_ill_health = models.BooleanField(_("mental ill-health (psykisk ohälsa)"), default=False)
    ground_past_substance_abuse = models.BooleanField(
        _("past substance abuse (tidigare missbruksproblematik)"), default=False
    )
    active_at = models.ManyToManyField(
        Organisation,
        related_name="+",
        blank=True,
        verbose_name=_("active at (aktuell hos)"),
        help_text=_("The parties where the person is active; at least two are needed for enrolment."),
    )
    income_source = models.CharField(_("income (försörjning)"), max_length=30, choices=IncomeSource.choices)
    motivation = models.TextField(_("the person's motivation, in their own words"))
    question = models.TextField(_("question to the referral group"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    history = History(m2m_fields=[active_at])

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["submitted_at"]),
            # The referral list: newest first, or by the name the writer gave (referrals.filters).
            models.Index(fields=["municipality", "created_at"], name="referral_lists_written"),
            models.Index(fields=["municipality", "last_name", "first_name"], name="referral_lists_name"),
        ]

    def __str__(self) -> str:
        return self.reference

    GROUND_FIELDS = ["ground_disability", "ground_mental_ill_health", "ground_past_substance_abuse"]
    PERSON_FIELDS = [
        "first_name",
        "last_name",
        "gender",
        "phone",
        "email",
        "street_address",
        "postal_code",
        "city",
        "residence",
        "protected_identity",
    ]

    @staticmethod
    def person_field(name: str) -> str:
        """The registry's (Person) field that a referral's person field describes: the same name,
        but for the home municipality, which is `municipality` there."""
        return "municipality" if name == "residence" else name

    @property
    def full_name(self) -> str:
        """The name the writer gave."""
        return f"{self.first_name} {self.last_name}"

    @property
    def is_protected(self) -> bool:
        """Protected identity as the writer marked it or as the registry knows it: the masking for
        third parties uses both (sehoglandet.access.may_see_referral_identity)."""
        return self.protected_identity or self.person.protected_identity

    @property
    def grounds(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.GROUND_FIELDS if getattr(self, f)]

    # What the access policy (sehoglandet.access) asks of a referral.

    @property
    def status_label(self) -> str:
        """The status as lists and pages show it: a decided referral by the group's result, worded as
        the decision is everywhere ("Avböjd", docs/domain.md#decision-wording)."""
        outcome = DECIDED_BY.get(self.status)
        return DECISION_RESULTS[outcome] if outcome else self.Status(self.status).label

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        """Submitted and not yet decided or withdrawn: the SE team is working on it."""
        return self.status in self.OPEN_STATUSES

    @property
    def is_enrolled(self) -> bool:
        return self.status == self.Status.ENROLLED

    def can_become(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS[self.status]


class Participation(models.TextChoices):
    """What the referral's writer learns of the enrolment it led to: whether the person waits or has
    started, nothing of the step or the journal (issue 14, point 3). Not stored: read from the
    enrolment through the handover's reverse relation (referrals.selectors.participation_stage)."""

    QUEUED = "queued", _("Waiting in the queue for a place")
    STARTED = "started", _("Has started with the SE coach")
    ENDED = "ended", _("The participation has ended")


class AgencyDecision(models.Model):
    """A reference to an individual decision on insats, made and kept by AF, FK or the municipality."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="agency_decisions", verbose_name=_("referral")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("deciding party")
    )
    reference = models.CharField(_("the party's reference"), max_length=100)
    decided_on = models.DateField(_("decided on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    history = History()

    class Meta:
        verbose_name = _("individual decision on insats")
        verbose_name_plural = _("individual decisions on insats")
        ordering = ["decided_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("decided_on")),
                name="agency_decision_valid_after_decided",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.short_name} {self.reference}"


class PreMeeting(models.Model):
    """The coach's intake meeting (förmöte) with the person, checking the criteria."""

    class Outcome(models.TextChoices):
        MEETS = "meets", _("Meets the criteria")
        DOES_NOT_MEET = "does_not_meet", _("Does not meet the criteria")
        NEEDS_PREPARATION = "needs_preparation", _("Needs more preparation")

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="pre_meetings", verbose_name=_("referral")
    )
    booked_for = models.DateTimeField(_("booked for"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    target_group = models.BooleanField(_("belongs to the target group"), default=False)
    needs_two_parties = models.BooleanField(_("needs insatser from at least two parties"), default=False)
    motivated = models.BooleanField(_("motivated to work"), default=False)
    income_secured = models.BooleanField(_("income secured"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("why"), blank=True)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("coach")
    )
    history = History()

    class Meta:
        verbose_name = _("pre-meeting")
        verbose_name_plural = _("pre-meetings")
        ordering = ["-booked_for"]

    def __str__(self) -> str:
        return f"{self.referral} {self.booked_for:%Y-%m-%d}"


class Meeting(models.Model):
    """A monthly meeting of a remittentgrupp."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PUBLISHED = "published", _("Agenda published")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    ALLOWED_TRANSITIONS = {
        Status.PLANNED: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.HELD, Status.CANCELLED},
        Status.HELD: set(),
        Status.CANCELLED: set(),
    }

    referral_group = models.ForeignKey(
        ReferralGroup, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("referral group")
    )
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    item_deadline = models.DateField(_("last day to add items"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    published_at = models.DateTimeField(_("agenda published"), null=True, blank=True, editable=False)
    history = History()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["referral_group", "starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["referral_group", "starts_at"], name="one_meeting_per_group_and_time")
        ]

    def __str__(self) -> str:
        return f"{self.referral_group} {self.starts_at:%Y-%m-%d}"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        NEW_REFERRAL = "new_referral", _("New referral")
        FOLLOW_UP = "follow_up", _("Participant to follow up")
        PROPOSED_EXIT = "proposed_exit", _("Proposed exit")
        SENT_BACK = "sent_back", _("Sent back, prepared again")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items", verbose_name=_("meeting"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("referral")
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "referral"], name="one_item_per_referral_and_meeting")
        ]
        # A page of a meeting's agenda, in its order, without sorting the meeting's items first.
        indexes = [models.Index(fields=["meeting", "position", "id"], name="agenda_item_order")]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.referral.reference}"


class ItemResponse(models.Model):
    """A member organisation's answer on an item before the meeting: is the person active with us."""

    class Active(models.TextChoices):
        YES = "yes", _("Active with us")
        NO = "no", _("Not active with us")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="responses", verbose_name=_("item"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.CharField(_("active with us"), max_length=5, choices=Active.choices)
    note = models.TextField(_("what is relevant for the question"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = History()

    class Meta:
        verbose_name = _("member's response")
        verbose_name_plural = _("members' responses")
        constraints = [models.UniqueConstraint(fields=["item", "organisation"], name="one_response_per_organisation")]

    def __str__(self) -> str:
        return f"{self.item} – {self.organisation.short_name}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(ReferralGroupSeat, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"), default=False)
    attendee = models.CharField(_("who attended"), max_length=200, blank=True)
    history = History()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "seat"], name="one_attendance_per_seat")]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.seat}"


class Decision(models.Model):
    """The group's decision on one agenda item; escalated to the coach's manager when it cannot agree."""

    class Outcome(models.TextChoices):
        ENROL = "enrol", _("Enrol")
        DECLINE = "decline", _("Decline")
        SEND_BACK = "send_back", _("Send back for more preparation")
        EXIT = "exit", _("Exit")
        FOLLOW_UP = "follow_up", _("Book a follow-up meeting with the person")

        @property
        def result_label(self) -> str:
            """The decision as a result ("Avböjd"), the one wording of every page, list, agenda, minutes
            and file; the choice's own label is the command a form offers ("Avböj")."""
            return DECISION_RESULTS[self]

    class Status(models.TextChoices):
        FINAL = "final", _("Decided")
        ESCALATED = "escalated", _("Escalated to the manager")

    # A decision is recorded final or escalated; the manager makes an escalated one final.
    ALLOWED_TRANSITIONS = {
        Status.ESCALATED: {Status.FINAL},
        Status.FINAL: set(),
    }

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="decision", verbose_name=_("item"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    group_agreed = models.BooleanField(_("the group agreed"))
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices, blank=True)
    recommendation = models.TextField(_("the group's recommendation"), blank=True)
    grounds = models.TextField(_("grounds"), blank=True)
    informs_person = models.CharField(_("who informs the person"), max_length=200, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=30, choices=ExitReason.choices, blank=True)
    follow_up_on = models.DateField(_("follow-up meeting on"), null=True, blank=True)
    disagreement = models.TextField(_("what the group could not agree on"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    decided_by_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by the manager"),
    )
    manager_decided_at = models.DateTimeField(_("manager's decision"), null=True, blank=True)
    history = History()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.item}: {self.result_label or self.get_status_display()}"

    @property
    def result_label(self) -> str:
        """The outcome as a result, empty while the manager has the question."""
        return self.Outcome(self.outcome).result_label if self.outcome else ""


# The results of the group's decisions, worded once (docs/domain.md#decision-wording).
DECISION_RESULTS = {
    Decision.Outcome.ENROL: pgettext_lazy("decision result", "Enrolled"),
    Decision.Outcome.DECLINE: pgettext_lazy("decision result", "Declined"),
    Decision.Outcome.SEND_BACK: pgettext_lazy("decision result", "Sent back"),
    Decision.Outcome.EXIT: pgettext_lazy("decision result", "Exited"),
    Decision.Outcome.FOLLOW_UP: pgettext_lazy("decision result", "Follow-up meeting booked"),
}
# The referral's status that each decision on enrolment leads to, read the other way round.
DECIDED_BY = {
    Referral.Status.ENROLLED: Decision.Outcome.ENROL,
    Referral.Status.DECLINED: Decision.Outcome.DECLINE,
    Referral.Status.SENT_BACK: Decision.Outcome.SEND_BACK,
}


class Consultation(models.Model):
    """A consultation question (konsultation) on a meeting's agenda: the group's second kind of
    business besides referrals (docs/domain.md#consultations). It is about no person, ever: the
    question is written de-identified, and the minutes record only whether it was answered.

    A separate record rather than a kind of AgendaItem: an item is a referral on the agenda (its
    grants, the members' answers, the decision and the person all hang on the referral), and a
    consultation has none of these."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal consultation (de-identified)")
        EXTERNAL = "external", _("External consultation (announced in advance)")

    class Status(models.TextChoices):
        RAISED = "raised", _("Raised")
        ANSWERED = "answered", _("Answered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ALLOWED_TRANSITIONS = {
        Status.RAISED: {Status.ANSWERED, Status.WITHDRAWN},
        Status.ANSWERED: set(),
        Status.WITHDRAWN: set(),
    }

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("meeting")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    asking_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by (organisation)")
    )
    question = models.TextField(_("question"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RAISED, editable=False)
    answer = models.TextField(_("the group's answer"), max_length=2000, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    history = History()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_consultation_number_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.number}"


class ConsultationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Consultation, on_delete=models.CASCADE)


class ConsultationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Consultation, on_delete=models.CASCADE)


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)
