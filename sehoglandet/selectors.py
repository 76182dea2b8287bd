"""Read queries scoped to the user who asks, each built for a constant number of queries."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils.translation import gettext as _

from . import access, events
from .identity import parse_identity_number
from .models import (
    AccessLog,
    CaseEvent,
    Membership,
    Municipality,
    Person,
    PersonCorrection,
    PurgeRun,
    ReferralGroup,
    ReferralGroupMember,
    Role,
)


def referral_groups_visible_to(user) -> QuerySet[ReferralGroup]:
    """The remittentgrupper whose view permission reaches the user, directly or through a group."""
    return access.objects_for_user(
        user, "sehoglandet.view_referralgroup", ReferralGroup.objects.select_related("municipality")
    ).order_by("municipality__name")


def get_referral_group_for_user(user, pk: int) -> ReferralGroup:
    """One remittentgrupp, or 404 for anyone the grants do not reach (never revealing it exists)."""
    group = referral_groups_visible_to(user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def get_person_for_user(user, pk: int) -> Person:
    """A person with a case the user may see (access.persons_visible_to), or 404."""
    person = access.persons_visible_to(user).select_related("municipality").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def get_person_for_register_extract(user, pk: int) -> Person:
    """A person for the register extract or a correction: for an administrator any person (they
    answer requests under GDPR art. 15 and 16), for anyone else a person with a case they may see
    (access.persons_visible_to); otherwise 404. Whether they may make it is
    access.may_export_register_extract's question."""
    persons = Person.objects.all() if access.has_role(user, Role.ADMINISTRATOR) else access.persons_visible_to(user)
    person = persons.select_related("municipality").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def find_person_by_identity(value: str) -> Person | None:
    """The person with this personnummer, samordningsnummer or reserve identity (as typed), or None.
    For the administrator's page that answers requests from the registered themselves."""
    value = (value or "").strip()
    if value.upper().startswith("R-"):
        return Person.objects.filter(reserve_identity=value.upper()).first()
    return Person.objects.filter(identity_number=parse_identity_number(value).digits).first()


def referral_group_members(group: ReferralGroup) -> QuerySet[ReferralGroupMember]:
    return (
        ReferralGroupMember.objects.filter(seat__referral_group=group)
        .select_related("user", "seat__organisation")
        .order_by("seat__organisation__name", "user__last_name", "user__first_name")
    )


def municipalities_with_capacity() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("se_team").order_by("name")


def roles_in_organisations(user_ids) -> dict[tuple[int, int], list[str]]:
    """The roles each user holds in each organisation, as labels users read, in one query:
    `{(user_id, organisation_id): ["SE-coach", …]}`. For pages that say in which capacity someone
    saw or changed a record (the auditor's page, the register extract)."""
    roles: dict[tuple[int, int], list[str]] = {}
    memberships = Membership.objects.filter(user_id__in=set(user_ids)).order_by("role")
    for user_id, organisation_id, role in memberships.values_list("user_id", "organisation_id", "role"):
        roles.setdefault((user_id, organisation_id), []).append(str(Role(role).label))
    return roles


# The core's part of the register extract (GDPR art. 15): the person, corrections, the case timeline
# and who has viewed the record. The project's extract composes these with each app's part.


@dataclass(frozen=True)
class TimelineRow:
    occurred_at: datetime
    what: str
    by: str  # organisation and role of whoever did it, never their name


@dataclass(frozen=True)
class ViewerRow:
    organisation: str
    role: str
    first_day: date
    last_day: date
    days: int


def _capacities(user_ids, roles: dict[tuple[int, int], list[str]], memberships: dict[int, list[tuple]]) -> dict:
    """What each user is, as organisation and role: "SE-team Nässjö, SE-coach"."""
    shown = {}
    for user_id in user_ids:
        held = memberships.get(user_id, [])
        shown[user_id] = "; ".join(f"{name}, {', '.join(roles[(user_id, pk)])}" for pk, name in held)
    return shown


def _organisations_of(user_ids) -> dict[int, list[tuple[int, str]]]:
    held: dict[int, list[tuple[int, str]]] = {}
    rows = (
        Membership.objects.filter(user_id__in=set(user_ids))
        .order_by("organisation__name")
        .values_list("user_id", "organisation_id", "organisation__name")
        .distinct()
    )
    for user_id, organisation_id, name in rows:
        if (organisation_id, name) not in held.setdefault(user_id, []):
            held[user_id].append((organisation_id, name))
    return held


def timeline_of(person: Person) -> list[TimelineRow]:
    """The person's case events, oldest first: when, what (events.label) and who as organisation and
    role, never the staff member's name (docs/domain.md#rights-of-the-registered). Three queries."""
    rows = list(
        CaseEvent.objects.filter(person=person)
        .order_by("occurred_at", "id")
        .values_list("occurred_at", "code", "actor_id")
    )
    actors = {actor_id for _at, _code, actor_id in rows}
    shown = _capacities(actors, roles_in_organisations(actors), _organisations_of(actors))
    return [
        TimelineRow(occurred_at, events.label(code), shown[actor_id] or _("The system (automatic)"))
        for occurred_at, code, actor_id in rows
    ]


def viewers_of(person: Person) -> list[ViewerRow]:
    """Who has viewed or exported the person's record, from the access log: per organisation and role,
    the first and last day and on how many days. Refused attempts showed nothing and are left out.
    Two queries, however long the log."""
    days = (
        AccessLog.objects.filter(person_id=person.pk)
        .exclude(action=AccessLog.Action.REFUSED)
        .annotate(day=TruncDate("created_at"))
        .values_list("user_id", "organisation_id", "organisation__name", "day")
        .distinct()
    )
    days = list(days)
    roles = roles_in_organisations({user_id for user_id, *_rest in days})
    grouped: dict[tuple[str, str], set[date]] = {}
    for user_id, organisation_id, organisation, day in days:
        role = ", ".join(roles.get((user_id, organisation_id), [])) or _("No current role")
        grouped.setdefault((organisation or _("No organisation"), role), set()).add(day)
    return [
        ViewerRow(organisation, role, min(seen), max(seen), len(seen))
        for (organisation, role), seen in sorted(grouped.items())
    ]


def corrections_of(person: Person) -> list[PersonCorrection]:
    """The corrections of the person's details, oldest first, with the changed fields' labels."""
    corrections = list(PersonCorrection.objects.filter(person=person).order_by("corrected_at", "id"))
    for correction in corrections:
        correction.field_labels = [str(Person._meta.get_field(name).verbose_name) for name in correction.fields]
    return corrections


def purge_runs() -> QuerySet[PurgeRun]:
    """The retention purge's runs, newest first, for the auditor (docs/domain.md#retention). They
    name no one, so any auditor sees them all."""
    return PurgeRun.objects.order_by("-started_at", "-id")
