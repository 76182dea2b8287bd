"""Recording and withdrawing consent.

Each writes its case event; the apps whose records a consent opens subscribe to those events and
change their grants in the same transaction (referrals.grants), so this app needs none of them.
"""

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sehoglandet import access, events
from sehoglandet.history import track
from sehoglandet.models import Organisation, Person

from .events import ConsentEvent
from .models import Consent, Purpose


@transaction.atomic
def record_consent(
    *,
    actor: User,
    person: Person,
    organisations: list[Organisation],
    purposes: list[Purpose],
    given_on: date,
    method: str,
    valid_until: date,
    document=None,
) -> Consent:
    """Record a consent the person gave. Checks: the actor works on one of the person's referrals,
    at least one organisation and purpose, given not in the future, valid until not in the past.
    Grants that the consent now allows are made at once."""
    if not access.may_record_consent(actor, person):
        raise PermissionDenied
    today = timezone.localdate()
    errors = {}
    if not organisations:
        errors["organisations"] = _("Choose at least one organisation.")
    if not purposes:
        errors["purposes"] = _("Choose at least one purpose.")
    if given_on > today:
        errors["given_on"] = _("Consent cannot be given in the future.")
    if valid_until < today:
        errors["valid_until"] = _("The consent must be valid today or later; this date has passed.")
    elif valid_until < given_on:
        errors["valid_until"] = _("Valid until cannot be before the day the consent was given.")
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        person=person,
        given_on=given_on,
        method=method,
        valid_until=valid_until,
        recorded_by=actor,
        **{purpose.field: True for purpose in purposes},
    )
    if document:
        consent.document = document
    track(consent, actor, ConsentEvent.GIVEN)
    consent.full_clean()
    consent.save()
    consent.organisations.set(organisations)
    events.record(
        actor=actor,
        code=ConsentEvent.GIVEN,
        record=consent,
        person=person,
        payload={"organisations": sorted(o.pk for o in organisations), "purposes": [p.value for p in purposes]},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor: User, consent: Consent, withdrawn_on: date) -> Consent:
    """Record that the person withdrew a consent from `withdrawn_on`. Organisations it no longer
    covers lose their access to the person's referrals in the same transaction."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if not access.may_withdraw_consent(actor, consent):
        raise PermissionDenied
    if consent.withdrawn_on is not None:
        raise ValidationError(_("The consent has already been withdrawn."))
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": _("A consent cannot be withdrawn before it was given.")})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("A withdrawal cannot be recorded for a future date.")})
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_recorded_by = actor
    track(consent, actor, ConsentEvent.WITHDRAWN)
    consent.save(update_fields=["withdrawn_on", "withdrawal_recorded_by"])
    events.record(
        actor=actor,
        code=ConsentEvent.WITHDRAWN,
        record=consent,
        person=consent.person_id,
        payload={"withdrawn_on": withdrawn_on},
    )
    return consent
