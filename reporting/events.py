"""Reporting's events (sehoglandet.events): the survey's paper answers typed in, the manager's
half-year certification and the förbundschef's adoption of a report. None names a person."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportingEvent(models.TextChoices):
    SURVEY_ANSWERS_ENTERED = "survey.answers_entered", _("Survey answers entered")
    HALF_YEAR_CERTIFIED = "certification.recorded", _("Half-year certified by the manager")
    REPORT_ADOPTED = "report.adopted", _("Report adopted")
