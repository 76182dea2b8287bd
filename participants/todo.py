"""The coach's to-do list: what is due for the participants of the municipalities they coach.

Computed from the records, never stored: a reminder disappears when the coach does what it asks
(records a new decision or income, marks the visit, registers in SUS). One query per kind of item.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from consent.models import Consent
from referrals.models import EXITS_TO_WORK_OR_STUDIES
from sehoglandet import access
from sehoglandet.choices import choice_labels

from . import selectors
from .models import AftercareVisit, IncomeRecord, Participant, add_months

# How far ahead a decision, an income or a consent that ends is shown.
REVIEW_WINDOW_DAYS = 30
# The indicator survey is offered to every participant each October (docs/domain.md#survey).
SURVEY_MONTH = 10


class TodoKind(TextChoices):
    AFTERCARE = "aftercare", _("Aftercare contact due")
    AGENCY_DECISION = "agency_decision", _("Decision on insats ends: review it")
    INCOME_REVIEW = "income_review", _("Income to review")
    CONSENT_EXPIRING = "consent_expiring", _("Consent ends: ask for a new one")
    SUS_REGISTER = "sus_register", _("Register in SUS")
    SUS_DEREGISTER = "sus_deregister", _("De-register in SUS")
    EXIT_DETAILS = "exit_details", _("Record occupation and income after the exit")
    SURVEY = "survey", _("Offer the indicator survey")


@dataclass(frozen=True)
class Todo:
    kind: TodoKind
    due_on: date
    participant: Participant | None = None
    detail: str = ""

    def overdue_on(self, today: date) -> bool:
        return self.due_on < today


def _coached(user, participant: Participant | None = None):
    """The participants of the municipalities the user coaches that a grant reaches; or `participant`
    alone, whom the caller has let the user read as their coach (todo_for)."""
    if participant is not None:
        return Participant.objects.filter(pk=participant.pk)
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    return selectors.participants_visible_to(user).filter(municipality__in=municipalities)


def _open(user, participant: Participant | None = None):
    return _coached(user, participant).filter(status__in=selectors.OPEN_STATUSES)


def _open_where(user, participant: Participant | None, condition):
    """The open participants of _open(user, participant) that meet `condition`, with the grant checked
    only for those that do: the CASE keeps PostgreSQL from checking the grant first, as it does when
    the two are separate conditions, since it judges an EXISTS cheap (to-do's consent part: 220 grant
    checks for the busiest team instead of 2 790)."""
    if participant is not None:
        return _open(user, participant).filter(condition)
    if not user.is_authenticated or not user.is_active:
        return Participant.objects.none()
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    granted = access.grant_reaches(user, "participants.view_participant", Participant)
    return Participant.objects.filter(municipality__in=municipalities, status__in=selectors.OPEN_STATUSES).filter(
        Case(When(condition, then=granted), default=Value(False), output_field=BooleanField())
    )


def sus_deregistration_candidates(user):
    """Exited participants registered in SUS and not yet de-registered (the due date is checked per row)."""
    return _coached(user).filter(
        status=Participant.Status.EXITED, sus_registered_on__isnull=False, sus_deregistered_on__isnull=True
    )


def sus_markable(user):
    """The participants of the coach's municipalities, whom the SUS list lets them tick; whether a
    row can be marked (started, not registered yet) is the service's check, row by row."""
    return _coached(user)


def last_exit_due_by(day: date) -> date:
    """The last exit day to work or studies whose SUS de-registration (three months on, add_months)
    is due by `day`: lets the database filter what Participant.sus_deregistration_due_on decides."""
    last = add_months(day, -3)
    while add_months(last + timedelta(days=1), 3) <= day:
        last += timedelta(days=1)
    return last


def _deregistration_due_by(day: date) -> Q:
    return Q(exit_reason__in=EXITS_TO_WORK_OR_STUDIES, exited_on__lte=last_exit_due_by(day)) | (
        ~Q(exit_reason__in=EXITS_TO_WORK_OR_STUDIES) & Q(exited_on__lte=day)
    )


