"""The access policy: who may do what, in one place.

Two questions are answered here and nowhere else:
- which roles a user holds (from Membership rows), and so which pages they may open;
- whether a user may act on one object, from django-guardian grants to the user or to the
  groups that mirror their organisations. Model-level permissions and superuser status never
  open a record (accept_global_perms=False, with_superuser=False).

Views declare who may use them with @require_roles(...) or @for_any_user; a test walks the
URLconf and fails on a view that declares nothing.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import Membership, Role

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


def may_register_person(user) -> bool:
    """Whoever writes referrals registers the person referred: referrers and coaches, and the system user."""
    return is_system_user(user) or has_role(user, Role.REFERRER, Role.COACH)


def may_use_admin(user) -> bool:
    return user.is_active and user.is_staff and has_role(user, Role.ADMINISTRATOR)


def may_view_access_log(user) -> bool:
    return has_role(user, Role.AUDITOR)


def objects_for_user(user, perm: str, queryset: QuerySet) -> QuerySet:
    """The objects of `queryset` on which `user` holds `perm` through a grant, filtered in the database."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    return get_objects_for_user(
        user,
        perm,
        klass=queryset,
        accept_global_perms=False,
        with_superuser=False,
    )


def has_object_permission(user, perm: str, obj: Model) -> bool:
    return objects_for_user(user, perm, type(obj)._default_manager.filter(pk=obj.pk)).exists()


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


# Referrals, consent and participants. Record-level visibility comes from guardian grants (see
# referrals/grants.py); these rules add what the role in the owning municipality allows.


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


def may_view_referral(user, referral) -> bool:
    return has_object_permission(user, "referrals.view_referral", referral)


def may_edit_referral(user, referral) -> bool:
    """The referrer while it is a draft; the municipality's coach while it is open."""
    from referrals.models import Referral

    if referral.status == Referral.Status.DRAFT:
        return referral.referrer_id == user.pk or referral.written_by_id == user.pk
    return referral.status in Referral.OPEN_STATUSES and is_coach_of(user, referral.municipality)


def may_add_agency_decision(user, referral) -> bool:
    """Whoever may edit the referral, and the municipality's coach after enrolment: decisions on
    insats run out and are renewed while the person takes part."""
    from referrals.models import Referral

    return may_edit_referral(user, referral) or (
        referral.status == Referral.Status.ENROLLED and is_coach_of(user, referral.municipality)
    )


def may_record_consent(user, person) -> bool:
    """The coach of a municipality the person is referred to or enrolled in (after a transfer too),
    or the writer of an open referral of theirs."""
    from participants.models import Participant
    from referrals.models import Referral

    referrals = Referral.objects.filter(person=person).exclude(status=Referral.Status.WITHDRAWN)
    for referral in referrals.select_related("municipality"):
        if is_coach_of(user, referral.municipality) or (
            referral.status == Referral.Status.DRAFT and user.pk in (referral.referrer_id, referral.written_by_id)
        ):
            return True
    enrolments = Participant.objects.filter(person=person).exclude(status=Participant.Status.EXITED)
    return any(is_coach_of(user, enrolment.municipality) for enrolment in enrolments.select_related("municipality"))


def may_run_meetings(user, referral_group) -> bool:
    """The coach convenes the remittentgrupp of their municipality."""
    return is_coach_of(user, referral_group.municipality)


def seats_of(user, referral_group) -> list:
    """The seats (organisations) the user holds in a remittentgrupp."""
    from .models import ReferralGroupMember

    return [
        member.seat
        for member in ReferralGroupMember.objects.filter(user=user, seat__referral_group=referral_group).select_related(
            "seat__organisation"
        )
    ]


def may_see_identity(user, person, municipality) -> bool:
    """Name, address and number of a person with protected identity (skyddad identitet) are shown
    only to the coaches of the SE team responsible for them; anyone else sees the case reference."""
    return not person.protected_identity or is_coach_of(user, municipality)
