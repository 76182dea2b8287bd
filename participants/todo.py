"""The coach's to-do list: what is due for the participants of the municipalities they coach.

Computed from the records, never stored: a reminder disappears when the coach does what it asks
(records a new decision or income, marks the visit, registers in SUS). One query per kind of item.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextChoices,
    Value,
)
from django.utils.translation import gettext_lazy as _

from consent.models import Consent
from referrals.models import EXITS_TO_WORK_OR_STUDIES
from sehoglandet import access

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
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    coached = selectors.participants_visible_to(user).filter(municipality__in=municipalities)
    return coached if participant is None else coached.filter(pk=participant.pk)


def _open(user, participant: Participant | None = None):
    return _coached(user, participant).filter(status__in=selectors.OPEN_STATUSES)


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


def _row(queryset, kind: TodoKind, *, due, participant, detail=None, reason=None, visit=None):
    """One kind's part of the to-do query: the same six columns for every kind."""
    return (
        queryset.order_by()
        .annotate(
            todo_kind=Value(kind.value, output_field=CharField()),
            todo_due=due,
            todo_participant=participant,
            todo_detail=detail if detail is not None else Value("", output_field=CharField()),
            todo_reason=reason if reason is not None else Value("", output_field=CharField()),
            todo_visit=visit if visit is not None else Value(None, output_field=IntegerField()),
        )
        .values_list("todo_kind", "todo_due", "todo_participant", "todo_detail", "todo_reason", "todo_visit")
    )


@dataclass(frozen=True)
class _Key:
    """A to-do item before its participant is read: what the list is sorted and counted by."""

    kind: TodoKind
    due_on: date
    participant_id: int | None
    detail: str
    visit_id: int | None

    def sort_key(self):
        return (self.due_on, self.kind, self.participant_id or 0, self.detail)


def _keys(user, today: date, participant: Participant | None) -> list[_Key]:
    """Every item due, sorted (overdue first, then by date): one query for all kinds, a second for
    the survey in October."""
    from referrals.models import AgencyDecision

    horizon = today + timedelta(days=REVIEW_WINDOW_DAYS)
    week_end = today + timedelta(days=6 - today.weekday())
    participants = _open(user, participant)
    coached = _coached(user, participant)

    visits = selectors.aftercare_due(user, date.min, week_end)
    if participant is not None:
        visits = visits.filter(participant=participant)

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
    incomes = IncomeRecord.objects.filter(participant__in=participants.values("pk"), review_on__lte=horizon).exclude(
        Exists(newer_income)
    )

    lasting_consent = Consent.objects.filter(
        person=OuterRef("person"), withdrawn_on__isnull=True, valid_until__gt=horizon, given_on__lte=today
    )
    ending = Consent.objects.filter(withdrawn_on__isnull=True, valid_until__lte=horizon, given_on__lte=today)
    # A consent that has already ended stays on the list (overdue) until a new one is recorded.
    expiring = ending.exclude(Exists(lasting_consent)).values("person")
    last_ending = ending.filter(person=OuterRef("person")).order_by("-valid_until").values("valid_until")[:1]

    own = F("pk")
    parts = [
        _row(visits, TodoKind.AFTERCARE, due=F("due_on"), participant=F("participant"), detail=F("kind"), visit=own),
        _row(
            decisions,
            TodoKind.AGENCY_DECISION,
            due=F("valid_until"),
            participant=F("referral__participant"),
            detail=F("organisation__short_name"),
        ),
        _row(incomes, TodoKind.INCOME_REVIEW, due=F("review_on"), participant=F("participant"), detail=F("source")),
        _row(
            participants.filter(person__in=expiring),
            TodoKind.CONSENT_EXPIRING,
            due=Subquery(last_ending, output_field=DateField()),
            participant=own,
        ),
        # Exited participants too: SUS counts everyone who was enrolled, and they must be de-registered after.
        _row(
            coached.filter(started_on__isnull=False, sus_registered_on__isnull=True),
            TodoKind.SUS_REGISTER,
            due=F("started_on"),
            participant=own,
        ),
        _row(
            coached.filter(
                _deregistration_due_by(today),
                status=Participant.Status.EXITED,
                sus_registered_on__isnull=False,
                sus_deregistered_on__isnull=True,
            ),
            TodoKind.SUS_DEREGISTER,
            due=F("exited_on"),
            participant=own,
            detail=F("exit_reason"),
            reason=F("exit_reason"),
        ),
        _row(
            coached.filter(status=Participant.Status.EXITED, occupation_after=""),
            TodoKind.EXIT_DETAILS,
            due=F("exited_on"),
            participant=own,
        ),
    ]
    keys = [
        _Key(
            kind=TodoKind(kind),
            due_on=add_months(due, 3)
            if kind == TodoKind.SUS_DEREGISTER and reason in EXITS_TO_WORK_OR_STUDIES
            else due,
            participant_id=participant_id,
            detail=detail,
            visit_id=visit_id,
        )
        for kind, due, participant_id, detail, reason, visit_id in parts[0].union(*parts[1:], all=True)
    ]

    if today.month == SURVEY_MONTH and participant is None:
        active = participants.filter(status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE]).count()
        if active:
            keys.append(_Key(TodoKind.SURVEY, date(today.year, SURVEY_MONTH, 31), None, str(active), None))

    return sorted(keys, key=_Key.sort_key)


