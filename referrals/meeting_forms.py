"""Forms of the meeting pages: the year's plan, the agenda, attendance, members' answers, decisions.

The forms parse and check what a form can check on its own; the rules of the process (consent,
statuses, who may act) are the services' and come back as ValidationError, shown on the form.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form, date_field
from sehoglandet.models import Organisation
from sehoglandet.search import SearchForm

from .models import AgendaItem, Consultation, Decision, ExitReason, ItemResponse

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
PLAN_YEARS_AHEAD = 2


def submitted_data(request):
    """What was posted, bound even when empty (so an empty form gets its errors); None on GET."""
    return request.POST if request.method == "POST" else None


class PlanYearForm(Form):
    referral_group = forms.ModelChoiceField(queryset=None, label=_("Referral group"), empty_label=None)
    year = forms.IntegerField(label=_("Year"))
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), coerce=int, choices=[(day, WEEKDAYS[day]) for day in range(5)], initial=1
    )
    nth = forms.TypedChoiceField(
        label=_("Week of the month"),
        coerce=int,
        choices=[(1, _("First")), (2, _("Second")), (3, _("Third")), (4, _("Fourth"))],
        initial=2,
        help_text=_("For example the second Tuesday of every month."),
    )
    starts = forms.TimeField(label=_("Starts at"), widget=TIME_WIDGET, initial="13:00")
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    deadline_days = forms.IntegerField(
        label=_("Last day to add items, in days before the meeting"), min_value=0, max_value=60, initial=7
    )

    def __init__(self, *args, referral_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral_group"].queryset = referral_groups
        self.fields["year"].initial = timezone.localdate().year

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if year < this_year:
            raise ValidationError(_("Choose this year or a later year."))
        if year > this_year + PLAN_YEARS_AHEAD:
            raise ValidationError(
                _("Plan at most %(years)d years ahead.") % {"years": PLAN_YEARS_AHEAD}, code="too_far"
            )
        return year


class ExtraMeetingForm(Form):
    """One meeting besides the year's plan: the group, the day, the time and the place."""

    referral_group = forms.ModelChoiceField(queryset=None, label=_("Referral group"), empty_label=None)
    day = date_field(_("Date"))
    starts = forms.TimeField(
        label=_("Starts at"),
        widget=TIME_WIDGET,
        input_formats=["%H:%M", "%H.%M"],
        help_text=_("Write the time as TT:MM."),
    )
    location = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args, referral_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral_group"].queryset = referral_groups


class CandidateSearchForm(SearchForm):
    """The search for a case to put on the agenda: the search box's reading, its own label."""

    def __init__(self, *args, **kwargs):
        # The search box at the top of the page is a SearchForm too: its ids stay unique.
        kwargs.setdefault("auto_id", "candidate-%s")
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Search by name, personnummer or case reference")


