"""The indicator survey's anonymous answers, the managers' half-year certification, and the anonymous
statistical records the report reads (docs/domain.md#statistical-record).

Nothing here names a person: a survey answer is a paper form typed in, with the municipality, the
day and the respondent's stated gender only; a statistical record holds categories and dates, and
its link to the live enrolment or referral is cut when the retention purge deletes that.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from participants.models import Employment, IncomeRecord, Occupation
from referrals.models import ExitReason, IncomeSource, Referral
from sehoglandet.history import History
from sehoglandet.models import Municipality, Organisation, Person

SCALE_STEPS = 6
# Record keys for the rounding of published counts (reporting/disclosure.py): 0 to 2**31 - 1.
ROUNDING_KEY_LIMIT = 2**31


def new_rounding_key() -> int:
    """A random record key: the same record keeps it, so a count of the same records is always
    rounded the same way (docs/domain.md#disclosure-control)."""
    return secrets.randbelow(ROUNDING_KEY_LIMIT)


def rounding_key_of(person_key) -> int:
    """A person's record key, from their random person key: each person counts once in a figure."""
    return person_key.int % ROUNDING_KEY_LIMIT


def _rounding_key_field():
    return models.PositiveIntegerField(
        _("rounding key"),
        default=new_rounding_key,
        editable=False,
        help_text=_("Random; decides with the other records of a count how that count is rounded."),
    )


# Steps 4-6 of either scale count towards the goal: "ofta / för det mesta / alltid" and
# "till stor del / till mycket stor del / helt och hållet" (docs/domain.md#survey).
TOP_STEPS = (4, 5, 6)


class SurveyScale(models.TextChoices):
    FREQUENCY = "frequency", _("Never – always")
    EXTENT = "extent", _("Not at all – completely")


FREQUENCY_STEPS = [
    (1, _("Never")),
    (2, _("Seldom")),
    (3, _("Sometimes")),
    (4, _("Often")),
    (5, _("Most of the time")),
    (6, _("Always")),
]
EXTENT_STEPS = [
    (1, _("Not at all")),
    (2, _("To a small extent")),
    (3, _("Partly")),
    (4, _("To a large extent")),
    (5, _("To a very large extent")),
    (6, _("Completely")),
]

# The seven questions of the indicator survey (docs/domain.md#survey): (field, question, scale).
SURVEY_QUESTIONS = [
    ("q1", _("Do you get support in a way that is of great use to you?"), SurveyScale.FREQUENCY),
    ("q2", _("Do you take part in deciding what support you get?"), SurveyScale.FREQUENCY),
    ("q3", _("Is the support allowed to take the time you need?"), SurveyScale.FREQUENCY),
    ("q4", _("Does the support help you in your contacts with authorities and care?"), SurveyScale.FREQUENCY),
    ("q5", _("Has the support helped you develop ways of handling your situation?"), SurveyScale.EXTENT),
    (
        "q6",
        _("Do you feel more ready to work or study than before you came into contact with us?"),
        SurveyScale.EXTENT,
    ),
    ("q7", _("Do you feel that the staff make use of your experience, knowledge and views?"), SurveyScale.EXTENT),
]

# A few words per question, to head a column where the whole question does not fit; the full text
# is shown with it (the survey list's key).
SURVEY_SHORT_LABELS = {
    "q1": _("Useful support"),
    "q2": _("Takes part in deciding"),
    "q3": _("Time enough"),
    "q4": _("Help with authorities"),
    "q5": _("Ways of handling"),
    "q6": _("Ready for work or study"),
    "q7": _("Experience used"),
}


def _answer(number: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        format_lazy(_("question {number}"), number=number),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(SCALE_STEPS)],
    )


class SurveyResponse(models.Model):
    """One participant's paper answers to the indicator survey, typed in anonymously."""

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Does not want to say / no option fits")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    answered_on = models.DateField(_("answered on"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    rounding_key = _rounding_key_field()
    q1 = _answer(1)
    q2 = _answer(2)
    q3 = _answer(3)
    q4 = _answer(4)
    q5 = _answer(5)
    q6 = _answer(6)
    q7 = _answer(7)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [models.Index(fields=["municipality", "answered_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": SCALE_STEPS}),
                name=f"survey_{name}_on_the_scale",
            )
            for name, _question, _scale in SURVEY_QUESTIONS
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.answered_on}"


