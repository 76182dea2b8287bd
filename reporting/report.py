"""The association's statistics for a period, every figure split by gender (docs/domain.md#follow-up, #exit-goal).

`build_report` computes the figures in the database, four queries whatever the data size: every
count in one (`_Counts`), the medians, the survey and the certifications. Every figure about
participants and referrals is read from the anonymous statistical records (reporting.models.
EnrolmentStatistic and ReferralStatistic, docs/domain.md#statistical-record), never from the live
records, so a past period gives the same figures after the retention purge. Each
participant counts in the municipality they belonged to on the date that matters for the figure: the
last day they were active in the period, the decision, the period's end or the exit. Nothing here
carries a name, a personnummer or free text about a person.

The figures here are true counts. They are never shown as they are: reporting.exports.present rounds
every count at random to base 3 and holds back the shares and medians of small groups
(reporting/disclosure.py, docs/domain.md#disclosure-control). Which breakdowns a report for one
municipality carries at all is decided here (docs/domain.md#municipality-breakdowns), and so is what
each figure counts (docs/domain.md#report-definitions).
"""

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Employment, IncomeRecord, Occupation
from referrals.models import DECISION_RESULTS, EXITS_TO_WORK_OR_STUDIES, Decision, ExitReason, IncomeSource, Referral
from sehoglandet.models import Municipality, Organisation, Person

from . import disclosure, selectors
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
ALL_MUNICIPALITIES = "all"
NOT_RECORDED = "not_recorded"


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


