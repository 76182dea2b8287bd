"""Who holds a grant on a referral follows from the business state; this module makes it so.

- the referrer (a user grant) views their own referral from the start;
- the municipality's SE team (its organisation's group) views and changes it once submitted;
- each seat of the remittentgrupp that handles the case views it once it is on one of that group's
  agendas, but only when a consent in force covers the seat's organisation for discussion in the
  referral group. The group is the municipality's the referral was sent to, and after a transfer the
  participant's new municipality's: the receiving group's seats get it with their first item, the
  handing-over group's seats lose it (docs/domain.md#group-of-the-case);
- after a transfer the receiving SE team views it too (its coach puts the case on the agenda).

`sync_referral_access` is called inside the transaction of every service that changes one of
those facts (submit, agenda, a transfer accepted); a consent given or withdrawn reaches it through
the consent events this app subscribes to. It adds and removes grants by difference.
"""

from consent.models import Purpose
from consent.selectors import covered_organisation_ids
from sehoglandet import access
from sehoglandet.models import Organisation, ReferralGroupSeat

from . import selectors
from .models import Consultation, Referral, ReferralGroupObjectPermission

VIEW = "referrals.view_referral"
CHANGE = "referrals.change_referral"


def _wanted_group_perms(referral: Referral) -> set[tuple[int, str]]:
    wanted: set[tuple[int, str]] = set()
    if referral.status != Referral.Status.DRAFT and referral.municipality.se_team_id:
        team_group = referral.municipality.se_team.group_id
        wanted |= {(team_group, VIEW), (team_group, CHANGE)}
    group_municipality = selectors.group_municipality_id(referral)
    if group_municipality != referral.municipality_id:
        receiving_team = Organisation.objects.filter(se_team_of=group_municipality).values_list("group_id", flat=True)
        wanted |= {(group_id, VIEW) for group_id in receiving_team}
    on_agenda = referral.agenda_items.filter(meeting__referral_group__municipality=group_municipality).exists()
    if referral.status != Referral.Status.WITHDRAWN and on_agenda:
        covered = covered_organisation_ids(referral.person, Purpose.REFERRAL_GROUP)
        seats = ReferralGroupSeat.objects.filter(referral_group__municipality=group_municipality)
        wanted |= {(seat.group_id, VIEW) for seat in seats if seat.organisation_id in covered}
    return wanted


def sync_referral_access(referral: Referral) -> None:
    """Bring the group grants on `referral` in line with its state and the person's consent."""
    wanted = _wanted_group_perms(referral)
    current = {
        (group_id, f"referrals.{codename}")
        for group_id, codename in ReferralGroupObjectPermission.objects.filter(content_object=referral).values_list(
            "group_id", "permission__codename"
        )
    }
    access.add_grants(referral, groups=wanted - current)
    access.remove_grants(referral, groups=current - wanted)


def grant_referrer(referral: Referral) -> None:
    """The referrer, and a coach who wrote the referral on their behalf, see and edit their draft."""
    writers = {referral.referrer_id, referral.written_by_id}
    access.add_grants(referral, users={(user_id, perm) for user_id in writers for perm in (VIEW, CHANGE)})


def sync_person_access(person_id: int) -> None:
    """After a consent of the person changed: every referral of theirs."""
    for referral in Referral.objects.filter(person=person_id).select_related("municipality__se_team", "person"):
        sync_referral_access(referral)


def on_consent_changed(event) -> None:
    """Subscribed to consent given and withdrawn (referrals/apps.py): the seats it covers follow."""
    sync_person_access(event.person_id)


def grant_consultation(consultation: Consultation) -> None:
    """A consultation is read by the group it is raised in: each seat's group and the municipality's
    SE team (coaches and manager). It names no person, so no consent narrows it
    (docs/domain.md#consultations)."""
    referral_group = consultation.meeting.referral_group
    groups = [seat.group_id for seat in referral_group.seats.all()]
    se_team = referral_group.municipality.se_team
    if se_team is not None:
        groups.append(se_team.group_id)
    access.add_grants(consultation, groups={(group_id, "referrals.view_consultation") for group_id in groups})
