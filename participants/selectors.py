"""Read queries on persons and participants, scoped to the asking user."""

from datetime import date

from django.db.models import (
    Case,
    Count,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from consent.models import Purpose
from consent.selectors import missing_consent
from sehoglandet import access
from sehoglandet.models import Membership, Municipality, Role

from .models import (
    YOUTH_MAX_AGE,
    YOUTH_MIN_AGE,
    AftercareVisit,
    Employment,
    IncomeRecord,
    JournalEntry,
    MunicipalityPeriod,
    Participant,
    StepChange,
    Transfer,
)

OPEN_STATUSES = [Participant.Status.QUEUED, Participant.Status.ACTIVE, Participant.Status.AFTERCARE]
# The participants who take a place (docs/domain.md#capacity).
ACTIVE_STATUSES = [Participant.Status.ACTIVE, Participant.Status.AFTERCARE]


def participants_visible_to(user) -> QuerySet[Participant]:
    """Participants a grant reaches: those of the SE teams the user belongs to. One query."""
    return access.objects_for_user(
        user,
        "participants.view_participant",
        Participant.objects.select_related("person", "municipality"),
    )


def of_coached_participants(user, *, checked_participant: Participant | None = None) -> Q:
    """A filter for a participant's records (an income, a visit): those of the open participants of
    the municipalities the user coaches that a grant reaches. The participant's own columns first,
    the grant for the rows they leave: a team's to-do reads a hundred visits and incomes, not the
    grants of its 3 000 participants. With `checked_participant`, one the caller has already let the
    user read as their coach (todo.todo_for), that one's records while the case is open: the grant
    is not asked again."""
    if checked_participant is not None:
        return Q(participant=checked_participant, participant__status__in=OPEN_STATUSES)
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    if not municipalities:
        return Q(pk__in=[])
    return Q(participant__municipality__in=municipalities, participant__status__in=OPEN_STATUSES) & Q(
        access.grant_reaches(user, "participants.view_participant", Participant, "participant")
    )


def name_shown_to(user, person) -> str | None:
    """The name the user's latest enrolment of the person shows them (access.name_shown_to)."""
    participant = participants_visible_to(user).filter(person=person).order_by("-decided_on", "-id").first()
    if participant is None or not access.may_open_participant(user, participant):
        return None
    if access.may_see_identity(user, person, participant.municipality):
        return person.full_name
    return _("Protected identity")


def get_participant_for_user(user, pk: int) -> Participant:
    """One participant, or 404 for anyone no grant reaches, never revealing whether it exists. It
    carries `pending_transfer`, its transfer waiting to be accepted or None (there is at most one:
    one_pending_transfer_per_participant), and its person the responsible municipality (the rules
    about the person's rights ask for it), read with it."""
    participant = (
        participants_visible_to(user)
        .annotate(
            pending_transfer=FilteredRelation("transfers", condition=Q(transfers__status=Transfer.Status.PENDING)),
            responsible_municipality_id=access.latest_case_municipality(Participant),
        )
        .select_related(
            "municipality__se_team",
            "person__municipality",
            "referral__referring_organisation",
            "responsible_coach",
            "pending_transfer__to_municipality",
        )
        .filter(pk=pk)
        .first()
    )
    if participant is None:
        raise Http404
    # select_related sets the filtered relation only when there is a transfer waiting.
    participant.__dict__.setdefault("pending_transfer", None)
    access.remember_responsible_municipality(participant.person, participant.responsible_municipality_id)
    return participant


def caseload_of(user) -> QuerySet[Participant]:
    """Every participant, open or closed, of the municipalities the user coaches or manages, with the
    responsible coach; the list's filters (participants.filters) choose the statuses and the order.
    One query per page."""
    return (
        participants_visible_to(user)
        .filter(municipality__in=list_municipalities_of(user))
        .select_related("responsible_coach")
    )


def list_municipalities_of(user) -> list[int]:
    """The municipalities whose participants the user lists: those they coach or manage."""
    return sorted(
        {m.pk for m in access.municipalities_coached_by(user)} | {m.pk for m in access.municipalities_managed_by(user)}
    )


def coaches_of_municipalities(municipality_ids: list[int]) -> list[tuple[int, str]]:
    """The users who coach in these municipalities' SE teams, by name, each once: (id, the name the
    list shows: User.get_full_name, or the user name without a name). Read as values, not users: the
    busiest team of the national bench has 138 coaches."""
    coaches = {}
    for pk, first_name, last_name, username in (
        Membership.objects.filter(organisation__se_team_of__in=municipality_ids, role=Role.COACH)
        .order_by("user__first_name", "user__last_name", "user_id")
        .values_list("user_id", "user__first_name", "user__last_name", "user__username")
    ):
        coaches.setdefault(pk, f"{first_name} {last_name}".strip() or username)
    return list(coaches.items())


def step_changes_of(participant: Participant) -> list[StepChange]:
    """The participant's step changes, newest first, with who made them."""
    return list(participant.step_changes.select_related("changed_by").order_by("-changed_on", "-id"))


def journal_of(participant: Participant) -> QuerySet[JournalEntry]:
    """The participant's journal, newest first (paginate it in the view)."""
    return participant.journal.select_related("author").order_by("-date", "-created_at", "-id")


def queue_of(municipality: Municipality) -> QuerySet[Participant]:
    """The municipality's queue: young people (18–29 at the decision) first, then by decision date
    (docs/domain.md#queue)."""
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


def get_employment_for_user(user, pk: int) -> Employment:
    """One employment of a participant a grant reaches, or 404."""
    employment = (
        Employment.objects.filter(participant__in=participants_visible_to(user).values("pk"), pk=pk)
        .select_related("participant__municipality", "participant__person")
        .first()
    )
    if employment is None:
        raise Http404
    return employment


def aftercare_due(
    user, start: date, end: date, *, checked_participant: Participant | None = None
) -> QuerySet[AftercareVisit]:
    """The visits and calls still to do between `start` and `end` (inclusive) for the open participants
    of the municipalities the user coaches (or `checked_participant`'s: of_coached_participants), in
    date order, with the participant. One query."""
    return _listed_visits(
        AftercareVisit.objects.filter(
            of_coached_participants(user, checked_participant=checked_participant),
            status__in=AftercareVisit.OPEN_STATUSES,
            due_on__range=(start, end),
        )
    )


def aftercare_visits(ids: list[int]) -> QuerySet[AftercareVisit]:
    """The visits of `ids`, as aftercare_due lists them: for ids the caller has read through
    aftercare_due, the to-do's aftercare part (todo.TodoList.aftercare_visits_from). One query."""
    return _listed_visits(AftercareVisit.objects.filter(pk__in=ids))


def _listed_visits(visits: QuerySet[AftercareVisit]) -> QuerySet[AftercareVisit]:
    return visits.select_related("participant__person", "participant__municipality", "employment").order_by(
        "due_on", "participant__person__last_name", "id"
    )


def incomes_of(participant: Participant) -> list[IncomeRecord]:
    """The participant's income at enrolment, its changes and at exit, in date order."""
    return list(participant.incomes.select_related("recorded_by").order_by("valid_from", "id"))


def municipality_history_of(participant: Participant) -> list[MunicipalityPeriod]:
    """The municipalities the participant has belonged to, with dates, oldest first."""
    return list(participant.municipality_periods.select_related("municipality"))


def coaches_of(municipality: Municipality) -> list:
    """The users who coach in the municipality's SE team, by name."""
    return [
        membership.user
        for membership in Membership.objects.filter(organisation=municipality.se_team_id, role=Role.COACH)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    ]


def caseload_per_coach(municipality: Municipality) -> list[Membership]:
    """Each coach of the municipality with `caseload` (their active and aftercare participants) and
    `capacity` (20 per full-time post), in one query. Each caseload is counted in the index of
    (municipality, coach, status): a join of every participant the coaches were ever responsible
    for, filtered afterwards, read 22 080 rows for the 138 coaches of the national bench's busiest
    team (23 ms, against 5 ms counted per coach)."""
    caseload = (
        Participant.objects.filter(
            municipality=municipality,
            responsible_coach=OuterRef("user"),
            status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE],
        )
        .order_by()
        .values("responsible_coach")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Membership.objects.filter(organisation=municipality.se_team_id, role=Role.COACH)
        .select_related("user")
        .annotate(caseload=Coalesce(Subquery(caseload, output_field=IntegerField()), 0))
        .order_by("user__first_name", "user__last_name")
    )


