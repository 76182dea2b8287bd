"""Persons and their enrolments (participants).

A Person is someone referred to the service, identified by personnummer, samordningsnummer or a
reserve identity. A Participant is one enrolment of a person in a municipality; a person who
comes back later gets a new one. Changes go through participants/services.py.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from sehoglandet.models import Municipality

from .identity import format_identity_number

YOUTH_MIN_AGE = 18
YOUTH_MAX_AGE = 29


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Person(models.Model):
    class IdentityKind(models.TextChoices):
        PERSONNUMMER = "personnummer", _("Personal identity number")
        SAMORDNINGSNUMMER = "samordningsnummer", _("Coordination number")
        RESERVE = "reserve", _("Reserve identity")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Other or prefers not to say")

    identity_kind = models.CharField(_("kind of identity"), max_length=20, choices=IdentityKind.choices)
    identity_number = models.CharField(
        _("personal identity number"), max_length=12, null=True, blank=True, unique=True, editable=False
    )
    reserve_identity = models.CharField(
        _("reserve identity"), max_length=20, null=True, blank=True, unique=True, editable=False
    )
    birth_date = models.DateField(_("date of birth"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender.choices,
        help_text=_("As the person states it; used only for gender-split statistics."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="residents",
        null=True,
        blank=True,
        verbose_name=_("municipality of residence"),
    )
    protected_identity = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_("Skyddad identitet: name, address and number are shown only to the responsible coach."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(identity_kind="reserve", reserve_identity__isnull=False, identity_number__isnull=True)
                | (~Q(identity_kind="reserve") & Q(identity_number__isnull=False, reserve_identity__isnull=True)),
                name="person_has_exactly_one_identity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def identity_display(self) -> str:
        if self.identity_number:
            return format_identity_number(self.identity_number)
        return self.reserve_identity or ""

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


class Participant(models.Model):
    """One enrolment of a person in a municipality's SE team."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In the queue")
        ACTIVE = "active", _("Active")
        AFTERCARE = "aftercare", _("Aftercare")
        EXITED = "exited", _("Exited")

    class Step(models.IntegerChoices):
        """The five steps of the SE model (seed 003, 8.1)."""

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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [models.Index(fields=["municipality", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=5), name="participant_step_1_to_5"),
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
    history = HistoricalRecords()

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
    history = HistoricalRecords()

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

    # The kinds that start the aftercare plan (efterstöd, seed 003 §8.2).
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
    history = HistoricalRecords()

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

    # Still to do: a moved visit waits on its new date.
    OPEN_STATUSES = [Status.PLANNED, Status.MOVED]

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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aftercare visit")
        verbose_name_plural = _("aftercare visits")
        indexes = [models.Index(fields=["participant", "due_on"])]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_kind_display()} ({self.due_on})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ParticipantUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Participant, on_delete=models.CASCADE)


class ParticipantGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Participant, on_delete=models.CASCADE)
