"""Which failed logins lock a user name: django-axes' AXES_LOCKOUT_PARAMETERS, computed per request.

The balance. Two counts, each with AXES_FAILURE_LIMIT (5) failures within AXES_COOLOFF_TIME (15
minutes), and a lock lasts that long after the last failure:

- per user name and address: 5 wrong passwords for one user name from one address lock that user
  name at that address. This applies everywhere.
- per user name, across every address: 5 wrong passwords for one user name, from however many
  addresses, lock that user name at every address the user is not known at. That stops someone
  who guesses one account's password from many addresses, which the first count alone lets through.

A known address is one the user has signed in from in the last LOCKOUT_KNOWN_ADDRESS_DAYS (90)
days: axes' own AccessLog records every successful login with its address. There only the first
count applies, so an attacker elsewhere can lock the user out of new places for as long as they keep
guessing, but never out of their usual office or home address, and the lock lifts on its own 15
minutes after the guessing stops.

A successful login clears the failures that its own parameters count (AXES_RESET_ON_SUCCESS). axes
records the login, which makes the address known, before it clears, so a login clears only that
address's failures and leaves an attacker's elsewhere standing.
"""

from datetime import timedelta

from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessBase, AccessLog
from django.conf import settings
from django.utils import timezone

PER_ADDRESS = ["username", "ip_address"]
ACROSS_ADDRESSES = "username"


def lockout_parameters(request_or_attempt, credentials: dict | None = None) -> list:
    """The counts that apply to this login attempt: both, or only the per-address one when the
    user name has signed in from this address before (or there is no user name to count by)."""
    if isinstance(request_or_attempt, AccessBase):
        username, address = request_or_attempt.username, request_or_attempt.ip_address
    else:
        username = get_client_username(request_or_attempt, credentials)
        address = getattr(request_or_attempt, "axes_ip_address", None) or get_client_ip_address(request_or_attempt)
    if not username or is_known_address(username, address):
        return [PER_ADDRESS]
    return [PER_ADDRESS, ACROSS_ADDRESSES]


def is_known_address(username: str, address: str | None) -> bool:
    """Whether `username` has signed in from `address` within the last LOCKOUT_KNOWN_ADDRESS_DAYS days."""
    if not address:
        return False
    since = timezone.now() - timedelta(days=settings.LOCKOUT_KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(username=username, ip_address=address, attempt_time__gte=since).exists()
