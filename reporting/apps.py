from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from sehoglandet import events

        from . import record_names
        from .events import ReportingEvent

        events.register_codes(ReportingEvent)
        record_names.register()
