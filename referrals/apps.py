from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals and referral groups")

    def ready(self):
        from consent.events import ConsentEvent
        from sehoglandet import events

        from . import grants

        events.subscribe(ConsentEvent.GIVEN, ConsentEvent.WITHDRAWN)(grants.on_consent_changed)
