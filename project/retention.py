"""The retention purge (gallring): whose file has expired, and deleting everything the service holds
about them (docs/domain.md#retention).

It lives in the project layer because a person's file spans every app: the core's Person and case
events, consent, referrals and participants. Which rows belong to a person is not listed by hand:
it is every row that reaches the Person through foreign keys that would stop or take the Person's
deletion with them (CASCADE, PROTECT, RESTRICT), found from the models themselves, so a model added
later is purged without a change here. A row that points at a purged one with SET_NULL (the
anonymous statistics of the reporting app) is left alone, and Django's ORM sets its link to null.

One person per transaction: an interruption leaves every person either untouched or fully purged,
and the next run finishes the job. Signed forms are deleted from disk after the commit.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalChanges

from consent.models import Consent
from participants.models import Participant, add_months
from referrals.models import Consultation, Meeting, Referral
from sehoglandet import access, services
from sehoglandet.models import CaseEvent, Person, PurgeRun

# The statuses of a referral that the SE team still works on. A referral sent back for more
# preparation is open too, but counts as abandoned once it has not changed for the referral period.
REFERRAL_STATUSES_IN_PROGRESS = [
    Referral.Status.SUBMITTED,
    Referral.Status.PRE_MEETING_BOOKED,
    Referral.Status.READY,
]
# Foreign keys through which a row belongs to what it points at: deleting the Person would delete
# the row or be stopped by it.
OWNED_BY = (models.CASCADE, models.PROTECT, models.RESTRICT)


@dataclass(frozen=True)
class Cutoffs:
    """A referral closed (last changed) on or before `referral_day`, and a participant who exited on or
    before `participant_day`, have expired."""

    referral_day: date
    participant_day: date

    @property
    def referral_moment(self) -> datetime:
        """The first moment after the referral cutoff day, for comparing times of change."""
        return timezone.make_aware(datetime.combine(self.referral_day + timedelta(days=1), time.min))


def cutoffs(today: date) -> Cutoffs:
    return Cutoffs(
        referral_day=add_months(today, -settings.RETENTION_REFERRAL_MONTHS),
        participant_day=add_months(today, -settings.RETENTION_PARTICIPANT_MONTHS),
    )


def expired_persons(today: date) -> QuerySet[Person]:
    """Persons whose every case has closed and whose retention periods have all run out
    (docs/domain.md#retention). One query. A person is kept while any of these holds:
    - an enrolment is open, or ended less than RETENTION_PARTICIPANT_MONTHS ago;
    - a referral is submitted, has a pre-meeting booked or is ready for the group;
    - a referral (declined, withdrawn, sent back, a draft, enrolled) changed within RETENTION_REFERRAL_MONTHS;
    - a consent of theirs was recorded or changed within that time;
    - anything else happened in their case within that time (a case event names them);
    - the person was registered within that time.
    """
    limits = cutoffs(today)
    recent = limits.referral_moment
    last_change = Subquery(
        Referral.history.filter(id=OuterRef("pk")).order_by("-history_date").values("history_date")[:1]
    )
    kept_referrals = Referral.objects.annotate(last_change=Coalesce(last_change, "created_at")).filter(
        Q(status__in=REFERRAL_STATUSES_IN_PROGRESS) | Q(last_change__gte=recent)
    )
    kept_enrolments = Participant.objects.filter(
        ~Q(status=Participant.Status.EXITED) | Q(exited_on__isnull=True) | Q(exited_on__gt=limits.participant_day)
    )
    recent_consents = Consent.history.filter(history_date__gte=recent)
    recent_events = CaseEvent.objects.filter(occurred_at__gte=recent, person__isnull=False)
    return (
        Person.objects.filter(created_at__lt=recent)
        .exclude(pk__in=kept_referrals.values("person_id"))
        .exclude(pk__in=kept_enrolments.values("person_id"))
        .exclude(pk__in=recent_consents.values("person_id"))
        .exclude(pk__in=recent_events.values("person_id"))
        .order_by("pk")
    )


# Which rows belong to a person.


@dataclass(frozen=True)
class Edge:
    """`child` rows belong to a `parent` row through the foreign key `attname` (e.g. "referral_id")."""

    parent: type[Model]
    child: type[Model]
    attname: str


def _is_history(model: type[Model]) -> bool:
    return issubclass(model, HistoricalChanges)


@cache
def person_file_models() -> tuple[list[type[Model]], list[Edge]]:
    """The models of a person's file, children before parents (the order to delete them in), and
    the foreign keys that tie them together. The case events are handled on their own: they name
    a person, and also a record of any kind (record_type, record_id)."""
    order: list[type[Model]] = []
    edges: list[Edge] = []
    seen: set[type[Model]] = set()

    def visit(model: type[Model]) -> None:
        seen.add(model)
        # Hidden relations too: a participant's exit decision points at the group's decision with
        # related_name="+". The links of a many-to-many field go with their row.
        relations = (f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete)
        for relation in relations:
            child = relation.related_model
            if relation.many_to_many or child._meta.auto_created or child is CaseEvent or _is_history(child):
                continue
            if relation.on_delete not in OWNED_BY:
                continue
            edges.append(Edge(parent=model, child=child, attname=relation.field.attname))
            if child not in seen:
                visit(child)
        order.append(model)

    visit(Person)
    return order, edges


def _history_model(model: type[Model]) -> type[Model] | None:
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


@cache
def _m2m_history_models(history_model: type[Model]) -> list[type[Model]]:
    """simple_history's tables of a history row's many-to-many links (a referral's "active at")."""
    return [
        model
        for model in apps.get_models()
        if any(f.name == "history" and f.is_relation and f.related_model is history_model for f in model._meta.fields)
    ]


def kind_of(model: type[Model]) -> str:
    """The key a model's rows are counted under in a PurgeRun."""
    if issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase):
        return "grants"
    return model._meta.label_lower


@dataclass
class PersonFile:
    """Every id of every model of one person's file: rows that exist, and rows that only the history
    still remembers (an agenda item taken off the agenda), so their history goes too."""

    person_id: int
    ids: dict[type[Model], set[int]] = field(default_factory=dict)

    def live(self, model: type[Model]) -> QuerySet:
        return model._base_manager.filter(pk__in=self.ids[model])

    def history(self, model: type[Model]) -> QuerySet | None:
        history_model = _history_model(model)
        return history_model.objects.filter(id__in=self.ids[model]) if history_model else None

    def case_events(self) -> QuerySet[CaseEvent]:
        about = Q(person_id=self.person_id)
        for model, ids in self.ids.items():
            if ids:
                about |= Q(record_type=model._meta.label_lower, record_id__in=[str(pk) for pk in ids])
        return CaseEvent.objects.filter(about)

    def admin_log(self) -> QuerySet[LogEntry]:
        about = Q(pk__in=[])
        types = ContentType.objects.get_for_models(*self.ids)
        for model, ids in self.ids.items():
            if ids:
                about |= Q(content_type=types[model], object_id__in=[str(pk) for pk in ids])
        return LogEntry.objects.filter(about)

    def files(self) -> list[tuple[object, str]]:
        """(storage, name) of every file a row of the file names, now or in its history."""
        found = []
        for model in self.ids:
            for file_field in (f for f in model._meta.concrete_fields if isinstance(f, models.FileField)):
                names = set(self.live(model).values_list(file_field.attname, flat=True))
                history = self.history(model)
                if history is not None:
                    names |= set(history.values_list(file_field.attname, flat=True))
                found += [(file_field.storage, name) for name in sorted(names) if name]
        return found

    def counts(self) -> Counter:
        """How many rows of each kind the purge deletes (or would delete)."""
        counts: Counter = Counter()
        for model in self.ids:
            counts[kind_of(model)] += self.live(model).count()
            history = self.history(model)
            if history is not None:
                counts["history"] += history.count()
                history_ids = history.values("history_id")
                for m2m in _m2m_history_models(history.model):
                    counts["history"] += m2m.objects.filter(history_id__in=history_ids).count()
        counts["case_events"] = self.case_events().count()
        counts["admin_log"] = self.admin_log().count()
        counts["files"] = len(self.files())
        return counts


def person_file(person_id: int) -> PersonFile:
    """Collect the ids of one person's file, parents first, from the live tables and the history."""
    order, edges = person_file_models()
    found = PersonFile(person_id=person_id)
    for model in reversed(order):
        if model is Person:
            found.ids[model] = {person_id}
            continue
        ids: set[int] = set()
        history_model = _history_model(model)
        for edge in (e for e in edges if e.child is model):
            parent_ids = found.ids.get(edge.parent, set())
            if not parent_ids:
                continue
            belongs = {f"{edge.attname}__in": parent_ids}
            ids |= set(model._base_manager.filter(**belongs).values_list("pk", flat=True))
            if history_model is not None:
                remembered = set(history_model.objects.filter(**belongs).values_list("id", flat=True)) - ids
                # A row that once belonged here and now lives on elsewhere (moved to another parent)
                # is not this person's any more.
                still_elsewhere = set(model._base_manager.filter(pk__in=remembered).values_list("pk", flat=True))
                ids |= remembered - still_elsewhere
        found.ids[model] = ids
    return found


def delete_file(found: PersonFile) -> None:
    """Delete the person's file in the caller's transaction: the rows, children first, through the ORM
    (so on_delete rules of models this module does not know apply); then the case events, the
    admin's log entries and every history row (deleting a row writes a last history row, which
    goes too). Files on disk are deleted once the transaction commits."""
    order, _edges = person_file_models()
    files = found.files()
    # The case events first: they hold on to the Person (PROTECT).
    found.case_events().delete()
    found.admin_log().delete()
    for model in order:
        found.live(model).delete()
    for model in order:
        history = found.history(model)
        if history is None:
            continue
        history_ids = list(history.values_list("history_id", flat=True))
        for m2m in _m2m_history_models(history.model):
            m2m.objects.filter(history_id__in=history_ids).delete()
        history.delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)  # FileSystemStorage ignores a file that is gone already

    transaction.on_commit(remove_files)


