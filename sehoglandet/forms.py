from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connections
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