def without_responsible_coach(municipality: Municipality) -> int:
    """Active and aftercare participants of the municipality nobody is responsible for yet."""
    return Participant.objects.filter(
        municipality=municipality,
        status__in=[Participant.Status.ACTIVE, Participant.Status.AFTERCARE],
        responsible_coach__isnull=True,
    ).count()


# Transfers between municipalities.


def _transfer_cards() -> QuerySet[Transfer]:
    """The transfers with what their cards on the transfers page show, and no more: planning the
    eight joins of _transfers took PostgreSQL 2.2 ms for each of the page's two lists, more than
    reading the rows (bench/README.md, tenth pass)."""
    return Transfer.objects.select_related(
        "participant__person", "from_municipality", "to_municipality", "requested_by"
    )


def _transfers() -> QuerySet[Transfer]:
    """A transfer with what its own pages and services read: the cards' relations, the responsible
    coach and both SE teams."""
    return _transfer_cards().select_related(
        "participant__responsible_coach", "from_municipality__se_team", "to_municipality__se_team"
    )


def transfers_incoming(user) -> QuerySet[Transfer]:
    """The transfer queue of the municipalities the user coaches, in the order the coach set."""
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    return (
        _transfer_cards()
        .filter(to_municipality__in=municipalities, status=Transfer.Status.PENDING)
        .order_by("to_municipality__name", "queue_position", "id")
    )


