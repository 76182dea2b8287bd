"""The association's statistics for a period, every figure split by gender (docs/domain.md#follow-up, #exit-goal).

`build_report` computes the figures in the database, a fixed number of queries whatever the data
size. Every figure about participants and referrals is read from the anonymous statistical records
(reporting.models.EnrolmentStatistic and ReferralStatistic, docs/domain.md#statistical-record), never
from the live records, so a past period gives the same figures after the retention purge. Each
participant counts in the municipality they belonged to on the date that matters for the figure: the
last day they were active in the period, the decision, the period's end or the exit. Nothing here
carries a name, a personnummer or free text about a person.

Small-number protection: in every row below a table's total, a count from 1 to
`settings.REPORT_MASK_MAX` is shown as a range, so no one can be singled out; totals stay exact.
"""

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Employment, IncomeRecord, Occupation
from referrals.models import DECISION_RESULTS, EXITS_TO_WORK_OR_STUDIES, Decision, ExitReason, IncomeSource, Referral
from sehoglandet.models import Municipality, Organisation, Person

from . import selectors
from .models import (
    EnrolmentEmployment,
    EnrolmentIncome,
    EnrolmentMunicipalityPeriod,
    EnrolmentStatistic,
    ReferralStatistic,
)

GENDERS = [Person.Gender.WOMAN, Person.Gender.MAN, Person.Gender.OTHER]
# docs/domain.md#exit-goal
EXIT_GOAL = Decimal("0.35")
YOUTH_LABEL = gettext_lazy("18–29 years")
DAYS_PER_MONTH = Decimal("30.4375")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    @property
    def code(self) -> str:
        return self.label


def period_from_code(code: str) -> Period:
    """`2026H1` (1 Jan – 30 Jun), `2026H2` (1 Jul – 31 Dec) or `2026` (the year)."""
    match = re.fullmatch(r"(\d{4})(?:[Hh]([12]))?", code.strip())
    if not match:
        raise ValidationError(
            _("Unknown period %(code)s: write a year (2026) or a half-year (2026H1 or 2026H2).") % {"code": code}
        )
    year, half = int(match.group(1)), match.group(2)
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Choose a year between 2000 and 2100."))
    if half == "1":
        return Period(date(year, 1, 1), date(year, 6, 30), f"{year}H1")
    if half == "2":
        return Period(date(year, 7, 1), date(year, 12, 31), f"{year}H2")
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


def period_from_dates(start: date, end: date) -> Period:
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    return Period(start, end, f"{start.isoformat()}–{end.isoformat()}")


@dataclass
class Cell:
    value: int
    masked: bool = False

    def display(self, limit: int) -> str:
        return f"1–{limit}" if self.masked else str(self.value)


@dataclass
class Row:
    label: str
    counts: dict[str, int]
    is_total: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[Cell]:
        """Women, men, other or not stated, total. The split by gender is a breakdown, so small
        counts there are always masked; the total is exact on a total row (a table's total, or a
        figure of its own) and masked like the rest on a row that breaks a total down."""
        limit = mask_limit()
        cells = [Cell(n, masked=1 <= n <= limit) for n in (self.counts.get(gender, 0) for gender in GENDERS)]
        cells.append(Cell(self.total, masked=not self.is_total and 1 <= self.total <= limit))
        return cells


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    note: str = ""

    def row(self, label: str) -> Row:
        return next(row for row in self.rows if row.label == label)

    @property
    def masked(self) -> bool:
        return any(cell.masked for row in self.rows for cell in row.cells())


@dataclass
class Share:
    """A share of a whole, by gender and in total; None where the whole is empty."""

    label: str
    parts: dict[str, int]
    wholes: dict[str, int]
    goal: Decimal | None = None

    def of(self, gender: str | None = None) -> Decimal | None:
        part = sum(self.parts.values()) if gender is None else self.parts.get(gender, 0)
        whole = sum(self.wholes.values()) if gender is None else self.wholes.get(gender, 0)
        if not whole:
            return None
        return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        share = self.of()
        return None if share is None or self.goal is None else share >= self.goal


