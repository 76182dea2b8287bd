"""Read queries for the case page: the timeline of journal entries and case events, and what changed
in the participant's records (simple_history), each a fixed number of queries per page."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, Model, Q, QuerySet, Value
from django.db.models.functions import Cast, TruncDate
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from referrals.models import Referral
from sehoglandet import access, events
from sehoglandet.models import CaseEvent, Municipality, Role

from . import selectors
from .events import ParticipantEvent
from .models import (
    AftercareVisit,
    Employment,
    IncomeRecord,
    JournalEntry,
    MunicipalityPeriod,
    Participant,
    StepChange,
    Transfer,
)

TIMELINE_PAGE_SIZE = 20
CHANGES_PAGE_SIZE = 20

# The records that belong to one enrolment, each with a foreign key `participant`.
PARTS: tuple[type[Model], ...] = (StepChange, Employment, AftercareVisit, IncomeRecord, MunicipalityPeriod, Transfer)


class TimelineKind:
    ALL = ""
    JOURNAL = "journal"
    EVENTS = "events"


@dataclass(frozen=True)
class TimelineItem:
    day: date
    entry: JournalEntry | None = None
    event: CaseEvent | None = None

    @property
    def label(self) -> str:
        return events.label(self.event.code) if self.event else ""


def case_events_of(participant: Participant) -> QuerySet[CaseEvent]:
    """The case events of this enrolment: of the participant, of its parts and of the referral that
    enrolled them; never the person's other cases (another municipality's enrolment, consent). A
    journal entry's own event is left out: the timeline shows the entry itself."""
    own = Q(record_type=Participant._meta.label_lower, record_id=str(participant.pk))
    for model in PARTS:
        ids = model.objects.filter(participant=participant).annotate(key=Cast("pk", CharField())).values("key")
        own |= Q(record_type=model._meta.label_lower, record_id__in=ids)
    if participant.referral_id:
        own |= Q(record_type="referrals.referral", record_id=str(participant.referral_id))
    return CaseEvent.objects.filter(own, person_id=participant.person_id).exclude(
        code=ParticipantEvent.JOURNAL_ENTRY_ADDED
    )


# The columns of a timeline row, the same for both kinds: the entry's kind and text, or the event's
# code and record; who wrote or did it.
TIMELINE_COLUMNS = (
    "record_kind", "id", "day", "stamp", "detail", "text", "record_type", "record_id",
    "who_id", "who_username", "who_first_name", "who_last_name",
)  # fmt: skip
NO_TEXT = Value("", output_field=CharField())


def timeline_of(participant: Participant, *, with_journal: bool, kind: str, page_number) -> Page:
    """The journal entries (when `with_journal`) and the case events of the enrolment, newest day
    first, `TIMELINE_PAGE_SIZE` a page; `kind` keeps only the journal or only the events. Two
    queries: the count, and the page's rows with what they show, who wrote or did each included."""
    rows = []
    if with_journal and kind in (TimelineKind.ALL, TimelineKind.JOURNAL):
        rows.append(
            JournalEntry.objects.filter(participant=participant).annotate(
                record_kind=Value("journal", output_field=CharField()),
                day=F("date"),
                stamp=F("created_at"),
                detail=F("kind"),
                record_type=NO_TEXT,
                record_id=NO_TEXT,
                **_who("author"),
            )
        )
    if kind in (TimelineKind.ALL, TimelineKind.EVENTS):
        rows.append(
            case_events_of(participant).annotate(
                record_kind=Value("event", output_field=CharField()),
                day=TruncDate("occurred_at"),
                stamp=F("occurred_at"),
                detail=F("code"),
                text=NO_TEXT,
                **_who("actor"),
            )
        )
    if not rows:
        return Paginator([], TIMELINE_PAGE_SIZE).get_page(1)
    rows = [queryset.values_list(*TIMELINE_COLUMNS).order_by() for queryset in rows]
    combined = rows[0].union(*rows[1:], all=True) if len(rows) > 1 else rows[0]
    page = Paginator(combined.order_by("-day", "-stamp"), TIMELINE_PAGE_SIZE).get_page(page_number)
    page.object_list = [_timeline_item(*row) for row in page.object_list]
    return page


def _who(relation: str) -> dict:
    return {
        "who_id": F(f"{relation}_id"),
        "who_username": F(f"{relation}__username"),
        "who_first_name": F(f"{relation}__first_name"),
        "who_last_name": F(f"{relation}__last_name"),
    }


def _timeline_item(
    source, pk, day, stamp, detail, text, record_type, record_id, who_id, username, first_name, last_name
) -> TimelineItem:
    """A row of the timeline's query as the entry or event it shows (read-only: not every field)."""
    who = User(id=who_id, username=username, first_name=first_name, last_name=last_name)
    if source == "journal":
        entry = JournalEntry(id=pk, date=day, created_at=stamp, kind=detail, text=text, author=who)
        return TimelineItem(day=day, entry=entry)
    event = CaseEvent(id=pk, code=detail, occurred_at=stamp, record_type=record_type, record_id=record_id, actor=who)
    return TimelineItem(day=day, event=event)


# What changed: the history rows of the participant and its parts.

# Free text that stays in the journal's keeping: the change is shown, its words are not.
HIDDEN_VALUES = {
    (Participant, "exit_note"),
    (Transfer, "note"),
    (AftercareVisit, "note"),
}
# Bookkeeping that is not the case: never listed as a change.
SKIPPED_FIELDS = {"id", "created_at", "requested_at", "queue_position", "person"}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    at: datetime
    record: str
    kind: str  # "+", "~" or "-", as simple_history writes it
    who: str
    reason: str
    fields: list[FieldChange] = field(default_factory=list)