def _labels(model, field: str) -> dict:
    return dict(model._meta.get_field(field).choices)


# What the detail column shows for a stored value: the label of the choice.
_DETAILS = {kind: {} for kind in TodoKind}
_DETAILS[TodoKind.AFTERCARE] = _labels(AftercareVisit, "kind")
_DETAILS[TodoKind.INCOME_REVIEW] = _labels(IncomeRecord, "source")
_DETAILS[TodoKind.SUS_DEREGISTER] = _labels(Participant, "exit_reason")


class TodoList:
    """The coach's to-do list: every item's key from one query, counted and sorted in Python (the
    SUS de-registration date is three calendar months on, which the database cannot compute alike
    on SQLite and PostgreSQL); only the items shown are read in full, in one more query."""

    def __init__(self, user, today: date, *, participant: Participant | None = None):
        self.today = today
        self.participant = participant
        self.keys = _keys(user, today, participant)
        self.counts = Counter(key.kind for key in self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def count_labels(self) -> list[tuple[str, int]]:
        return [(kind.label, self.counts[kind]) for kind in TodoKind if self.counts[kind]]

    def items(self, keys: list[_Key]) -> list[Todo]:
        """The items of `keys`, with their participants (one query)."""
        ids = {key.participant_id for key in keys if key.participant_id is not None}
        if self.participant is not None:
            participants = {self.participant.pk: self.participant}
        else:
            participants = Participant.objects.select_related("person", "municipality").in_bulk(ids) if ids else {}
        return [
            Todo(
                key.kind,
                key.due_on,
                participants.get(key.participant_id),
                str(_DETAILS[key.kind].get(key.detail, key.detail)),
            )
            for key in keys
        ]

    def visit_ids(self, start: date, end: date) -> list[int]:
        """The aftercare visits on the list due between `start` and `end`, in the list's order."""
        return [key.visit_id for key in self.keys if key.kind == TodoKind.AFTERCARE and start <= key.due_on <= end]


def todo_for(user, today: date, *, participant: Participant | None = None) -> list[Todo]:
    """Everything due for the coach's open participants, overdue first, then by date; with
    `participant`, what is due for that one case (the header of the case page), by the same rules."""
    todo = TodoList(user, today, participant=participant)
    return todo.items(todo.keys)


def todo_counts(user, today: date) -> dict[str, int]:
    """The number of items of each kind: what the daily e-mail says, without any personal data."""
    counts = TodoList(user, today).counts
    return {kind: counts[kind] for kind in TodoKind}


def sus_month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, add_months(first, 1) - timedelta(days=1)


def sus_list(user, month: date) -> tuple[list[Participant], list[Participant]]:
    """For the month of `month`, with the values SUS asks for: who to register (started by the
    month's end and not yet registered, or registered during the month) and who to de-register
    (due by the month's end and not yet done, or done during the month). Each participant carries
    `income_before` and `income_after`. Three queries."""
    first, last = sus_month_bounds(month)
    rows = (
        _coached(user)
        .select_related("referral__referring_organisation")
        .prefetch_related(Prefetch("incomes", queryset=IncomeRecord.objects.exclude(phase=IncomeRecord.Phase.DURING)))
    )
    register = list(
        rows.filter(
            Q(started_on__lte=last, sus_registered_on__isnull=True) | Q(sus_registered_on__range=(first, last))
        ).order_by("started_on", "id")
    )
    candidates = rows.filter(status=Participant.Status.EXITED, sus_registered_on__isnull=False).filter(
        Q(sus_deregistered_on__isnull=True, exited_on__lte=last) | Q(sus_deregistered_on__range=(first, last))
    )
    deregister = [
        participant
        for participant in candidates.order_by("exited_on", "id")
        if participant.sus_deregistered_on is not None or participant.sus_deregistration_due_on <= last
    ]
    for participant in register + deregister:
        phases = {income.phase: income for income in participant.incomes.all()}
        participant.income_before = phases.get(IncomeRecord.Phase.BEFORE)
        participant.income_after = phases.get(IncomeRecord.Phase.AFTER)
    return register, deregister
