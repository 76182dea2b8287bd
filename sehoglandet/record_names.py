"""How the core's records are named on the auditor's pages (sehoglandet.records), and where a
person's own history rows are. Registered from CoreConfig.ready()."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    AccessLog,
    Association,
    CalendarFeed,
    CaseEvent,
    Membership,
    Municipality,
    Organisation,
    Person,
    PersonCorrection,
    PurgeRun,
    ReferralGroup,
    ReferralGroupMember,
    ReferralGroupSeat,
)
from .records import int_ids, register_person_history, register_record_names


def by_id(queryset: QuerySet, name: Callable[[Model], str]) -> Callable[[list[str]], dict[str, str]]:
    """A namer that reads the records among the ids with one query on `queryset`."""

    def namer(ids: list[str]) -> dict[str, str]:
        return {str(record.pk): name(record) for record in queryset.filter(pk__in=int_ids(ids))}

    return namer


def person_number(person: Person) -> str:
    """The person's number as the auditor sees it: not for a person with protected identity, whose
    number only the responsible coaches see (docs/domain.md#the-auditor)."""
    if person.protected_identity:
        return _("protected identity")
    return person.identity_display


def person_numbers(person_ids) -> dict[int, str]:
    """`{person_id: number}` for the auditor's person column, in one query; a purged person is
    missing."""
    persons = Person.objects.filter(pk__in=[pk for pk in person_ids if pk is not None]).only(
        "identity_number", "reserve_identity", "protected_identity"
    )
    return {person.pk: person_number(person) for person in persons}


def register() -> None:
    register_record_names(
        Person._meta.label_lower,
        kind=gettext_lazy("Person"),
        list_name=gettext_lazy("Person list"),
        namer=by_id(
            Person.objects.only("identity_number", "reserve_identity", "protected_identity"),
            lambda person: _("Person %(number)s") % {"number": person_number(person)},
        ),
    )
    register_record_names(AccessLog._meta.label_lower, kind=gettext_lazy("Access log"))
    register_record_names(CaseEvent._meta.label_lower, kind=gettext_lazy("Case event"))
    register_record_names(
        Organisation._meta.label_lower,
        kind=gettext_lazy("Organisation"),
        namer=by_id(Organisation.objects.all(), lambda organisation: organisation.name),
    )
    register_record_names(
        Association._meta.label_lower,
        kind=gettext_lazy("Association"),
        namer=by_id(Association.objects.all(), lambda association: association.name),
    )
    register_record_names(
        Municipality._meta.label_lower,
        kind=gettext_lazy("Municipality"),
        namer=by_id(
            Municipality.objects.all(),
            lambda municipality: _("Municipality %(name)s") % {"name": municipality.name},
        ),
    )
    register_record_names(
        ReferralGroup._meta.label_lower,
        kind=gettext_lazy("Referral group"),
        list_name=gettext_lazy("List of referral groups"),
        namer=by_id(ReferralGroup.objects.select_related("municipality"), str),
    )
    register_record_names(
        ReferralGroupSeat._meta.label_lower,
        kind=gettext_lazy("Seat in a referral group"),
        namer=by_id(
            ReferralGroupSeat.objects.select_related("referral_group__municipality", "organisation"),
            lambda seat: (
                _("Seat for %(organisation)s in %(group)s")
                % {"organisation": seat.organisation.short_name, "group": seat.referral_group}
            ),
        ),
    )
    register_record_names(
        ReferralGroupMember._meta.label_lower,
        kind=gettext_lazy("Seat in a referral group"),
        namer=by_id(
            ReferralGroupMember.objects.select_related("seat__referral_group__municipality", "seat__organisation"),
            lambda member: (
                _("Seat for %(organisation)s in %(group)s")
                % {"organisation": member.seat.organisation.short_name, "group": member.seat.referral_group}
            ),
        ),
    )
    register_record_names(
        Membership._meta.label_lower,
        kind=gettext_lazy("Role"),
        namer=by_id(
            Membership.objects.select_related("organisation"),
            lambda membership: (
                _("Role %(role)s, %(organisation)s")
                % {"role": membership.get_role_display(), "organisation": membership.organisation.short_name}
            ),
        ),
    )
    user_model = get_user_model()
    register_record_names(
        user_model._meta.label_lower,
        kind=gettext_lazy("User account"),
        namer=by_id(
            user_model.objects.only("username"),
            lambda user: _("User account %(username)s") % {"username": user.username},
        ),
    )
    register_person_history(Person, "id")
    register_record_names(
        PersonCorrection._meta.label_lower,
        kind=gettext_lazy("Correction of a person's details"),
        namer=by_id(
            PersonCorrection.objects.only("corrected_at"),
            lambda correction: (
                _("Correction of a person's details %(date)s")
                % {"date": timezone.localdate(correction.corrected_at).isoformat()}
            ),
        ),
    )
    register_person_history(PersonCorrection, "person_id")
    register_record_names(
        PurgeRun._meta.label_lower,
        kind=gettext_lazy("Retention purge"),
        namer=by_id(
            PurgeRun.objects.only("started_at"),
            lambda run: _("Retention purge %(date)s") % {"date": timezone.localdate(run.started_at).isoformat()},
        ),
    )
    register_record_names(
        CalendarFeed._meta.label_lower,
        kind=gettext_lazy("Calendar address"),
        namer=by_id(
            CalendarFeed.objects.select_related("user").only("user__username"),
            lambda feed: _("Calendar address of %(user)s") % {"user": feed.user.username},
        ),
    )
