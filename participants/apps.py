from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        from django.db.models import Q

        from sehoglandet import access, events

        from . import record_names, selectors, services
        from .events import ParticipantEvent
        from .models import Participant

        events.register_codes(ParticipantEvent)
        events.subscribe(events.CoreEvent.PERSON_CORRECTED)(services.follow_person_correction)
        record_names.register()
        access.register_person_cases(
            access.PersonCases(
                model=Participant,
                view_perm="participants.view_participant",
                open=~Q(status=Participant.Status.EXITED),
                shown_as=selectors.name_shown_to,
            )
        )
