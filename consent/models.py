"""Consent (samtycke): which organisations may share information about a person, for what, until when.

The question "may organisation X see person P for purpose Y on day D" is answered by
consent/selectors.py; grants and revocations that follow from consent are made by the services
of the app whose records they open.
"""

from datetime import date

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from sehoglandet.history import History
from sehoglandet.models import Organisation, Person


class PrivateStorage(LazyObject):
    """Uploaded consent forms: under PRIVATE_MEDIA_ROOT, never under a public URL."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.MEDIA_ROOT / "consent", base_url=None)


private_storage = PrivateStorage()


def get_private_storage():
    """The storage of signed consent forms, as a callable so migrations do not record a path."""
    return private_storage


class Purpose(models.TextChoices):
    REFERRAL_GROUP = "referral_group", _("Discussion in the referral group")
    PARTICIPATION = "participation", _("Participation in SE-Höglandet")
    EMPLOYER_CONTACT = "employer_contact", _("Contact with employers")
    TRANSFER = "transfer", _("Transfer to another municipality")

    @property
    def field(self) -> str:
        """The Consent field that records this purpose."""
        return f"for_{self.value}"


class Consent(models.Model):
    class Method(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents", verbose_name=_("person"))
    organisations = models.ManyToManyField(
        Organisation,
        related_name="+",
        verbose_name=_("organisations"),
        help_text=_("The organisations that may share and receive information about the person."),
    )
    for_referral_group = models.BooleanField(Purpose.REFERRAL_GROUP.label, default=False)
    for_participation = models.BooleanField(Purpose.PARTICIPATION.label, default=False)
    for_employer_contact = models.BooleanField(Purpose.EMPLOYER_CONTACT.label, default=False)
    for_transfer = models.BooleanField(Purpose.TRANSFER.label, default=False)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how it was given"), max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    valid_until = models.DateField(_("valid until"))
    document = models.FileField(
        _("signed form"),
        storage=get_private_storage,
        upload_to="%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])],
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawal recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = History(m2m_fields=[organisations])

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]
        indexes = [
            models.Index(fields=["person", "valid_until"]),
            # The latest end of a person's consents in force, from the index alone: the to-do's
            # consent part asks it of every open participant of the team (participants.todo).
            models.Index(
                fields=["person", "-valid_until"],
                include=["given_on"],
                condition=Q(withdrawn_on__isnull=True),
                name="consent_latest_end",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("given_on")), name="consent_ends_after_start"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return _("Consent of %(date)s") % {"date": self.given_on.isoformat()}

    def is_valid_on(self, day: date) -> bool:
        return self.given_on <= day <= self.valid_until and (self.withdrawn_on is None or day < self.withdrawn_on)

    @property
    def purposes(self) -> list[Purpose]:
        return [purpose for purpose in Purpose if getattr(self, purpose.field)]
