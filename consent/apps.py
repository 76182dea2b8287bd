from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent")

    def ready(self):
        from sehoglandet.events import register_codes

        from . import record_names
        from .events import ConsentEvent

        register_codes(ConsentEvent)
        record_names.register()