class Certification(models.Model):
    """The manager's written certification for a half-year (docs/domain.md#certification): the service follows the
    description and the coaches worked the agreed share of a post."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="certifications", verbose_name=_("municipality")
    )
    period_start = models.DateField(_("half-year from"))
    period_end = models.DateField(_("half-year until"))
    follows_description = models.BooleanField(_("the service follows the service description"))
    fte_as_agreed = models.BooleanField(_("the coaches worked the agreed share of a post"))
    comment = models.TextField(_("comment"), blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("certified by")
    )
    certified_at = models.DateTimeField(_("certified"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("half-year certification")
        verbose_name_plural = _("half-year certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period_start"], name="one_certification_per_municipality_and_half_year"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="certification_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.period_start}–{self.period_end}"


# The anonymous statistical records (docs/domain.md#statistical-record). No history on purpose: they
# hold no identity, and a history table would keep the links to the live records that the purge cuts.


class EnrolmentStatistic(models.Model):
    """One enrolment as the report counts it: categories and dates only, never a name, a number, a
    birth date, an address or free text. Kept in step with the live enrolment by
    reporting.services.refresh_statistics; frozen once the retention purge deletes the enrolment."""

    class AgeBand(models.TextChoices):
        YOUNG = "young", _("18–29 years")
        ADULT = "adult", _("30–64 years")
        OTHER = "other", _("Other ages")

    participant = models.OneToOneField(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statistic",
        editable=False,
        verbose_name=_("participant"),
    )
    person_key = models.UUIDField(
        _("person key"),
        editable=False,
        help_text=_("Random, shared by the enrolments of one person so that each person counts once."),
    )
    rounding_key = _rounding_key_field()
    gender = models.CharField(_("gender"), max_length=10, choices=Person.Gender.choices, editable=False)
    age_band = models.CharField(_("age at the decision"), max_length=10, choices=AgeBand.choices, editable=False)
    referring_kind = models.CharField(
        _("referring party"), max_length=30, choices=Organisation.Kind.choices, blank=True, editable=False
    )
    decided_on = models.DateField(_("decision on enrolment"), editable=False)
    started_on = models.DateField(_("started"), null=True, blank=True, editable=False)
    exited_on = models.DateField(_("exit date"), null=True, blank=True, editable=False)
    exit_reason = models.CharField(
        _("exit reason"), max_length=30, choices=ExitReason.choices, blank=True, editable=False
    )
    occupation_after = models.CharField(
        _("occupation after exit"), max_length=30, choices=Occupation.choices, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("enrolment statistic")
        verbose_name_plural = _("enrolment statistics")
        indexes = [
            models.Index(fields=["decided_on"]),
            models.Index(fields=["started_on"]),
            models.Index(fields=["exited_on"]),
            models.Index(fields=["person_key", "decided_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.decided_on} {self.get_gender_display()}"


class EnrolmentMunicipalityPeriod(models.Model):
    """Which municipality the enrolment belonged to when, as participants.MunicipalityPeriod."""

    enrolment = models.ForeignKey(
        EnrolmentStatistic, on_delete=models.CASCADE, related_name="municipality_periods", editable=False
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("municipality")
    )
    moved_in_on = models.DateField(_("from"), editable=False)
    moved_out_on = models.DateField(_("until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("municipality period of an enrolment statistic")
        verbose_name_plural = _("municipality periods of enrolment statistics")
        ordering = ["moved_in_on", "id"]
        indexes = [models.Index(fields=["enrolment", "moved_in_on"])]

    def __str__(self) -> str:
        return f"{self.municipality} {self.moved_in_on}–{self.moved_out_on or ''}"


class EnrolmentIncome(models.Model):
    """An income category of the enrolment and the day it applied from; never an amount."""

    enrolment = models.ForeignKey(EnrolmentStatistic, on_delete=models.CASCADE, related_name="incomes", editable=False)
    phase = models.CharField(_("when"), max_length=10, choices=IncomeRecord.Phase.choices, editable=False)
    source = models.CharField(_("income"), max_length=30, choices=IncomeSource.choices, editable=False)
    valid_from = models.DateField(_("from"), editable=False)

    class Meta:
        verbose_name = _("income of an enrolment statistic")
        verbose_name_plural = _("incomes of enrolment statistics")
        # The report's income at enrolment or after exit, and the income in force on a day (the latest
        # before or during it): each read as the first row of an index, without a sort.
        indexes = [
            models.Index(fields=["enrolment", "phase", "valid_from", "id"]),
            models.Index(
                fields=["enrolment", "-valid_from", "-id"],
                condition=~Q(phase="after"),
                name="enrolment_income_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()}: {self.get_source_display()} ({self.valid_from})"


class EnrolmentEmployment(models.Model):
    """The kind and dates of an employment, studies or placement; never the employer."""

    enrolment = models.ForeignKey(
        EnrolmentStatistic, on_delete=models.CASCADE, related_name="employments", editable=False
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Employment.Kind.choices, editable=False)
    starts_on = models.DateField(_("start date"), editable=False)
    ends_on = models.DateField(_("end date"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("employment of an enrolment statistic")
        verbose_name_plural = _("employments of enrolment statistics")
        indexes = [models.Index(fields=["enrolment", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.starts_on})"


class ReferralStatistic(models.Model):
    """One submitted referral as the report counts it: when it came, to which municipality, the
    person's gender, and how it stands (with when it was decided or withdrawn). Kept in step with the
    live referral; frozen once the retention purge deletes it."""

    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statistic",
        editable=False,
        verbose_name=_("referral"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("municipality")
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Person.Gender.choices, editable=False)
    rounding_key = _rounding_key_field()
    submitted_at = models.DateTimeField(_("submitted"), editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Referral.Status.choices, editable=False)
    outcome_at = models.DateTimeField(
        _("time of the outcome"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the referral was decided or withdrawn."),
    )

    class Meta:
        verbose_name = _("referral statistic")
        verbose_name_plural = _("referral statistics")
        indexes = [models.Index(fields=["submitted_at"]), models.Index(fields=["municipality", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.submitted_at:%Y-%m-%d} {self.get_outcome_display()}"


class AdoptedReport(models.Model):
    """The förbundschef's adoption (fastställelse) of a half-year or year report
    (docs/domain.md#adopted-reports): who adopted which period, and when. Its scopes hold the frozen
    figures and the archived PDF. Aggregates only: no personal data about a participant is stored,
    here or in a scope; the adopting user is the one person named."""

    period_code = models.CharField(_("period"), max_length=10, unique=True, editable=False)
    period_start = models.DateField(_("period from"), editable=False)
    period_end = models.DateField(_("period until"), editable=False)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("adopted by")
    )
    adopted_at = models.DateTimeField(_("adopted"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("adopted report")
        verbose_name_plural = _("adopted reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="adopted_report_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.period_code


class AdoptedReportScope(models.Model):
    """One scope of an adoption: the report for all municipalities (`municipality` empty) or for one,
    as the page showed it (`figures`, reporting.archive.to_data of the ShownReport) and as its PDF.

    Aggregates only, masked as shown: counts, shares and medians by gender, never a name, a
    personnummer or a note about a person. Written once with its adoption and never changed, so it
    keeps no history: a history table would hold a second copy of every archived PDF."""

    adoption = models.ForeignKey(
        AdoptedReport, on_delete=models.CASCADE, related_name="scopes", editable=False, verbose_name=_("adoption")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("municipality"),
        help_text=_("Empty for the report on all municipalities."),
    )
    figures = models.JSONField(_("figures"), editable=False)
    pdf = models.BinaryField(_("PDF"), editable=False)

    class Meta:
        verbose_name = _("scope of an adopted report")
        verbose_name_plural = _("scopes of adopted reports")
        constraints = [
            models.UniqueConstraint(fields=["adoption", "municipality"], name="one_adopted_scope_per_municipality"),
            models.UniqueConstraint(
                fields=["adoption"],
                condition=Q(municipality__isnull=True),
                name="one_adopted_scope_for_all_municipalities",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.adoption_id} {self.municipality_id or 'alla'}"
