"""The access policy: who may do what, in one place.

Two questions are answered here and nowhere else:
- which roles a user holds (from Membership rows), and so which pages they may open;
- whether a user may act on one object, from django-guardian grants to the user or to the
  groups that mirror their organisations. Model-level permissions and superuser status never
  open a record (accept_global_perms=False, with_superuser=False).

Views declare who may use them with @require_roles(...) or @for_any_user; a test walks the
URLconf and fails on a view that declares nothing. Views fetch records through the gate
(sehoglandet.gate), which asks the rules below; services ask them again before they change anything.

This module imports no feature app. Rules about a feature's records read what the record says of
itself (`referral.is_draft`), and the rules about persons ask the records each feature app
registers as a person's cases (`register_person_cases`, called from the app's AppConfig.ready()).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce, wraps
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import BooleanField, Exists, Expression, F, Model, OuterRef, Q, QuerySet, Subquery
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from .models import Membership, Person, ReferralGroupMember, Role

ALL_ROLES = frozenset(Role)


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their organisations, read once per request."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("organisation", "organisation__municipality", "organisation__se_team_of")
            .order_by("organisation__name", "role")
        )
        user._memberships_cache = cached
    return cached


def roles_of(user) -> frozenset[str]:
    return frozenset(m.role for m in memberships_of(user))


def has_role(user, *roles: str) -> bool:
    return not roles_of(user).isdisjoint(roles)


def organisations_with_role(user, *roles: str) -> list:
    return [m.organisation for m in memberships_of(user) if m.role in roles]


def is_system_user(user) -> bool:
    return user.username == settings.SYSTEM_USERNAME and not user.has_usable_password()


def may_administer(user) -> bool:
    """Reference data, users and memberships: administrators, and the system user of commands."""
    return is_system_user(user) or (user.is_active and has_role(user, Role.ADMINISTRATOR))


def may_purge(user) -> bool:
    """The retention purge runs as a daily job under the system user, never from a page
    (docs/domain.md#retention)."""
    return is_system_user(user)


def may_register_person(user) -> bool:
    """Whoever writes referrals registers the person referred: referrers and coaches, and the system user."""
    return is_system_user(user) or has_role(user, Role.REFERRER, Role.COACH)


def may_reset_second_factor(user, target) -> bool:
    """An administrator removes another user's authenticator app and recovery codes (a lost phone),
    so that they add a new app at their next sign-in (docs/operations.md#second-factor)."""
    return may_administer(user)


def may_skip_second_factor(user) -> bool:
    """Only a demo user, and only while both DEBUG and DEMO_LOGINS_SKIP_SECOND_FACTOR are on: for
    trying the demo locally, never in production (sehoglandet/checks.py refuses the setting)."""
    if not (settings.DEBUG and settings.DEMO_LOGINS_SKIP_SECOND_FACTOR) or not user.is_authenticated:
        return False
    from .demo import is_demo_login  # demo.py builds on the services, which build on this module

    return is_demo_login(user.username)


def may_use_admin(user) -> bool:
    return user.is_active and user.is_staff and has_role(user, Role.ADMINISTRATOR)


def objects_for_user(user, perm: str, queryset: QuerySet) -> QuerySet:
    """The objects of `queryset` on which `user` holds `perm` through a grant, filtered in the database.

    Each row is checked with one EXISTS over the object's own grant tables (guardian's direct
    foreign-key models), to the user or to one of their groups, which the tables' unique indexes
    answer: a list that reads 25 rows probes 25 times, however many grants there are. guardian's
    get_objects_for_user instead filters on `pk IN (every object granted)`, which PostgreSQL answers
    by hashing all of them: 25 000 for one team of a national installation, for 25 rows. So a list
    filters first on the record's own columns that its index serves (municipality, referrer), and
    the grant decides (bench/README.md#national-scale). Model-level permissions and superuser status
    play no part.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    return queryset.filter(grant_reaches(user, perm, queryset.model))


def grant_reaches(user, perm: str, model: type[Model], ref: str = "pk") -> "GrantReaches":
    """The condition of objects_for_user as an expression: `user` holds `perm` on the `model` object
    that the query's `ref` names (the row itself by default, or a foreign key to it, such as an
    income's "participant"). For a query over a record that belongs to the object: the database
    then checks the grant only for the rows its other conditions leave, not for every object they
    might belong to. Only for an active, signed-in user (objects_for_user answers the others)."""
    return GrantReaches(user.pk, permission_id(perm), model, ref)


class GrantReaches(Expression):
    """`EXISTS (grant to the user UNION ALL grant to one of the user's groups)` on the object that
    `ref` names, written once as SQL rather than built from two querysets per use.

    What it asks is what guardian's direct foreign-key models hold (the grant tables' unique
    indexes on user or group, permission and object answer each probe). UNION ALL inside the
    EXISTS, not EXISTS … OR EXISTS …: PostgreSQL turns the OR into two hashes of every grant, the
    UNION into two index probes per row it reads. Built from querysets, the check was a third of the
    coach's start page at 100 000 participants: cloning, relabelling and compiling the two nested
    subqueries each time a list, a count or a to-do part used it, where the database took a tenth of
    that to answer (bench/README.md, fifth pass)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, user_id: int, permission_id: int, model: type[Model], ref: str = "pk"):
        super().__init__()
        user_grants, group_grants = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
        if user_grants.objects.is_generic() or group_grants.objects.is_generic():
            raise ImproperlyConfigured(f"{model.__name__} needs direct object-permission models")
        self.user_id, self.permission_id, self.model = user_id, permission_id, model
        self.tables = (user_grants._meta, group_grants._meta)
        self.object = ref if isinstance(ref, F) else F(ref)

    def get_source_expressions(self):
        return [self.object]

    def set_source_expressions(self, exprs):
        (self.object,) = exprs

    def as_sql(self, compiler, connection):
        object_sql, object_params = compiler.compile(self.object)
        quote = connection.ops.quote_name
        by_user, by_group = self.tables
        user_groups = get_user_model().groups.through._meta

        def column(meta, name: str) -> str:
            return quote(meta.get_field(name).column)

        sql = (
            f"EXISTS (SELECT 1 FROM {quote(by_user.db_table)} WHERE {column(by_user, 'user')} = %s "
            f"AND {column(by_user, 'permission')} = %s AND {column(by_user, 'content_object')} = {object_sql} "
            f"UNION ALL SELECT 1 FROM {quote(by_group.db_table)} WHERE {column(by_group, 'group')} IN "
            f"(SELECT {column(user_groups, 'group')} FROM {quote(user_groups.db_table)} "
            f"WHERE {column(user_groups, 'user')} = %s) "
            f"AND {column(by_group, 'permission')} = %s AND {column(by_group, 'content_object')} = {object_sql})"
        )
        params = (self.user_id, self.permission_id, *object_params, self.user_id, self.permission_id, *object_params)
        return sql, params


