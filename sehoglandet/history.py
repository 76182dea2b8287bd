"""Who made a change and why, for the history row simple_history writes on the next save."""

from functools import cache

from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords


def track(instance, actor, code: str) -> None:
    """Set the acting user and the reason on `instance` before it is saved (or deleted). The reason
    is an event code (sehoglandet.events), stored as it is and translated only when shown."""
    instance._history_user = actor
    instance._change_reason = str(code)


class _HistoryManager(HistoryManager):
    """simple_history's manager, whose class for a queryset class is built once.

    `Model.history` builds `HistoryManager.from_queryset(...)`, a new class, on every access, and
    simple_history reads it for every history row it writes: 0.1 ms of inspecting the queryset's
    methods each time, about 2 % of the test suite."""

    @classmethod
    @cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class History(HistoricalRecords):
    """The history of a model (`history = History()`): simple_history's HistoricalRecords, with the
    manager class built once (_HistoryManager)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("history_manager", _HistoryManager)
        super().__init__(*args, **kwargs)


class HistoryOfKeptFields(History):
    """simple_history's records, with no row for a save that names only fields the history leaves
    out (`excluded_fields`) and gives no reason.

    simple_history writes a row on every save, even one that changed nothing it keeps (an open
    issue there, django-simple-history#543). Signing in saves the user with
    `update_fields=["last_login"]`, so every sign-in wrote a copy of the account. A save with a
    reason (`track`), such as the demo password being restored, is still recorded.
    """

    def post_save(self, instance, created, using=None, update_fields=None, **kwargs):
        only_left_out = bool(update_fields) and set(update_fields) <= set(self.excluded_fields)
        if not created and only_left_out and not getattr(instance, "_change_reason", None):
            return
        super().post_save(instance, created, using=using, update_fields=update_fields, **kwargs)
