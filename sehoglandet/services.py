"""State changes to organisations, reference data, memberships, referral groups and persons.

Every function takes the acting user first, checks the policy in sehoglandet.access, changes the
rows inside one transaction, keeps the auth groups that mirror organisations in step, and
records the actor and a reason in the history.
"""

import hashlib
import secrets
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, events
from .events import CoreEvent
from .history import track
from .identity import parse_identity_number
from .models import (
    Association,
    CalendarFeed,
    Membership,
    Municipality,
    Organisation,
    Person,
    PersonCorrection,
    PurgeRun,
    ReferralGroup,
    ReferralGroupMember,
    ReferralGroupSeat,
    Role,
)

ADMINISTRATORS_GROUP = "Administratörer"

# What the administrator role may do in the Django admin: reference data and user accounts.
ADMINISTRATOR_PERMISSIONS = [
    ("auth", "user", ("add", "change", "view")),
    ("auth", "group", ("view",)),
    ("sehoglandet", "association", ("view",)),
    ("sehoglandet", "organisation", ("view",)),
    ("sehoglandet", "municipality", ("change", "view")),
    ("sehoglandet", "referralgroup", ("view",)),
    ("sehoglandet", "referralgroupseat", ("view",)),
    ("sehoglandet", "membership", ("add", "delete", "view")),
    ("sehoglandet", "referralgroupmember", ("add", "delete", "view")),
]

VIEW_REFERRAL_GROUP = "sehoglandet.view_referralgroup"


def _role_payload(membership: Membership) -> dict:
    return {"user": membership.user_id, "organisation": membership.organisation_id, "role": membership.role}


def _seat_payload(member: ReferralGroupMember) -> dict:
    return {"user": member.user_id, "seat": member.seat_id}


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_system_user() -> User:
    """The acting user of management commands: no password, cannot sign in."""
    user, created = User.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"first_name": "System", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def ensure_administrators_group() -> Group:
    group, _created = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    wanted = []
    for _app_label, model, actions in ADMINISTRATOR_PERMISSIONS:
        wanted += [f"{action}_{model}" for action in actions]
    perms = Permission.objects.filter(
        content_type__app_label__in={a for a, _m, _x in ADMINISTRATOR_PERMISSIONS}, codename__in=wanted
    )
    group.permissions.set(perms)
    return group