def _grants(user, model: type[Model], **lookups) -> tuple[QuerySet, QuerySet]:
    """The grants on `model` objects (guardian's direct foreign-key models) to `user` and to the
    user's groups that match `lookups`; the groups are a subquery, not a query of their own."""
    user_grants, group_grants = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
    if user_grants.objects.is_generic() or group_grants.objects.is_generic():
        raise ImproperlyConfigured(f"{model.__name__} needs direct object-permission models")
    return (
        user_grants.objects.filter(user=user, **lookups),
        group_grants.objects.filter(group__in=user.groups.values("pk"), **lookups),
    )


_permission_ids: dict[str, int] = {}


def permission_id(perm: str) -> int:
    """The id of "app_label.codename", read once per process (and again after migrate or flush)."""
    if perm not in _permission_ids:
        app_label, codename = perm.split(".", 1)
        _permission_ids[perm] = Permission.objects.get(content_type__app_label=app_label, codename=codename).pk
    return _permission_ids[perm]


def forget_permission_ids(**kwargs) -> None:
    """Connected to post_migrate (sehoglandet/apps.py): a flush or migrate may give permissions new ids."""
    _permission_ids.clear()


def forget_cached_access(user) -> None:
    """After a service changed the user's memberships: read them afresh."""
    user.__dict__.pop("_memberships_cache", None)


