"""Records named as people name them, and the history rows that belong to a person, for the auditor.

The access log and the case events name a record by its kind and id (`referrals.referral`, "52");
the auditor reads "Remiss SE-2026-0052". Each app registers, from its AppConfig.ready(), how its
records are named (`register_record_names`) and where a person's history rows are
(`register_person_history`), so the core names and finds them without importing the apps above it
(docs/architecture.md#layers).

`describe` names any mix of records with one query per kind of record, so a page of the log makes
the same number of queries however long the log is. A record that no longer exists (purged) is
named by its kind: "Remiss (gallrad)". A description never holds a person's name; a person is
named by their number, which only the auditor's pages show (docs/domain.md#the-auditor).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# Names of the records that exist among `ids`, {id: name}, read in one query.
Namer = Callable[[list[str]], dict[str, str]]

# The largest id a database integer column holds: a longer id in the log names no record.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class RecordNames:
    kind: str | Promise  # "Remiss": the record's kind, for a purged record
    namer: Namer | None = None  # names of the records that exist
    list_name: str | Promise | None = None  # "Remisslista": a list of such records, logged without an id


@dataclass(frozen=True)
class PersonHistory:
    """The history rows of `model` that belong to a person: `lookup` leads from a row to the person's
    id ("person_id", "participant__person_id")."""

    model: type[Model]
    lookup: str

    @property
    def history_model(self) -> type[Model]:
        return self.model.history.model


_names: dict[str, RecordNames] = {}
_person_history: list[PersonHistory] = []


def register_record_names(
    label_lower: str, *, kind: str | Promise, namer: Namer | None = None, list_name: str | Promise | None = None
) -> None:
    """Say how the records of `label_lower` ("referrals.referral", as log_access and events.record
    write it) are named on the auditor's pages. Call from AppConfig.ready()."""
    _names[label_lower] = RecordNames(kind=kind, namer=namer, list_name=list_name)


def register_person_history(model: type[Model], lookup: str) -> None:
    """Say where a person's history rows of `model` are. Call from AppConfig.ready()."""
    if all(known.model is not model for known in _person_history):
        _person_history.append(PersonHistory(model=model, lookup=lookup))


def person_histories() -> list[PersonHistory]:
    return list(_person_history)


def named_kinds() -> set[str]:
    return set(_names)


def int_ids(ids: Iterable[str]) -> list[int]:
    """The ids that can be a record's id: the log also holds what a refused visitor typed."""
    return [int(value) for value in ids if value.isascii() and value.isdigit() and int(value) <= MAX_ID]


def describe(records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """`{(object_type, object_id): name}` for each record, with one query per kind of record."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in records:
        wanted[object_type].add(object_id or "")
    described: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        names = _names.get(object_type)
        existing = ids - {""}
        found = names.namer(sorted(existing)) if names and names.namer and existing else {}
        for object_id in ids:
            described[object_type, object_id] = _name_of(names, object_id, found)
    return described


def _name_of(names: RecordNames | None, object_id: str, found: dict[str, str]) -> str:
    if names is None:
        return _("Other record")
    if not object_id:
        return str(capfirst(names.list_name or names.kind))
    if object_id in found:
        return found[object_id]
    return _("%(kind)s (purged)") % {"kind": capfirst(names.kind)}