def _upsert(model, actor: User, changes: list, lookup: dict[str, Any], values: dict[str, Any]):
    """Create or update one row by its natural key, writing history only when something changed
    (and noting the change in `changes`)."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        track(instance, actor, CoreEvent.REFERENCE_DATA_LOADED)
        instance.full_clean()
        instance.save()
        changes.append(instance)
        return instance
    changed = [field for field, value in values.items() if getattr(instance, field) != value]
    if changed:
        for field in changed:
            setattr(instance, field, values[field])
        track(instance, actor, CoreEvent.REFERENCE_DATA_LOADED)
        instance.full_clean()
        instance.save(update_fields=changed)
        changes.append(instance)
    return instance


def _group_for(name: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    return group


def _seat_group_name(municipality: Municipality, organisation: Organisation) -> str:
    return f"Remittentgrupp {municipality.name} – {organisation.short_name}"


@transaction.atomic
def load_reference_data(*, actor: User, data: dict[str, Any]) -> dict[str, int]:
    """Create or update the association, its organisations, municipalities and referral groups.

    `data` has been validated by sehoglandet.reference_data.parse. Rows that the data no longer
    lists are left alone: retiring an organisation is an administrator's decision in the admin.
    Grants `view_referralgroup` on each group to the municipality's SE team and to every seat. One
    event is written when anything changed.
    """
    _check(access.may_administer(actor))
    changes: list = []
    association = _upsert(
        Association, actor, changes, {"code": data["association"]["code"]}, {"name": data["association"]["name"]}
    )
    organisations: dict[str, Organisation] = {}

    def upsert_organisation(spec: dict[str, Any], municipality: Municipality | None) -> Organisation:
        existing = Organisation.objects.filter(code=spec["code"]).select_related("group").first()
        group = existing.group if existing else _group_for(spec["name"])
        if existing and group.name != spec["name"]:
            group.name = spec["name"]
            group.save(update_fields=["name"])
        organisation = _upsert(
            Organisation,
            actor,
            changes,
            {"code": spec["code"]},
            {
                "association": association,
                "name": spec["name"],
                "short_name": spec["short_name"],
                "kind": spec["kind"],
                "municipality": municipality,
                "group": group,
            },
        )
        organisations[spec["code"]] = organisation
        return organisation

    for spec in data["organisations"]:
        upsert_organisation(spec, None)

    seats = 0
    for spec in data["municipalities"]:
        municipality = _upsert(
            Municipality,
            actor,
            changes,
            {"code": spec["code"]},
            {"name": spec["name"], "coach_fte_percent": spec["coach_fte_percent"]},
        )
        for unit in spec["units"]:
            upsert_organisation({**unit, "kind": Organisation.Kind.MUNICIPALITY}, municipality)
        se_team = organisations[spec["se_team"]]
        if municipality.se_team_id != se_team.pk:
            municipality.se_team = se_team
            track(municipality, actor, CoreEvent.REFERENCE_DATA_LOADED)
            municipality.save(update_fields=["se_team"])
            changes.append(municipality)

        referral_group = _upsert(ReferralGroup, actor, changes, {"municipality": municipality}, {})
        readers = {se_team.group_id}
        for code in spec["referral_group"]:
            organisation = organisations[code]
            seat = ReferralGroupSeat.objects.filter(referral_group=referral_group, organisation=organisation).first()
            if seat is None:
                seat = ReferralGroupSeat(
                    referral_group=referral_group,
                    organisation=organisation,
                    group=_group_for(_seat_group_name(municipality, organisation)),
                )
                track(seat, actor, CoreEvent.REFERENCE_DATA_LOADED)
                seat.save()
                changes.append(seat)
            readers.add(seat.group_id)
            seats += 1
        access.add_grants(referral_group, groups={(group_id, VIEW_REFERRAL_GROUP) for group_id in readers})

    ensure_administrators_group()
    if changes:
        events.record(actor=actor, code=CoreEvent.REFERENCE_DATA_LOADED, payload={"rows_changed": len(changes)})
    return {
        "organisations": len(organisations),
        "municipalities": len(data["municipalities"]),
        "seats": seats,
    }


@transaction.atomic
def update_municipality(*, actor: User, municipality: Municipality, coach_fte_percent: int) -> Municipality:
    """Change a municipality's coach FTE, which sets its capacity (20 participants per full-time post)."""
    _check(access.may_administer(actor))
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    before = municipality.coach_fte_percent
    municipality.coach_fte_percent = coach_fte_percent
    track(municipality, actor, CoreEvent.FTE_CHANGED)
    municipality.full_clean()
    municipality.save(update_fields=["coach_fte_percent"])
    events.record(
        actor=actor,
        code=CoreEvent.FTE_CHANGED,
        record=municipality,
        payload={"from": before, "to": coach_fte_percent},
    )
    return municipality


def _sync_staff(user: User, actor: User, code: str) -> None:
    """Administrators, and only they, are staff and in the administrators' group."""
    is_admin = Membership.objects.filter(user=user, role=Role.ADMINISTRATOR).exists()
    group = ensure_administrators_group()
    if is_admin:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    access.forget_cached_access(user)
    if user.is_staff != is_admin:
        user.is_staff = is_admin
        track(user, actor, code)
        user.save(update_fields=["is_staff"])


