"""Forms for referrals and the coach's pre-meeting.

They parse and check what was typed (formats, dates, files); the rules of the process (who may,
which transition, what consent is needed) are checked by the services, whose ValidationErrors the
views put back on these forms.
"""

from datetime import datetime

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sehoglandet import access, dates
from sehoglandet.forms import Form, RecordsChoiceField, date_field, identity_number_field
from sehoglandet.identity import parse_identity_number
from sehoglandet.models import Municipality, Organisation, Person, Role

from . import selectors
from .models import IncomeSource, PreMeeting, Referral


def _model_label(model, field: str):
    return capfirst(model._meta.get_field(field).verbose_name)


def parties():
    """The parties a person can be active at: AF, FK, the region and the municipalities' units
    other than the SE teams."""
    return (
        Organisation.objects.exclude(kind=Organisation.Kind.ASSOCIATION)
        .filter(se_team_of__isnull=True)
        .order_by("name")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class ReferralForm(Form):
    """What the referral says; the parts that may be changed while the referral is open."""

    grounds = forms.MultipleChoiceField(
        label=_("Target-group grounds"),
        choices=[(name, _model_label(Referral, name)) for name in Referral.GROUND_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every ground that applies, at least one."),
        error_messages={"required": _("Choose at least one target-group ground.")},
    )
    active_at = RecordsChoiceField(
        label=_("Active at (aktuell hos)"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The parties where the person is active now. Enrolment needs at least two."),
    )
    income_source = forms.ChoiceField(
        label=_("Income (försörjning)"), choices=[("", _("Choose the income source")), *IncomeSource.choices]
    )
    motivation = forms.CharField(
        label=_("The person's motivation, in their own words"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    question = forms.CharField(
        label=_("Question to the referral group"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["active_at"].queryset = parties()

    @staticmethod
    def initial_for(referral: Referral) -> dict:
        return {
            "grounds": [name for name in Referral.GROUND_FIELDS if getattr(referral, name)],
            "active_at": list(referral.active_at.all()),
            "income_source": referral.income_source,
            "motivation": referral.motivation,
            "question": referral.question,
        }

    def grounds_dict(self) -> dict[str, bool]:
        chosen = set(self.cleaned_data["grounds"])
        return {name: name in chosen for name in Referral.GROUND_FIELDS}

    def referral_fields(self) -> dict:
        """The cleaned referral fields as the services take them (active_at apart)."""
        data = self.cleaned_data
        return {
            **self.grounds_dict(),
            "income_source": data["income_source"],
            "motivation": data["motivation"],
            "question": data["question"],
        }


class NewReferralForm(ReferralForm):
    """A new referral: the person, where it goes and who refers, and what it says."""

    identity_number = identity_number_field()
    no_number = forms.BooleanField(
        label=_("The person has neither a personal identity number nor a coordination number"),
        required=False,
        help_text=_("A reserve identity is then created; give the date of birth below."),
    )
    birth_date = date_field(
        _("Date of birth"),
        required=False,
        help_text=_("Only for a person without a number. Write the date as ÅÅÅÅ-MM-DD."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    residence = forms.ModelChoiceField(
        label=_("Municipality of residence"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("Not known"),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Person.Gender.choices,
        widget=forms.RadioSelect,
        help_text=_("As the person states it; used only for gender-split statistics."),
    )
    protected_identity = forms.BooleanField(
        label=_("Protected identity (skyddad identitet)"),
        required=False,
        help_text=_("Name, address and number are then shown only to the responsible coach."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality the referral goes to"),
        queryset=Municipality.objects.filter(se_team__isnull=False).order_by("name"),
        empty_label=_("Choose the municipality"),
    )
    referring_organisation = forms.ModelChoiceField(
        label=_("Referring organisation"), queryset=Organisation.objects.none()
    )
    referrer = UserChoiceField(
        label=_("Referrer (handläggare)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("I am the referrer"),
        help_text=_("When you write the referral on behalf of a referrer, choose them here."),
    )

    # The person's fields on the page: the identity, then what the referral keeps of them as typed.
    PERSON_FIELDS = ["identity_number", "no_number", "birth_date", *Referral.PERSON_FIELDS]
    # The order of the page (referral_form.html), which the error summary follows: the person,
    # where the referral goes, then what it says.
    field_order = [
        *PERSON_FIELDS,
        "municipality",
        "referring_organisation",
        "referrer",
        *ReferralForm.base_fields,
    ]

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = selectors.referring_organisations(actor)
        field = self.fields["referring_organisation"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name")
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.empty_label = None
        self.own_organisations = organisations
        if access.has_role(actor, Role.COACH):
            # On behalf of a referrer the referral comes from the referrer's organisation.
            field.queryset = (
                Organisation.objects.filter(
                    Q(pk__in=[o.pk for o in organisations])
                    | Q(memberships__role=Role.REFERRER, memberships__user__is_active=True)
                )
                .distinct()
                .order_by("name")
            )
            field.empty_label = _("Choose the organisation")
            field.initial = None
            self.fields["referrer"].queryset = (
                User.objects.filter(memberships__role=Role.REFERRER, is_active=True)
                .exclude(pk=actor.pk)
                .distinct()
                .order_by("last_name", "first_name", "username")
            )
        else:
            del self.fields["referrer"]

    def clean_identity_number(self) -> str:
        value = self.cleaned_data["identity_number"].strip()
        if value:
            parse_identity_number(value)
        return value

    def clean(self):
        cleaned = super().clean()
        referrer, organisation = cleaned.get("referrer"), cleaned.get("referring_organisation")
        if organisation is not None:
            allowed = access.organisations_with_role(referrer, Role.REFERRER) if referrer else self.own_organisations
            if organisation not in allowed:
                self.add_error(
                    "referring_organisation",
                    _("The referrer does not work for %(organisation)s.") % {"organisation": organisation.name}
                    if referrer
                    else _("You can refer only for your own organisation."),
                )
        number = cleaned.get("identity_number")
        if cleaned.get("no_number"):
            if number:
                self.add_error(
                    "identity_number",
                    _("Leave the number empty for a person without one, or untick the box for no number."),
                )
            if not cleaned.get("birth_date") and "birth_date" not in self.errors:
                self.add_error("birth_date", _("Give the date of birth of a person without a number."))
        elif not number and "identity_number" not in self.errors:
            self.add_error(
                "identity_number",
                _("Give the personal identity number or coordination number, or tick that the person has neither."),
            )
        birth_date = cleaned.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            self.add_error("birth_date", _("The date of birth cannot lie in the future."))
        return cleaned

    def person_details(self) -> dict:
        data = self.cleaned_data
        details = {Referral.person_field(name): value for name, value in self.as_written().items()}
        if data["no_number"]:
            details["birth_date"] = data["birth_date"]
        return details

    def as_written(self) -> dict:
        """The person as typed, for the referral to keep and show (Referral.PERSON_FIELDS)."""
        return {name: self.cleaned_data[name] for name in Referral.PERSON_FIELDS}


class AgencyDecisionForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Deciding party"), queryset=Organisation.objects.none(), empty_label=_("Choose the party")
    )
    reference = forms.CharField(
        label=_("The party's reference"),
        max_length=100,
        help_text=_("The decision itself stays in the party's own records; write only its reference."),
    )
    decided_on = date_field(_("Decided on"))
    valid_until = date_field(_("Valid until (optional)"), required=False)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            Q(kind__in=[Organisation.Kind.EMPLOYMENT_SERVICE, Organisation.Kind.SOCIAL_INSURANCE])
            | Q(kind=Organisation.Kind.MUNICIPALITY, municipality=referral.municipality_id, se_team_of__isnull=True)
        ).order_by("name")

    def clean(self):
        cleaned = super().clean()
        decided_on, valid_until = cleaned.get("decided_on"), cleaned.get("valid_until")
        if decided_on and decided_on > timezone.localdate():
            self.add_error("decided_on", _("The decision date cannot lie in the future."))
        if decided_on and valid_until and valid_until < decided_on:
            self.add_error("valid_until", _("Valid until cannot be before the decision date."))
        return cleaned


class PreMeetingBookingForm(Form):
    day = date_field(_("Date"))
    time = forms.TimeField(
        label=_("Time"),
        input_formats=["%H:%M", "%H.%M"],
        help_text=_("Write the time as TT:MM."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def booked_for(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"]))


class PreMeetingRecordForm(Form):
    CHECKLIST = ["target_group", "needs_two_parties", "motivated", "income_secured"]

    held_on = date_field(_("Held on"))
    target_group = forms.BooleanField(label=_model_label(PreMeeting, "target_group"), required=False)
    needs_two_parties = forms.BooleanField(label=_model_label(PreMeeting, "needs_two_parties"), required=False)
    motivated = forms.BooleanField(label=_model_label(PreMeeting, "motivated"), required=False)
    income_secured = forms.BooleanField(label=_model_label(PreMeeting, "income_secured"), required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only the SE team sees the notes; the referrer and the referral group do not."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PreMeeting.Outcome.choices, widget=forms.RadioSelect)
    outcome_reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the criteria are not met."),
    )

    @staticmethod
    def initial_for(pre_meeting: PreMeeting) -> dict:
        initial = {
            name: getattr(pre_meeting, name)
            for name in ["target_group", "needs_two_parties", "motivated", "income_secured", "notes", "outcome"]
        }
        initial["outcome_reason"] = pre_meeting.outcome_reason
        initial["held_on"] = pre_meeting.held_on or min(
            timezone.localtime(pre_meeting.booked_for).date(), timezone.localdate()
        )
        return initial

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in [*self.CHECKLIST, "notes", "outcome_reason"]}


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting) -> str:
        return dates.long_datetime(meeting.starts_at)


class PreMeetingHoldForm(PreMeetingRecordForm):
    """The pre-meeting held on the spot: the record form's checklist and outcome, held today, and
    optionally the coming meeting whose agenda the referral goes on."""

    held_on = None
    meeting = MeetingChoiceField(
        queryset=None,
        label=_("Put on the agenda of"),
        required=False,
        empty_label=_("Not now"),
        help_text=_("Only when the outcome is that the criteria are met or not met."),
        error_messages={"invalid_choice": _("Choose one of the referral group's coming meetings.")},
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
