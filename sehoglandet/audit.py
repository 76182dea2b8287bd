"""The one-line helper views use to record that personal data was shown or exported."""

from axes.helpers import get_client_ip_address
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _

from . import access
from .models import AccessLog


def log_access(
    request,
    obj: Model | None = None,
    *,
    action: str = AccessLog.Action.VIEW,
    purpose: str,
    object_type: str = "",
    object_id: str = "",
    person_id: int | None = None,
    organisation=None,
) -> AccessLog:
    """Append one access-log row: who (and for which organisation), what, whose data, why, from where.

    `obj` names the record shown; for lists and exports pass `object_type` instead. The acting
    organisation defaults to the user's first membership.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if organisation is None:
        memberships = access.memberships_of(request.user)
        organisation = memberships[0].organisation if memberships else None
    return AccessLog.objects.create(
        user=request.user,
        organisation=organisation,
        object_type=object_type,
        object_id=object_id,
        person_id=person_id,
        action=action,
        purpose=str(purpose),
        ip_address=get_client_ip_address(request),
    )


def fetch_or_refuse(request, selector, model, pk: int):
    """`selector(user, pk)`, or 404 with a `refused` access-log row (without the person): guessing a
    record's address is both unrewarded and recorded."""
    try:
        return selector(request.user, pk)
    except Http404:
        log_access(
            request,
            object_type=model._meta.label_lower,
            object_id=str(pk),
            action=AccessLog.Action.REFUSED,
            purpose=_("Refused: no access to the record"),
        )
        raise
