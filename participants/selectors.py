"""Read queries on persons and participants, scoped to the asking user."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from sehoglandet.models import Municipality

from .models import YOUTH_MAX_AGE, YOUTH_MIN_AGE, Participant


def queue_of(municipality: Municipality) -> QuerySet[Participant]:
    """The municipality's queue: young people (18–29 at the decision) first, then by decision date."""
    return (
        Participant.objects.filter(municipality=municipality, status=Participant.Status.QUEUED)
        .select_related("person", "referral")
        .annotate(
            young=Case(
                When(age_at_decision__gte=YOUTH_MIN_AGE, age_at_decision__lte=YOUTH_MAX_AGE, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-young", "decided_on", "id")
    )
