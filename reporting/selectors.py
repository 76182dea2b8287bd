"""Read queries for the indicator survey, the managers' half-year certification and the adopted reports.

`survey_results` and `certifications_in` feed the report (reporting/report.py); the rest scope the
survey, certification and adopted-report pages to the asking user. Nothing here names a participant:
a survey answer holds a municipality, a day, a stated gender and seven steps, and an adopted report
aggregates.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from sehoglandet import access
from sehoglandet.models import Municipality

from .models import (
    EXTENT_STEPS,
    FREQUENCY_STEPS,
    SURVEY_QUESTIONS,
    TOP_STEPS,
    AdoptedReport,
    AdoptedReportScope,
    Certification,
    SurveyResponse,
    SurveyScale,
)

# docs/domain.md#survey
SURVEY_GOAL = Decimal("0.70")
GENDERS = [SurveyResponse.Gender.WOMAN, SurveyResponse.Gender.MAN, SurveyResponse.Gender.OTHER]
TOTAL = "total"
# The half-years a manager is offered and reminded of: the current one once it may be certified,
# and the ones that ended in the last two years.
RECENT_HALF_YEARS = 4


@dataclass
class QuestionResult:
    """One question: per gender ("woman", "man", "other") and "total", how many answered it and
    how many answered in the top three steps."""

    field: str
    question: str
    scale: str
    answered: dict[str, int] = field(default_factory=dict)
    top: dict[str, int] = field(default_factory=dict)
    # The sums of the answers' rounding keys by gender, for the rounding of `answered` (reporting/disclosure.py).
    answered_keys: dict[str, int] = field(default_factory=dict)
    top_keys: dict[str, int] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return int(self.field.removeprefix("q"))

    @property
    def steps(self) -> list[str]:
        """The names of the six steps of the question's scale, lowest first."""
        steps = FREQUENCY_STEPS if self.scale == SurveyScale.FREQUENCY else EXTENT_STEPS
        return [str(label) for _step, label in steps]

    @property
    def top_steps(self) -> str:
        """The top three steps by name ("Often, most of the time, always"), for a table's note."""
        names = self.steps[TOP_STEPS[0] - 1 :]
        return ", ".join([names[0], *(name.lower() for name in names[1:])])

    def share(self, gender: str = TOTAL) -> Decimal | None:
        """The share in the top three steps of those who answered, to three decimals; None when
        nobody did."""
        answered = self.answered.get(gender, 0)
        if not answered:
            return None
        return (Decimal(self.top.get(gender, 0)) / Decimal(answered)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        """Whether the total share reaches the 70 % goal; None when nobody answered."""
        share = self.share()
        return None if share is None else share >= SURVEY_GOAL


@dataclass
class SurveyResults:
    questions: list[QuestionResult]
    responses: dict[str, int]
    responses_keys: dict[str, int] = field(default_factory=dict)
    goal: Decimal = SURVEY_GOAL


def survey_results(period, municipality: Municipality | None = None) -> SurveyResults:
    """The answers given in `period` (a `report.Period` or anything with `start` and `end`), in all
    municipalities or one: per question and gender, how many answered and how many in steps 4-6,
    and the number of forms. One query whatever the number of answers."""
    responses = SurveyResponse.objects.filter(answered_on__range=(period.start, period.end))
    if municipality is not None:
        responses = responses.filter(municipality=municipality)
    aggregates = {}
    for gender in GENDERS:
        aggregates[f"forms_{gender}"] = Count("pk", filter=Q(gender=gender))
        aggregates[f"formkeys_{gender}"] = Sum("rounding_key", filter=Q(gender=gender))
        for name, _question, _scale in SURVEY_QUESTIONS:
            answered = Q(gender=gender, **{f"{name}__isnull": False})
            aggregates[f"{name}_answered_{gender}"] = Count("pk", filter=answered)
            aggregates[f"{name}_keys_{gender}"] = Sum("rounding_key", filter=answered)
            top = Q(gender=gender, **{f"{name}__in": TOP_STEPS})
            aggregates[f"{name}_topkeys_{gender}"] = Sum("rounding_key", filter=top)
            aggregates[f"{name}_top_{gender}"] = Count("pk", filter=Q(gender=gender, **{f"{name}__in": TOP_STEPS}))
    counts = responses.aggregate(**aggregates)

    def by_gender(prefix: str) -> dict[str, int]:
        values = {gender.value: counts[f"{prefix}_{gender}"] or 0 for gender in GENDERS}
        return {**values, TOTAL: sum(values.values())}

    questions = [
        QuestionResult(
            field=name,
            question=str(question),
            scale=scale.value,
            answered=by_gender(f"{name}_answered"),
            top=by_gender(f"{name}_top"),
            answered_keys=by_gender(f"{name}_keys"),
            top_keys=by_gender(f"{name}_topkeys"),
        )
        for name, question, scale in SURVEY_QUESTIONS
    ]
    return SurveyResults(questions=questions, responses=by_gender("forms"), responses_keys=by_gender("formkeys"))


def certifications_in(period, municipality: Municipality | None = None) -> list[Certification]:
    """The certifications of the half-years that lie wholly within `period`, in all municipalities
    or one, with municipality and certifier: by half-year, then municipality. One query."""
    certifications = Certification.objects.filter(period_start__gte=period.start, period_end__lte=period.end)
    if municipality is not None:
        certifications = certifications.filter(municipality=municipality)
    return list(
        certifications.select_related("municipality", "certified_by").order_by("period_start", "municipality__name")
    )


# The survey pages: coaches and managers see and enter the answers of their own municipalities.


def survey_municipalities_of(user) -> list[Municipality]:
    """The municipalities whose survey answers the user enters and sees: those they coach or manage."""
    seen = {}
    for municipality in [*access.municipalities_coached_by(user), *access.municipalities_managed_by(user)]:
        seen.setdefault(municipality.pk, municipality)
    return sorted(seen.values(), key=lambda municipality: municipality.name)


def survey_responses_visible_to(user) -> QuerySet[SurveyResponse]:
    """The answers entered for the user's municipalities, newest first. One query per page."""
    municipalities = [municipality.pk for municipality in survey_municipalities_of(user)]
    return (
        SurveyResponse.objects.filter(municipality__in=municipalities)
        .select_related("municipality", "entered_by")
        .order_by("-answered_on", "-created_at", "-id")
    )


# Half-years and their certification (docs/domain.md#certification).


@dataclass(frozen=True)
class HalfYear:
    """1 January – 30 June or 1 July – 31 December of a year."""

    start: date

    @property
    def end(self) -> date:
        return date(self.start.year, 6, 30) if self.start.month == 1 else date(self.start.year, 12, 31)

    @property
    def code(self) -> str:
        return f"{self.start.year}H{1 if self.start.month == 1 else 2}"

    @property
    def name(self) -> str:
        """The half-year inside a sentence: "the first half of 2026"."""
        if self.start.month == 1:
            return _("the first half of %(year)s") % {"year": self.start.year}
        return _("the second half of %(year)s") % {"year": self.start.year}

    @property
    def label(self) -> str:
        """For a choice or a heading: "First half of 2026 (1 January – 30 June)"."""
        if self.start.month == 1:
            return _("First half of %(year)s (1 January – 30 June)") % {"year": self.start.year}
        return _("Second half of %(year)s (1 July – 31 December)") % {"year": self.start.year}

    @property
    def certifiable_from(self) -> date:
        """The first day of the half-year's last month: the manager may certify from then on, so
        the certification can go with the municipality's claim for the half-year's costs."""
        return self.end.replace(day=1)

    def previous(self) -> "HalfYear":
        return half_year_of(self.start - timedelta(days=1))

    def following(self) -> "HalfYear":
        return half_year_of(self.end + timedelta(days=1))

    @classmethod
    def from_code(cls, code: str) -> "HalfYear | None":
        """`2026H1` or `2026H2`; None for anything else."""
        year, separator, half = code.strip().upper().partition("H")
        if not (separator and year.isdigit() and len(year) == 4 and half in {"1", "2"}):
            return None
        return cls(date(int(year), 1 if half == "1" else 7, 1))


def half_year_of(day: date) -> HalfYear:
    return HalfYear(date(day.year, 1 if day.month <= 6 else 7, 1))


def certifiable_half_years(today: date) -> list[HalfYear]:
    """The half-years offered for certification today, newest first: the current one from its
    last month on, and the ones that ended in the last two years."""
    current = half_year_of(today)
    newest = current if today >= current.certifiable_from else current.previous()
    half_years = [newest]
    while len(half_years) < RECENT_HALF_YEARS:
        half_years.append(half_years[-1].previous())
    return half_years


def certification_municipalities_of(user) -> list[Municipality]:
    """The municipalities whose certifications the user sees: the director all, a manager their own."""
    if access.may_report_on_every_municipality(user):
        return list(Municipality.objects.order_by("name"))
    return sorted(access.municipalities_managed_by(user), key=lambda municipality: municipality.name)


def certifications_visible_to(user) -> QuerySet[Certification]:
    """The certifications of the user's municipalities, newest half-year first. One query per page."""
    municipalities = [municipality.pk for municipality in certification_municipalities_of(user)]
    return (
        Certification.objects.filter(municipality__in=municipalities)
        .select_related("municipality", "certified_by")
        .order_by("-period_start", "municipality__name")
    )


def half_years_to_certify(municipalities: list[Municipality], today: date) -> list[tuple[Municipality, HalfYear]]:
    """The recent half-years (see `certifiable_half_years`) that a municipality has not certified,
    oldest first, then by municipality. One query."""
    half_years = certifiable_half_years(today)
    done = set(
        Certification.objects.filter(
            municipality__in=[municipality.pk for municipality in municipalities],
            period_start__in=[half_year.start for half_year in half_years],
        ).values_list("municipality", "period_start")
    )
    return [
        (municipality, half_year)
        for half_year in reversed(half_years)
        for municipality in municipalities
        if (municipality.pk, half_year.start) not in done
    ]


# Adopted reports (docs/domain.md#adopted-reports). A scope is named in addresses by the
# municipality's code, or ALL_SCOPE for the report on all municipalities.

ALL_SCOPE = "alla"


def scope_code(municipality: Municipality | None) -> str:
    return municipality.code if municipality is not None else ALL_SCOPE


def adopted_scope(
    period_code: str, municipality: Municipality | None, *, with_pdf: bool = False
) -> AdoptedReportScope | None:
    """The adopted report of the period for all municipalities (`municipality` None) or one, with its
    adoption and who adopted it; None when the period is not adopted. The PDF is read only when
    asked for. One query."""
    scopes = AdoptedReportScope.objects.filter(adoption__period_code=period_code, municipality=municipality)
    if not with_pdf:
        scopes = scopes.defer("pdf")
    return scopes.select_related("adoption__adopted_by", "municipality").first()


def is_adopted(period_code: str) -> bool:
    """Whether the period has been adopted. One query."""
    return AdoptedReport.objects.filter(period_code=period_code).exists()


def _visible_scopes(user) -> QuerySet[AdoptedReportScope]:
    """The scopes the user may see: the director every one, a manager their own municipality's."""
    if access.may_report_on_every_municipality(user):
        return AdoptedReportScope.objects.all()
    managed = [municipality.pk for municipality in access.municipalities_managed_by(user)]
    return AdoptedReportScope.objects.filter(municipality__in=managed)


def adoptions_visible_to(user) -> QuerySet[AdoptedReport]:
    """The adoptions with a scope the user may see, newest period first, each with who adopted it and
    those scopes (all municipalities first, then by name; without their figures and PDF) prefetched:
    two queries, whatever the number of adoptions."""
    scopes = _visible_scopes(user)
    return (
        AdoptedReport.objects.filter(Exists(scopes.filter(adoption=OuterRef("pk"))))
        .select_related("adopted_by")
        .prefetch_related(
            Prefetch(
                "scopes",
                queryset=scopes.defer("figures", "pdf")
                .select_related("municipality")
                .order_by(F("municipality__name").asc(nulls_first=True)),
                to_attr="visible_scopes",
            )
        )
        .order_by("-period_end", "period_start")
    )


def get_adopted_scope_for_user(user, pk: int, scope: str) -> AdoptedReportScope:
    """The scope (ALL_SCOPE or a municipality's code) of the adoption `pk`, with its PDF, if the user
    may see it; Http404 otherwise, as for an adoption or a scope that does not exist."""
    scopes = _visible_scopes(user).filter(adoption=pk).select_related("adoption", "municipality")
    if scope == ALL_SCOPE:
        found = scopes.filter(municipality__isnull=True).first()
    else:
        found = scopes.filter(municipality__code=scope).first()
    if found is None:
        raise Http404
    return found
