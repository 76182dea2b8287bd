from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_HELP = _("Write the date as ÅÅÅÅ-MM-DD.")


def date_field(label, *, required: bool = True, help_text=DATE_HELP) -> forms.DateField:
    """A date typed as ÅÅÅÅ-MM-DD, with the browser's date picker where there is one."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


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