def purge_person(*, actor, run: PurgeRun, person_id: int, today: date) -> Counter | None:
    """Purge one person in one transaction, if their file is (still) expired: the Person row is locked
    first, so a referral written for them at this moment waits and then finds no one. Answers the
    counts, or None when the person was kept after all (a new case, or purged by another run)."""
    if not access.may_purge(actor):
        raise PermissionDenied
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=person_id).first()
        if person is None or not expired_persons(today).filter(pk=person_id).exists():
            return None
        found = person_file(person_id)
        counts = found.counts()
        delete_file(found)
        services.add_to_purge_run(run=run, counts=counts)
    return counts


def count_person(*, run: PurgeRun, person_id: int) -> Counter:
    """A dry run's share of one person: what the purge would delete, with nothing deleted."""
    with transaction.atomic():
        counts = person_file(person_id).counts()
        services.add_to_purge_run(run=run, counts=counts)
    return counts


def current_day() -> date:
    """The day the purge counts from: today, in the service's time zone."""
    return timezone.localdate()


def purge_expired(*, actor, today: date | None = None, dry_run: bool = False, limit: int | None = None) -> PurgeRun:
    """Purge (or, in a dry run, count) every expired person's file, one person per transaction, and
    leave the auditor a PurgeRun. Safe to run twice: a second run finds no one left to purge."""
    if not access.may_purge(actor):
        raise PermissionDenied
    today = today or current_day()
    run = services.start_purge_run(actor=actor, dry_run=dry_run)
    for person_id in _person_ids(expired_persons(today), limit):
        if dry_run:
            count_person(run=run, person_id=person_id)
        else:
            purge_person(actor=actor, run=run, person_id=person_id, today=today)
    erase_consultation_texts(run=run, today=today, dry_run=dry_run)
    if not dry_run:
        _forget_what_lingers()
    return services.finish_purge_run(actor=actor, run=run)