def has_object_permission(user, perm: str, obj: Model) -> bool:
    """Whether `user` holds `perm` on `obj` through a grant to them or to one of their groups."""
    if not user.is_authenticated or not user.is_active:
        return False
    return permission_id(perm) in _permissions_held(user, obj)


def forget_grants(obj: Model) -> None:
    """After a service granted or removed a permission on `obj`: ask the database again."""
    obj.__dict__.pop("_permissions_held", None)


def _grant_tables(obj: Model, groups: Iterable, users: Iterable) -> list[tuple[type[Model], str, set]]:
    return [
        (get_group_obj_perms_model(obj), "group_id", set(groups)),
        (get_user_obj_perms_model(obj), "user_id", set(users)),
    ]


def add_grants(obj: Model, *, groups: Iterable[tuple[int, str]] = (), users: Iterable[tuple[int, str]] = ()) -> None:
    """Grant each (group id, "app_label.codename") and (user id, perm) pair on `obj`, one INSERT a
    table however many pairs; a pair granted already stays as it is. guardian's assign_perm reads
    and writes each pair on its own, in six queries, and the services grant several at a time."""
    for model, holder, pairs in _grant_tables(obj, groups, users):
        if pairs:
            model.objects.bulk_create(
                [model(**{holder: pk}, permission_id=permission_id(perm), content_object=obj) for pk, perm in pairs],
                ignore_conflicts=True,
            )
    forget_grants(obj)


def remove_grants(obj: Model, *, groups: Iterable[tuple[int, str]] = (), users: Iterable[tuple[int, str]] = ()) -> None:
    """Take each (group id, perm) and (user id, perm) pair's grant on `obj` away, one DELETE a table."""
    for model, holder, pairs in _grant_tables(obj, groups, users):
        if pairs:
            held = reduce(or_, (Q(**{holder: pk}, permission_id=permission_id(perm)) for pk, perm in pairs))
            model.objects.filter(held, content_object=obj).delete()
    forget_grants(obj)


def _permissions_held(user, obj: Model) -> frozenset[int]:
    """The ids of every permission `user` holds on `obj`: one query per object and user, read by the
    grant tables' indexes on the object, however many actions a page offers (view, change, …)."""
    held = obj.__dict__.setdefault("_permissions_held", {})
    if user.pk not in held:
        by_user, by_group = _grants(user, type(obj), content_object=obj.pk)
        held[user.pk] = frozenset(
            by_user.values_list("permission_id", flat=True).union(
                by_group.values_list("permission_id", flat=True), all=True
            )
        )
    return held[user.pk]


def _declare(view: Callable, roles: Iterable[str]) -> Callable:
    view.allowed_roles = frozenset(roles)
    return view


