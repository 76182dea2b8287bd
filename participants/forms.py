"""Forms for the participant page: the short journal form, the step change and the caseload filter.

They parse what was typed; the rules (who may, not after exit, no future dates) are checked by the
services, whose ValidationErrors the views put back on these forms.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import JournalEntry, Participant
from .selectors import OPEN_STATUSES

DATE_HELP = _("Write the date as ÅÅÅÅ-MM-DD.")


def date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
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


class CaseloadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open statuses")), *[(s.value, s.label) for s in OPEN_STATUSES]],
    )
