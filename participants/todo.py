"""The coach's to-do list: what is due for the participants of the municipalities they coach.

Computed from the records, never stored: a reminder disappears when the coach does what it asks
(records a new decision or income, marks the visit, registers in SUS). One query per kind of item.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, TextChoices
from django.utils.translation import gettext_lazy as _

from consent.models import Consent
from sehoglandet import access

from . import selectors
from .models import IncomeRecord, Participant, add_months

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


def todo_for(user, today: date, *, participant: Participant | None = None) -> list[Todo]:
    """Everything due for the coach's open participants, overdue first, then by date; with
    `participant`, what is due for that one case (the header of the case page), by the same rules."""
    from referrals.models import AgencyDecision

    horizon = today + timedelta(days=REVIEW_WINDOW_DAYS)
    week_end = today + timedelta(days=6 - today.weekday())
    items: list[Todo] = []

    visits = selectors.aftercare_due(user, date.min, week_end)
    if participant is not None:
        visits = visits.filter(participant=participant)
    for visit in visits:
        items.append(Todo(TodoKind.AFTERCARE, visit.due_on, visit.participant, visit.get_kind_display()))

    participants = _open(user, participant)
    # A later end, or no end at all, from the same party replaces the decision.
    newer_decision = AgencyDecision.objects.filter(
        Q(valid_until__gt=OuterRef("valid_until")) | Q(valid_until__isnull=True),
        referral=OuterRef("referral"),
        organisation=OuterRef("organisation"),
    )
    for decision in (
        AgencyDecision.objects.filter(referral__participant__in=participants.values("pk"), valid_until__lte=horizon)
        .exclude(Exists(newer_decision))
        .select_related("organisation", "referral__participant__person", "referral__participant__municipality")
    ):
        items.append(
            Todo(
                TodoKind.AGENCY_DECISION,
                decision.valid_until,
                decision.referral.participant,
                decision.organisation.short_name,
            )
        )

    newer_income = IncomeRecord.objects.filter(
        Q(valid_from__gt=OuterRef("valid_from")) | Q(valid_from=OuterRef("valid_from"), pk__gt=OuterRef("pk")),
        participant=OuterRef("participant"),
    )
    for income in (
        IncomeRecord.objects.filter(participant__in=participants.values("pk"), review_on__lte=horizon)
        .exclude(Exists(newer_income))
        .select_related("participant__person", "participant__municipality")
    ):
        items.append(Todo(TodoKind.INCOME_REVIEW, income.review_on, income.participant, income.get_source_display()))

    lasting_consent = Consent.objects.filter(
        person=OuterRef("person"), withdrawn_on__isnull=True, valid_until__gt=horizon, given_on__lte=today
    )
    # A consent that has already ended stays on the list (overdue) until a new one is recorded.
    expiring = (
        Consent.objects.filter(withdrawn_on__isnull=True, valid_until__lte=horizon, given_on__lte=today)
        .exclude(Exists(lasting_consent))
        .values("person")
    )
    for case in participants.filter(person__in=expiring).prefetch_related("person__consents"):
        ends = max(
            consent.valid_until
            for consent in case.person.consents.all()
            if consent.withdrawn_on is None and consent.given_on <= today and consent.valid_until <= horizon
        )
        items.append(Todo(TodoKind.CONSENT_EXPIRING, ends, case))

    # Exited participants too: SUS counts everyone who was enrolled, and they must be de-registered after.
    for case in _coached(user, participant).filter(started_on__isnull=False, sus_registered_on__isnull=True):
        items.append(Todo(TodoKind.SUS_REGISTER, case.started_on, case))

    candidates = sus_deregistration_candidates(user)
    if participant is not None:
        candidates = candidates.filter(pk=participant.pk)
    for case in candidates.filter(exited_on__lte=today):
        due = case.sus_deregistration_due_on
        if due <= today:
            items.append(Todo(TodoKind.SUS_DEREGISTER, due, case, case.get_exit_reason_display()))

    for case in _coached(user, participant).filter(status=Participant.Status.EXITED, occupation_after=""):
        items.append(Todo(TodoKind.EXIT_DETAILS, case.exited_on, case))

    if today.month == SURVEY_MONTH and participant is None:
        active = participants.filter(status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE]).count()
        if active:
            items.append(Todo(TodoKind.SURVEY, date(today.year, SURVEY_MONTH, 31), detail=str(active)))

    return sorted(items, key=lambda item: (item.due_on, item.kind))


def todo_counts(user, today: date) -> dict[str, int]:
    """The number of items of each kind: what the daily e-mail says, without any personal data."""
    counts = {kind: 0 for kind in TodoKind}
    for item in todo_for(user, today):
        counts[item.kind] += 1
    return counts


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