@dataclass
class Report:
    period: Period
    municipality: Municipality | None
    generated_at: datetime
    generated_by: str
    tables: list[Table] = field(default_factory=list)
    exit_goal: Share | None = None
    youth_share: Share | None = None
    median_months: dict[str, Decimal | None] = field(default_factory=dict)
    caseload: list[dict] = field(default_factory=list)
    survey: object = None
    certifications: list = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    @property
    def masked(self) -> bool:
        return any(table.masked for table in self.tables)

    @property
    def mask_limit(self) -> int:
        return mask_limit()


def mask_limit() -> int:
    return settings.REPORT_MASK_MAX


# Which municipality a participant belonged to on a day.


def _municipality_on(day_field: str) -> Subquery:
    day = OuterRef(day_field)
    return Subquery(
        EnrolmentMunicipalityPeriod.objects.filter(enrolment=OuterRef("pk"), moved_in_on__lte=day)
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day))
        .order_by("-moved_in_on", "-id")
        .values("municipality")[:1]
    )


def _in_scope(participants: QuerySet, day_field: str, municipality: Municipality | None) -> QuerySet:
    """The participants of `municipality` on their `day_field`; all of them for the whole association."""
    if municipality is None:
        return participants
    return participants.annotate(report_municipality=_municipality_on(day_field)).filter(
        report_municipality=municipality.pk
    )


def _by_gender(queryset: QuerySet, gender_field: str = "gender") -> dict[str, int]:
    rows = queryset.values(gender_field).annotate(n=Count("pk", distinct=True)).values_list(gender_field, "n")
    counts = dict.fromkeys(GENDERS, 0)
    for gender, n in rows:
        counts[gender if gender in counts else Person.Gender.OTHER] += n
    return counts


def _by_category_and_gender(
    queryset: QuerySet, category: str, labels: dict, *, gender_field: str = "gender", missing: str = ""
) -> list[Row]:
    """One row per category in `labels` order (plus `missing` for an empty category), by gender."""
    counts: dict[str, dict[str, int]] = {key: dict.fromkeys(GENDERS, 0) for key in labels}
    rows = queryset.values(category, gender_field).annotate(n=Count("pk", distinct=True))
    for row in rows:
        key = row[category] if row[category] in counts else ""
        if key == "" and "" not in counts:
            counts[""] = dict.fromkeys(GENDERS, 0)
        gender = row[gender_field] if row[gender_field] in GENDERS else Person.Gender.OTHER
        counts[key][gender] += row["n"]
    result = [Row(str(labels[key]), counts[key]) for key in labels]
    if "" in counts and "" not in labels:
        result.append(Row(missing or _("Not recorded"), counts[""]))
    return result


def _with_total(rows: list[Row]) -> list[Row]:
    total = dict.fromkeys(GENDERS, 0)
    for row in rows:
        for gender in GENDERS:
            total[gender] += row.counts[gender]
    return [*rows, Row(_("Total"), total, is_total=True)]


