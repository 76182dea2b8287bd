"""The one-line helper views use to record that personal data was shown or exported."""

from axes.helpers import get_client_ip_address
from django.db.models import Model

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
    user=None,
) -> AccessLog:
    """Append one access-log row: who (and for which organisation), what, whose data, why, from where.

    `obj` names the record shown; for lists and exports pass `object_type` instead. The acting
    organisation defaults to the user's first membership. `user` is for a request that is not signed
    in but speaks for a user (the calendar feed's secret address); by default the signed-in user.
    """
    user = user or request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if organisation is None:
        memberships = access.memberships_of(user)
        organisation = memberships[0].organisation if memberships else None
    return AccessLog.objects.create(
        user=user,
        organisation=organisation,
        object_type=object_type,
        object_id=object_id,
        person_id=person_id,
        action=action,
        purpose=str(purpose),
        ip_address=get_client_ip_address(request),
    )
