"""The period form of the report page and its exports."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form

from .report import period_from_code


class PeriodKind:
    FIRST_HALF = "H1"
    SECOND_HALF = "H2"
    YEAR = "year"

    CHOICES = [
        (FIRST_HALF, _("First half-year (January–June)")),
        (SECOND_HALF, _("Second half-year (July–December)")),
        (YEAR, _("Full year")),
    ]


class ReportForm(Form):
    """The period (a half-year or a year) and the scope (all municipalities, or one). There are no
    own dates: two ranges a day apart would set figures against each other and single out the
    events between them (docs/domain.md#disclosure-control).

    `municipalities` are those the user may choose; with `allow_all` the choice may be left empty
    for all of them, otherwise an empty choice means the first (a manager's own municipality).
    `cleaned_data` gets `period` (a report.Period) and `municipality` (a Municipality or None)."""

    kind = forms.ChoiceField(
        label=_("Period"),
        choices=PeriodKind.CHOICES,
        initial=PeriodKind.FIRST_HALF,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a period from the list.")},
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Write the year with four digits, for example 2026.")},
    )
    # A text field with a list: an unknown code gets the message of clean_municipality.
    municipality = forms.CharField(label=_("Municipality"), required=False, widget=forms.Select)

    def __init__(self, data=None, *, municipalities: list, allow_all: bool):
        super().__init__(data, initial={"year": timezone.localdate().year})
        self.municipalities = {municipality.code: municipality for municipality in municipalities}
        self.allow_all = allow_all
        choices = [(code, municipality.name) for code, municipality in self.municipalities.items()]
        self.fields["municipality"].widget.choices = [("", _("All municipalities")), *choices] if allow_all else choices

    def clean_municipality(self):
        code = self.cleaned_data["municipality"]
        if not code:
            return None if self.allow_all else next(iter(self.municipalities.values()), None)
        if code not in self.municipalities:
            raise ValidationError(_("There is no municipality with the code %(code)s.") % {"code": code})
        return self.municipalities[code]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind is not None and "year" not in self.errors:
            self._clean_year(kind, data)
        return data

    def _clean_year(self, kind: str, data: dict) -> None:
        year = data.get("year")
        if year is None:
            self.add_error("year", _("Fill in the year."))
            return
        code = {PeriodKind.FIRST_HALF: f"{year}H1", PeriodKind.SECOND_HALF: f"{year}H2"}.get(kind, str(year))
        try:
            data["period"] = period_from_code(code)
        except ValidationError as error:
            self.add_error("year", error)