class AgendaAddForm(Form):
    meeting = forms.ModelChoiceField(
        queryset=None,
        label=_("Meeting"),
        error_messages={
            "required": _("Choose a meeting."),
            "invalid_choice": _("Choose one of the referral group's meetings."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind of item"),
        choices=AgendaItem.Kind.choices,
        error_messages={"invalid_choice": _("Choose the kind of item.")},
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class AttendanceForm(Form):
    """One checkbox and one name per seat of the group."""

    def __init__(self, *args, seats_with_attendance, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = [seat for seat, _row in seats_with_attendance]
        for seat, row in seats_with_attendance:
            self.fields[f"present_{seat.pk}"] = forms.BooleanField(
                label=_("%(organisation)s present") % {"organisation": seat.organisation.name},
                required=False,
                initial=bool(row and row.present),
            )
            self.fields[f"attendee_{seat.pk}"] = forms.CharField(
                label=_("Who attended for %(organisation)s") % {"organisation": seat.organisation.name},
                max_length=200,
                required=False,
                initial=row.attendee if row else "",
            )

    def clean(self):
        cleaned = super().clean()
        for seat in self.seats:
            present, attendee = cleaned.get(f"present_{seat.pk}"), cleaned.get(f"attendee_{seat.pk}", "").strip()
            if present and not attendee:
                self.add_error(f"attendee_{seat.pk}", _("Give the name of who attended."))
            if attendee and not present:
                self.add_error(f"present_{seat.pk}", _("Tick present, or clear the name."))
        return cleaned

    def rows(self):
        """(seat, checkbox, name) for the template."""
        return [(seat, self[f"present_{seat.pk}"], self[f"attendee_{seat.pk}"]) for seat in self.seats]

    def present(self) -> dict[int, str]:
        return {
            seat.pk: self.cleaned_data[f"attendee_{seat.pk}"].strip()
            for seat in self.seats
            if self.cleaned_data[f"present_{seat.pk}"]
        }


class ItemResponseForm(Form):
    active = forms.ChoiceField(
        label=_("Is the person active with your organisation?"),
        choices=ItemResponse.Active.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether the person is active with your organisation."),
            "invalid_choice": _("Say whether the person is active with your organisation."),
        },
    )
    note = forms.CharField(
        label=_("What is relevant for the question"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what the question needs. Your organisation documents the case in its own records."),
    )

    def __init__(self, *args, item: AgendaItem, **kwargs):
        kwargs.setdefault("auto_id", f"item{item.pk}_%s")
        super().__init__(*args, **kwargs)


class OutcomeForm(Form):
    """What is decided on one item. Which details are needed, and which are kept, depends on the
    decision: a detail typed in for another kind of decision is not saved."""

    DETAILS = {
        Decision.Outcome.ENROL: [],
        Decision.Outcome.DECLINE: ["recommendation", "grounds", "informs_person"],
        Decision.Outcome.SEND_BACK: ["recommendation", "grounds"],
        Decision.Outcome.EXIT: ["exit_reason"],
        Decision.Outcome.FOLLOW_UP: ["follow_up_on"],
    }

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the decisions.")},
    )
    recommendation = forms.CharField(
        label=_("The group's recommendation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining; may be given when sending back."),
    )
    grounds = forms.CharField(
        label=_("Grounds for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining; may be given when sending back."),
    )
    informs_person = forms.CharField(
        label=_("Who informs the person"),
        required=False,
        max_length=200,
        help_text=_("Required when declining: the coach, or the referring party's contact."),
    )
    exit_reason = forms.ChoiceField(
        label=_("Reason for the exit"),
        required=False,
        choices=[("", "–"), *ExitReason.choices],
        help_text=_("Required for an exit."),
    )
    follow_up_on = forms.DateField(
        label=_("Date of the follow-up meeting"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Required when booking a follow-up meeting."),
    )

    REQUIRED = {
        "recommendation": _("Give the group's recommendation."),
        "grounds": _("Give the grounds for the decision."),
        "informs_person": _("Say who informs the person about the decision."),
        "exit_reason": _("Choose why the participant exits."),
        "follow_up_on": _("Give the day of the follow-up meeting."),
    }
    REQUIRED_FOR = {
        Decision.Outcome.DECLINE: ["recommendation", "grounds", "informs_person"],
        Decision.Outcome.EXIT: ["exit_reason"],
        Decision.Outcome.FOLLOW_UP: ["follow_up_on"],
    }

    def outcome_applies(self) -> bool:
        return True

    def clean(self):
        cleaned = super().clean()
        if not self.outcome_applies():
            return cleaned
        outcome = cleaned.get("outcome")
        if not outcome and "outcome" not in self.errors:
            self.add_error("outcome", _("Choose what is decided."))
        for name in self.REQUIRED_FOR.get(outcome, []):
            value = cleaned.get(name)
            if name not in self.errors and (value is None or (isinstance(value, str) and not value.strip())):
                self.add_error(name, self.REQUIRED[name])
        follow_up_on = cleaned.get("follow_up_on")
        if outcome == Decision.Outcome.FOLLOW_UP and follow_up_on and follow_up_on < timezone.localdate():
            self.add_error("follow_up_on", _("The follow-up meeting cannot be in the past."))
        return cleaned

    def outcome_kwargs(self) -> dict:
        """The decision and only the details that belong to it."""
        outcome = self.cleaned_data["outcome"]
        return {"outcome": outcome, **{name: self.cleaned_data[name] for name in self.DETAILS[outcome]}}


class DecisionForm(OutcomeForm):
    """The group's decision: agreed (with the decision) or not (and then what it could not agree on)."""

    group_agreed = forms.TypedChoiceField(
        label=_("Did the group agree?"),
        choices=[("yes", _("Yes, the group agreed")), ("no", _("No, the group could not agree"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether the group agreed."),
            "invalid_choice": _("Say whether the group agreed."),
        },
    )
    disagreement = forms.CharField(
        label=_("What the group could not agree on"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The question goes to the coach's manager (chef), who decides."),
    )

    field_order = ["group_agreed"]

    def outcome_applies(self) -> bool:
        return self.cleaned_data.get("group_agreed") is True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("group_agreed") is False and not cleaned.get("disagreement", "").strip():
            self.add_error("disagreement", _("Say what the group could not agree on."))
        return cleaned

    def service_kwargs(self) -> dict:
        if self.cleaned_data["group_agreed"]:
            return {"group_agreed": True, **self.outcome_kwargs()}
        return {"group_agreed": False, "disagreement": self.cleaned_data["disagreement"].strip()}


class ConsultationForm(Form):
    """A consultation question for a meeting's agenda. The asking organisation applies to an external
    consultation only: app.css shows it while "external" is chosen, and the form ignores it otherwise."""

    kind = forms.ChoiceField(
        label=_("Kind of consultation"),
        choices=Consultation.Kind.choices,
        widget=forms.RadioSelect,
        initial=Consultation.Kind.INTERNAL,
        help_text=_(
            "Internal: a question from the group's own work. External: someone outside the group asks, "
            "for example a case worker; announce it by the last day to add items."
        ),
    )
    asking_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        label=_("Organisation of the person asking"),
        required=False,
        help_text=_("Only the organisation is named, never the person."),
    )
    question = forms.CharField(
        label=_("Question to the group"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Write the question de-identified: no name, personnummer or other detail that points at someone. "
            "The members read it before the meeting."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") != Consultation.Kind.EXTERNAL:
            data["asking_organisation"] = None
        elif data.get("asking_organisation") is None and "asking_organisation" not in self.errors:
            self.add_error("asking_organisation", _("Choose the organisation of the person asking."))
        return data


class ConsultationAnswerForm(Form):
    answer = forms.CharField(
        label=_("The group's answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("De-identified, like the question. The minutes say only that the consultation was answered."),
    )
