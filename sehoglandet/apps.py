from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sehoglandet"
    verbose_name = _("Organisations and access")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import (
            access,
            checks,  # noqa: F401  (registers the deploy checks)
            record_names,
        )
        from .events import CoreEvent, register_codes

        register_codes(CoreEvent)
        record_names.register()
        post_migrate.connect(access.forget_permission_ids, dispatch_uid="sehoglandet.forget_permission_ids")


class SEAdminConfig(AdminConfig):
    default_site = "sehoglandet.admin_site.SEAdminSite"