def get_participant_for_changes(user, pk: int) -> Participant:
    """The participant whose changes the user asks for: the auditor reaches every one, anyone else
    only what a grant reaches (404 otherwise, never revealing whether it exists). With the person
    and the municipality, all the page shows of them: the case page's fetch joins nine tables,
    which took PostgreSQL longer to plan than this page's every other query."""
    participants = (
        Participant.objects.select_related("person", "municipality")
        if access.has_role(user, Role.AUDITOR)
        else selectors.participants_visible_to(user)
    )
    participant = participants.filter(pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def _history_keys(participant: Participant) -> QuerySet:
    models = (Participant, *PARTS)
    keys = []
    for model in models:
        rows = model.history.model.objects.filter(
            **({"id": participant.pk} if model is Participant else {"participant_id": participant.pk})
        )
        keys.append(
            rows.annotate(record_kind=Value(model._meta.label_lower, output_field=CharField()))
            .values_list("record_kind", "history_id", "history_date")
            .order_by()
        )
    return keys[0].union(*keys[1:], all=True).order_by("-history_date", "-history_id")


def changes_of(participant: Participant, *, page_number) -> Page:
    """Who changed what in the participant's record and its parts, and when, newest first,
    `CHANGES_PAGE_SIZE` a page: each history row against the one before it of the same record,
    field labels and values as users read them, the reason as the event's label. A fixed number of
    queries: every key (a participant's record and parts have a few dozen history rows: at most 11
    of the record itself at 100 000 participants in the national bench), then per kind of record
    one for the rows and their predecessors, and one per kind of value that names another record.
    Reading the keys in one query instead of a count and a page compiles the union of seven
    tables once instead of twice."""
    page = Paginator(list(_history_keys(participant)), CHANGES_PAGE_SIZE).get_page(page_number)
    keys = list(page.object_list)
    by_model = {model._meta.label_lower: model for model in (Participant, *PARTS)}
    rows: dict[tuple[str, int], Model] = {}
    previous: dict[tuple[str, int], Model | None] = {}
    for label, model in by_model.items():
        history_ids = [history_id for source, history_id, _at in keys if source == label]
        if not history_ids:
            continue
        history = model.history.model.objects
        objects = history.filter(history_id__in=history_ids).values("id")
        latest = max(at for source, _id, at in keys if source == label)
        chain: dict[int, Model | None] = {}
        for row in (
            history.filter(id__in=objects, history_date__lte=latest)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ):
            if row.history_id in history_ids:
                rows[label, row.history_id] = row
                previous[label, row.history_id] = chain.get(row.id)
            chain[row.id] = row
    names = _related_names(rows.values(), by_model)
    changes = []
    for source, history_id, at in keys:
        row = rows.get((source, history_id))
        if row is None:
            continue
        model = by_model[source]
        changes.append(
            Change(
                at=at,
                record=str(capfirst(model._meta.verbose_name)),
                kind=row.history_type,
                who=_user_name(row.history_user),
                reason=events.label(row.history_change_reason),
                fields=_field_changes(model, row, previous[source, history_id], names),
            )
        )
    page.object_list = changes
    return page


def _tracked_fields(model: type[Model]):
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if model_field.name not in SKIPPED_FIELDS and model_field.name != "participant"
    ]


def _related_names(rows, by_model) -> dict[tuple[type[Model], object], str]:
    """The names of the records the rows' foreign keys point at: one query per kind."""
    wanted: dict[type[Model], set] = {}
    for row in rows:
        model = by_model[row.instance_type._meta.label_lower]
        for model_field in _tracked_fields(model):
            if model_field.is_relation:
                value = getattr(row, model_field.attname)
                if value is not None:
                    wanted.setdefault(model_field.related_model, set()).add(value)
    names = {}
    for related, ids in wanted.items():
        namer = NAMERS.get(related)
        if namer is None:
            names.update({(related, pk): str(capfirst(related._meta.verbose_name)) for pk in ids})
            continue
        for pk, record in related._default_manager.in_bulk(list(ids)).items():
            names[related, pk] = namer(record)
    return names


NAMERS = {
    User: lambda user: _user_name(user),
    Municipality: lambda municipality: municipality.name,
    Employment: lambda employment: employment.employer,
    Referral: lambda referral: referral.reference,
}


def _user_name(user) -> str:
    if user is None:
        return _("The system")
    return user.get_full_name() or user.username


def _shown(model: type[Model], model_field, value, names) -> str:
    if value is None or value == "":
        return "–"
    if (model, model_field.name) in HIDDEN_VALUES:
        return _("(text not shown)")
    if model_field.is_relation:
        return names.get((model_field.related_model, value), "–")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _field_changes(model: type[Model], row, before, names) -> list[FieldChange]:
    changed = []
    for model_field in _tracked_fields(model):
        new = getattr(row, model_field.attname)
        old = getattr(before, model_field.attname) if before is not None else None
        if before is not None and new == old:
            continue
        if before is None and (new is None or new == ""):
            continue
        changed.append(
            FieldChange(
                label=str(capfirst(model_field.verbose_name)),
                before=_shown(model, model_field, old, names) if before is not None else "",
                after=_shown(model, model_field, new, names),
            )
        )
    return changed