@transaction.atomic
def add_membership(*, actor: User, user: User, organisation: Organisation, role: str) -> Membership:
    """Give `user` a role in `organisation` and put them in the organisation's group."""
    _check(access.may_administer(actor))
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is not None:
        return membership
    membership = Membership(user=user, organisation=organisation, role=role)
    track(membership, actor, CoreEvent.ROLE_GIVEN)
    membership.full_clean()
    membership.save()
    user.groups.add(organisation.group)
    access.forget_cached_access(user)
    _sync_staff(user, actor, CoreEvent.ROLE_GIVEN)
    events.record(actor=actor, code=CoreEvent.ROLE_GIVEN, record=membership, payload=_role_payload(membership))
    return membership


@transaction.atomic
def set_coach_share(*, actor: User, membership: Membership, fte_percent: int) -> Membership:
    """Set a coach's share of a full-time post (0–100 %), which sets the participants they carry
    (20 per full-time post, docs/domain.md#capacity). Only a coach's membership has a share."""
    _check(access.may_administer(actor))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role != Role.COACH:
        raise ValidationError({"fte_percent": _("Only a coach has a share of a post.")})
    before = membership.fte_percent
    if before == fte_percent:
        return membership
    membership.fte_percent = fte_percent
    membership.full_clean()
    track(membership, actor, CoreEvent.COACH_SHARE_CHANGED)
    membership.save(update_fields=["fte_percent"])
    events.record(
        actor=actor,
        code=CoreEvent.COACH_SHARE_CHANGED,
        record=membership,
        payload={**_role_payload(membership), "from": before, "to": fte_percent},
    )
    return membership


@transaction.atomic
def create_administrator(*, actor: User, username: str, email: str = "", first_name: str = "", last_name: str = ""):
    """The first administrator of an install, or one more: a new user (without a password until one
    is set with `manage.py changepassword`) or an existing one, given the administrator role in the
    association. Returns (user, created). Needs the reference data, which holds the association."""
    _check(access.may_administer(actor))
    association = Organisation.objects.filter(kind=Organisation.Kind.ASSOCIATION).order_by("pk").first()
    if association is None:
        raise ValidationError(
            _("There is no association yet: load the reference data first (manage.py load_reference_data).")
        )
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        track(user, actor, CoreEvent.ADMINISTRATOR_CREATED)
        user.save()
        events.record(actor=actor, code=CoreEvent.ADMINISTRATOR_CREATED, record=user)
    add_membership(actor=actor, user=user, organisation=association, role=Role.ADMINISTRATOR)
    return user, created


@transaction.atomic
def remove_membership(*, actor: User, membership: Membership) -> None:
    """Take a role away. The user leaves the organisation's group when no role there is left,
    and every referral-group seat of that organisation when no group-member role is left."""
    _check(access.may_administer(actor))
    user, organisation = membership.user, membership.organisation
    payload = _role_payload(membership)
    track(membership, actor, CoreEvent.ROLE_REMOVED)
    events.record(actor=actor, code=CoreEvent.ROLE_REMOVED, record=membership, payload=payload)
    membership.delete()
    remaining = set(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))
    if not remaining:
        user.groups.remove(organisation.group)
    access.forget_cached_access(user)
    if Role.GROUP_MEMBER not in remaining:
        for member in ReferralGroupMember.objects.filter(user=user, seat__organisation=organisation):
            remove_referral_group_member(actor=actor, member=member)
    _sync_staff(user, actor, CoreEvent.ROLE_REMOVED)


def check_may_take_seat(*, seat: ReferralGroupSeat, user: User) -> None:
    """Refuse, with the reason, a seat the user may not take (access.may_take_seat)."""
    if not access.may_take_seat(user, seat):
        raise ValidationError(
            _("%(user)s must have the role group member in %(organisation)s before taking a seat.")
            % {"user": user.get_full_name() or user.username, "organisation": seat.organisation.name}
        )


