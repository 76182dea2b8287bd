"""How consents are named on the auditor's pages (sehoglandet.records), and where a person's history
rows of them are. Registered from ConsentConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sehoglandet.record_names import by_id
from sehoglandet.records import register_person_history, register_record_names

from .models import Consent


def register() -> None:
    register_record_names(
        Consent._meta.label_lower,
        kind=gettext_lazy("Consent"),
        namer=by_id(
            Consent.objects.only("given_on"),
            lambda consent: _("Consent %(date)s") % {"date": consent.given_on.isoformat()},
        ),
    )
    register_person_history(Consent, "person_id")