def build_report(period: Period, *, municipality: Municipality | None = None, generated_by: str = "") -> Report:
    """Every figure of the period, for all municipalities or one."""
    end = Value(period.end, output_field=DateField())
    base = EnrolmentStatistic.objects.all()
    report = Report(period, municipality, timezone.now(), generated_by)

    # Active at any time in the period: each person once, by their latest enrolment active in it,
    # counted in the municipality of their last active day in the period.
    active = base.filter(started_on__lte=period.end).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=period.start))
    later_enrolment = active.filter(person_key=OuterRef("person_key"), decided_on__gt=OuterRef("decided_on"))
    active_in_period = _in_scope(
        active.exclude(Exists(later_enrolment)).annotate(report_day=Least(Coalesce("exited_on", end), end)),
        "report_day",
        municipality,
    )
    new = _in_scope(base.filter(decided_on__range=(period.start, period.end)), "decided_on", municipality)
    at_end = base.annotate(report_day=end)
    active_at_end = _in_scope(
        at_end.filter(started_on__lte=period.end).filter(Q(exited_on__isnull=True) | Q(exited_on__gt=period.end)),
        "report_day",
        municipality,
    )
    working_at_end = EnrolmentEmployment.objects.filter(
        enrolment=OuterRef("pk"), kind__in=Employment.AFTERCARE_KINDS, starts_on__lte=period.end
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=period.end))
    queued_at_end = _in_scope(
        at_end.filter(decided_on__lte=period.end)
        .filter(Q(started_on__isnull=True) | Q(started_on__gt=period.end))
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gt=period.end)),
        "report_day",
        municipality,
    )
    exits = _in_scope(
        base.filter(started_on__isnull=False, exited_on__range=(period.start, period.end)), "exited_on", municipality
    )

    report.tables.append(
        Table(
            "participants",
            _("Participants"),
            [
                Row(_("Active at any time in the period"), _by_gender(active_in_period), is_total=True),
                Row(_("New enrolments"), _by_gender(new), is_total=True),
                Row(_("Active at the end of the period"), _by_gender(active_at_end), is_total=True),
                Row(
                    _("Of whom in aftercare at the end"),
                    _by_gender(active_at_end.filter(Exists(working_at_end))),
                    is_total=True,
                ),
                Row(_("In the queue at the end of the period"), _by_gender(queued_at_end), is_total=True),
                Row(_("Exited in the period"), _by_gender(exits), is_total=True),
            ],
            note=_("Each row counts people once; the rows are separate figures, not parts of a whole."),
        )
    )

    report.tables.append(_referrals_table(period, municipality))

    exit_rows = _by_category_and_gender(exits, "exit_reason", dict(ExitReason.choices))
    report.tables.append(Table("exits", _("Exits by reason"), _with_total(exit_rows)))
    # The exits that count toward the goal are named, not found by their place in the table.
    toward_goal = {str(ExitReason(reason).label) for reason in EXITS_TO_WORK_OR_STUDIES}
    to_work = {gender: sum(row.counts[gender] for row in exit_rows if row.label in toward_goal) for gender in GENDERS}
    report.exit_goal = Share(_("Exits to work or studies"), to_work, _with_total(exit_rows)[-1].counts, goal=EXIT_GOAL)

    ages = _by_category_and_gender(
        new, "age_band", {"young": YOUTH_LABEL, "adult": _("30–64 years"), "other": _("Other ages")}
    )
    ages = [row for row in ages if row.total or row.label != _("Other ages")]
    report.tables.append(Table("ages", _("Age at enrolment (new enrolments)"), _with_total(ages)))
    report.youth_share = Share(_("Share of young people (18–29)"), ages[0].counts, _with_total(ages)[-1].counts)

    report.tables.append(
        Table(
            "referring_party",
            _("Referring party (new enrolments)"),
            _with_total(_by_category_and_gender(new, "referring_kind", dict(Organisation.Kind.choices))),
        )
    )

    report.tables.append(
        Table(
            "income_before",
            _("Income at enrolment (new enrolments)"),
            _with_total(
                _by_category_and_gender(
                    new.annotate(source=_income_source(before=True)), "source", dict(IncomeSource.choices)
                )
            ),
        )
    )
    report.tables.append(
        Table(
            "income_during",
            _("Income during the support (active in the period, on their last active day)"),
            _with_total(
                _by_category_and_gender(
                    active_in_period.annotate(source=_income_source()), "source", dict(IncomeSource.choices)
                )
            ),
        )
    )
    report.tables.append(
        Table(
            "income_after",
            _("Income after exit"),
            _with_total(
                _by_category_and_gender(
                    exits.annotate(source=_income_source(after=True)), "source", dict(IncomeSource.choices)
                )
            ),
        )
    )
    report.tables.append(
        Table(
            "occupation_after",
            _("Occupation after exit"),
            _with_total(_by_category_and_gender(exits, "occupation_after", dict(Occupation.choices))),
        )
    )

    report.median_months = _median_months(exits)
    report.caseload = _caseload(period, municipality)
    report.survey = selectors.survey_results(period, municipality)
    report.certifications = selectors.certifications_in(period, municipality)
    return report


