"""Forms for recording and withdrawing consent. They parse what was typed and check the uploaded
file; the rules (who may, which dates) are checked by consent.services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form, RecordsChoiceField, date_field
from sehoglandet.models import Organisation

from .models import Consent, Purpose

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# What the first bytes of an accepted file must be, by extension: a renamed file is refused.
DOCUMENT_SIGNATURES = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
}


class ConsentForm(Form):
    organisations = RecordsChoiceField(
        label=_("Organisations that may share and receive information"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one organisation.")},
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one purpose.")},
    )
    given_on = date_field(_("Given on"))
    method = forms.ChoiceField(label=_("How it was given"), choices=Consent.Method.choices, widget=forms.RadioSelect)
    valid_until = date_field(_("Valid until"))
    document = forms.FileField(
        label=_("Signed form (optional)"),
        required=False,
        help_text=_("PDF, JPG or PNG, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.exclude(
            kind=Organisation.Kind.ASSOCIATION
        ).order_by("name")
        self.fields["given_on"].initial = timezone.localdate

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not document:
            return document
        if document.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        extension = document.name.rsplit(".", 1)[-1].lower() if "." in document.name else ""
        signature = DOCUMENT_SIGNATURES.get(extension)
        if signature is None:
            raise forms.ValidationError(_("Upload the signed form as a PDF, JPG or PNG file."))
        document.seek(0)
        head = document.read(len(signature))
        document.seek(0)
        if head != signature:
            raise forms.ValidationError(_("The file is not the kind its name says; upload a real PDF, JPG or PNG."))
        return document

    def purpose_list(self) -> list[Purpose]:
        return [Purpose(value) for value in self.cleaned_data["purposes"]]

    def chosen(self) -> tuple[list[Organisation], list[Purpose]] | None:
        """The organisations and purposes ticked in a form sent back with errors, as far as they are
        valid, so the page can say which parties that choice leaves out; None when they are not."""
        if "organisations" in self.errors or "purposes" in self.errors:
            return None
        organisations = self.cleaned_data.get("organisations")
        purposes = self.cleaned_data.get("purposes")
        if not organisations or not purposes:
            return None
        return list(organisations), [Purpose(value) for value in purposes]


class ConsentWithdrawalForm(Form):
    withdrawn_on = date_field(_("Withdrawn on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate
