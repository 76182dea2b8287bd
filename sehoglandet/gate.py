"""The one way a view gets a record by its id.

`fetch` returns the record, or answers 404 to anyone no grant reaches (never revealing that it
exists) and 403 to someone who may see it but not do what the view does (the `may` rule, from
sehoglandet.access). Either refusal writes a `refused` access-log row, so guessing addresses is
both unrewarded and recorded. Each app has one helper per record kind in its fetch.py, in the style
of healthchecks' `_get_check_for_user`; the core's own kinds are below.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _

from . import selectors
from .audit import log_access
from .models import AccessLog, Person, ReferralGroup

Rule = Callable[..., bool]


def refuse(request, model: type[Model], pk, purpose: str, *, person_id: int | None = None, organisation=None) -> None:
    """Write the `refused` row for a record the user asked for and did not get."""
    log_access(
        request,
        object_type=model._meta.label_lower,
        object_id=str(pk)[:64],
        action=AccessLog.Action.REFUSED,
        purpose=purpose,
        person_id=person_id,
        organisation=organisation,
    )


def fetch(request, get: Callable[..., Model], model: type[Model], pk, *, may: Rule | None = None) -> Model:
    """`get(user, pk)` (a selector that raises Http404 for what the user may not see), then `may`."""
    try:
        record = get(request.user, pk)
    except Http404:
        refuse(request, model, pk, _("Refused: no access to the record"))
        raise
    if may is not None and not may(request.user, record):
        refuse(
            request, model, pk, _("Refused: not allowed for this record"), person_id=getattr(record, "person_id", None)
        )
        raise PermissionDenied
    return record


def person(request, pk, *, may: Rule | None = None) -> Person:
    """A person with a case the user may see."""
    return fetch(request, selectors.get_person_for_user, Person, pk, may=may)


def person_for_register_extract(request, pk, *, may: Rule) -> Person:
    """A person for the register extract or a correction (selectors.get_person_for_register_extract)."""
    return fetch(request, selectors.get_person_for_register_extract, Person, pk, may=may)


def referral_group(request, pk) -> ReferralGroup:
    """A remittentgrupp whose grant reaches the user (their team's or their seat's)."""
    return fetch(request, selectors.get_referral_group_for_user, ReferralGroup, pk)
