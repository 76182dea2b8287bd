from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals and referral groups")

    def ready(self):
        from django.db.models import Q

        from consent.events import ConsentEvent
        from sehoglandet import access, events

        from . import grants, record_names, selectors, services
        from .events import ReferralEvent
        from .models import Referral

        events.register_codes(ReferralEvent)
        record_names.register()
        events.subscribe(ConsentEvent.GIVEN, ConsentEvent.WITHDRAWN)(grants.on_consent_changed)
        events.subscribe(events.CoreEvent.PERSON_CORRECTED)(services.follow_person_correction)
        access.register_person_cases(
            access.PersonCases(
                model=Referral,
                view_perm="referrals.view_referral",
                # A draft is its writer's alone until it is submitted (docs/domain.md#identity-lookup).
                open=~Q(status__in=[Referral.Status.DRAFT, Referral.Status.WITHDRAWN]),
                drafted_by=lambda user: Q(status=Referral.Status.DRAFT) & (Q(referrer=user) | Q(written_by=user)),
                shown_as=selectors.name_shown_to,
                received=~Q(status=Referral.Status.DRAFT),
            )
        )
