"""Forms for the participant page: the short journal form, the step change and the caseload filter.

They parse what was typed; the rules (who may, not after exit, no future dates) are checked by the
services, whose ValidationErrors the views put back on these forms.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AftercareVisit, Employment, JournalEntry, Participant
from .selectors import OPEN_STATUSES

DATE_HELP = _("Write the date as ÅÅÅÅ-MM-DD.")


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=DATE_HELP,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class JournalEntryForm(forms.Form):
    """One short form, quick on a phone: date (today unless changed), kind, text."""

    date = date_field(_("Date"))
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=JournalEntry.Kind.choices)
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what happened.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate(), "kind": JournalEntry.Kind.MEETING})
        super().__init__(*args, **kwargs)


class StepChangeForm(forms.Form):
    step = forms.TypedChoiceField(label=_("New step"), choices=Participant.Step.choices, coerce=int)
    changed_on = date_field(_("Date of the change"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"changed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class DecimalCommaField(forms.DecimalField):
    """A decimal number that also accepts the Swedish decimal comma (37,5) when typed as text."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class EmploymentForm(forms.Form):
    """Register a job, studies or a placement: five short fields, quick on a phone."""

    employer = forms.CharField(
        label=_("Employer or school"),
        max_length=200,
        error_messages={"required": _("Name the employer or school.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Employment.Kind.choices)
    starts_on = date_field(_("Start date"))
    ends_on = date_field(_("End date (if known)"), required=False)
    hours_per_week = DecimalCommaField(
        label=_("Hours per week"),
        min_value=0,
        max_value=80,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"starts_on": timezone.localdate(), "kind": Employment.Kind.EMPLOYMENT})
        # Its own ids: the journal form on the same page has a "kind" field too.
        kwargs.setdefault("auto_id", "id_employment_%s")
        super().__init__(*args, **kwargs)


class MarkVisitForm(forms.Form):
    """One aftercare visit marked done, missed or moved (with the new date)."""

    status = forms.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (AftercareVisit.Status.DONE, AftercareVisit.Status.MISSED, AftercareVisit.Status.MOVED)
        ]
    )
    moved_to = date_field(_("New date"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == AftercareVisit.Status.MOVED and not cleaned.get("moved_to"):
            self.add_error("moved_to", _("Give the new date for the visit."))
        return cleaned


class CaseloadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open statuses")), *[(s.value, s.label) for s in OPEN_STATUSES]],
    )