def transfers_outgoing(user) -> QuerySet[Transfer]:
    """Waiting transfers the user's municipalities hand over, oldest first."""
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    return (
        _transfer_cards()
        .filter(from_municipality__in=municipalities, status=Transfer.Status.PENDING)
        .order_by("requested_at", "id")
    )


def get_transfer_for_user(user, pk: int) -> Transfer:
    """A transfer to or from a municipality the user coaches, or 404."""
    municipalities = [m.pk for m in access.municipalities_coached_by(user)]
    transfer = (
        _transfers()
        .filter(Q(from_municipality__in=municipalities) | Q(to_municipality__in=municipalities), pk=pk)
        .first()
    )
    if transfer is None:
        raise Http404
    return transfer


def pending_transfer_of(participant: Participant) -> Transfer | None:
    """The participant's transfer waiting to be accepted: the one get_participant_for_user read with
    the participant (`pending_transfer`), or asked for."""
    if hasattr(participant, "pending_transfer"):
        return participant.pending_transfer
    return _transfers().filter(participant=participant, status=Transfer.Status.PENDING).first()


# The referral group's follow-up summary: status, step and next follow-up only, never the journal.


def followup_summary_for(user, today: date) -> QuerySet[Participant]:
    """Open participants of the referral groups the user sits in whose referral the user's seat may
    see, which it may only while a consent in force covers the seat's organisation. A participant
    comes before the group of their current municipality, so a transferred one is followed up by the
    receiving group (docs/domain.md#group-of-the-case). Each carries `next_follow_up`, the group's
    next follow-up date. A query for the groups' municipalities, then the list's: it reads their open
    participants (the index on municipality and status), checks each one's referral grant, and looks
    the next follow-up up only for the rows of the page."""
    from referrals.models import Decision, Referral

    # A list, not a subquery: PostgreSQL then reads the municipalities' open participants from the
    # index on municipality and status instead of every open participant in the country.
    seated_in = list(
        Municipality.objects.filter(referral_group__seats__members__user=user).values_list("pk", flat=True)
    )
    next_follow_up = (
        Decision.objects.filter(item__referral=OuterRef("referral_id"), follow_up_on__gte=today)
        .order_by("follow_up_on")
        .values("follow_up_on")[:1]
    )
    return (
        Participant.objects.filter(status__in=OPEN_STATUSES, municipality__in=seated_in)
        .filter(access.grant_reaches(user, "referrals.view_referral", Referral, "referral"))
        .select_related("person", "municipality", "referral")
        .annotate(next_follow_up=Subquery(next_follow_up))
        .order_by("municipality__name", "referral__reference")
    )