def erase_consultation_texts(*, run: PurgeRun, today: date, dry_run: bool = False) -> int:
    """Blank the question and the answer of every consultation of a meeting held more than
    RETENTION_REFERRAL_MONTHS ago, in its history rows too; the consultation itself stays with the
    meeting, so the minutes still say whether it was answered (docs/domain.md#retention). A
    consultation belongs to no person, so the person-by-person purge never reaches it. Answers how
    many consultations had text to erase (or, in a dry run, have)."""
    old_meetings = Meeting.objects.filter(starts_at__lt=cutoffs(today).referral_moment).values("pk")
    with_text = ~Q(question="", answer="")
    with transaction.atomic():
        live = Consultation.objects.filter(with_text, meeting__in=old_meetings)
        history = Consultation.history.filter(with_text, meeting_id__in=old_meetings)
        ids = set(live.values_list("pk", flat=True)) | set(history.values_list("id", flat=True))
        if not dry_run:
            live.update(question="", answer="")
            history.update(question="", answer="")
        if ids:
            services.add_to_purge_run(run=run, counts={"consultation_texts": len(ids)}, persons=0)
    return len(ids)


def _person_ids(persons: QuerySet[Person], limit: int | None) -> Iterable[int]:
    ids = persons.values_list("pk", flat=True)
    return list(ids[:limit] if limit else ids)


def _forget_what_lingers() -> None:
    """Expired sessions may hold a message that named someone, and on SQLite the write-ahead log may
    still hold copies of the deleted pages: clear both (docs/operations.md#retention-purge)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