@transaction.atomic
def add_referral_group_member(*, actor: User, seat: ReferralGroupSeat, user: User) -> ReferralGroupMember:
    """Seat `user` in a remittentgrupp for the seat's organisation.

    The user must hold the group-member role in that organisation: a member always represents
    an organisation, and consent is given per organisation.
    """
    _check(access.may_administer(actor))
    check_may_take_seat(seat=seat, user=user)
    member = ReferralGroupMember.objects.filter(seat=seat, user=user).first()
    if member is not None:
        return member
    member = ReferralGroupMember(seat=seat, user=user)
    track(member, actor, CoreEvent.SEAT_GIVEN)
    member.save()
    user.groups.add(seat.group)
    access.forget_cached_access(user)
    events.record(actor=actor, code=CoreEvent.SEAT_GIVEN, record=member, payload=_seat_payload(member))
    return member


@transaction.atomic
def remove_referral_group_member(*, actor: User, member: ReferralGroupMember) -> None:
    """Take a user's seat away; the grants of the seat's group stop reaching them at once."""
    _check(access.may_administer(actor))
    user, seat = member.user, member.seat
    track(member, actor, CoreEvent.SEAT_REMOVED)
    events.record(actor=actor, code=CoreEvent.SEAT_REMOVED, record=member, payload=_seat_payload(member))
    member.delete()
    user.groups.remove(seat.group)
    access.forget_cached_access(user)


# Persons


def _next_reserve_identity() -> str:
    """A reserve identity for someone without personnummer or samordningsnummer: R-<year>-<serial>."""
    prefix = f"R-{timezone.localdate().year}-"
    last = (
        Person.objects.filter(reserve_identity__startswith=prefix)
        .order_by("-reserve_identity")
        .values_list("reserve_identity", flat=True)
        .first()
    )
    return f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:05d}"


@transaction.atomic
def find_or_create_person(*, actor: User, identity_number: str = "", **details) -> tuple[Person, bool]:
    """The person with this personnummer or samordningsnummer, or a new one from `details`.

    An existing person is returned unchanged: whoever refers someone already known learns nothing
    about earlier cases and cannot overwrite what the coach has recorded. Without a number a new
    person with a reserve identity is created; `details` must then hold the date of birth.
    Whoever writes referrals may register a person (referrers, coaches, the system user).
    """
    _check(access.may_register_person(actor))
    if identity_number:
        parsed = parse_identity_number(identity_number)
        existing = Person.objects.select_for_update().filter(identity_number=parsed.digits).first()
        if existing is not None:
            return existing, False
        person = Person(
            identity_number=parsed.digits,
            identity_kind=(
                Person.IdentityKind.SAMORDNINGSNUMMER
                if parsed.is_coordination_number
                else Person.IdentityKind.PERSONNUMMER
            ),
            birth_date=parsed.birth_date,
            **{key: value for key, value in details.items() if key != "birth_date"},
        )
    else:
        if not details.get("birth_date"):
            raise ValidationError({"birth_date": _("Give the date of birth for a person without a number.")})
        person = Person(identity_kind=Person.IdentityKind.RESERVE, reserve_identity=_next_reserve_identity(), **details)
    track(person, actor, CoreEvent.PERSON_REGISTERED)
    person.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Someone registered the same number a moment ago (two "Ny remiss" posts at once): the
        # unique index made this insert wait for theirs; link to their row, as for a known person.
        if not identity_number:
            raise
        return Person.objects.select_for_update().get(identity_number=person.identity_number), False
    events.record(actor=actor, code=CoreEvent.PERSON_REGISTERED, record=person, person=person)
    return person, True


# The identity and contact fields a correction may change (GDPR art. 16), as Person names them.
CORRECTABLE_FIELDS = [
    "identity_number",
    "first_name",
    "last_name",
    "gender",
    "phone",
    "email",
    "street_address",
    "postal_code",
    "city",
    "municipality",
    "protected_identity",
]


ANOTHER_PERSONS_NUMBER = gettext_lazy(
    "Another person in the register has this number. A wrong number usually means that the records are about "
    "another person, so the number has not been changed."
)