# Places and consent for a transfer.


def active_count(municipality: Municipality) -> int:
    """The participants who take one of the municipality's places now."""
    return Participant.objects.filter(municipality=municipality, status__in=ACTIVE_STATUSES).count()


def capacity_use(municipalities: list[Municipality]) -> dict[int, dict[str, int]]:
    """Active and queued participants per municipality, in one query; it reads only their rows
    (the index on municipality and status), not every exit since the service began."""
    rows = (
        Participant.objects.filter(municipality__in=municipalities, status__in=OPEN_STATUSES)
        .values("municipality")
        .annotate(
            active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
            queued=Count("id", filter=Q(status=Participant.Status.QUEUED)),
        )
    )
    use = {m.pk: {"active": 0, "queued": 0} for m in municipalities}
    for row in rows:
        use[row["municipality"]] = {"active": row["active"], "queued": row["queued"]}
    return use


def transfer_consent_missing(participant: Participant, to_municipality: Municipality) -> bool:
    """True when no consent in force lets the SE team inform the receiving municipality's SE team."""
    return bool(missing_consent(participant.person, [to_municipality.se_team], Purpose.TRANSFER))


def enrolments_for_register_extract(person) -> list[Participant]:
    """Every enrolment of the person, oldest first, with its steps, municipality periods, employments,
    aftercare contacts, incomes, transfers and the journal in full: the participants app's part of
    the register extract (GDPR art. 15). A constant number of queries, however long the journal."""
    return list(
        Participant.objects.filter(person=person)
        .select_related("municipality", "responsible_coach")
        .prefetch_related(
            Prefetch("step_changes", queryset=StepChange.objects.order_by("changed_on", "id")),
            Prefetch(
                "municipality_periods",
                queryset=MunicipalityPeriod.objects.select_related("municipality").order_by("moved_in_on", "id"),
            ),
            Prefetch("employments", queryset=Employment.objects.order_by("starts_on", "id")),
            Prefetch("aftercare_visits", queryset=AftercareVisit.objects.order_by("due_on", "id")),
            Prefetch("incomes", queryset=IncomeRecord.objects.order_by("valid_from", "id")),
            Prefetch(
                "transfers",
                queryset=Transfer.objects.select_related("from_municipality", "to_municipality").order_by(
                    "requested_at", "id"
                ),
            ),
            Prefetch("journal", queryset=JournalEntry.objects.order_by("date", "id")),
        )
        .order_by("decided_on", "id")
    )


# The search box (docs/domain.md#search).


def search_participants(
    user, *, number: str = "", reserve_identity: str = "", reference: str = "", words=(), limit: int = 20
) -> list[Participant]:
    """The participants of the municipalities the user coaches or manages that match one search:
    the person's whole personnummer or reserve identity, the case reference of the referral that
    enrolled them, or names starting with each word. The identity is matched only where the user
    sees it: a protected person only for the coaches of the participant's municipality
    (docs/domain.md#protected-identity). At most `limit` + 1, by name; one query."""
    coached = [m.pk for m in access.municipalities_coached_by(user)]
    own = coached + [m.pk for m in access.municipalities_managed_by(user)]
    participants = participants_visible_to(user).filter(municipality__in=own).select_related("responsible_coach")
    identity_seen = Q(person__protected_identity=False) | Q(municipality__in=coached)
    if number:
        participants = participants.filter(identity_seen, person__identity_number=number)
    elif reserve_identity:
        participants = participants.filter(identity_seen, person__reserve_identity=reserve_identity)
    elif reference:
        participants = participants.filter(referral__reference__iexact=reference)
    elif words:
        participants = participants.filter(identity_seen)
        for word in words:
            participants = participants.filter(
                Q(person__first_name__istartswith=word) | Q(person__last_name__istartswith=word)
            )
    else:
        return []
    return list(participants.order_by("person__last_name", "person__first_name", "-decided_on", "id")[: limit + 1])
