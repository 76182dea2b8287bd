"""Forms for the follow-up pages: the month of the SUS list and marking a SUS registration.

They parse what was typed; the SUS rules (started, exited, not twice, not in the future) are
checked by services.mark_sus, whose ValidationErrors the views show as messages.
"""

from datetime import date, datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form, RecordsChoiceField, date_field

# The months the SUS list can show; outside them the previous and next month links make no sense.
FIRST_YEAR = 2000
LAST_YEAR = 2100
MONTH_FORMAT = "%Y-%m"


def month_of(day: date) -> str:
    return day.strftime(MONTH_FORMAT)


class MonthField(forms.CharField):
    """A month written ÅÅÅÅ-MM (what a browser's month picker sends), as the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "inputmode": "numeric", "pattern": r"\d{4}-\d{2}"})
    default_error_messages = {"invalid": _("Write the month as ÅÅÅÅ-MM, for example 2025-03.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            month = datetime.strptime(value, MONTH_FORMAT).date()
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not FIRST_YEAR <= month.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choose a month between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="out_of_range",
            )
        return month

    def prepare_value(self, value):
        return month_of(value) if isinstance(value, date) else value


class SusMonthForm(Form):
    """The month of the SUS list; the current month when none is given."""

    month = MonthField(label=_("Month"), required=False)

    def chosen_month(self) -> date | None:
        """The month to show, or None when what was typed is not a month."""
        if not self.is_bound:
            return timezone.localdate().replace(day=1)
        if not self.is_valid():
            return None
        return self.cleaned_data["month"] or timezone.localdate().replace(day=1)


class SusMarkForm(Form):
    """Registered (true) or de-registered (false) in SUS on a date, today unless another is given.
    `month` is the month of the SUS list to return to."""

    registered = forms.TypedChoiceField(
        label=_("Registration"),
        choices=[("true", _("Registered in SUS")), ("false", _("De-registered in SUS"))],
        coerce=lambda value: value == "true",
    )
    on = date_field(_("Date in SUS"), required=False)
    month = MonthField(required=False)

    def clean_on(self):
        return self.cleaned_data["on"] or timezone.localdate()


class SusBulkRegisterForm(Form):
    """Several participants of the month's SUS list, marked registered in SUS on one date (today
    unless another is given). `participants` is the queryset the user may mark."""

    participants = RecordsChoiceField(
        label=_("Participants to mark"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one participant to mark."),
            "invalid_choice": _("A participant ticked is not on your SUS list."),
            "invalid_pk_value": _("A participant ticked is not on your SUS list."),
        },
    )
    on = date_field(_("Date in SUS"), required=False)
    month = MonthField(required=False)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = queryset

    def clean_on(self):
        return self.cleaned_data["on"] or timezone.localdate()