def _set_identity_number(person: Person, value: str) -> list[str]:
    """Give the person the number `value` (checked as the referral form checks it), with the kind and
    birth date it carries; a reserve identity gives way to it. Answers the fields that changed."""
    value = (value or "").strip()
    if not value:
        return []
    try:
        parsed = parse_identity_number(value)
    except ValidationError as error:
        raise ValidationError({"identity_number": error.messages}) from None
    if parsed.digits == person.identity_number:
        return []
    if Person.objects.filter(identity_number=parsed.digits).exclude(pk=person.pk).exists():
        raise ValidationError({"identity_number": str(ANOTHER_PERSONS_NUMBER)})
    person.identity_number = parsed.digits
    person.reserve_identity = None
    person.identity_kind = (
        Person.IdentityKind.SAMORDNINGSNUMMER if parsed.is_coordination_number else Person.IdentityKind.PERSONNUMMER
    )
    changed = ["identity_number"]
    if person.birth_date != parsed.birth_date:
        person.birth_date = parsed.birth_date
        changed.append("birth_date")
    return changed


@transaction.atomic
def correct_person(*, actor: User, person: Person, changes: dict[str, Any], reason: str) -> PersonCorrection:
    """Correct the person's identity and contact details (rättelse, GDPR art. 16) and record why.

    `changes` maps names from CORRECTABLE_FIELDS to new values; a value equal to the current one is
    no change. A new personnummer or samordningsnummer is checked as the referral form checks it,
    brings its birth date and kind with it, and is refused when it belongs to another person.
    Refuses an empty reason and a correction that changes nothing. The person's history gets the
    new values with the event code as its reason; the case event lists the changed field names only;
    the reason is kept in a PersonCorrection. The copies that referrals keep of the person as
    their writer typed them are the referrals app's to follow (it subscribes to the event).
    Allowed to the responsible coach and the administrator (access.may_correct_person).
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check(access.may_correct_person(actor, person))
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not a correctable field: {sorted(unknown)}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    changed: list[str] = []
    for name, value in changes.items():
        if name == "identity_number":
            changed += _set_identity_number(person, value)
            continue
        attname = Person._meta.get_field(name).attname
        value = value.pk if isinstance(value, Municipality) else value
        if isinstance(value, str):
            value = value.strip()
        if getattr(person, attname) != value:
            setattr(person, attname, value)
            changed.append(name)
    if not changed:
        raise ValidationError(_("Nothing was corrected: every field has the value it had."))
    person.full_clean(validate_unique=False)
    track(person, actor, CoreEvent.PERSON_CORRECTED)
    update_fields = [Person._meta.get_field(name).name for name in changed]
    if "identity_number" in changed:
        update_fields += ["identity_kind", "reserve_identity"]
    try:
        with transaction.atomic():
            person.save(update_fields=update_fields)
    except IntegrityError:
        # The same number registered for someone else a moment ago.
        raise ValidationError({"identity_number": str(ANOTHER_PERSONS_NUMBER)}) from None
    correction = PersonCorrection(person=person, fields=changed, reason=reason, corrected_by=actor)
    track(correction, actor, CoreEvent.PERSON_CORRECTED)
    correction.save()
    events.record(
        actor=actor, code=CoreEvent.PERSON_CORRECTED, record=person, person=person, payload={"fields": changed}
    )
    return correction


@transaction.atomic
def record_register_extract(*, actor: User, person: Person):
    """Record that a register extract (GDPR art. 15) of the person was made: one case event. The view
    that makes it also writes the access-log row (an export). Allowed to whoever may make it
    (access.may_export_register_extract)."""
    _check(access.may_export_register_extract(actor, person))
    return events.record(actor=actor, code=CoreEvent.REGISTER_EXTRACT_MADE, record=person, person=person)


# The retention purge's record for the auditor (docs/domain.md#retention). The purge itself deletes
# records of every layer, so it lives in the project layer (project/retention.py).


@transaction.atomic
def start_purge_run(*, actor: User, dry_run: bool) -> PurgeRun:
    """Record that a purge (or a dry run) starts, with the retention periods in force."""
    _check(access.may_purge(actor))
    run = PurgeRun(
        dry_run=dry_run,
        started_by=actor,
        referral_months=settings.RETENTION_REFERRAL_MONTHS,
        participant_months=settings.RETENTION_PARTICIPANT_MONTHS,
    )
    track(run, actor, CoreEvent.PURGE_STARTED)
    run.save()
    events.record(actor=actor, code=CoreEvent.PURGE_STARTED, record=run, payload={"dry_run": dry_run})
    return run


def add_to_purge_run(*, run: PurgeRun, counts: dict[str, int], persons: int = 1) -> None:
    """Count one more person (or `persons`; none for what belongs to no one, such as a consultation's
    texts) and their rows, in the caller's transaction: the purge calls it in the
    transaction that deletes the person, so the run never counts what was rolled back. A counter
    update, without a history row of its own; the run's history has its start and its end."""
    current = PurgeRun.objects.select_for_update().get(pk=run.pk)
    merged = Counter(current.counts)
    merged.update(counts)
    PurgeRun.objects.filter(pk=run.pk).update(persons=F("persons") + persons, counts=dict(merged))


