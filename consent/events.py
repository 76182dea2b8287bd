from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentEvent(models.TextChoices):
    GIVEN = "consent.given", _("Consent recorded")
    WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