class AddMonths(Func):
    """The date `months` calendar months on, or the month's last day when it is shorter: add_months
    in the database. PostgreSQL's interval arithmetic clamps that way; SQLite's rolls over into the
    next month, so there the month's last day caps it."""

    output_field = DateField()

    def __init__(self, expression, months: int):
        self.months = int(months)
        super().__init__(expression)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) + INTERVAL '{self.months} months' AS date)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        rolled = f"date({sql}, '+{self.months} months')"
        last_day = f"date({sql}, 'start of month', '+{self.months + 1} months', '-1 day')"
        return f"MIN({rolled}, {last_day})", params * 2


COLUMNS = ("todo_due", "todo_kind", "todo_participant", "todo_detail", "todo_visit")


def _source(queryset, kind: TodoKind, *, due, participant, detail=None, visit=None):
    """One kind's part of the to-do: the same columns for every kind, so that the parts unite."""
    return queryset.order_by().annotate(
        todo_due=due,
        todo_kind=Value(kind.value, output_field=CharField()),
        todo_participant=participant,
        todo_detail=detail if detail is not None else Value("", output_field=CharField()),
        todo_visit=visit if visit is not None else Value(None, output_field=IntegerField()),
    )


def _sources(user, today: date, participant: Participant | None) -> list:
    """Each kind of item due as a queryset with the COLUMNS (the survey is apart: TodoList)."""
    from referrals.models import AgencyDecision

    horizon = today + timedelta(days=REVIEW_WINDOW_DAYS)
    week_end = today + timedelta(days=6 - today.weekday())
    participants = _open(user, participant)
    coached = _coached(user, participant)

    visits = selectors.aftercare_due(user, date.min, week_end, checked_participant=participant)

    # A later end, or no end at all, from the same party replaces the decision.
    newer_decision = AgencyDecision.objects.filter(
        Q(valid_until__gt=OuterRef("valid_until")) | Q(valid_until__isnull=True),
        referral=OuterRef("referral"),
        organisation=OuterRef("organisation"),
    )
    decisions = AgencyDecision.objects.filter(
        referral__participant__in=participants.values("pk"), valid_until__lte=horizon
    ).exclude(Exists(newer_decision))

    newer_income = IncomeRecord.objects.filter(
        Q(valid_from__gt=OuterRef("valid_from")) | Q(valid_from=OuterRef("valid_from"), pk__gt=OuterRef("pk")),
        participant=OuterRef("participant"),
    )
    incomes = IncomeRecord.objects.filter(
        selectors.of_coached_participants(user, checked_participant=participant), review_on__lte=horizon
    ).exclude(Exists(newer_income))

    # A consent that ends within the window, or has already ended (overdue), while no other consent
    # lasts beyond it: the latest end of the person's consents given and not withdrawn lies within the
    # window (NULL without a consent). A value, not EXISTS, which PostgreSQL would turn into a join
    # after the grant check of every open participant.
    consent_ends = Subquery(
        Consent.objects.filter(person=OuterRef("person"), withdrawn_on__isnull=True, given_on__lte=today)
        .order_by("-valid_until")
        .values("valid_until")[:1],
        output_field=DateField(),
    )

    own = F("pk")
    return [
        _source(visits, TodoKind.AFTERCARE, due=F("due_on"), participant=F("participant"), detail=F("kind"), visit=own),
        _source(
            decisions,
            TodoKind.AGENCY_DECISION,
            due=F("valid_until"),
            participant=F("referral__participant"),
            detail=F("organisation__short_name"),
        ),
        _source(incomes, TodoKind.INCOME_REVIEW, due=F("review_on"), participant=F("participant"), detail=F("source")),
        _source(
            _open_where(user, participant, LessThanOrEqual(consent_ends, horizon)),
            TodoKind.CONSENT_EXPIRING,
            due=consent_ends,
            participant=own,
        ),
        # Exited participants too: SUS counts everyone who was enrolled, and they must be de-registered after.
        _source(
            coached.filter(started_on__isnull=False, sus_registered_on__isnull=True),
            TodoKind.SUS_REGISTER,
            due=F("started_on"),
            participant=own,
        ),
        _source(
            coached.filter(
                _deregistration_due_by(today),
                status=Participant.Status.EXITED,
                sus_registered_on__isnull=False,
                sus_deregistered_on__isnull=True,
            ),
            TodoKind.SUS_DEREGISTER,
            # Participant.sus_deregistration_due_on, in the database.
            due=Case(
                When(exit_reason__in=EXITS_TO_WORK_OR_STUDIES, then=AddMonths("exited_on", 3)),
                default=F("exited_on"),
                output_field=DateField(),
            ),
            participant=own,
            detail=F("exit_reason"),
        ),
        _source(
            coached.filter(status=Participant.Status.EXITED, occupation_after=""),
            TodoKind.EXIT_DETAILS,
            due=F("exited_on"),
            participant=own,
        ),
    ]


