"""Read queries on persons and participants, scoped to the asking user."""

from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from sehoglandet import access
from sehoglandet.models import Municipality

from .models import YOUTH_MAX_AGE, YOUTH_MIN_AGE, AftercareVisit, Employment, JournalEntry, Participant, StepChange

OPEN_STATUSES = [Participant.Status.QUEUED, Participant.Status.ACTIVE, Participant.Status.AFTERCARE]


def participants_visible_to(user) -> QuerySet[Participant]:
    """Participants a grant reaches: those of the SE teams the user belongs to. One query."""
    return access.objects_for_user(
        user,
        "participants.view_participant",
        Participant.objects.select_related("person", "municipality"),
    )


def get_participant_for_user(user, pk: int) -> Participant:
    """One participant, or 404 for anyone no grant reaches, never revealing whether it exists."""
    participant = (
        participants_visible_to(user)
        .select_related("municipality__se_team", "person__municipality", "referral", "responsible_coach")
        .filter(pk=pk)
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def caseload_of(user, *, status: str = "") -> QuerySet[Participant]:
    """The open participants (queued, active, aftercare) of the municipalities the user coaches,
    optionally of one status; by status, then the newest decision first. One query per page."""
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    participants = participants_visible_to(user).filter(
        municipality__in=municipalities, status__in=[status] if status else OPEN_STATUSES
    )
    return participants.order_by("status", "-decided_on", "-id")


def step_changes_of(participant: Participant) -> list[StepChange]:
    """The participant's step changes, newest first, with who made them."""
    return list(participant.step_changes.select_related("changed_by").order_by("-changed_on", "-id"))


def journal_of(participant: Participant) -> QuerySet[JournalEntry]:
    """The participant's journal, newest first (paginate it in the view)."""
    return participant.journal.select_related("author").order_by("-date", "-created_at", "-id")


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


def employments_of(participant: Participant) -> list[Employment]:
    """The participant's employments, studies and placements, newest start first."""
    return list(participant.employments.order_by("-starts_on", "-id"))


def aftercare_plan_of(participant: Participant) -> list[AftercareVisit]:
    """The participant's aftercare visits and calls in date order."""
    return list(participant.aftercare_visits.order_by("due_on", "id"))


def get_aftercare_visit_for_user(user, pk: int) -> AftercareVisit:
    """One aftercare visit of a participant a grant reaches, or 404."""
    visit = (
        AftercareVisit.objects.filter(participant__in=participants_visible_to(user).values("pk"), pk=pk)
        .select_related("participant__municipality", "participant__person", "employment")
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def aftercare_due(user, start: date, end: date) -> QuerySet[AftercareVisit]:
    """The visits and calls still to do between `start` and `end` (inclusive) for the open participants
    of the municipalities the user coaches, in date order, with the participant. One query (after
    guardian's lookup of the permission)."""
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    return (
        AftercareVisit.objects.filter(
            participant__in=participants_visible_to(user).filter(municipality__in=municipalities).values("pk"),
            participant__status__in=OPEN_STATUSES,
            status__in=AftercareVisit.OPEN_STATUSES,
            due_on__range=(start, end),
        )
        .select_related("participant__person", "participant__municipality", "employment")
        .order_by("due_on", "participant__person__last_name", "id")
    )