@transaction.atomic
def finish_purge_run(*, actor: User, run: PurgeRun) -> PurgeRun:
    """Mark the run finished; what it counted is in the row already."""
    _check(access.may_purge(actor))
    run.refresh_from_db()
    run.finished_at = timezone.now()
    track(run, actor, CoreEvent.PURGE_FINISHED)
    run.save(update_fields=["finished_at"])
    events.record(
        actor=actor,
        code=CoreEvent.PURGE_FINISHED,
        record=run,
        payload={"dry_run": run.dry_run, "persons": run.persons},
    )
    return run


@transaction.atomic
def reset_second_factor(*, actor: User, user: User) -> int:
    """Remove every authenticator app (added or half-added) and every recovery code of `user`, who
    then adds an app again at their next sign-in; a session they verified with a device ends its
    verification at once (django-otp looks the device up on every request). For a lost or new phone.

    Administrators only (access.may_reset_second_factor). Writes a history row on the account and the
    event, with how many devices went. Returns that number. The caller tells the user, who should
    sign in soon: until they add an app, whoever knows their password could add one."""
    _check(access.may_reset_second_factor(actor, user))
    user = User.objects.select_for_update().get(pk=user.pk)
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        _count, by_model = model.objects.filter(user=user).delete()
        removed += by_model.get(model._meta.label, 0)
    track(user, actor, CoreEvent.SECOND_FACTOR_RESET)
    user.save(update_fields=["last_login"])
    events.record(
        actor=actor, code=CoreEvent.SECOND_FACTOR_RESET, record=user, payload={"user": user.pk, "devices": removed}
    )
    return removed


def calendar_token_hash(token: str) -> str:
    """How a calendar address's token is kept: its SHA-256, so the database holds no working address."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def make_calendar_feed(*, actor: User) -> str:
    """Make the user's own secret calendar address, or a new one in place of the old, which stops
    working at once. Returns the token, which is kept only as a hash: the caller shows it this once."""
    _check(access.may_keep_calendar_feed(actor))
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first() or CalendarFeed(user=actor)
    feed.token_hash = calendar_token_hash(token)
    feed.made_at = timezone.now()
    track(feed, actor, CoreEvent.CALENDAR_FEED_MADE)
    feed.save()
    events.record(actor=actor, code=CoreEvent.CALENDAR_FEED_MADE, record=feed)
    return token


@transaction.atomic
def stop_calendar_feed(*, actor: User) -> bool:
    """Turn the user's calendar address off (the address answers 404 from now on). False if there was none."""
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None:
        return False
    track(feed, actor, CoreEvent.CALENDAR_FEED_STOPPED)
    events.record(actor=actor, code=CoreEvent.CALENDAR_FEED_STOPPED, record=feed)
    feed.delete()
    return True
