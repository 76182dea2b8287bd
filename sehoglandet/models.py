"""Organisations, municipalities, referral groups, memberships, persons and the access log.

Reference data (which organisations exist, each municipality's coach FTE, who sits in each
remittentgrupp) is data loaded from sehoglandet/data/; nothing here names a municipality.
Every change goes through sehoglandet/services.py.

The Person lives here, in the core, because every layer above refers to one: consent is given by
a person, referrals and enrolments are about one, and the access log and the case events name one
(docs/architecture.md).
"""

from datetime import date
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history import register

from .history import History, HistoryOfKeptFields
from .identity import format_identity_number

# docs/domain.md#capacity
PARTICIPANTS_PER_FULL_TIME_COACH = 20

# Changes to user accounts are history too; the password hash and login times are not kept there,
# and a sign-in (which saves only last_login) writes no row.
register(User, app="sehoglandet", excluded_fields=["password", "last_login"], records_class=HistoryOfKeptFields)


class Association(models.Model):
    """The samordningsförbund that funds the service."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    history = History()

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A party of the association, or a unit of one (a municipality's SE team, its social services).

    Each organisation is mirrored by an auth group: object permissions are granted to it, and a
    user's membership of the organisation puts them in it.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        EMPLOYMENT_SERVICE = "employment_service", _("Employment service")
        SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
        REGION = "region", _("Region")
        ASSOCIATION = "association", _("Association")

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("association")
    )
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    municipality = models.ForeignKey(
        "Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("municipality"),
        help_text=_("For a municipal unit: the municipality it belongs to."),
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation", editable=False)
    history = History()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A member municipality: it employs SE-coaches and owns a remittentgrupp."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    coach_fte_percent = models.PositiveIntegerField(
        _("coach FTE (%)"),
        validators=[MinValueValidator(0)],
        help_text=_("Coach posts in per cent of a full-time post, e.g. 150 for one and a half posts."),
    )
    se_team = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="se_team_of",
        null=True,
        blank=True,
        verbose_name=_("SE team"),
    )
    history = History()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity(self) -> int:
        """Participants the municipality's coaches can have at once (20 per full-time post)."""
        return int(Decimal(self.coach_fte_percent) * PARTICIPANTS_PER_FULL_TIME_COACH / 100)


class ReferralGroup(models.Model):
    """The remittentgrupp of a municipality. Its seats are organisations; members fill them."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, related_name="referral_group", verbose_name=_("municipality")
    )
    history = History()

    class Meta:
        verbose_name = _("referral group")
        verbose_name_plural = _("referral groups")
        ordering = ["municipality__name"]

    def __str__(self) -> str:
        return _("Referral group %(municipality)s") % {"municipality": self.municipality.name}


class ReferralGroupSeat(models.Model):
    """An organisation's place in a remittentgrupp, mirrored by its own auth group.

    Consent is per organisation, so grants for a group's agenda go to the seat's auth group: the
    users who represent that organisation in that group.
    """

    referral_group = models.ForeignKey(
        ReferralGroup, on_delete=models.PROTECT, related_name="seats", verbose_name=_("referral group")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="seats", verbose_name=_("organisation")
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="referral_group_seat", editable=False)
    history = History()

    class Meta:
        verbose_name = _("seat in a referral group")
        verbose_name_plural = _("seats in referral groups")
        constraints = [
            models.UniqueConstraint(fields=["referral_group", "organisation"], name="unique_seat_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.referral_group} – {self.organisation.short_name}"


class Role(models.TextChoices):
    COACH = "coach", _("SE-coach")
    MANAGER = "manager", _("Manager")
    REFERRER = "referrer", _("Referrer")
    GROUP_MEMBER = "group_member", _("Referral group member")
    DIRECTOR = "director", _("Director of the association")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """A user's role in an organisation. One user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    fte_percent = models.PositiveIntegerField(
        _("share of a full-time post (%)"),
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("For coaches: a full-time post carries 20 participants."),
    )
    history = History()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership_role"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"

    @property
    def capacity(self) -> int:
        """For a coach: the participants their share of a post carries (20 per full-time post)."""
        return int(Decimal(self.fte_percent) * PARTICIPANTS_PER_FULL_TIME_COACH / 100)


class ReferralGroupMember(models.Model):
    """A user who sits in a remittentgrupp for an organisation."""

    seat = models.ForeignKey(
        ReferralGroupSeat, on_delete=models.PROTECT, related_name="members", verbose_name=_("seat")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referral_group_seats",
        verbose_name=_("user"),
    )
    history = History()

    class Meta:
        verbose_name = _("member of a referral group")
        verbose_name_plural = _("members of referral groups")
        constraints = [models.UniqueConstraint(fields=["seat", "user"], name="unique_member_per_seat")]

    def __str__(self) -> str:
        return f"{self.user} – {self.seat}"


class ReferralGroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ReferralGroup, on_delete=models.CASCADE)


class ReferralGroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ReferralGroup, on_delete=models.CASCADE)


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Person(models.Model):
    """Someone referred to the service, identified by personnummer, samordningsnummer or a reserve
    identity. One Person per number: a second referral of a known number links to the same row."""

    class IdentityKind(models.TextChoices):
        PERSONNUMMER = "personnummer", _("Personal identity number")
        SAMORDNINGSNUMMER = "samordningsnummer", _("Coordination number")
        RESERVE = "reserve", _("Reserve identity")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Other or prefers not to say")

    identity_kind = models.CharField(_("kind of identity"), max_length=20, choices=IdentityKind.choices)
    identity_number = models.CharField(
        _("personal identity number"), max_length=12, null=True, blank=True, unique=True, editable=False
    )
    reserve_identity = models.CharField(
        _("reserve identity"), max_length=20, null=True, blank=True, unique=True, editable=False
    )
    birth_date = models.DateField(_("date of birth"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender.choices,
        help_text=_("As the person states it; used only for gender-split statistics."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="residents",
        null=True,
        blank=True,
        verbose_name=_("municipality of residence"),
    )
    protected_identity = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_("Skyddad identitet: name, address and number are shown only to the responsible coach."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = History()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(identity_kind="reserve", reserve_identity__isnull=False, identity_number__isnull=True)
                | (~Q(identity_kind="reserve") & Q(identity_number__isnull=False, reserve_identity__isnull=True)),
                name="person_has_exactly_one_identity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def identity_display(self) -> str:
        if self.identity_number:
            return format_identity_number(self.identity_number)
        return self.reserve_identity or ""

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


class PersonCorrection(models.Model):
    """A correction of a person's identity or contact details (rättelse, GDPR art. 16): which fields
    changed, why, who corrected them and when. The values themselves are in the person's history;
    the reason is free text, so it is kept here and never in a case event. Deleted with the person
    by the retention purge (docs/domain.md#rights-of-the-registered)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("person"))
    fields = models.JSONField(_("corrected fields"), default=list)
    reason = models.TextField(_("reason for the correction"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("corrected by")
    )
    corrected_at = models.DateTimeField(_("corrected"), default=timezone.now)
    history = History()

    class Meta:
        verbose_name = _("correction of a person's details")
        verbose_name_plural = _("corrections of persons' details")
        ordering = ["corrected_at", "id"]
        indexes = [models.Index(fields=["person", "corrected_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.corrected_at:%Y-%m-%d %H:%M}"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access-log row."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log is append-only.")

    def delete(self):
        raise AppendOnlyError("The access log is append-only.")


class AccessLog(models.Model):
    """Who saw or exported what, when, from where and why. Never holds the personal data itself.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them
    in the database too (migration 0002).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("View")
        LIST = "list", _("List")
        EXPORT = "export", _("Export")
        PRINT = "print", _("Print")
        REFUSED = "refused", _("Refused")

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    person_id = models.BigIntegerField(_("person id"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]
        # The auditor's pages read newest first by (created_at, id), by key (sehoglandet.keyset):
        # unfiltered, by user and by person. A date filter is a range on created_at, which each serves.
        indexes = [
            models.Index(fields=["created_at", "id"], name="access_log_time"),
            models.Index(fields=["user", "created_at", "id"], name="access_log_user_time"),
            models.Index(fields=["person_id", "created_at", "id"], name="access_log_person_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only.")

    def clean(self):
        if not self.purpose:
            raise ValidationError({"purpose": _("State why the data was accessed.")})


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Case events are never changed.")


class CaseEvent(models.Model):
    """One thing that happened to a case: a stable code for the kind (never translated text), who did
    it, when, the record and the person concerned, and a small payload of ids and statuses (never a
    name or a note). Written by the service that made it happen, in the same transaction, through
    sehoglandet.events.record; timelines and the auditor read it.

    A row is never changed. The retention purge deletes a closed case's events with its records.
    """

    code = models.CharField(_("event"), max_length=60, db_index=True)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_events",
        verbose_name=_("person"),
    )
    record_type = models.CharField(_("record type"), max_length=100, blank=True)
    record_id = models.CharField(_("record id"), max_length=64, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["person", "occurred_at"]),
            models.Index(fields=["record_type", "record_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.code} {self.record_type} {self.record_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError("Case events are never changed.")
        super().save(*args, **kwargs)


class PurgeRun(models.Model):
    """One run of the retention purge (docs/domain.md#retention), for the auditor: when it ran, whether
    it was a dry run, the periods in force, and how many rows of each kind went (or, in a dry run,
    would go). The persons only as a number: a run never records who was purged.

    The run is saved when it starts and its counts grow in each person's own transaction, so a run
    that was interrupted shows what it did commit, and no finishing time.
    """

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    referral_months = models.PositiveSmallIntegerField(_("months kept after a referral closed"))
    participant_months = models.PositiveSmallIntegerField(_("months kept after an exit"))
    persons = models.PositiveIntegerField(_("persons purged"), default=0)
    counts = models.JSONField(_("rows per kind"), default=dict, blank=True)
    history = History()

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def counts_shown(self) -> list[tuple[str, int]]:
        """(what, how many) for each kind of row the run deleted, in the reader's language, by name."""
        shown = [(purge_kind_label(kind), count) for kind, count in self.counts.items() if count]
        return sorted(shown, key=lambda pair: pair[0].casefold())


# The kinds a purge counts besides the models it deletes rows of (those are counted by their label,
# "referrals.referral", and named by their verbose_name_plural).
PURGE_KIND_LABELS = {
    "history": _("History rows"),
    "case_events": _("Case events"),
    "admin_log": _("Entries in the admin's log"),
    "files": _("Signed consent forms (files)"),
    "grants": _("Record access grants"),
    "consultation_texts": _("Consultations whose question and answer were erased"),
}


def purge_kind_label(kind: str) -> str:
    if kind in PURGE_KIND_LABELS:
        return str(PURGE_KIND_LABELS[kind])
    try:
        model = apps.get_model(kind)
    except (LookupError, ValueError):
        return kind
    return capfirst(str(model._meta.verbose_name_plural))


class CalendarFeed(models.Model):
    """A user's secret calendar address (the iCal feed, project/calendar.py). Only a hash of the token
    is kept: the address is shown once, when it is made, and a leaked database gives no working one.
    Making a new one replaces the hash, so the old address stops working at once (404)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    made_at = models.DateTimeField(_("made"), editable=False)
    history = History()

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self) -> str:
        return str(_("Calendar address of %(user)s") % {"user": self.user.get_username()})
