"""The auditor's filters: the access log by user, person, period and action, and a person's trail by
period and kind. Dates are Swedish days, turned into half-open ranges of aware moments
(sehoglandet.trail.period), which the (time, id) indexes serve."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import trail
from .forms import Form, date_field
from .identity import parse_identity_number
from .models import AccessLog, Person

RESERVE_IDENTITY = re.compile(r"^R-\d{4}-\d{5}$", re.ASCII | re.IGNORECASE)


def find_person(value: str) -> Person | None:
    """The person with this personnummer, samordningsnummer (10 or 12 digits, with or without - or
    +) or reserve identity (R-2026-00001), or None. Raises ValidationError for a malformed number."""
    compact = re.sub(r"\s", "", value or "")
    if RESERVE_IDENTITY.match(compact):
        return Person.objects.filter(reserve_identity=compact.upper()).first()
    number = parse_identity_number(compact)
    return Person.objects.filter(identity_number=number.digits).first()


class PersonNumberField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=20,
            help_text=_("ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN or a reserve identity (R-2026-00001)."),
            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
            **kwargs,
        )


class PeriodForm(Form):
    date_from = date_field(_("From date"), required=False)
    date_to = date_field(_("To date"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The to date cannot be before the from date."))
        return cleaned


class AccessLogFilterForm(PeriodForm):
    user = forms.CharField(label=_("User name"), max_length=150, required=False)
    person = PersonNumberField(label=_("Personal identity number"), required=False)
    action = forms.ChoiceField(label=_("Action"), choices=[("", _("All")), *AccessLog.Action.choices], required=False)
    field_order = ["user", "person", "date_from", "date_to", "action"]

    def clean_person(self) -> Person | None:
        value = self.cleaned_data["person"]
        if not value:
            return None
        person = find_person(value)
        if person is None:
            raise ValidationError(_("No person with this number is known to the service."), code="unknown")
        return person

    def entries(self) -> QuerySet[AccessLog]:
        """The rows the valid form selects (not yet ordered or paged)."""
        data = self.cleaned_data
        entries = AccessLog.objects.filter(**trail.period(data["date_from"], data["date_to"]))
        if data["user"]:
            users = get_user_model().objects.filter(username__iexact=data["user"]).values_list("pk", flat=True)
            entries = entries.filter(user_id__in=list(users))
        if data["person"] is not None:
            entries = entries.filter(person_id=data["person"].pk)
        if data["action"]:
            entries = entries.filter(action=data["action"])
        return entries


class PersonTrailForm(PeriodForm):
    person = PersonNumberField(label=_("Personal identity number"))
    kind = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("Views and changes")), (trail.VIEWS, _("Views only")), (trail.CHANGES, _("Changes only"))],
        required=False,
    )
    field_order = ["person", "date_from", "date_to", "kind"]

    def clean_person(self) -> Person:
        person = find_person(self.cleaned_data["person"])
        if person is None:
            raise ValidationError(_("No person with this number is known to the service."), code="unknown")
        return person
