"""The case event log: one typed row for each thing that happened to a case.

Every service writes its event with `record(...)` in its own transaction. The code is stable and
never translated ("referral.submitted"); each app names its codes in a TextChoices in its own
events.py, with the label users read, and registers them here from AppConfig.ready(). The same
code is the simple_history change reason of the rows the service saves (sehoglandet.history.track),
so history is translated only when shown.

A higher layer may react to a lower layer's event: a withdrawn consent changes who may read a
referral. It subscribes to the code from AppConfig.ready(), and its handler runs inside the same
transaction, right after the event row is written. That is the only way a lower layer causes work
in a higher one (docs/architecture.md).
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .history import track
from .models import CaseEvent, Person

Handler = Callable[[CaseEvent], None]

_labels: dict[str, str] = {}
_handlers: dict[str, list[Handler]] = defaultdict(list)


class CoreEvent(models.TextChoices):
    """What happens to persons, reference data and who holds which role."""

    PERSON_REGISTERED = "person.registered", gettext_lazy("Person registered")
    PERSON_CORRECTED = "person.corrected", gettext_lazy("Person's details corrected")
    REGISTER_EXTRACT_MADE = "person.register_extract_made", gettext_lazy("Register extract made")
    REFERENCE_DATA_LOADED = "reference_data.loaded", gettext_lazy("Reference data loaded")
    FTE_CHANGED = "municipality.fte_changed", gettext_lazy("Coach FTE changed")
    COACH_SHARE_CHANGED = "membership.share_changed", gettext_lazy("Coach's share of a post changed")
    ROLE_GIVEN = "membership.added", gettext_lazy("Role given")
    ROLE_REMOVED = "membership.removed", gettext_lazy("Role removed")
    SEAT_GIVEN = "seat.member_added", gettext_lazy("Seat in referral group given")
    SEAT_REMOVED = "seat.member_removed", gettext_lazy("Seat in referral group removed")
    ADMINISTRATOR_CREATED = "user.administrator_created", gettext_lazy("Administrator created")
    DEMO_USER_CREATED = "demo.user_created", gettext_lazy("Demo user created")
    DEMO_PASSWORD_RESTORED = "demo.password_restored", gettext_lazy("Demo password restored")
    PURGE_STARTED = "purge.started", gettext_lazy("Retention purge started")
    PURGE_FINISHED = "purge.finished", gettext_lazy("Retention purge finished")
    SECOND_FACTOR_ENROLMENT_STARTED = (
        "user.second_factor_enrolment_started",
        gettext_lazy("Adding an authenticator app started"),
    )
    SECOND_FACTOR_ENROLLED = "user.second_factor_enrolled", gettext_lazy("Authenticator app added")
    SECOND_FACTOR_VERIFIED = "user.second_factor_verified", gettext_lazy("Second factor verified")
    SECOND_FACTOR_FAILED = "user.second_factor_failed", gettext_lazy("Second factor code refused")
    RECOVERY_CODES_REPLACED = "user.recovery_codes_replaced", gettext_lazy("New recovery codes made")
    SECOND_FACTOR_RESET = "user.second_factor_reset", gettext_lazy("Second factor reset")
    DEMO_SECOND_FACTOR_SKIPPED = "demo.second_factor_skipped", gettext_lazy("Second factor skipped (demo)")
    CALENDAR_FEED_MADE = "user.calendar_feed_made", gettext_lazy("Calendar address made")
    CALENDAR_FEED_STOPPED = "user.calendar_feed_stopped", gettext_lazy("Calendar address turned off")


def register_codes(codes: type[models.TextChoices]) -> None:
    """Make an app's event codes known, with the labels shown for them."""
    for code in codes:
        if _labels.get(code.value, code.label) != code.label:
            raise ValueError(f"Event code {code.value!r} is registered twice with different labels.")
        _labels[code.value] = code.label


def is_known(code: str) -> bool:
    return code in _labels


def label(code: str | None) -> str:
    """What a user reads for an event code (or a history change reason); unknown text as it is."""
    if not code:
        return ""
    return str(_labels.get(code, code))


def subscribe(*codes: str) -> Callable[[Handler], Handler]:
    """Run the decorated handler, in the same transaction, whenever an event with one of `codes` is
    recorded. Call from AppConfig.ready() of the app that reacts."""

    def decorator(handler: Handler) -> Handler:
        for code in codes:
            if handler not in _handlers[code]:
                _handlers[code].append(handler)
        return handler

    return decorator


def record(
    *,
    actor: User,
    code: str,
    record: Model | None = None,
    person: Person | int | None = None,
    payload: dict[str, Any] | None = None,
) -> CaseEvent:
    """Write one event and run the handlers subscribed to its code. The caller owns the transaction."""
    if not is_known(code):
        raise ValueError(f"Unknown event code {code!r}: name it in the app's events.py and register it.")
    event = CaseEvent.objects.create(
        code=str(code),
        actor=actor,
        person_id=person.pk if isinstance(person, Person) else person,
        record_type=record._meta.label_lower if record is not None else "",
        record_id=str(record.pk) if record is not None else "",
        payload=payload or {},
    )
    for handler in _handlers.get(str(code), []):
        handler(event)
    return event


def transition(
    instance: Model,
    status: str,
    *,
    actor: User,
    code: str,
    person: Person | int | None = None,
    payload: dict[str, Any] | None = None,
    clean: bool = False,
    **fields: Any,
) -> CaseEvent:
    """Move `instance` to `status` when its model's ALLOWED_TRANSITIONS allow it, save the status and
    `fields` with the history user and reason, and write the event. An illegal move is refused with a
    ValidationError that names both statuses, and nothing is saved; with `clean`, so is a row that
    fails the model's validation (its constraints included) once moved."""
    model = type(instance)
    current = instance.status
    if status not in model.ALLOWED_TRANSITIONS[current]:
        raise ValidationError(
            _("%(record)s: “%(current)s” cannot become “%(new)s”.")
            % {
                "record": capfirst(model._meta.verbose_name),
                "current": model.Status(current).label,
                "new": model.Status(status).label,
            },
            code="transition",
        )
    instance.status = status
    for name, value in fields.items():
        setattr(instance, name, value)
    if clean:
        instance.full_clean()
    track(instance, actor, code)
    instance.save(update_fields=["status", *fields])
    return record(
        actor=actor,
        code=code,
        record=instance,
        person=person,
        payload={"from": current, "to": status, **(payload or {})},
    )
