"""The period form of the report page and its exports."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form

from .report import period_from_code, period_from_dates

DATE_MESSAGE = _("Write the date as YYYY-MM-DD, for example 2026-01-31.")


class PeriodKind:
    FIRST_HALF = "H1"
    SECOND_HALF = "H2"
    YEAR = "year"
    DATES = "dates"

    CHOICES = [
        (FIRST_HALF, _("First half-year (January–June)")),
        (SECOND_HALF, _("Second half-year (July–December)")),
        (YEAR, _("Full year")),
        (DATES, _("Own dates")),
    ]


class ReportForm(Form):
    """The period (a half-year, a year or own dates) and the scope (all municipalities, or one).

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
        help_text=_("For a half-year or a full year."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Write the year with four digits, for example 2026.")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("For own dates: the first day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_MESSAGE},
    )
    end = forms.DateField(
        label=_("Until"),
        required=False,
        help_text=_("For own dates: the last day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_MESSAGE},
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
        self._forget_fields_that_do_not_apply(kind, data)
        if kind == PeriodKind.DATES:
            self._clean_dates(data)
        elif kind is not None:
            self._clean_year(kind, data)
        return data

    def _forget_fields_that_do_not_apply(self, kind: str | None, data: dict) -> None:
        """The page hides the year for own dates and the dates for the others, so what they hold
        (an old value, a half-typed date) must not stop the report with an error the user cannot see."""
        if kind is None:
            return
        hidden = ("year",) if kind == PeriodKind.DATES else ("start", "end")
        for name in hidden:
            self.errors.pop(name, None)
            data.pop(name, None)

    def _clean_dates(self, data: dict) -> None:
        if "start" in self.errors or "end" in self.errors:
            return
        missing = [name for name in ("start", "end") if data.get(name) is None]
        for name in missing:
            self.add_error(name, _("Fill in the date for own dates."))
        if not missing:
            self._set_period(data, "end", lambda: period_from_dates(data["start"], data["end"]))

    def _clean_year(self, kind: str, data: dict) -> None:
        if "year" in self.errors:
            return
        year = data.get("year")
        if year is None:
            self.add_error("year", _("Fill in the year."))
            return
        code = {PeriodKind.FIRST_HALF: f"{year}H1", PeriodKind.SECOND_HALF: f"{year}H2"}.get(kind, str(year))
        self._set_period(data, "year", lambda: period_from_code(code))

    def _set_period(self, data: dict, field: str, make) -> None:
        try:
            data["period"] = make()
        except ValidationError as error:
            self.add_error(field, error)
