from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The code for rectifying a person's identity fields (issue 11, point 4), written by the core.
PERSON_CORRECTED = "person.corrected"


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from participants.events import ParticipantEvent
        from referrals.events import ReferralEvent
        from sehoglandet import events

        from . import record_names
        from .events import ReportingEvent
        from .services import EVENTS_WITHOUT_STATISTICS, refresh_statistics_for_event

        events.register_codes(ReportingEvent)
        # The statistical records follow the live records in the same transaction
        # (docs/domain.md#statistical-record): after every event but those that write none of the
        # rows a statistic is read from (reporting.services.EVENTS_WITHOUT_STATISTICS).
        events.subscribe(
            *(
                code
                for code in (*ParticipantEvent.values, *ReferralEvent.values, PERSON_CORRECTED)
                if code not in EVENTS_WITHOUT_STATISTICS
            )
        )(refresh_statistics_for_event)
        record_names.register()