def require_roles(*roles: str) -> Callable:
    """Declare the roles that may use a view; a signed-in user without one of them gets 403.

    Visitors who are not signed in never get here: LoginRequiredMiddleware sends them to the login.
    """
    unknown = set(roles) - ALL_ROLES
    if unknown or not roles:
        raise ValueError(f"require_roles needs known roles, got {roles!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _declare(wrapped, roles)

    return decorator


def declared_roles(view: Callable) -> frozenset[str] | None:
    """The roles a view declares (require_roles or for_any_user), or None when it declares nothing.

    Django's admin wraps its views in its site's admin_view on every request, so for an admin URL
    the declaration lives on what admin_view returns, not on the registered callback.
    """
    site = getattr(view, "admin_site", None) or getattr(getattr(view, "model_admin", None), "admin_site", None)
    if site is not None:
        view = site.admin_view(view.__wrapped__)
    for candidate in (view, getattr(getattr(view, "view_class", None), "dispatch", None)):
        roles = getattr(candidate, "allowed_roles", None)
        if roles is not None:
            return roles
    return None


def for_any_user(view: Callable) -> Callable:
    """Declare a view open to every signed-in user, whatever their roles (start page, own account)."""
    return _declare(view, ALL_ROLES)


# Who works where. Record-level visibility comes from guardian grants (referrals/grants.py,
# participants.services); the rules below add what the role in the owning municipality allows.


def is_coach_of(user, municipality) -> bool:
    return any(m.role == Role.COACH and m.organisation_id == municipality.se_team_id for m in memberships_of(user))


def is_manager_of(user, municipality) -> bool:
    return any(m.role == Role.MANAGER and m.organisation_id == municipality.se_team_id for m in memberships_of(user))


def municipalities_coached_by(user) -> list:
    return [
        m.organisation.se_team_of
        for m in memberships_of(user)
        if m.role == Role.COACH and hasattr(m.organisation, "se_team_of")
    ]


def municipalities_managed_by(user) -> list:
    return [
        m.organisation.se_team_of
        for m in memberships_of(user)
        if m.role == Role.MANAGER and hasattr(m.organisation, "se_team_of")
    ]


def seats_of(user, referral_group) -> list:
    """The seats (organisations) the user holds in a remittentgrupp."""
    return [
        member.seat
        for member in ReferralGroupMember.objects.filter(user=user, seat__referral_group=referral_group).select_related(
            "seat__organisation"
        )
    ]


def may_take_seat(user, seat) -> bool:
    """A member always represents an organisation, and consent is given per organisation: only a
    user holding the group-member role in the seat's organisation may sit in it."""
    return Membership.objects.filter(user=user, organisation=seat.organisation_id, role=Role.GROUP_MEMBER).exists()


# Persons and their cases.


@dataclass(frozen=True)
class PersonCases:
    """A feature app's records that belong to a person and to a municipality (a referral, an
    enrolment). `model` has `person` and `municipality` fields; `view_perm` is the grant that opens
    one; `open` selects those the SE team has received and still works on; `drafted_by(user)`
    selects those the user is writing and has not sent yet; `shown_as(user, person)` is the name
    the user's own case shows. Apps register theirs from AppConfig.ready(), lower layers first."""

    model: type[Model]
    view_perm: str
    open: Q
    drafted_by: Callable[..., Q] | None = None
    # The person's name as the user's own case of this kind shows it, or None without such a case.
    shown_as: Callable[..., str | None] | None = None
    # The cases the SE team has received, open or closed (a referral once submitted); all by default.
    received: Q = field(default_factory=Q)


_person_cases: list[PersonCases] = []


def register_person_cases(cases: PersonCases) -> None:
    if all(known.model is not cases.model for known in _person_cases):
        _person_cases.append(cases)


def persons_visible_to(user, *, in_municipalities: Iterable | None = None) -> QuerySet[Person]:
    """Persons with at least one case the user may see (through any grant), optionally only cases in
    `in_municipalities`. One query."""
    return Person.objects.filter(has_visible_case(user, "pk", in_municipalities=in_municipalities))


def has_visible_case(user, person: str = "person", *, in_municipalities: Iterable | None = None) -> Q:
    """persons_visible_to as a condition on the rows of another table (consents, by their `person`):
    whether the row's person has a case the user may see, checked per row from the case tables'
    person index. A page about one person asks of that person's rows only, instead of first
    gathering every person the user may see (bench/README.md#national-scale)."""
    found = Q(pk__in=[])
    for cases in _person_cases:
        visible = objects_for_user(user, cases.view_perm, cases.model._default_manager.filter(person=OuterRef(person)))
        if in_municipalities is not None:
            visible = visible.filter(municipality__in=list(in_municipalities))
        found |= Q(Exists(visible))
    return found


def name_shown_to(user, person) -> str | None:
    """The person's name as the user's own case shows it (an enrolment's before a referral's: the
    later stage of a case first), or None when the user has no case of theirs. A page about a
    person rather than a case (recording a consent) names them this way, so it shows no more than
    the case the user came from (docs/domain.md#identity-lookup)."""
    for cases in reversed(_person_cases):
        name = cases.shown_as(user, person) if cases.shown_as else None
        if name is not None:
            return name
    return None


def _has_open_case(person, municipalities: list) -> bool:
    """Whether the person has an open case (of any registered kind) in one of `municipalities`."""
    return bool(municipalities) and any(
        cases.model._default_manager.filter(cases.open, person=person, municipality__in=municipalities).exists()
        for cases in _person_cases
    )


def may_record_consent(user, person) -> bool:
    """The coach of a municipality where the person has an open case (a referral submitted and not
    withdrawn, an enrolment not ended, after a transfer too), or the writer of a referral of theirs that is still a
    draft (docs/domain.md#consent)."""
    if _has_open_case(person, municipalities_coached_by(user)):
        return True
    return any(
        cases.model._default_manager.filter(cases.drafted_by(user), person=person).exists()
        for cases in _person_cases
        if cases.drafted_by is not None
    )


def consent_case_municipality_ids(user, person) -> set[int]:
    """The municipalities of the person's cases for which the user records their consent, the cases
    may_record_consent counts: open ones in the municipalities the user coaches, and the user's own
    drafts. Their referral groups are the parties the consent is checked against (issue 14)."""
    ids: set[int] = set()
    coached = municipalities_coached_by(user)
    for cases in _person_cases:
        found = Q(cases.open, municipality__in=coached) if coached else Q(pk__in=[])
        if cases.drafted_by is not None:
            found |= cases.drafted_by(user)
        ids |= set(cases.model._default_manager.filter(found, person=person).values_list("municipality_id", flat=True))
    return ids


def may_withdraw_consent(user, consent) -> bool:
    """Whoever may record the person's consent records its withdrawal."""
    return may_record_consent(user, consent.person)


def may_see_identity(user, person, municipality=None) -> bool:
    """Name, address and number of a person with protected identity (skyddad identitet) are shown
    only to the coaches of the SE team responsible for them (of `municipality`, or when none is
    given, of any municipality where the person has an open case); anyone else sees the case
    reference (docs/domain.md#protected-identity)."""
    if not person.protected_identity:
        return True
    if municipality is not None:
        return is_coach_of(user, municipality)
    return _has_open_case(person, municipalities_coached_by(user))


def responsible_municipality_id(person) -> int | None:
    """The municipality whose SE team is responsible for the person: that of their latest case the
    team has received, the later stage first (an enrolment, where it is now, before a referral),
    open or closed. After a transfer it is the receiving municipality. Read once per person object;
    a page that read the person's latest case with its own record says so (`latest_case_municipality`)."""
    if _RESPONSIBLE not in person.__dict__:
        person.__dict__[_RESPONSIBLE] = _find_responsible_municipality_id(person)
    return person.__dict__[_RESPONSIBLE]


_RESPONSIBLE = "_responsible_municipality_id"


def _find_responsible_municipality_id(person) -> int | None:
    for cases in reversed(_person_cases):
        found = _latest_received(cases, person).values_list("municipality_id", flat=True).first()
        if found is not None:
            return found
    return None


def _latest_received(cases: PersonCases, person) -> QuerySet:
    return cases.model._default_manager.filter(cases.received, person=person).order_by("-pk")


def latest_case_municipality(model: type[Model]) -> Subquery:
    """For a query over the latest stage's cases (an enrolment): the municipality of the latest case
    of the row's person, which is the person's responsible municipality
    (`responsible_municipality_id`) whenever the row itself is a case the team received. Give it to
    `remember_responsible_municipality` with the row's person."""
    cases = _person_cases[-1]
    if cases.model is not model:
        raise ImproperlyConfigured(f"{model.__name__} is not the latest stage of a person's cases")
    return Subquery(_latest_received(cases, OuterRef("person_id")).values("municipality_id")[:1])


def remember_responsible_municipality(person, municipality_id: int | None) -> None:
    """What `latest_case_municipality` read for the person, so that no rule asks again."""
    if municipality_id is not None:
        person.__dict__[_RESPONSIBLE] = municipality_id


def is_responsible_coach(user, person) -> bool:
    """A coach of the SE team responsible for the person (responsible_municipality_id)."""
    municipality_id = responsible_municipality_id(person)
    return municipality_id is not None and any(m.pk == municipality_id for m in municipalities_coached_by(user))


def may_export_register_extract(user, person) -> bool:
    """The register extract (GDPR art. 15): a coach of the SE team responsible for the person, or an
    administrator; for a person with protected identity the responsible coach only, as no one else
    sees their identity (docs/domain.md#rights-of-the-registered)."""
    if is_responsible_coach(user, person):
        return True
    return has_role(user, Role.ADMINISTRATOR) and user.is_active and not person.protected_identity


def may_correct_person(user, person) -> bool:
    """Correcting the person's identity and contact details (GDPR art. 16): whoever may make their
    register extract (docs/domain.md#rights-of-the-registered)."""
    return may_export_register_extract(user, person)


# Referrals, pre-meetings, meetings and decisions.


def may_view_referral(user, referral) -> bool:
    return has_object_permission(user, "referrals.view_referral", referral)


def is_writer_of(user, referral) -> bool:
    """The referrer, or the coach who wrote the referral on the referrer's behalf."""
    return user.pk in (referral.referrer_id, referral.written_by_id)


def may_see_referral_identity(user, referral) -> bool:
    """A referral shows the person as its writer typed them, never the registry's row
    (docs/domain.md#identity-lookup). Who sees those identifying fields:
    - the coaches of the municipality it is sent to, the responsible SE team;
    - its writer, unless they marked the identity protected: what they see of a known person
      depends only on what they typed, so it tells them nothing about the person's other cases;
    - anyone else (the manager, the referral group) unless the identity is protected, as the
      writer marked it or as the registry knows it (docs/domain.md#protected-identity)."""
    if is_coach_of(user, referral.municipality):
        return True
    if is_writer_of(user, referral):
        return not referral.protected_identity
    return not referral.is_protected


def referral_identity_seen(user) -> Q:
    """may_see_referral_identity as a filter on referrals, for lists that sort and search by the
    person: the same three cases, in the database (tests/core/test_identity_rules.py holds them equal)."""
    coached = [municipality.pk for municipality in municipalities_coached_by(user)]
    writer = Q(referrer=user) | Q(written_by=user)
    return Q(municipality__in=coached) | (Q(protected_identity=False) & (writer | Q(person__protected_identity=False)))


def may_write_referral(user, *, municipality, referring_organisation, referrer) -> bool:
    """A referrer or coach refers for an organisation where they hold that role; a coach may also
    write for a referrer of another organisation, to their own municipality."""
    if referrer == user:
        return referring_organisation in organisations_with_role(user, Role.REFERRER, Role.COACH)
    return is_coach_of(user, municipality) and referring_organisation in organisations_with_role(
        referrer, Role.REFERRER
    )


def may_edit_referral(user, referral) -> bool:
    """Its writer while it is a draft; the municipality's coach while it is open. Submitting is
    editing's last step, so the same rule holds for it."""
    if referral.is_draft:
        return is_writer_of(user, referral)
    return referral.is_open and is_coach_of(user, referral.municipality)


def may_withdraw_referral(user, referral) -> bool:
    """Its writer, or the municipality's coach once it has been submitted. Whether its status still
    allows a withdrawal is the transition table's question (Referral.ALLOWED_TRANSITIONS)."""
    return is_writer_of(user, referral) or (not referral.is_draft and is_coach_of(user, referral.municipality))


def may_add_agency_decision(user, referral) -> bool:
    """Whoever may edit the referral, and the municipality's coach after enrolment: decisions on
    insats run out and are renewed while the person takes part."""
    return may_edit_referral(user, referral) or (referral.is_enrolled and is_coach_of(user, referral.municipality))


def may_hold_pre_meeting(user, referral) -> bool:
    """The coach of the municipality the referral is sent to books and records the pre-meeting."""
    return is_coach_of(user, referral.municipality)


def may_record_pre_meeting(user, pre_meeting) -> bool:
    return may_hold_pre_meeting(user, pre_meeting.referral)


def may_run_meetings(user, referral_group) -> bool:
    """The coach convenes the remittentgrupp of their municipality."""
    return is_coach_of(user, referral_group.municipality)


def may_run_meeting(user, meeting) -> bool:
    return may_run_meetings(user, meeting.referral_group)


def may_record_decision(user, item) -> bool:
    """The convening coach records the group's decision on an item."""
    return may_run_meetings(user, item.meeting.referral_group)


def may_respond_to_item(user, item) -> bool:
    """A member of the meeting's group whose organisation the person's consent covers (a grant on
    the referral follows from the consent)."""
    return bool(seats_of(user, item.meeting.referral_group)) and may_view_referral(user, item.referral)


def may_keep_calendar_feed(user) -> bool:
    """Those whose work has dates in the calendar feed (project/calendar.py): coaches, their managers
    and the members of a referral group."""
    return has_role(user, Role.COACH, Role.MANAGER, Role.GROUP_MEMBER)


def may_decide_escalation(user, decision) -> bool:
    """The manager of the municipality whose group could not agree."""
    return is_manager_of(user, decision.item.meeting.referral_group.municipality)


def may_raise_consultation(user, meeting) -> bool:
    """A member of the meeting's group (any seat) or the coach who convenes it raises a consultation
    question on its agenda (docs/domain.md#consultations)."""
    return may_run_meetings(user, meeting.referral_group) or bool(seats_of(user, meeting.referral_group))


def may_answer_consultation(user, consultation) -> bool:
    """The convening coach records the group's answer, as they record its decisions."""
    return may_run_meetings(user, consultation.meeting.referral_group)


def may_withdraw_consultation(user, consultation) -> bool:
    """Whoever raised the question, while they still sit in the group or convene it, or the convening coach."""
    if may_run_meetings(user, consultation.meeting.referral_group):
        return True
    return consultation.raised_by_id == user.pk and may_raise_consultation(user, consultation.meeting)


# Participants and transfers.


def may_open_participant(user, participant) -> bool:
    """The coaches and the manager of the participant's current municipality (the manager without
    the journal)."""
    return is_coach_of(user, participant.municipality) or is_manager_of(user, participant.municipality)


def may_read_journal(user, participant) -> bool:
    """The coach's notes are for the SE team's coaches only: not the manager, nor anyone else
    (docs/domain.md#journal)."""
    return is_coach_of(user, participant.municipality)


def may_work_on_participant(user, participant) -> bool:
    """A coach of the SE team of the participant's current municipality, holding the team's grant."""
    return is_coach_of(user, participant.municipality) and has_object_permission(
        user, "participants.change_participant", participant
    )


def may_work_on_record_of(user, record) -> bool:
    """An employment or an aftercare visit is case work on its participant."""
    return may_work_on_participant(user, record.participant)


def may_see_changes_of(user, participant) -> bool:
    """Who changed what in a participant's records: the SE team's coaches for their case, and the
    auditor, who follows up every change (DESIGN.md section 3)."""
    return has_role(user, Role.AUDITOR) or may_read_journal(user, participant)


def may_assign_coach(user, participant) -> bool:
    """A coach who works on the participant, or the manager of their municipality; either holding
    the team's grant."""
    return (
        may_work_on_participant(user, participant) or is_manager_of(user, participant.municipality)
    ) and has_object_permission(user, "participants.view_participant", participant)


def may_take_part_in_transfer(user, transfer) -> bool:
    """The handing-over and the receiving coach: either books the meeting or calls the transfer off."""
    return is_coach_of(user, transfer.from_municipality) or is_coach_of(user, transfer.to_municipality)


def may_receive_transfer(user, transfer) -> bool:
    """The receiving coach orders the transfer queue and accepts."""
    return is_coach_of(user, transfer.to_municipality)


# Reporting.


def may_report_on_every_municipality(user) -> bool:
    """The förbundschef sees the association's figures as a whole and each municipality's; a manager
    only their own municipality's (docs/domain.md#roles). Aggregates only, never a name."""
    return has_role(user, Role.DIRECTOR)


def may_adopt_report(user) -> bool:
    """The förbundschef adopts (fastställer) a half-year or year report, for every municipality at
    once (docs/domain.md#adopted-reports)."""
    return has_role(user, Role.DIRECTOR)


def may_record_survey(user, municipality) -> bool:
    """The municipality's coaches and manager type in the paper survey answers."""
    return is_coach_of(user, municipality) or is_manager_of(user, municipality)


def may_certify(user, municipality) -> bool:
    """The manager of the municipality certifies its half-year."""
    return is_manager_of(user, municipality)
