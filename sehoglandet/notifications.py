"""E-mail that tells people something waits for them: a link and a case reference, never a name or any
other personal data (DESIGN.md §6), sent only once the transaction that caused it has committed
(docs/operations.md#notifications). The services decide when; this module says to whom and how."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from .models import Membership, Municipality, Role


def team_addresses(municipality: Municipality, role: str) -> list[str]:
    """The e-mail addresses of the active users holding `role` (Role.COACH, Role.MANAGER) in the
    municipality's SE team, each once."""
    if municipality.se_team_id is None:
        return []
    return sorted(
        set(
            Membership.objects.filter(organisation_id=municipality.se_team_id, role=role, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def coach_addresses(municipality: Municipality) -> list[str]:
    return team_addresses(municipality, Role.COACH)


def manager_addresses(municipality: Municipality) -> list[str]:
    return team_addresses(municipality, Role.MANAGER)


def link(path: str) -> str:
    """An address of this site for an e-mail (SITE_URL, checked by `manage.py check --deploy`)."""
    return settings.SITE_URL.rstrip("/") + path


def send_after_commit(addresses: list[str], subject: str, body: str) -> None:
    """One message to each address (no one sees who else got it), sent after the caller's transaction
    commits: a rolled-back change sends nothing."""
    if not addresses:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
