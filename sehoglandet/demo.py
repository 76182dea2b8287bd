"""Demo users for every role, for trying the app locally. Never run in production (DEBUG only).

All names are fictional.
"""

from django.contrib.auth.models import User
from django.db import transaction

from . import services
from .events import CoreEvent
from .history import track
from .models import Organisation, ReferralGroupSeat, Role

DEMO_PASSWORD = "demo-2026"

# username, first name, last name, organisation code, role, seat in the referral group of
DEMO_USERS = [
    ("coach.nassjo", "Maja", "Lindqvist", "nassjo-se", Role.COACH, None),
    ("chef.nassjo", "Per", "Sandberg", "nassjo-se", Role.MANAGER, None),
    ("bistand.nassjo", "Elin", "Holm", "nassjo-bistand", Role.GROUP_MEMBER, "nassjo"),
    ("af.nassjo", "Omar", "Rashid", "af", Role.GROUP_MEMBER, "nassjo"),
    ("fk.nassjo", "Karin", "Ek", "fk", Role.GROUP_MEMBER, "nassjo"),
    ("region.nassjo", "Jonas", "Wik", "region-psykiatri", Role.GROUP_MEMBER, "nassjo"),
    ("coach.eksjo", "Sara", "Nyberg", "eksjo-se", Role.COACH, None),
    ("chef.eksjo", "Anders", "Falk", "eksjo-se", Role.MANAGER, None),
    ("fk.eksjo", "Lena", "Strand", "fk", Role.GROUP_MEMBER, "eksjo"),
    ("referrer.af", "Amir", "Haddad", "af", Role.REFERRER, None),
    ("forbundschef", "Ingrid", "Björk", "forbundet", Role.DIRECTOR, None),
    ("auditor", "Tove", "Lund", "forbundet", Role.AUDITOR, None),
    ("admin", "Erik", "Dahl", "forbundet", Role.ADMINISTRATOR, None),
]


# Demo logins that are no test persona (tests/conftest.py builds the personas from DEMO_USERS only):
# username, first name, last name, organisation code, role, share of a full-time post (%).
# Nässjö's 180 % of coach posts (36 places, docs/domain.md#capacity) = Maja's 100 % + Ali's 80 %.
DEMO_ONLY_USERS = [
    ("coach2.nassjo", "Ali", "Berglund", "nassjo-se", Role.COACH, 80),
]


def _demo_user(actor: User, username: str, first: str, last: str) -> User:
    """The demo account, created or with the demo password restored."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.se")
        user.set_password(DEMO_PASSWORD)
        track(user, actor, CoreEvent.DEMO_USER_CREATED)
        user.save()
    elif not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        track(user, actor, CoreEvent.DEMO_PASSWORD_RESTORED)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def create_demo_users() -> list[tuple[str, str]]:
    """Create or refresh the demo users, their roles and seats. Returns (username, description) pairs."""
    actor = services.get_system_user()
    organisations = {o.code: o for o in Organisation.objects.all()}
    created = []
    for username, first, last, org_code, role, seat_of in DEMO_USERS:
        organisation = organisations[org_code]
        user = _demo_user(actor, username, first, last)
        services.add_membership(actor=actor, user=user, organisation=organisation, role=role)
        if seat_of:
            seat = ReferralGroupSeat.objects.get(referral_group__municipality__code=seat_of, organisation=organisation)
            services.add_referral_group_member(actor=actor, seat=seat, user=user)
        created.append((username, f"{Role(role).label}, {organisation.name}"))
    return created


@transaction.atomic
def create_demo_only_users() -> list[tuple[str, str]]:
    """Create or refresh the demo logins that are no test persona, with their share of a post.
    Returns (username, description) pairs."""
    actor = services.get_system_user()
    created = []
    for username, first, last, org_code, role, fte_percent in DEMO_ONLY_USERS:
        organisation = Organisation.objects.get(code=org_code)
        user = _demo_user(actor, username, first, last)
        membership = services.add_membership(actor=actor, user=user, organisation=organisation, role=role)
        services.set_coach_share(actor=actor, membership=membership, fte_percent=fte_percent)
        created.append((username, f"{Role(role).label} {fte_percent} %, {organisation.name}"))
    return created


def is_demo_login(username: str) -> bool:
    return username in {row[0] for row in (*DEMO_USERS, *DEMO_ONLY_USERS)}