# What the detail column shows for a stored value: the label of the choice.
_DETAILS = {kind: {} for kind in TodoKind}
_DETAILS[TodoKind.AFTERCARE] = choice_labels(AftercareVisit, "kind")
_DETAILS[TodoKind.INCOME_REVIEW] = choice_labels(IncomeRecord, "source")
_DETAILS[TodoKind.SUS_DEREGISTER] = choice_labels(Participant, "exit_reason")


class TodoList:
    """The coach's to-do list, overdue first, then by date. It reads the key of every item (its date,
    kind, participant and detail: a few small columns, sorted by the database) in one query, counts
    the kinds from them, and reads the participants of the page asked for in a second: a team's
    to-do holds hundreds of items, not millions (742 for the busiest team of the national bench),
    and counting them apart cost a second pass over every source. It is a sequence, so Django's
    Paginator pages it.

    The October survey is one item that no table holds (due on 31 October); in October it is put
    in at its place, at the cost of one query that counts the active participants."""

    def __init__(self, user, today: date, *, participant: Participant | None = None):
        self.user, self.today, self.participant = user, today, participant
        sources = _sources(user, today, participant)
        self.rows = (
            sources[0]
            .values_list(*COLUMNS)
            .union(*(source.values_list(*COLUMNS) for source in sources[1:]), all=True)
            .order_by(*COLUMNS[:4])
        )

    @cached_property
    def _keys(self) -> list[tuple]:
        return list(self.rows)

    @cached_property
    def counts(self) -> Counter:
        counts = Counter(kind for _due, kind, *_rest in self._keys)
        if self._survey is not None:
            counts[TodoKind.SURVEY] = 1
        return counts

    @cached_property
    def _survey(self) -> tuple[Todo, int] | None:
        """The survey item and its place in the list, in October."""
        if self.today.month != SURVEY_MONTH or self.participant is not None:
            return None
        active = _open(self.user).filter(status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE]).count()
        if not active:
            return None
        due = date(self.today.year, SURVEY_MONTH, 31)
        # Its place: after the items due before it, and those due that day of a kind that sorts first.
        at = sum(1 for item_due, kind, *_rest in self._keys if (item_due, kind) < (due, TodoKind.SURVEY.value))
        return Todo(TodoKind.SURVEY, due, detail=str(active)), at

    def __len__(self) -> int:
        return self.counts.total()

    def __getitem__(self, index: slice) -> list[Todo]:
        start, stop, _step = index.indices(len(self))
        if self._survey is None:
            return self._items(self._keys[start:stop])
        survey, at = self._survey
        if not start <= at < stop:
            shift = 1 if at < start else 0
            return self._items(self._keys[start - shift : stop - shift])
        before = self._items(self._keys[start:at]) if start < at else []
        after = self._items(self._keys[at : stop - 1]) if at < stop - 1 else []
        return [*before, survey, *after]

    def all(self) -> list[Todo]:
        """Every item: one query for the rows, one for their participants."""
        return self[0 : len(self)]

    def aftercare_visits_from(self, start: date) -> list[int]:
        """The ids of the aftercare contacts on the list due from `start`: the list's aftercare part
        is selectors.aftercare_due up to the end of this week, so from this week's Monday these are
        the contacts of this week, overdue ones of this week included, read and grant-checked with
        the list rather than by another query over the team's visits."""
        aftercare = TodoKind.AFTERCARE
        return [visit for due, kind, _participant, _detail, visit in self._keys if kind == aftercare and due >= start]

    def count_labels(self) -> list[tuple[str, int]]:
        return [(kind.label, self.counts[kind]) for kind in TodoKind if self.counts[kind]]

    def _items(self, rows: list[tuple]) -> list[Todo]:
        """The items of `rows`, with their participants (one query)."""
        ids = {participant_id for _due, _kind, participant_id, _detail, _visit in rows}
        if self.participant is not None:
            participants = {self.participant.pk: self.participant}
        else:
            participants = Participant.objects.select_related("person", "municipality").in_bulk(ids) if ids else {}
        return [
            Todo(TodoKind(kind), due, participants.get(participant_id), str(_DETAILS[kind].get(detail, detail)))
            for due, kind, participant_id, detail, _visit in rows
        ]


def todo_for(user, today: date, *, participant: Participant | None = None) -> list[Todo]:
    """Everything due for the coach's open participants, overdue first, then by date; with
    `participant`, what is due for that one case (the header of the case page), by the same rules.
    The case page asks for it only once it has let the user read the case as its coach
    (access.may_read_journal, after the grant): the case's own rows are read without asking again."""
    return TodoList(user, today, participant=participant).all()


def todo_counts(user, today: date) -> dict[str, int]:
    """The number of items of each kind: what the daily e-mail says, without any personal data."""
    counts = TodoList(user, today).counts
    return {kind: counts[kind] for kind in TodoKind}


def sus_month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, add_months(first, 1) - timedelta(days=1)


def sus_querysets(user, month: date):
    """For the month of `month`, with the values SUS asks for: who to register (started by the
    month's end and not yet registered, or registered during the month) and who to de-register
    (due by the month's end and not yet done, or done during the month), filtered and ordered in
    the database. Give each row `income_before` and `income_after` with with_sus_incomes."""
    first, last = sus_month_bounds(month)
    rows = _coached(user).annotate(
        income_before_source=_income_source(IncomeRecord.Phase.BEFORE),
        income_after_source=_income_source(IncomeRecord.Phase.AFTER),
    )
    register = rows.filter(
        Q(started_on__lte=last, sus_registered_on__isnull=True) | Q(sus_registered_on__range=(first, last))
    ).order_by("started_on", "id")
    deregister = (
        rows.filter(status=Participant.Status.EXITED, sus_registered_on__isnull=False)
        .filter(
            Q(sus_deregistered_on__isnull=True) & _deregistration_due_by(last)
            | Q(sus_deregistered_on__range=(first, last))
        )
        .order_by("exited_on", "id")
    )
    return register, deregister


def _income_source(phase: str) -> Subquery:
    """The source of the participant's income of `phase`: there is at most one at enrolment and one at
    exit (IncomeRecord's one_income_before_and_after)."""
    incomes = IncomeRecord.objects.filter(participant=OuterRef("pk"), phase=phase).values("source")[:1]
    return Subquery(incomes, output_field=CharField())


def with_sus_incomes(participants) -> list[Participant]:
    """`participants` (rows of sus_querysets) as a list, each with `income_before` and `income_after`:
    the income as the list's query read it, read-only with its phase and source (all SUS asks of
    it), or None."""
    participants = list(participants)
    for participant in participants:
        participant.income_before = _income(IncomeRecord.Phase.BEFORE, participant.income_before_source)
        participant.income_after = _income(IncomeRecord.Phase.AFTER, participant.income_after_source)
    return participants


def _income(phase: str, source: str | None) -> IncomeRecord | None:
    return None if source is None else IncomeRecord(phase=phase, source=source)


def sus_list(user, month: date) -> tuple[list[Participant], list[Participant]]:
    """The whole of both of the month's SUS lists (sus_querysets), for the export. Two queries."""
    register, deregister = sus_querysets(user, month)
    return with_sus_incomes(register), with_sus_incomes(deregister)
