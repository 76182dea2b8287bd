"""The gate for participant records (sehoglandet.gate): each helper returns the record, or answers
404 to anyone no grant reaches and 403 to someone who may see it but not do this, writing the
refused access-log row either way."""

from sehoglandet import gate

from . import selectors
from .models import AftercareVisit, Employment, Participant, Transfer


def participant(request, pk: int, *, may: gate.Rule | None = None) -> Participant:
    return gate.fetch(request, selectors.get_participant_for_user, Participant, pk, may=may)


def employment(request, pk: int, *, may: gate.Rule | None = None) -> Employment:
    return gate.fetch(request, selectors.get_employment_for_user, Employment, pk, may=may)


def aftercare_visit(request, pk: int, *, may: gate.Rule | None = None) -> AftercareVisit:
    return gate.fetch(request, selectors.get_aftercare_visit_for_user, AftercareVisit, pk, may=may)


def transfer(request, pk: int, *, may: gate.Rule | None = None) -> Transfer:
    return gate.fetch(request, selectors.get_transfer_for_user, Transfer, pk, may=may)
