from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sehoglandet"
    verbose_name = _("Organisations and access")

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
        from .events import CoreEvent, register_codes

        register_codes(CoreEvent)


class SEAdminConfig(AdminConfig):
    default_site = "sehoglandet.admin_site.SEAdminSite"
