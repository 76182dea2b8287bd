from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import connections
from django.forms.renderers import Jinja2
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .identity import parse_identity_number
from .models import Person
from .second_factor import APP_CODE, RECOVERY_CODE, normalise
from .services import CORRECTABLE_FIELDS

DATE_HELP = _("Write the date as ÅÅÅÅ-MM-DD.")

# Django's "This field is required.", which every field without a message of its own shares.
DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
CHOSEN_WIDGETS = {"select", "radio", "checkbox"}


def required_message(label, widget: forms.Widget) -> str:
    """The error of an empty required field, naming the field by its label: "Förnamn måste fyllas i.",
    "Kön måste väljas." The label stays as the page shows it, for it reads the same there."""
    if getattr(widget, "input_type", None) in CHOSEN_WIDGETS:
        return _("%(label)s must be chosen.") % {"label": label}
    return _("%(label)s must be filled in.") % {"label": label}


class FormRenderer(Jinja2):
    """Django's Jinja2 copies of the widget templates, with ours in sehoglandet/jinja2 before them:
    a select that writes its options in place (django/forms/widgets/select.html there)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": False,
                "DIRS": [Path(__file__).parent / "jinja2", Path(forms.__file__).parent / "jinja2"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )


class NamedRequiredMessages:
    """A form whose empty required fields say which field they are. Django's "Detta fält måste
    fyllas i." tells no one which field it means once it stands in the error summary, or is read
    out apart from its field. A field with a required message of its own keeps it.

    Set at cleaning rather than at creation, so that labels a form's __init__ sets count too.

    Its fields render through Django's Jinja2 copies of the widget templates, the same markup
    several times faster than the template language: a meeting's agenda renders a member's answer
    form for every item (bench/README.md#national-scale-issue-15). The admin's forms, which have
    widget templates of their own, keep Django's default renderer."""

    default_renderer = FormRenderer()  # one for the process: it holds the compiled templates

    def full_clean(self):
        for name, field in self.fields.items():
            if field.error_messages.get("required") is DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(self[name].label, field.widget)
        super().full_clean()


class Form(NamedRequiredMessages, forms.Form):
    """The project's plain form: every form of ours derives from it (tests/core/test_forms.py)."""


def date_field(label, *, required: bool = True, help_text=DATE_HELP) -> forms.DateField:
    """A date typed as ÅÅÅÅ-MM-DD, with the browser's date picker where there is one."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RecordsChoiceField(forms.ModelMultipleChoiceField):
    """Django's ModelMultipleChoiceField, which also answers "not one of the choices" for an id no
    database integer can hold. Django checks the ids with an `id IN (…)` query, and SQLite raises
    OverflowError for such an id: a 500 instead of the form's error."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        key_type = (meta.get_field(self.to_field_name) if self.to_field_name else meta.pk).get_internal_type()
        operations = connections[self.queryset.db].ops
        if key_type not in operations.integer_field_ranges or not isinstance(value, list | tuple):
            return super()._check_values(value)
        low, high = operations.integer_field_range(key_type)
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class LoginForm(NamedRequiredMessages, AuthenticationForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class ChangePasswordForm(NamedRequiredMessages, PasswordChangeForm):
    pass


class ResetPasswordForm(NamedRequiredMessages, PasswordResetForm):
    pass


class NewPasswordForm(NamedRequiredMessages, SetPasswordForm):
    pass


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names where the form has that
    field, otherwise as an error of the whole form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def errors_as_messages(request, errors: forms.Form | ValidationError, *, labelled: bool = False) -> None:
    """Show a form's errors, or a service's ValidationError, as error messages on the page the user
    is sent back to: for the one-button forms posted from a page that shows no form of their own.
    With `labelled`, each form error starts with its field's label."""
    if isinstance(errors, ValidationError):
        texts = errors.messages
    else:
        texts = [
            f"{errors.fields[name].label}: {message}" if labelled and name in errors.fields else message
            for name, field_errors in errors.errors.items()
            for message in field_errors
        ]
    for text in texts:
        messages.error(request, text)


def identity_number_field() -> forms.CharField:
    """The personnummer or samordningsnummer as the forms that take one ask for it (a new referral, a
    correction); checked with identity.parse_identity_number by the form that uses it."""
    return forms.CharField(
        label=_("Personal identity number or coordination number"),
        required=False,
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN. A coordination number has 60 added to the day of birth."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PersonCorrectionForm(Form):
    """Correct the person's identity and contact details (GDPR art. 16): the fields with their current
    values, and why. Only what differs from the current value is a change (`changes`)."""

    identity_number = identity_number_field()
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=2000,
        help_text=_("What was wrong and how you know the right details, e.g. “The person showed their ID card.”"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, person: Person, **kwargs):
        details = [name for name in CORRECTABLE_FIELDS if name != "identity_number"]
        initial = {name: getattr(person, name) for name in details}
        initial["municipality"] = person.municipality_id
        initial["identity_number"] = person.identity_display if person.identity_number else ""
        super().__init__(*args, initial=initial, **kwargs)
        fields = forms.fields_for_model(Person, fields=details)
        fields["municipality"].queryset = fields["municipality"].queryset.order_by("name")
        self.fields = {"identity_number": self.fields["identity_number"], **fields, "reason": self.fields["reason"]}
        if person.reserve_identity:
            self.fields["identity_number"].help_text = _(
                "The person has the reserve identity %(reserve)s. Fill in a number only if they have been given one."
            ) % {"reserve": person.reserve_identity}

    def clean_identity_number(self) -> str:
        value = self.cleaned_data["identity_number"].strip()
        if value:
            parse_identity_number(value)
        return value

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in CORRECTABLE_FIELDS if name in self.changed_data}


class SecondFactorCodeForm(Form):
    """A code from the authenticator app, or (where `recovery` allows) one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "size": 12}
        ),
    )

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        if recovery:
            self.fields["code"].help_text = _(
                "The six digits your authenticator app shows now, or one of your recovery codes."
            )
        else:
            self.fields["code"].help_text = _("The six digits your authenticator app shows now.")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if APP_CODE.match(code) or (self.recovery and RECOVERY_CODE.match(code)):
            return code
        if self.recovery:
            raise ValidationError(
                _("Enter the six digits from the app, or a recovery code of eight letters and digits."), code="format"
            )
        raise ValidationError(_("Enter the six digits the app shows."), code="format")
