"""The gate for consent records (sehoglandet.gate): the record, or 404/403 with a refused row."""

from sehoglandet import gate

from . import selectors
from .models import Consent


def consent(request, pk: int, *, may: gate.Rule | None = None) -> Consent:
    return gate.fetch(request, selectors.get_consent_for_user, Consent, pk, may=may)