def _income_source(*, before: bool = False, after: bool = False) -> Subquery:
    """The participant's income: at enrolment, after exit, or in force on their `report_day`."""
    incomes = EnrolmentIncome.objects.filter(enrolment=OuterRef("pk"))
    if before:
        incomes = incomes.filter(phase=IncomeRecord.Phase.BEFORE)
    elif after:
        incomes = incomes.filter(phase=IncomeRecord.Phase.AFTER)
    else:
        incomes = incomes.exclude(phase=IncomeRecord.Phase.AFTER).filter(valid_from__lte=OuterRef("report_day"))
    return Subquery(incomes.order_by("-valid_from", "-id").values("source")[:1])


def _median_months(exits: QuerySet) -> dict[str, Decimal | None]:
    """The median time in the service, in months, of those who exited: by gender and in total."""
    durations: dict[str, list[Decimal]] = {gender: [] for gender in GENDERS}
    for gender, started_on, exited_on in exits.values_list("gender", "started_on", "exited_on"):
        months = Decimal((exited_on - started_on).days) / DAYS_PER_MONTH
        durations[gender if gender in durations else Person.Gender.OTHER].append(months)
    everyone = [months for values in durations.values() for months in values]

    def median(values):
        if not values:
            return None
        return Decimal(statistics.median(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    return {**{gender: median(values) for gender, values in durations.items()}, "total": median(everyone)}


def _caseload(period: Period, municipality: Municipality | None) -> list[dict]:
    """Active participants per municipality at the period's end against 20 per full-time post."""
    municipalities = [municipality] if municipality else list(Municipality.objects.order_by("name"))
    at_end = (
        EnrolmentStatistic.objects.annotate(report_day=Value(period.end, output_field=DateField()))
        .filter(started_on__lte=period.end)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gt=period.end))
        .annotate(report_municipality=_municipality_on("report_day"))
        .values("report_municipality")
        .annotate(n=Count("pk"))
    )
    counts = {row["report_municipality"]: row["n"] for row in at_end}
    return [
        {"municipality": m.name, "active": counts.get(m.pk, 0), "capacity": m.capacity, "fte": m.coach_fte_percent}
        for m in municipalities
    ]


def _referrals_table(period: Period, municipality: Municipality | None) -> Table:
    # Local midnights as instants, so the index on submitted_at is used.
    first = timezone.make_aware(datetime.combine(period.start, time.min))
    after = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    referrals = ReferralStatistic.objects.filter(submitted_at__gte=first, submitted_at__lt=after)
    if municipality is not None:
        referrals = referrals.filter(municipality=municipality)
    outcomes = {
        # Worded as the decision is everywhere (docs/domain.md#decision-wording).
        Referral.Status.ENROLLED: DECISION_RESULTS[Decision.Outcome.ENROL],
        Referral.Status.DECLINED: DECISION_RESULTS[Decision.Outcome.DECLINE],
        Referral.Status.SENT_BACK: DECISION_RESULTS[Decision.Outcome.SEND_BACK],
        Referral.Status.WITHDRAWN: _("Withdrawn"),
        "open": _("Not yet decided"),
    }
    grouped = referrals.annotate(report_outcome=Coalesce(_outcome_case(list(outcomes)[:4]), Value("open")))
    rows = _by_category_and_gender(grouped, "report_outcome", outcomes)
    return Table("referrals", _("Referrals received in the period, by outcome"), _with_total(rows))


def _outcome_case(decided: list[str]):
    return Case(*[When(outcome=status, then=Value(status)) for status in decided], output_field=CharField())
