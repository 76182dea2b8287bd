"""How enrolments and what belongs to them are named on the auditor's pages (sehoglandet.records),
and where a person's history rows of them are. Registered from ParticipantsConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sehoglandet.record_names import by_id
from sehoglandet.records import register_person_history, register_record_names

from .models import (
    AftercareVisit,
    Employment,
    IncomeRecord,
    JournalEntry,
    MunicipalityPeriod,
    Participant,
    ReminderDelivery,
    StepChange,
    Transfer,
)


def participant_case(participant: Participant) -> str:
    """The case a participant's record belongs to: "remiss SE-2026-0052", or for an enrolment
    without a referral, "Nässjö, beslut 2026-03-01"."""
    if participant.referral is not None:
        return _("referral %(reference)s") % {"reference": participant.referral.reference}
    return _("%(municipality)s, decision %(date)s") % {
        "municipality": participant.municipality.name,
        "date": participant.decided_on.isoformat(),
    }


def in_case(text: str, participant: Participant) -> str:
    """ "Journalanteckning 2026-05-03 (remiss SE-2026-0052)"."""
    return _("%(record)s (%(case)s)") % {"record": text, "case": participant_case(participant)}


CASE = ("participant__referral", "participant__municipality")


def _dated(label: str, date) -> str:
    return _("%(record)s %(date)s") % {"record": label, "date": date.isoformat()}


def register() -> None:
    register_record_names(
        Participant._meta.label_lower,
        kind=gettext_lazy("Participant"),
        list_name=gettext_lazy("Participant list"),
        namer=by_id(
            Participant.objects.select_related("referral", "municipality"),
            lambda participant: _("Participant, %(case)s") % {"case": participant_case(participant)},
        ),
    )
    register_record_names(
        JournalEntry._meta.label_lower,
        kind=gettext_lazy("Journal entry"),
        namer=by_id(
            JournalEntry.objects.select_related(*CASE).defer("text"),
            lambda entry: in_case(_dated(_("Journal entry"), entry.date), entry.participant),
        ),
    )
    register_record_names(
        StepChange._meta.label_lower,
        kind=gettext_lazy("Step change"),
        namer=by_id(
            StepChange.objects.select_related(*CASE),
            lambda change: in_case(_dated(_("Step change"), change.changed_on), change.participant),
        ),
    )
    register_record_names(
        Employment._meta.label_lower,
        kind=gettext_lazy("Employment"),
        namer=by_id(
            Employment.objects.select_related(*CASE),
            lambda employment: in_case(
                _("Employment from %(date)s") % {"date": employment.starts_on.isoformat()}, employment.participant
            ),
        ),
    )
    register_record_names(
        AftercareVisit._meta.label_lower,
        kind=gettext_lazy("Aftercare contact"),
        namer=by_id(
            AftercareVisit.objects.select_related(*CASE),
            lambda visit: in_case(_dated(_("Aftercare contact"), visit.due_on), visit.participant),
        ),
    )
    register_record_names(
        IncomeRecord._meta.label_lower,
        kind=gettext_lazy("Income"),
        namer=by_id(
            IncomeRecord.objects.select_related(*CASE),
            lambda income: in_case(
                _("Income from %(date)s") % {"date": income.valid_from.isoformat()}, income.participant
            ),
        ),
    )
    register_record_names(
        MunicipalityPeriod._meta.label_lower,
        kind=gettext_lazy("Municipality period"),
        namer=by_id(
            MunicipalityPeriod.objects.select_related(*CASE),
            lambda period: in_case(
                _("Municipality period from %(date)s") % {"date": period.moved_in_on.isoformat()}, period.participant
            ),
        ),
    )
    register_record_names(
        Transfer._meta.label_lower,
        kind=gettext_lazy("Transfer"),
        list_name=gettext_lazy("List of transfers"),
        namer=by_id(
            Transfer.objects.select_related(*CASE, "from_municipality", "to_municipality"),
            lambda transfer: in_case(
                _("Transfer %(from)s to %(to)s")
                % {"from": transfer.from_municipality.name, "to": transfer.to_municipality.name},
                transfer.participant,
            ),
        ),
    )
    register_person_history(Participant, "person_id")
    for model in (JournalEntry, StepChange, Employment, AftercareVisit, IncomeRecord, MunicipalityPeriod, Transfer):
        register_person_history(model, "participant__person_id")
    register_record_names(
        ReminderDelivery._meta.label_lower,
        kind=gettext_lazy("Reminder e-mail"),
        namer=by_id(
            ReminderDelivery.objects.only("day"),
            lambda delivery: _dated(_("Reminder e-mail"), delivery.day),
        ),
    )
