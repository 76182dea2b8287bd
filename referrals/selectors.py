"""Read queries on referrals, meetings and decisions, scoped to the asking user in the database, and
the checks that say in words what stands between a referral and its next step."""

from datetime import date

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import Consent, Purpose
from consent.selectors import missing_consent, parties_left_out, valid_on
from sehoglandet import access, dates
from sehoglandet.models import (
    Municipality,
    Organisation,
    Person,
    ReferralGroup,
    ReferralGroupMember,
    ReferralGroupSeat,
    Role,
)
from sehoglandet.selectors import referral_groups_visible_to

from .models import (
    MIN_ACTIVE_PARTIES,
    AgendaItem,
    Consultation,
    Decision,
    ItemResponse,
    Meeting,
    Participation,
    PreMeeting,
    Referral,
)


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals a grant reaches: the referrer's own, the SE team's municipality, consented agenda items."""
    return access.objects_for_user(
        user,
        "referrals.view_referral",
        Referral.objects.select_related("person", "municipality", "referring_organisation", "referrer"),
    )


def referral_list_for(user) -> QuerySet[Referral]:
    """The referral list's rows: of the referrals a grant reaches, those sent to a municipality the
    user coaches and those the user wrote or refers (docs/domain.md#participant-and-referral-lists).
    The list reads them newest first from its own index (`referral_lists_written`, by municipality),
    and the grant confirms each row it reads; the referrals a coach wrote as a referrer to another
    municipality join in only when there are some, as OR'ing them in costs that index its order."""
    coached = [municipality.pk for municipality in access.municipalities_coached_by(user)]
    own = Q(referrer=user) | Q(written_by=user)
    if not coached:
        scope = own
    elif Referral.objects.filter(own).exclude(municipality__in=coached).exists():
        scope = Q(municipality__in=coached) | own
    else:
        scope = Q(municipality__in=coached)
    return referrals_visible_to(user).filter(scope)


def name_shown_to(user, person) -> str | None:
    """The name the user's latest referral of the person shows them (access.name_shown_to)."""
    referral = referrals_visible_to(user).filter(person=person).order_by("-created_at", "-id").first()
    if referral is None:
        return None
    return referral.full_name if access.may_see_referral_identity(user, referral) else _("Protected identity")


def get_referral_for_user(user, pk: int) -> Referral:
    """One referral, or 404 for anyone no grant reaches, never revealing whether it exists."""
    referral = (
        referrals_visible_to(user)
        .select_related("municipality__se_team", "municipality__referral_group", "residence")
        .prefetch_related(
            "active_at",
            "agency_decisions__organisation",
            Prefetch("pre_meetings", queryset=PreMeeting.objects.select_related("coach")),
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Meetings of the remittentgrupper the user may see. Members see an agenda once published;
    the coach who convenes sees every meeting of the group."""
    groups = referral_groups_visible_to(user)
    coached = [m.pk for m in access.municipalities_coached_by(user)]
    managed = [m.pk for m in access.municipalities_managed_by(user)]
    own = coached + managed
    meetings = Meeting.objects.filter(referral_group__in=groups).select_related("referral_group__municipality")
    return meetings.filter(referral_group__municipality__in=own) | meetings.filter(
        status__in=[Meeting.Status.PUBLISHED, Meeting.Status.HELD]
    )


def get_meeting_for_user(user, pk: int) -> Meeting:
    meeting = meetings_visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


# Items on one page of a meeting's agenda. A group's agenda holds some tens of cases; a longer one is
# read a page at a time, so a member's page does not carry hundreds of answer forms.
AGENDA_PAGE_SIZE = 25


def _agenda_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.items.select_related(
        "referral__person", "referral__municipality", "referral__referring_organisation", "decision"
    ).prefetch_related(Prefetch("responses", queryset=ItemResponse.objects.select_related("organisation")))


def _with_visibility(user, items: list[AgendaItem], first_number: int = 1) -> list[AgendaItem]:
    """Each item with `visible`, whether the user may read it (consent covers their organisation),
    and `number`, its place on the agenda."""
    visible = set(
        referrals_visible_to(user).filter(pk__in=[item.referral_id for item in items]).values_list("pk", flat=True)
    )
    for number, item in enumerate(items, start=first_number):
        item.visible = item.referral_id in visible
        item.number = number
    return items


def agenda_for(user, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items, each with `visible` and `number` (_with_visibility). Three queries
    whatever the length of the agenda."""
    return _with_visibility(user, list(_agenda_items(meeting)))


def agenda_page(user, meeting: Meeting, number) -> Page:
    """One page of the meeting's items (AGENDA_PAGE_SIZE), each with `visible` and `number`; a page
    number out of range gives the last page. Four queries."""
    page = Paginator(_agenda_items(meeting), AGENDA_PAGE_SIZE).get_page(number)
    page.object_list = _with_visibility(user, list(page.object_list), first_number=page.start_index())
    return page


def agenda_page_of(item: AgendaItem) -> int:
    """The number of the agenda page that shows the item: the items before it in the agenda's
    order (AgendaItem.Meta.ordering, position then id), counted."""
    before = AgendaItem.objects.filter(
        Q(position__lt=item.position) | Q(position=item.position, pk__lt=item.pk), meeting_id=item.meeting_id
    ).count()
    return before // AGENDA_PAGE_SIZE + 1


def escalations_for(user) -> QuerySet[Decision]:
    """Questions the groups of the manager's municipalities could not agree on, oldest first."""
    municipalities = access.municipalities_managed_by(user)
    return (
        Decision.objects.filter(
            status=Decision.Status.ESCALATED, item__meeting__referral_group__municipality__in=municipalities
        )
        .select_related(
            "item__meeting__referral_group__municipality",
            "item__referral__person",
            "item__referral__municipality",
            "recorded_by",
        )
        .order_by("recorded_at")
    )


def get_escalation_for_user(user, pk: int) -> Decision:
    decision = (
        Decision.objects.filter(item__meeting__referral_group__municipality__in=access.municipalities_managed_by(user))
        .select_related("item__meeting__referral_group__municipality", "item__referral__person")
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise Http404
    return decision


def coming_meetings(referral_group: ReferralGroup) -> QuerySet[Meeting]:
    return referral_group.meetings.filter(
        starts_at__gt=timezone.now(), status__in=[Meeting.Status.PLANNED, Meeting.Status.PUBLISHED]
    ).order_by("starts_at")


def meetings_open_for_items(referral_group: ReferralGroup) -> QuerySet[Meeting]:
    """The group's coming meetings whose last day for items has not passed."""
    return coming_meetings(referral_group).filter(item_deadline__gte=timezone.localdate())


# Meeting pages: the year's plan, the convener's agenda tools, members' items, attendance.


def referral_groups_convened_by(user) -> QuerySet[ReferralGroup]:
    """The remittentgrupper the user convenes: those of the municipalities they coach."""
    return (
        ReferralGroup.objects.filter(municipality__in=access.municipalities_coached_by(user))
        .select_related("municipality")
        .order_by("municipality__name")
    )


def get_agenda_item_for_user(user, pk: int) -> AgendaItem:
    """One item of a meeting the user may see, with `visible` as in agenda_for (whether consent
    covers the user's organisation); 404 when the meeting is not theirs to see."""
    item = (
        AgendaItem.objects.filter(pk=pk, meeting__in=meetings_visible_to(user).values("pk"))
        .select_related(
            "meeting__referral_group__municipality", "referral__person", "referral__municipality", "decision"
        )
        .first()
    )
    if item is None:
        raise Http404
    item.visible = referrals_visible_to(user).filter(pk=item.referral_id).exists()
    return item


def agenda_candidates(user, meeting: Meeting) -> QuerySet[Referral]:
    """Cases the convener may put on the meeting's agenda: referrals of the municipality ready for
    the group (or sent back to it), and enrolled participants who now belong to the municipality,
    to follow up or exit; not those already on it."""
    # An enrolment not yet ended has no exit date (the participants app's own constraint); the
    # referral reads it through the handover's reverse relation (docs/architecture.md#layers).
    # A participant comes before the group of their current municipality (a transfer moves them),
    # a referral before the group it was sent to (docs/domain.md#group-of-the-case).
    municipality = meeting.referral_group.municipality_id
    return (
        referrals_visible_to(user)
        .filter(
            Q(municipality=municipality, status__in=[Referral.Status.READY, Referral.Status.SENT_BACK])
            | Q(participant__municipality=municipality, participant__exited_on__isnull=True)
        )
        .exclude(agenda_items__meeting=meeting)
        .select_related("participant")
        .order_by("reference")
    )


def organisations_without_consent_by_item(meeting: Meeting, items: list[AgendaItem]) -> dict[int, list]:
    """For each item, the group's member organisations that no consent in force covers for discussion
    in the referral group: they will not see it. Two queries whatever the length of the agenda."""
    seats = group_seats(meeting.referral_group)
    persons = {item.referral.person_id for item in items}
    covered = set(
        Consent.organisations.through.objects.filter(
            consent__person__in=persons,
            consent__in=Consent.objects.filter(valid_on(timezone.localdate()), **{Purpose.REFERRAL_GROUP.field: True}),
        ).values_list("consent__person_id", "organisation_id")
    )
    return {
        item.pk: [seat.organisation for seat in seats if (item.referral.person_id, seat.organisation_id) not in covered]
        for item in items
    }


def _agenda_mail_members(meeting: Meeting) -> QuerySet[ReferralGroupMember]:
    return ReferralGroupMember.objects.filter(
        seat__referral_group=meeting.referral_group, user__is_active=True
    ).exclude(user__email="")


def agenda_mail_recipients(meeting: Meeting) -> list[str]:
    """The addresses publishing the agenda e-mails: each active member of the group with an address, once."""
    return sorted(set(_agenda_mail_members(meeting).values_list("user__email", flat=True)))


def agenda_mail_by_organisation(meeting: Meeting) -> list[tuple[str, int]]:
    """For the confirmation before publishing: per member organisation, how many of its members get the
    e-mail (counts and organisations, never a name). One query."""
    rows = (
        _agenda_mail_members(meeting)
        .values("seat__organisation__name")
        .annotate(members=Count("user", distinct=True))
        .order_by("seat__organisation__name")
    )
    return [(row["seat__organisation__name"], row["members"]) for row in rows]


def group_seats(referral_group) -> list[ReferralGroupSeat]:
    """The group's seats with their organisations, by name; prefetched once per group object, as a
    meeting page asks for them for the consent, the attendance and the missing parties."""
    seats = ReferralGroupSeat.objects.select_related("organisation").order_by("organisation__name")
    prefetch_related_objects([referral_group], Prefetch("seats", queryset=seats))
    return list(referral_group.seats.all())


def attendance_by_seat(meeting: Meeting) -> list[tuple]:
    """Every seat of the meeting's group with its attendance row (None when nothing is recorded)."""
    rows = {row.seat_id: row for row in meeting.attendance.all()}
    return [(seat, rows.get(seat.pk)) for seat in group_seats(meeting.referral_group)]


# The referral, consent and pre-meeting pages.


def agenda_items_of(referral: Referral) -> list[AgendaItem]:
    """The referral's agenda items with their meetings and decisions, earliest meeting first (one query)."""
    return list(
        AgendaItem.objects.filter(referral=referral)
        .select_related("meeting__referral_group__municipality", "decision__decided_by_manager")
        .order_by("meeting__starts_at", "id")
    )


def get_pre_meeting_for_user(user, pk: int) -> PreMeeting:
    """One pre-meeting, or 404 unless the user may see its referral."""
    pre_meeting = (
        PreMeeting.objects.filter(pk=pk, referral__in=referrals_visible_to(user).values("pk"))
        .select_related("referral__person__municipality", "referral__municipality__se_team", "coach")
        .first()
    )
    if pre_meeting is None:
        raise Http404
    return pre_meeting


# What stands between a referral and its next step, in words for the person fixing it.


def referring_organisations(actor: User) -> list[Organisation]:
    """The organisations the actor may refer for: as referrer, or as coach on someone's behalf."""
    return access.organisations_with_role(actor, Role.REFERRER, Role.COACH)


def submission_problems(referral: Referral, day: date | None = None) -> list[str]:
    """What stops the referral from being submitted, in words for the person fixing it."""
    problems = []
    if not any(getattr(referral, name) for name in Referral.GROUND_FIELDS):
        problems.append(_("Choose at least one target-group ground."))
    if referral.active_at.count() < MIN_ACTIVE_PARTIES:
        problems.append(_("Name at least two parties where the person is active (aktuell hos)."))
    se_team = referral.municipality.se_team
    # A coach refers for their own SE team: then the two are one organisation, named once.
    needed = list(dict.fromkeys([referral.referring_organisation, *([se_team] if se_team else [])]))
    for organisation in missing_consent(referral.person, needed, Purpose.REFERRAL_GROUP, day):
        problems.append(
            _("There is no consent in force that covers %(organisation)s for discussion in the referral group.")
            % {"organisation": organisation.name}
        )
    return problems


def agenda_problems(referral: Referral, meeting: Meeting) -> list[str]:
    """What stops the referral from going on the meeting's agenda."""
    problems = []
    if meeting.starts_at <= timezone.now():
        problems.append(_("The meeting has already taken place; choose a coming meeting."))
    elif meeting.item_deadline < timezone.localdate():
        problems.append(
            _("The last day to add items to this meeting was %(date)s; choose a later meeting.")
            % {"date": dates.long_date(meeting.item_deadline)}
        )
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED):
        problems.append(_("The meeting is %(status)s.") % {"status": meeting.get_status_display()})
    participant = getattr(referral, "participant", None)
    if participant is not None and participant.municipality_id != referral.municipality_id:
        if participant.municipality_id != meeting.referral_group.municipality_id:
            problems.append(
                _(
                    "The participant has moved to %(municipality)s: their case goes to that municipality's "
                    "referral group."
                )
                % {"municipality": participant.municipality.name}
            )
    elif referral.municipality_id != meeting.referral_group.municipality_id:
        problems.append(_("The referral belongs to another municipality's referral group."))
    if referral.status not in (Referral.Status.READY, Referral.Status.SENT_BACK) and not hasattr(
        referral, "participant"
    ):
        problems.append(_("The referral is not ready for the group: record the pre-meeting first."))
    seats = meeting.referral_group.seats.count()
    if len(organisations_without_consent(referral, meeting.referral_group)) == seats:
        problems.append(
            _("There is no consent in force for discussion in the referral group with any of its member organisations.")
        )
    return problems


def group_municipality_id(referral: Referral) -> int:
    """The municipality whose referral group handles the case: the participant's current one once
    enrolled (a transfer moves it), before that the one the referral was sent to
    (docs/domain.md#group-of-the-case). Reads the enrolment through the handover's reverse relation."""
    participant = getattr(referral, "participant", None)
    return participant.municipality_id if participant is not None else referral.municipality_id


def organisations_without_consent(
    referral: Referral, referral_group: ReferralGroup, *, among: QuerySet | None = None
) -> list[Organisation]:
    """The group's member organisations that will not see the item; for the referrer, counting only
    the consents they may see (`among`), so the warning tells them nothing of others' consents."""
    return parties_left_out(referral.person, [referral_group], among=among)


# The decisions on a referral (not on the participant it led to).
REFERRAL_OUTCOMES = (Decision.Outcome.ENROL, Decision.Outcome.DECLINE, Decision.Outcome.SEND_BACK)


def participation_stage(referral: Referral) -> Participation | None:
    """The stage of the enrolment the referral led to, read through the handover's reverse relation
    (docs/architecture.md#layers); None before enrolment."""
    participant = getattr(referral, "participant", None) if referral.is_enrolled else None
    if participant is None:
        return None
    if participant.is_queued:
        return Participation.QUEUED
    return Participation.STARTED if participant.is_open else Participation.ENDED


def default_agenda_kind(referral: Referral) -> str:
    """How a case goes on the agenda: a new referral, one sent back before, or a participant's follow-up."""
    if referral.status not in (Referral.Status.READY, Referral.Status.SENT_BACK):
        return AgendaItem.Kind.FOLLOW_UP
    # decided_at on a referral that is not decided: the group sent it back once already.
    return AgendaItem.Kind.SENT_BACK if referral.decided_at else AgendaItem.Kind.NEW_REFERRAL


def missing_parties(seats_with_attendance: list[tuple]) -> list[Organisation]:
    """Member organisations with no one present (of `attendance_by_seat`), for the warning on the
    meeting page."""
    return [seat.organisation for seat, row in seats_with_attendance if row is None or not row.present]


def referrals_for_register_extract(person: Person) -> list[Referral]:
    """Every referral of the person, oldest first, with what the service holds of each: the person as
    the writer typed them, the grounds, the individual decisions, the pre-meetings, and the agenda
    items with the members' answers and the group's decisions. The referrals app's part of the
    register extract (GDPR art. 15). A constant number of queries, however many referrals."""
    return list(
        Referral.objects.filter(person=person)
        .select_related("municipality", "referring_organisation", "residence")
        .prefetch_related(
            "active_at",
            "agency_decisions__organisation",
            Prefetch("pre_meetings", queryset=PreMeeting.objects.order_by("booked_for", "id")),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("meeting__referral_group__municipality", "decision")
                .prefetch_related(
                    Prefetch("responses", queryset=ItemResponse.objects.select_related("organisation").order_by("pk"))
                )
                .order_by("meeting__starts_at", "id"),
            ),
        )
        .order_by("created_at", "id")
    )


# Consultations (docs/domain.md#consultations).


def consultations_visible_to(user) -> QuerySet[Consultation]:
    """Consultations a grant reaches (the group's seats and the SE team), on meetings the user may see."""
    return access.objects_for_user(
        user,
        "referrals.view_consultation",
        Consultation.objects.filter(meeting__in=meetings_visible_to(user).values("pk")).select_related(
            "asking_organisation", "meeting__referral_group__municipality"
        ),
    )


def consultations_for(user, meeting: Meeting) -> list[Consultation]:
    """The meeting's consultations the user may read, in their order. One query."""
    return list(consultations_visible_to(user).filter(meeting=meeting).order_by("number", "id"))


def get_consultation_for_user(user, pk: int) -> Consultation:
    consultation = consultations_visible_to(user).filter(pk=pk).select_related("answered_by").first()
    if consultation is None:
        raise Http404
    return consultation


def consultation_problems(meeting: Meeting, kind: str) -> list[str]:
    """What stops a consultation from being raised for the meeting: it must be a coming meeting, and
    an external one must be announced by the last day to add items, so the members can prepare."""
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED) or meeting.starts_at <= timezone.now():
        return [_("A consultation can be raised only for a coming meeting; this meeting is held, closed or cancelled.")]
    if kind == Consultation.Kind.EXTERNAL and meeting.item_deadline < timezone.localdate():
        return [
            _(
                "An external consultation is announced in advance: the last day to add items to this meeting was "
                "%(date)s. Raise it as internal, or for a later meeting."
            )
            % {"date": dates.long_date(meeting.item_deadline)}
        ]
    return []


def names_allowed_in_consultations() -> list[str]:
    """The names of the organisations and municipalities the service knows: a consultation may name
    them (referrals.deidentified)."""
    return [
        *Organisation.objects.values_list("name", flat=True),
        *Organisation.objects.values_list("short_name", flat=True),
        *Municipality.objects.values_list("name", flat=True),
    ]


# The search box (docs/domain.md#search).


# How many of the newest referrals that match a name are grant-checked first (search_referrals).
NAME_SEARCH_WINDOW = 500


def search_referrals(
    user, *, number: str = "", reserve_identity: str = "", reference: str = "", words=(), limit: int = 20
) -> list[Referral]:
    """The referrals the user may see that match one search: the person's whole personnummer or
    reserve identity, the case reference, or the name as the writer typed it, each word the start
    of the first or last name. The identity is matched only where the user sees it
    (access.may_see_referral_identity, here as a filter in the database): the responsible SE
    team's coaches always, the writer unless they marked it protected, anyone else unless the
    writer or the registry did (docs/domain.md#identity-lookup). At most `limit` + 1, newest
    first.

    A name is looked up in two steps: the newest NAME_SEARCH_WINDOW referrals that match it, without
    the grant, then the grant of those. A common surname matches thousands of referrals in the
    country, and checking each one's grant before sorting took 95 ms of the search ("Johansson",
    6 972 referrals at 100 000 participants; bench/README.md, eighth pass). The whole set is
    checked only when the window holds fewer than a page the user may see and more may be beyond it.
    One query for a number or a reference, two for a name (three in that rare case)."""
    if not (number or reserve_identity or reference or words):
        return []
    search = {"number": number, "reserve_identity": reserve_identity, "reference": reference, "words": words}
    order = ("-created_at", "-id")
    if words and not (number or reserve_identity or reference):
        newest = list(
            _matching(user, Referral.objects.all(), **search)
            .order_by(*order)
            .values_list("pk", flat=True)[:NAME_SEARCH_WINDOW]
        )
        found = list(referrals_visible_to(user).filter(pk__in=newest).order_by(*order)[: limit + 1])
        if len(found) > limit or len(newest) < NAME_SEARCH_WINDOW:
            return found
    referrals = _matching(user, referrals_visible_to(user), **search)
    return list(referrals.order_by(*order)[: limit + 1])


def _matching(user, referrals: QuerySet[Referral], *, number: str, reserve_identity: str, reference: str, words):
    """`referrals` narrowed to one search (search_referrals); all of them when nothing is asked."""
    identity_seen = access.referral_identity_seen(user)
    if number:
        return referrals.filter(identity_seen, person__identity_number=number)
    if reserve_identity:
        return referrals.filter(identity_seen, person__reserve_identity=reserve_identity)
    if reference:
        return referrals.filter(reference__iexact=reference)
    if words:
        referrals = referrals.filter(identity_seen)
        for word in words:
            referrals = referrals.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word))
    return referrals


def search_agenda_candidates(
    user, meeting: Meeting, *, number: str = "", reserve_identity: str = "", reference: str = "", words=(), limit: int
) -> list[Referral]:
    """The agenda candidates (agenda_candidates) that match a search as search_referrals reads it,
    or the first ones by case reference when nothing is asked: at most `limit` + 1, one query."""
    query = {"number": number, "reserve_identity": reserve_identity, "reference": reference, "words": words}
    return list(_matching(user, agenda_candidates(user, meeting), **query)[: limit + 1])
