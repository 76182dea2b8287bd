"""Forms for the participant page: the short journal form, the step change, employment, income,
the start of the support, the responsible coach, the exit and the caseload filter.

They parse what was typed; the rules (who may, not after exit, no future dates) are checked by the
services, whose ValidationErrors the views put back on these forms.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.models import ExitReason, IncomeSource
from sehoglandet.forms import Form, date_field

from .models import AftercareVisit, Employment, JournalEntry, Occupation, Participant


class JournalEntryForm(Form):
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


class StepChangeForm(Form):
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


class EmploymentForm(Form):
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


class EndEmploymentForm(Form):
    """The day an employment, studies or a placement ended."""

    ends_on = date_field(_("End date"))


class MarkVisitForm(Form):
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


def list_field(label, choices, message) -> forms.ChoiceField:
    """A required choice from one of the model's lists, starting blank so nothing is picked by mistake;
    a missing or unknown value gets the same message as the service's."""
    return forms.ChoiceField(
        label=label,
        choices=[("", _("Choose …")), *choices],
        error_messages={"required": message, "invalid_choice": message},
    )


def today_initial(field: str, kwargs: dict) -> None:
    kwargs.setdefault("initial", {field: timezone.localdate()})


class StartSupportForm(Form):
    """Start the support for a participant in the queue: the date, today unless changed."""

    started_on = date_field(_("Date the support starts"))

    def __init__(self, *args, **kwargs):
        today_initial("started_on", kwargs)
        kwargs.setdefault("auto_id", "id_start_%s")
        super().__init__(*args, **kwargs)


class AssignCoachForm(Form):
    """Choose the responsible coach among the coaches of the participant's municipality."""

    coach = forms.TypedChoiceField(
        label=_("Responsible coach"),
        coerce=int,
        error_messages={
            "required": _("Choose one of the municipality's coaches."),
            "invalid_choice": _("Choose one of the municipality's coaches."),
        },
    )

    def __init__(self, *args, coaches: list, **kwargs):
        kwargs.setdefault("auto_id", "id_assign_%s")
        super().__init__(*args, **kwargs)
        self.coaches = {coach.pk: coach for coach in coaches}
        self.fields["coach"].choices = [
            ("", _("Choose …")),
            *[(coach.pk, coach.get_full_name() or coach.username) for coach in coaches],
        ]

    def clean_coach(self):
        return self.coaches[self.cleaned_data["coach"]]


class IncomeForm(Form):
    """A change of income (försörjning) during the support, from a date, reviewed by a date if any."""

    source = list_field(_("Income"), IncomeSource.choices, _("Choose an income from the list."))
    valid_from = date_field(_("From date"))
    review_on = date_field(
        _("Review by (if the decision ends)"),
        required=False,
        help_text=_("The date the decision on the income ends or must be reviewed. Write it as ÅÅÅÅ-MM-DD."),
    )

    def __init__(self, *args, **kwargs):
        today_initial("valid_from", kwargs)
        kwargs.setdefault("auto_id", "id_income_%s")
        super().__init__(*args, **kwargs)


class ExitDetailsForm(Form):
    """What the participant does and lives on after the exit, as SUS and the follow-up ask for it."""

    occupation_after = list_field(
        _("Occupation after the exit"), Occupation.choices, _("Choose what the participant does after the exit.")
    )
    income_after = list_field(_("Income after the exit"), IncomeSource.choices, _("Choose the income after the exit."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_exit_details_%s")
        super().__init__(*args, **kwargs)


class ExitForm(ExitDetailsForm):
    """The coach ends the participation: date (today unless changed), reason, occupation and income
    after, and an optional note that only the SE team sees."""

    exited_on = date_field(_("Exit date"))
    reason = list_field(_("Exit reason"), ExitReason.choices, _("Choose a reason from the list."))
    note = forms.CharField(
        label=_("About the exit (optional)"),
        required=False,
        help_text=_("Only the coaches of the SE team see this."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["exited_on", "reason", "occupation_after", "income_after", "note"]

    def __init__(self, *args, **kwargs):
        today_initial("exited_on", kwargs)
        kwargs.setdefault("auto_id", "id_exit_%s")
        super().__init__(*args, **kwargs)


class IncomeBeforeForm(Form):
    """A correction of the income at enrolment, which came from the referral, with the reason."""

    source = list_field(_("Income at enrolment"), IncomeSource.choices, _("Choose an income from the list."))
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say where the right income comes from, for example the decision from Försäkringskassan."),
        error_messages={"required": _("Write why the income is corrected.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_income_before_%s")
        super().__init__(*args, **kwargs)


class TimelineFilterForm(Form):
    """Which part of the timeline to show: everything, the journal or the events."""

    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything")), ("journal", _("Journal entries")), ("events", _("Events"))],
    )