@dataclass
class Tally:
    """A count by gender, with the sum of the counted records' rounding keys by gender, from which
    the published rounding is drawn (reporting/disclosure.py)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GENDERS, 0))
    keys: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GENDERS, 0))

    def add(self, gender: str, count: int, key_sum: int) -> None:
        gender = gender if gender in GENDERS else Person.Gender.OTHER
        self.counts[gender] += count
        self.keys[gender] += key_sum

    def __add__(self, other: "Tally") -> "Tally":
        total = Tally()
        for tally in (self, other):
            for gender in GENDERS:
                total.add(gender, tally.counts[gender], tally.keys[gender])
        return total


@dataclass
class Row:
    """One figure by gender. `key` names the figure (docs/domain.md#report-definitions): the exits
    table's total is the participants table's "exited"."""

    key: str
    label: str
    tally: Tally
    is_total: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return self.tally.counts

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    note: str = ""

    def row(self, label: str) -> Row:
        return next(row for row in self.rows if row.label == label)


@dataclass
class Share:
    """A share of a whole, by gender and in total: the part is the sum of the `parts` rows. `of` is
    the true share; what is published is worked out from the published counts of the rows
    (reporting.exports.share_figures, docs/domain.md#disclosure-control)."""

    label: str
    parts: list[Row]
    whole: Row
    goal: Decimal | None = None

    def part_count(self, gender: str | None = None) -> int:
        return sum(row.total if gender is None else row.counts.get(gender, 0) for row in self.parts)

    def whole_count(self, gender: str | None = None) -> int:
        return self.whole.total if gender is None else self.whole.counts.get(gender, 0)

    def of(self, gender: str | None = None) -> Decimal | None:
        return share_of(self.part_count(gender), self.whole_count(gender))


def share_of(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` to three decimals, rounded half up; None where the whole is empty."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass
class Report:
    """The true figures of a period. They are never shown as they are: reporting.exports.present
    rounds every count and holds back the shares and medians of small groups
    (docs/domain.md#disclosure-control)."""

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
    def scope(self) -> str:
        """The scope's code in the rounding's cell keys: a municipality's code, or `all`."""
        return self.municipality.code if self.municipality else ALL_MUNICIPALITIES


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


# What one municipality's report breaks down (docs/domain.md#municipality-breakdowns): exit reasons,
# income sources and occupations that are health data (relapse, worse health, sickness benefit, sick
# leave) point at a person where a municipality has a handful of participants, so there they are
# shown in these groups only. The report for all municipalities shows every category.
EXIT_GROUPS = {
    "work_or_studies": (gettext_lazy("Work or studies"), list(EXITS_TO_WORK_OR_STUDIES)),
    "other": (
        gettext_lazy("Other reasons"),
        [reason for reason in ExitReason.values if reason not in EXITS_TO_WORK_OR_STUDIES],
    ),
}
INCOME_GROUPS = {
    "salary": (gettext_lazy("Salary"), [IncomeSource.SALARY]),
    "student_finance": (gettext_lazy("Student finance (studiemedel)"), [IncomeSource.STUDENT_FINANCE]),
    "benefit": (
        gettext_lazy("Compensation, benefit or allowance"),
        [
            IncomeSource.ACTIVITY_COMPENSATION,
            IncomeSource.SICKNESS_COMPENSATION,
            IncomeSource.SICKNESS_BENEFIT,
            IncomeSource.ACTIVITY_SUPPORT,
            IncomeSource.SOCIAL_ASSISTANCE,
            IncomeSource.UNEMPLOYMENT_INSURANCE,
        ],
    ),
    "none_or_other": (gettext_lazy("None or other"), [IncomeSource.NONE, IncomeSource.OTHER]),
}
OCCUPATION_GROUPS = {
    "work": (gettext_lazy("Work, with or without support"), [Occupation.WORK, Occupation.SUBSIDISED_WORK]),
    "studies": (gettext_lazy("Studies"), [Occupation.STUDIES]),
    "other": (
        gettext_lazy("Other or unknown"),
        [
            Occupation.JOB_SEEKING,
            Occupation.OTHER_PROGRAMME,
            Occupation.SICK_LEAVE,
            Occupation.NONE,
            Occupation.UNKNOWN,
        ],
    ),
}


# A flag among a set's categories: whether the record has something (an employment, a new income).
YES = "yes"


def _flag(condition: Exists) -> Case:
    return Case(When(condition, then=Value(YES)), default=Value(""), output_field=CharField())


class _Counts:
    """The report's counts in one query. Each set of people (active in the period, started, exited, ...)
    is counted once, grouped by gender and by up to `WIDTH` of its categories, with the sum of the
    rounding keys in each group; the sets' grouped queries are joined by UNION ALL. Every figure is then
    a sum of one set's groups: a row of one table, a row of another and the set's total add up the same
    records, so each has the count and the key sum of exactly the records it counts
    (reporting/disclosure.py), as if it had been counted on its own. On PostgreSQL the query's
    estimated cost makes JIT compilation take seconds: run with JIT off (docs/operations.md#jit)."""

    WIDTH = 3

    def __init__(self) -> None:
        self._queries: list[QuerySet] = []
        self._groups: dict[str, list[tuple[str, tuple, int, int]]] = {}

    def add(self, name: str, records: QuerySet, *categories: str | Case | Cast) -> None:
        """Count `records` as the set `name`, by gender and by `categories` (field names or expressions)."""
        columns = [F(category) if isinstance(category, str) else category for category in categories]
        columns += [Value("", output_field=CharField())] * (self.WIDTH - len(columns))
        self._queries.append(
            records.order_by()
            .values(
                "gender",
                report_set=Value(name, output_field=CharField()),
                **{f"report_category_{number}": column for number, column in enumerate(columns)},
            )
            .annotate(n=Count("pk"), k=Sum("rounding_key"))
        )

    def run(self) -> None:
        first, *others = self._queries
        for row in first.union(*others, all=True):
            categories = tuple(row[f"report_category_{number}"] for number in range(self.WIDTH))
            self._groups.setdefault(row["report_set"], []).append((row["gender"], categories, row["n"], row["k"]))

    def tally(self, name: str, category: int | None = None, value: str = YES) -> Tally:
        """The set by gender; with `category`, only its records whose category number `category` is `value`."""
        tally = Tally()
        for gender, categories, count, key_sum in self._groups.get(name, []):
            if category is None or categories[category] == value:
                tally.add(gender, count, key_sum)
        return tally

    def by_category(
        self,
        name: str,
        category: int,
        labels: dict,
        key: str,
        *,
        groups: dict | None = None,
        not_recorded: bool = True,
    ) -> list[Row]:
        """One row per category in `labels` order and, with `not_recorded`, one for an empty category,
        by gender; each row's key is `key:<category>`. With `groups` the categories are gathered into
        them and `labels` are the groups'. Every row is there whatever the data, since a row shown only
        when it holds someone would say so (docs/domain.md#disclosure-control)."""
        tallies = {label: Tally() for label in [*labels, *([NOT_RECORDED] if not_recorded else [])]}
        for gender, categories, count, key_sum in self._groups.get(name, []):
            value = categories[category]
            if groups is not None:
                value = next((group for group, (_label, values) in groups.items() if value in values), None)
            tallies[value if value in labels else NOT_RECORDED].add(gender, count, key_sum)
        result = [Row(f"{key}:{label}", str(labels[label]), tallies[label]) for label in labels]
        if not_recorded:
            result.append(Row(f"{key}:{NOT_RECORDED}", _("Not recorded"), tallies[NOT_RECORDED]))
        return result

    def by_group(self, name: str, category: int, groups: dict, key: str) -> list[Row]:
        """As `by_category`, with the categories gathered into `groups`."""
        labels = {group: label for group, (label, _values) in groups.items()}
        return self.by_category(name, category, labels, key, groups=groups)


def _with_total(rows: list[Row], key: str) -> list[Row]:
    """The rows and their total, whose key is the figure it equals (`exited`, `started`, ...)."""
    total = Tally()
    for row in rows:
        total += row.tally
    return [*rows, Row(key, _("Total"), total, is_total=True)]


def _once_per_person(records: QuerySet, day_field: str) -> QuerySet:
    """Each person once among `records`: by their latest record by `day_field` (then by id), so a
    person who exits, comes back and exits again in a period is one person who exited
    (docs/domain.md#report-definitions)."""
    later = records.filter(person_key=OuterRef("person_key")).filter(
        Q(**{f"{day_field}__gt": OuterRef(day_field)}) | Q(**{day_field: OuterRef(day_field), "pk__gt": OuterRef("pk")})
    )
    return records.exclude(Exists(later))


def build_report(
    period: Period,
    *,
    municipality: Municipality | None = None,
    generated_by: str = "",
    municipalities: list[Municipality] | None = None,
) -> Report:
    """Every figure of the period, for all municipalities or one (docs/domain.md#report-definitions).
    `municipalities`, every municipality in name order, saves a query where the caller already has
    them (the report for all of them shows each one's caseload)."""
    end = Value(period.end, output_field=DateField())
    in_period = (period.start, period.end)
    base = EnrolmentStatistic.objects.all()
    report = Report(period, municipality, timezone.now(), generated_by)
    one_municipality = municipality is not None

    # Active at any time in the period: by their latest enrolment active in it, counted in the
    # municipality of their last active day in the period.
    active = base.filter(started_on__lte=period.end).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=period.start))
    active_in_period = _in_scope(
        _once_per_person(active, "decided_on").annotate(report_day=Least(Coalesce("exited_on", end), end)),
        "report_day",
        municipality,
    )
    decided = _in_scope(
        _once_per_person(base.filter(decided_on__range=in_period), "decided_on"), "decided_on", municipality
    )
    started = _in_scope(
        _once_per_person(base.filter(started_on__range=in_period), "started_on"), "started_on", municipality
    )
    at_end = base.annotate(report_day=end)
    # Everyone active at the end, with the municipality they belonged to that day: the caseload of
    # each municipality, and for one municipality its "active at the end".
    all_active_at_end = _once_per_person(
        at_end.filter(started_on__lte=period.end).filter(Q(exited_on__isnull=True) | Q(exited_on__gt=period.end)),
        "decided_on",
    ).annotate(report_municipality=_municipality_on("report_day"))
    active_at_end = (
        all_active_at_end.filter(report_municipality=municipality.pk) if one_municipality else all_active_at_end
    )
    working_at_end = EnrolmentEmployment.objects.filter(
        enrolment=OuterRef("pk"), kind__in=Employment.AFTERCARE_KINDS, starts_on__lte=period.end
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=period.end))
    queued_at_end = _in_scope(
        _once_per_person(
            at_end.filter(decided_on__lte=period.end)
            .filter(Q(started_on__isnull=True) | Q(started_on__gt=period.end))
            .filter(Q(exited_on__isnull=True) | Q(exited_on__gt=period.end)),
            "decided_on",
        ),
        "report_day",
        municipality,
    )
    income_changed = EnrolmentIncome.objects.filter(
        enrolment=OuterRef("pk"), phase=IncomeRecord.Phase.DURING, valid_from__range=in_period
    )
    exits = _in_scope(
        _once_per_person(base.filter(started_on__isnull=False, exited_on__range=in_period), "exited_on"),
        "exited_on",
        municipality,
    )

    # Categories by number: started (age, referring party, income at enrolment), active at the end (in
    # aftercare, income that day, municipality), exited (reason, occupation and income after).
    counts = _Counts()
    counts.add("active_any", active_in_period, _flag(Exists(income_changed)))
    counts.add("decided", decided)
    counts.add("started", started.annotate(source=_income_source(before=True)), "age_band", "referring_kind", "source")
    counts.add(
        "active_end",
        active_at_end.annotate(source=_income_source()),
        _flag(Exists(working_at_end)),
        "source",
        Cast("report_municipality", CharField()),
    )
    counts.add("queued_end", queued_at_end)
    counts.add(
        "exited",
        exits.annotate(source=_income_source(after=True)),
        "exit_reason",
        "occupation_after",
        "source",
    )
    counts.add("referrals", _referrals_received(period, municipality), "report_outcome")
    counts.run()

    report.tables.append(
        Table(
            "participants",
            _("Participants"),
            [
                Row("active_any", _("Active at any time in the period"), counts.tally("active_any"), True),
                Row("decided", _("Decided on enrolment in the period"), counts.tally("decided"), True),
                Row("started", _("Started in the period"), counts.tally("started"), True),
                Row("active_end", _("Active at the end of the period"), counts.tally("active_end"), True),
                Row("aftercare_end", _("Of whom in aftercare at the end"), counts.tally("active_end", 0), True),
                Row("queued_end", _("In the queue at the end of the period"), counts.tally("queued_end"), True),
                Row("income_changed", _("Changed income during the period"), counts.tally("active_any", 0), True),
                Row("exited", _("Exited in the period"), counts.tally("exited"), True),
            ],
            note=_(
                "Each row counts people: a person counts once in a row, however many times it happened to them "
                "in the period. The rows are separate figures, not parts of a whole."
            ),
        )
    )

    outcomes = _referral_outcomes()
    report.tables.append(
        Table(
            "referrals",
            _("Referrals received in the period, by outcome at its end"),
            _with_total(counts.by_category("referrals", 0, outcomes, "referrals", not_recorded=False), "referrals"),
        )
    )

    if one_municipality:
        exit_rows = counts.by_group("exited", 0, EXIT_GROUPS, "exited:group")
        to_work_keys = {"exited:group:work_or_studies"}
    else:
        exit_rows = counts.by_category("exited", 0, dict(ExitReason.choices), "exited:reason")
        to_work_keys = {f"exited:reason:{reason}" for reason in EXITS_TO_WORK_OR_STUDIES}
    exit_rows = _with_total(exit_rows, "exited")
    report.tables.append(Table("exits", _("Exits by reason"), exit_rows))
    # The exits that count toward the goal are named, not found by their place in the table.
    to_work = [row for row in exit_rows if row.key in to_work_keys]
    report.exit_goal = Share(_("Exits to work or studies"), to_work, exit_rows[-1], goal=EXIT_GOAL)

    ages = _with_total(
        counts.by_category(
            "started",
            0,
            {"young": YOUTH_LABEL, "adult": _("30–64 years"), "other": _("Other ages")},
            "started:age",
            not_recorded=False,
        ),
        "started",
    )
    report.tables.append(Table("ages", _("Age at enrolment (started in the period)"), ages))
    report.youth_share = Share(_("Share of young people (18–29)"), [ages[0]], ages[-1])

    report.tables.append(
        Table(
            "referring_party",
            _("Referring party (started in the period)"),
            _with_total(
                counts.by_category("started", 1, dict(Organisation.Kind.choices), "started:referrer"), "started"
            ),
        )
    )

    def by_income(name: str, category: int, key: str) -> list[Row]:
        if one_municipality:
            return counts.by_group(name, category, INCOME_GROUPS, f"{key}:group")
        return counts.by_category(name, category, dict(IncomeSource.choices), key)

    report.tables.append(
        Table(
            "income_before",
            _("Income at enrolment (started in the period)"),
            _with_total(by_income("started", 2, "started:income"), "started"),
        )
    )
    report.tables.append(
        Table(
            "income_during",
            _("Income at the end of the period (active at the end)"),
            _with_total(by_income("active_end", 1, "active_end:income"), "active_end"),
        )
    )
    report.tables.append(
        Table(
            "income_after",
            _("Income after exit"),
            _with_total(by_income("exited", 2, "exited:income"), "exited"),
        )
    )
    if one_municipality:
        occupations = counts.by_group("exited", 1, OCCUPATION_GROUPS, "exited:occupation:group")
    else:
        occupations = counts.by_category("exited", 1, dict(Occupation.choices), "exited:occupation")
    report.tables.append(Table("occupation_after", _("Occupation after exit"), _with_total(occupations, "exited")))

    report.median_months = _median_months(exits)
    if one_municipality:
        municipalities = [municipality]
    elif municipalities is None:
        municipalities = list(Municipality.objects.order_by("name"))
    report.caseload = _caseload(counts, municipalities)
    # The survey is reported for Höglandet as a whole only (docs/domain.md#survey).
    report.survey = selectors.survey_results(period) if not one_municipality else None
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


def _caseload(counts: _Counts, municipalities: list[Municipality]) -> list[dict]:
    """Active participants per municipality at the period's end against 20 per full-time post: the
    same people as each municipality's "active at the end"."""
    per_municipality = {str(m.pk): counts.tally("active_end", 2, str(m.pk)) for m in municipalities}
    return [
        {
            "municipality": m.name,
            "code": m.code,
            "active": sum(per_municipality[str(m.pk)].counts.values()),
            "key_sum": sum(per_municipality[str(m.pk)].keys.values()),
            "capacity": m.capacity,
            "fte": m.coach_fte_percent,
        }
        for m in municipalities
    ]


def _referral_outcomes() -> dict[str, str]:
    return {
        # Worded as the decision is everywhere (docs/domain.md#decision-wording).
        Referral.Status.ENROLLED: DECISION_RESULTS[Decision.Outcome.ENROL],
        Referral.Status.DECLINED: DECISION_RESULTS[Decision.Outcome.DECLINE],
        Referral.Status.SENT_BACK: DECISION_RESULTS[Decision.Outcome.SEND_BACK],
        Referral.Status.WITHDRAWN: _("Withdrawn"),
        "open": _("Not yet decided at the end of the period"),
    }


def _referrals_received(period: Period, municipality: Municipality | None) -> QuerySet:
    """The referrals that came in the period, with `report_outcome`, their outcome as it stood at the
    period's end: one decided later is "not yet decided" here, whenever the report is run."""
    # Local midnights as instants, so the index on submitted_at is used.
    first = timezone.make_aware(datetime.combine(period.start, time.min))
    after = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    referrals = ReferralStatistic.objects.filter(submitted_at__gte=first, submitted_at__lt=after)
    if municipality is not None:
        referrals = referrals.filter(municipality=municipality)
    at_end = Case(
        *[When(outcome=status, outcome_at__lt=after, then=Value(status)) for status in list(_referral_outcomes())[:4]],
        default=Value("open"),
        output_field=CharField(),
    )
    return referrals.annotate(report_outcome=at_end)


def definitions() -> list[tuple[str, str]]:
    """What each figure counts, as the page, the files and the guide state it
    (docs/domain.md#report-definitions)."""
    return [
        (
            _("People, not events"),
            _(
                "Every count is of people. A person counts once in a row even if it happened to them twice in the "
                "period (two exits, two decisions): by the last time."
            ),
        ),
        (
            _("Decided on enrolment"),
            _(
                "People the referral group decided to enrol in the period, including those who then wait in the "
                "queue and those who never start."
            ),
        ),
        (
            _("Started"),
            _(
                "People whose support started in the period. Age, referring party and income at enrolment are "
                "of these people."
            ),
        ),
        (
            _("Active"),
            _(
                "Started and not exited. Active at any time in the period counts each person in the municipality of "
                "their last active day in it; active at the end, in the municipality they belonged to on the last day."
            ),
        ),
        (
            # xgettext:no-python-format
            _("Exits to work or studies (the 35 % goal)"),
            _(
                # xgettext:no-python-format
                "The goal (service description 003, 4.0): “35 % of the participants who are discharged shall "
                "find, get and keep a job on the open labour market or go on to studies”. Counted as: the people "
                "who exited in the period with the exit reason work or studies, of everyone who exited in the period "
                "after their support had started. Whether they keep the job is not followed up after the exit."
            ),
        ),
        (
            _("Income at the end of the period"),
            _(
                "For the people active on the period's last day, the income in force that day. Changed income "
                "during the period counts the people active in the period who recorded a new income in it."
            ),
        ),
        (
            _("Referral outcomes"),
            _(
                "The referrals that came in the period, by how they stood on the period's last day: a referral "
                "decided after the period is counted as not yet decided, whenever the report is run."
            ),
        ),
        (
            _("Median months in the service"),
            _("From the start of the support to the exit, for the people who exited in the period."),
        ),
        (
            _("Rounding and small groups"),
            _(
                "Every count, totals included, is rounded at random to a multiple of 3 (0, 3, 6, …): four times in "
                "five to one next to it, otherwise one step of 3 further, never more than 5 from the true count; 0 "
                "is always 0. The same people are always rounded the same way, so rows need not add up to their "
                "totals. A group under %(group)s is not broken down by gender or category, and its share is not "
                "shown; shares are worked out from the rounded counts. The median time in the service is shown "
                "when at least %(group)s exited."
            )
            % {"group": disclosure.share_min_group()},
        ),
    ]
