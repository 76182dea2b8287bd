"""May organisation X see person P for purpose Y on day D? Answered here, in the database."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from sehoglandet import access
from sehoglandet.models import Membership, Organisation, Person, ReferralGroup

from .models import Consent, Purpose


def valid_on(day: date) -> Q:
    """Consents in force on `day`: given, not expired, not withdrawn."""
    return Q(given_on__lte=day, valid_until__gte=day) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


def consents_of(person: Person) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(person=person)
        .select_related("recorded_by", "withdrawal_recorded_by")
        .prefetch_related("organisations")
    )


def covered_organisation_ids(person: Person, purpose: Purpose, day: date | None = None) -> set[int]:
    """Ids of the organisations a consent in force on `day` covers for `purpose` (one query)."""
    day = day or timezone.localdate()
    through = Consent.organisations.through
    return set(
        through.objects.filter(consent__person=person, **{f"consent__{purpose.field}": True})
        .filter(consent__in=Consent.objects.filter(valid_on(day)))
        .values_list("organisation_id", flat=True)
    )


def missing_consent(
    person: Person, organisations: list[Organisation], purpose: Purpose, day: date | None = None
) -> list[Organisation]:
    """The organisations of `organisations` that no consent in force covers for `purpose`."""
    covered = covered_organisation_ids(person, purpose, day)
    return [organisation for organisation in organisations if organisation.pk not in covered]


def parties_left_out(
    person: Person,
    referral_groups: list[ReferralGroup],
    *,
    choice: tuple[list[Organisation], list[Purpose]] | None = None,
    among: QuerySet[Consent] | None = None,
    day: date | None = None,
) -> list[Organisation]:
    """The parties of the referral groups (their seats' organisations, such as the Region) that no
    consent in force on `day` covers for discussion in the group: they will not see the case before
    the meeting. `choice` (organisations, purposes) counts a consent not yet recorded as if it were;
    `among` counts only those consents, so a user who may not see the person's other consents
    learns nothing of them (DESIGN.md §6). The one answer for the consent form, its message and the
    referral page (issue 14, point 2). One query."""
    consents = Consent.objects.filter(valid_on(day or timezone.localdate()), person=person)
    consents = consents.filter(**{Purpose.REFERRAL_GROUP.field: True})
    if among is not None:
        consents = consents & among
    covered = Consent.organisations.through.objects.filter(consent__in=consents).values("organisation_id")
    chosen = set()
    if choice is not None and Purpose.REFERRAL_GROUP in choice[1]:
        chosen = {organisation.pk for organisation in choice[0]}
    parties = (
        Organisation.objects.filter(seats__referral_group__in=referral_groups)
        .exclude(pk__in=covered)
        .distinct()
        .order_by("name")
    )
    return [organisation for organisation in parties if organisation.pk not in chosen]


def consents_visible_to(user) -> QuerySet[Consent]:
    """Consents the user may see. The SE team (coaches and manager), of a person with a case in
    their municipality: the consents that cover the team or that someone of the team recorded, so
    not those of the person's cases elsewhere (docs/domain.md#identity-lookup). Anyone else: only
    the consents they recorded themselves, of a person whose case they can see. The referral page
    lists these, and the consent pages open only these.

    Each condition is checked per consent row, so a page that asks for one person's consents
    (`consents_of(person) & consents_visible_to(user)`) reads that person's rows only."""
    own = Q(recorded_by=user) & access.has_visible_case(user)
    municipalities = [*access.municipalities_coached_by(user), *access.municipalities_managed_by(user)]
    if not municipalities:
        return Consent.objects.filter(own)
    teams = [municipality.se_team_id for municipality in municipalities]
    through = Consent.organisations.through
    covers_the_team = Exists(through.objects.filter(consent=OuterRef("pk"), organisation__in=teams))
    recorded_by_the_team = Exists(Membership.objects.filter(user=OuterRef("recorded_by"), organisation__in=teams))
    of_the_team = Q(covers_the_team | recorded_by_the_team) & access.has_visible_case(
        user, in_municipalities=municipalities
    )
    return Consent.objects.filter(of_the_team | own)


def get_consent_for_user(user, pk: int) -> Consent:
    """One consent, or 404 for anyone consents_visible_to does not reach."""
    consent = consents_visible_to(user).select_related("person").filter(pk=pk).first()
    if consent is None:
        raise Http404
    return consent


def consents_for_register_extract(person: Person) -> list[Consent]:
    """Every consent of the person, oldest first, with its organisations: the consent app's part of
    the register extract (GDPR art. 15). Two queries."""
    return list(Consent.objects.filter(person=person).order_by("given_on", "id").prefetch_related("organisations"))
