"""Persons and enrolments. Every function takes the acting user first and runs in one transaction."""

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from sehoglandet.history import track
from sehoglandet.models import Municipality

from .identity import parse_identity_number
from .models import Participant, Person

ACTIVE_STATUSES = [Participant.Status.ACTIVE, Participant.Status.AFTERCARE]


def next_reserve_identity() -> str:
    """A reserve identity for someone without personnummer or samordningsnummer: R-<year>-<serial>."""
    prefix = f"R-{date.today().year}-"
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
    """
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
        person = Person(identity_kind=Person.IdentityKind.RESERVE, reserve_identity=next_reserve_identity(), **details)
    track(person, actor, _("Person registered"))
    person.full_clean()
    person.save()
    return person, True


def active_count(municipality: Municipality) -> int:
    return Participant.objects.filter(municipality=municipality, status__in=ACTIVE_STATUSES).count()


def capacity_use(municipalities: list[Municipality]) -> dict[int, dict[str, int]]:
    """Active and queued participants per municipality, in one query."""
    rows = (
        Participant.objects.filter(municipality__in=municipalities)
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


def enrol(*, actor: User, referral, decided_on: date) -> Participant:
    """Enrol the referred person: active when the municipality has room, otherwise in the queue.

    Called by the decision services inside their transaction; locks the municipality row so two
    enrolments at once cannot both take the last place.
    """
    municipality = Municipality.objects.select_for_update().get(pk=referral.municipality_id)
    has_room = active_count(municipality) < municipality.capacity
    participant = Participant(
        person=referral.person,
        municipality=municipality,
        referral=referral,
        status=Participant.Status.ACTIVE if has_room else Participant.Status.QUEUED,
        decided_on=decided_on,
        started_on=decided_on if has_room else None,
        age_at_decision=referral.person.age_on(decided_on),
    )
    track(participant, actor, _("Enrolled by the referral group"))
    participant.full_clean()
    participant.save()
    assign_perm("participants.view_participant", municipality.se_team.group, participant)
    assign_perm("participants.change_participant", municipality.se_team.group, participant)
    return participant
