"""The project's own forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form


class FindPersonForm(Form):
    """A person's personnummer, samordningsnummer or reserve identity, as they give it."""

    identity = forms.CharField(
        label=_("Personal identity number, coordination number or reserve identity"),
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN, or R-ÅÅÅÅ-NNNNN for a reserve identity."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
