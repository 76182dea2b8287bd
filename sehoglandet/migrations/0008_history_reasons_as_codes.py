"""History change reasons become stable event codes, and the case event log is filled from history.

Until now a service stored its reason as translated text, so the same change reads "Remiss skickad"
or "Referral submitted" depending on the language that was active. Each known text (Swedish and
English, as the catalogue had them) becomes its code; a few texts meant different things on
different tables and are decided per row. Unknown texts are left as they are.

Then each case change in the history gets its CaseEvent: one per action, taken from the table that
carries it (the referral for "referral.submitted", the transfer for "transfer.accepted"), with the
time, the acting user (the system user when the history has none) and the person. Changes to roles,
seats and reference data keep their history only; they are not case events.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import Case, Value, When

# (code, English text, Swedish text) as the services wrote them before this migration.
REASONS = [
    ("reference_data.loaded", "Reference data loaded", "Referensdata inläst"),
    ("municipality.fte_changed", "Coach FTE changed", "Coachtjänst ändrad"),
    ("membership.added", "Role given", "Roll tilldelad"),
    ("membership.removed", "Role removed", "Roll borttagen"),
    ("seat.member_added", "Seat in referral group given", "Plats i remittentgrupp tilldelad"),
    ("seat.member_removed", "Seat in referral group removed", "Plats i remittentgrupp borttagen"),
    ("person.registered", "Person registered", "Person registrerad"),
    ("demo.user_created", "Demo user created", "Demoanvändare skapad"),
    ("demo.password_restored", "Demo password restored", "Demolösenord återställt"),
    ("consent.given", "Consent recorded", "Samtycke registrerat"),
    ("consent.withdrawn", "Consent withdrawn", "Samtycke återkallat"),
    ("referral.written", "Referral written", "Remiss skriven"),
    ("referral.changed", "Referral changed", "Remiss ändrad"),
    ("referral.agency_decision_added", "Individual decision recorded", "Individbeslut registrerat"),
    ("referral.submitted", "Referral submitted", "Remiss skickad"),
    ("referral.withdrawn", "Referral withdrawn", "Remiss återkallad"),
    ("pre_meeting.booked", "Pre-meeting booked", "Förmöte bokat"),
    ("pre_meeting.recorded", "Pre-meeting recorded", "Förmöte registrerat"),
    ("meeting.planned", "Meeting planned", "Möte planerat"),
    ("meeting.planned", "Demo meeting planned", "Demo meeting planned"),
    ("agenda.item_added", "Added to the agenda", "Tillagd på dagordningen"),
    ("meeting.agenda_published", "Agenda published", "Dagordning publicerad"),
    ("agenda.member_responded", "Member responded", "Ledamot har svarat"),
    ("meeting.attendance_recorded", "Attendance recorded", "Närvaro registrerad"),
    ("decision.recorded", "Decision recorded", "Beslut registrerat"),
    ("decision.escalated", "Escalated to the manager", "Hänskjutet till chef"),
    ("decision.decided_by_manager", "Decided by the manager", "Beslutat av chef"),
    ("referral.enrolled", "Enrolled", "Inskriven"),
    ("referral.declined", "Declined", "Avslag"),
    ("referral.sent_back", "Sent back", "Återremitterad"),
    ("meeting.held", "Meeting held", "Möte hållet"),
    ("participant.enrolled", "Enrolled by the referral group", "Inskriven av remittentgruppen"),
    ("participant.enrolled", "Income at enrolment, from the referral", "Försörjning vid inskrivning, från remissen"),
    ("participant.step_changed", "Step changed", "Steget ändrat"),
    ("journal.entry_added", "Journal entry added", "Journalanteckning tillagd"),
    ("employment.registered", "Employment registered", "Anställning registrerad"),
    ("employment.registered", "Aftercare plan generated", "Efterstödsplan skapad"),
    ("participant.aftercare_started", "Employment started: aftercare", "Anställning påbörjad: efterstöd"),
    (
        "participant.back_to_finding_work",
        "Employment ended: back to finding work",
        "Anställningen avslutad: tillbaka till att hitta arbete",
    ),
    ("aftercare.visit_marked", "Aftercare visit marked", "Efterstödsbesök markerat"),
    ("aftercare.extended", "Aftercare extended", "Efterstödet förlängt"),
    ("participant.support_started", "Support started", "Stödet startat"),
    ("participant.coach_assigned", "Responsible coach changed", "Ansvarig coach ändrad"),
    ("income.recorded", "Income changed", "Försörjning ändrad"),
    ("participant.exited", "Exit recorded by the coach", "Avslut registrerat av coachen"),
    (
        "participant.exited_by_decision",
        "Exit decided by the referral group",
        "Utskrivning beslutad av remittentgruppen",
    ),
    ("participant.exit_completed", "Exit details recorded", "Uppgifter om avslutet registrerade"),
    ("sus.registered", "Registered in SUS", "Registrerad i SUS"),
    ("sus.deregistered", "De-registered in SUS", "Avregistrerad i SUS"),
    ("transfer.started", "Transfer started", "Överflyttning påbörjad"),
    ("transfer.meeting_booked", "Transfer meeting booked", "Överlämningsmöte bokat"),
    ("transfer.queue_reordered", "Transfer queue reordered", "Överflyttningskön omordnad"),
    ("transfer.cancelled", "Transfer cancelled", "Överflyttning avbruten"),
    ("transfer.cancelled_by_exit", "Cancelled: the participant has exited", "Avbruten: deltagaren är avslutad"),
    ("survey.answers_entered", "Survey answers entered", "Enkätsvar registrerade"),
    ("certification.recorded", "Half-year certified by the manager", "Halvåret intygat av chefen"),
]
TEXT_TO_CODE = {text: code for code, english, swedish in REASONS for text in (english, swedish)}

# Texts whose meaning depends on the table (or the row).
ADMINISTRATOR_ROLE_CHANGED = {"Administrator role changed", "Administratörsroll ändrad"}
EMPLOYMENT_ENDED = {"Employment ended", "Anställning avslutad"}
INCOME_AT_EXIT = {"Income at exit", "Försörjning vid avslut"}
TRANSFERRED = re.compile(r"^(Transferred from .+ to .+|Flyttad från .+ till .+)$")

HISTORY_TABLES = {
    "sehoglandet": ["historicaluser", "historicalassociation", "historicalorganisation", "historicalmunicipality"]
    + ["historicalreferralgroup", "historicalreferralgroupseat", "historicalmembership"]
    + ["historicalreferralgroupmember", "historicalperson"],
    "consent": ["historicalconsent"],
    "referrals": ["historicalreferral", "historicalagencydecision", "historicalpremeeting", "historicalmeeting"]
    + ["historicalagendaitem", "historicalitemresponse", "historicalattendance", "historicaldecision"],
    "participants": ["historicalparticipant", "historicalstepchange", "historicaljournalentry"]
    + ["historicalemployment", "historicalaftercarevisit", "historicalincomerecord"]
    + ["historicalmunicipalityperiod", "historicaltransfer"],
    "reporting": ["historicalsurveyresponse", "historicalcertification"],
}


def _row_code(table: str, row, exited_by_decision: set[int]) -> str | None:
    reason = row.history_change_reason
    if reason in ADMINISTRATOR_ROLE_CHANGED:
        return "membership.added" if row.is_staff else "membership.removed"
    if reason in EMPLOYMENT_ENDED:
        return "aftercare.visit_cancelled" if table == "historicalaftercarevisit" else "employment.ended"
    if reason in INCOME_AT_EXIT:
        return "participant.exit_completed" if row.participant_id in exited_by_decision else "participant.exited"
    if reason and TRANSFERRED.match(reason):
        return "transfer.accepted"
    return None


def reasons_to_codes(apps, schema_editor):
    participant = apps.get_model("participants", "Participant")
    exited_by_decision = set(participant.objects.filter(exit_decision__isnull=False).values_list("pk", flat=True))
    for app_label, tables in HISTORY_TABLES.items():
        for table in tables:
            history = apps.get_model(app_label, table)
            history.objects.filter(history_change_reason__in=TEXT_TO_CODE).update(
                history_change_reason=Case(
                    *[When(history_change_reason=text, then=Value(code)) for text, code in TEXT_TO_CODE.items()]
                )
            )
            special = history.objects.exclude(history_change_reason__isnull=True).exclude(
                history_change_reason__contains="."
            )
            by_code: dict[str, list[int]] = {}
            for row in special.iterator():
                code = _row_code(table, row, exited_by_decision)
                if code is not None:
                    by_code.setdefault(code, []).append(row.pk)
            for code, pks in by_code.items():
                for start in range(0, len(pks), BATCH):
                    history.objects.filter(pk__in=pks[start : start + BATCH]).update(history_change_reason=code)


# Which history table carries each case event, and how to find the event's record and person.
# (app, history table, codes, record type, record id field, person: a field of the row or a lookup).
# Tables listed in MERGED write several rows for one action (a referral's or a consent's parties are
# saved after the row itself, attendance is a row per seat, an extension a row per call): rows of one
# record by one user within the same second are one event there.
EVENT_SOURCES = [
    ("sehoglandet", "historicalperson", {"person.registered"}, "sehoglandet.person", "id", "id"),
    ("consent", "historicalconsent", {"consent.given", "consent.withdrawn"}, "consent.consent", "id", "person_id"),
    (
        "referrals",
        "historicalreferral",
        {
            "referral.written",
            "referral.changed",
            "referral.submitted",
            "referral.withdrawn",
            "referral.enrolled",
            "referral.declined",
            "referral.sent_back",
        },
        "referrals.referral",
        "id",
        "person_id",
    ),
    (
        "referrals",
        "historicalagencydecision",
        {"referral.agency_decision_added"},
        "referrals.referral",
        "referral_id",
        "referral",
    ),
    (
        "referrals",
        "historicalpremeeting",
        {"pre_meeting.booked", "pre_meeting.recorded"},
        "referrals.referral",
        "referral_id",
        "referral",
    ),
    (
        "referrals",
        "historicalmeeting",
        {"meeting.planned", "meeting.agenda_published", "meeting.held"},
        "referrals.meeting",
        "id",
        None,
    ),
    ("referrals", "historicalagendaitem", {"agenda.item_added"}, "referrals.agendaitem", "id", "referral"),
    ("referrals", "historicalitemresponse", {"agenda.member_responded"}, "referrals.agendaitem", "item_id", "item"),
    ("referrals", "historicalattendance", {"meeting.attendance_recorded"}, "referrals.meeting", "meeting_id", None),
    (
        "referrals",
        "historicaldecision",
        {"decision.recorded", "decision.escalated", "decision.decided_by_manager"},
        "referrals.decision",
        "id",
        "item",
    ),
    (
        "participants",
        "historicalparticipant",
        {
            "participant.enrolled",
            "participant.step_changed",
            "participant.aftercare_started",
            "participant.back_to_finding_work",
            "participant.support_started",
            "participant.coach_assigned",
            "participant.exited",
            "participant.exited_by_decision",
            "participant.exit_completed",
            "sus.registered",
            "sus.deregistered",
        },
        "participants.participant",
        "id",
        "person_id",
    ),
    (
        "participants",
        "historicaljournalentry",
        {"journal.entry_added"},
        "participants.journalentry",
        "id",
        "participant",
    ),
    (
        "participants",
        "historicalemployment",
        {"employment.registered", "employment.ended"},
        "participants.employment",
        "id",
        "participant",
    ),
    (
        "participants",
        "historicalaftercarevisit",
        {"aftercare.visit_marked", "aftercare.visit_cancelled"},
        "participants.aftercarevisit",
        "id",
        "participant",
    ),
    (
        "participants",
        "historicalaftercarevisit",
        {"aftercare.extended"},
        "participants.participant",
        "participant_id",
        "participant",
    ),
    ("participants", "historicalincomerecord", {"income.recorded"}, "participants.incomerecord", "id", "participant"),
    (
        "participants",
        "historicaltransfer",
        {
            "transfer.started",
            "transfer.meeting_booked",
            "transfer.queue_reordered",
            "transfer.accepted",
            "transfer.cancelled",
            "transfer.cancelled_by_exit",
        },
        "participants.transfer",
        "id",
        "participant",
    ),
    ("reporting", "historicalsurveyresponse", {"survey.answers_entered"}, "reporting.surveyresponse", "id", None),
    ("reporting", "historicalcertification", {"certification.recorded"}, "reporting.certification", "id", None),
]
MERGED = {"historicalreferral", "historicalconsent", "historicalattendance", "historicalaftercarevisit"}
BATCH = 2000
# History rows of a merged table with the same reason, record and user this close are one action.
SAME_ACTION = timedelta(seconds=1)


class _Persons:
    """Each referral's, agenda item's and participant's person, read once."""

    def __init__(self, apps):
        referral = apps.get_model("referrals", "Referral")
        item = apps.get_model("referrals", "AgendaItem")
        participant = apps.get_model("participants", "Participant")
        self.of_referral = dict(referral.objects.values_list("id", "person_id"))
        self.of_item = {pk: self.of_referral.get(r) for pk, r in item.objects.values_list("id", "referral_id")}
        self.of_participant = dict(participant.objects.values_list("id", "person_id"))

    def of(self, row, via: str | None):
        if via is None:
            return None
        if via in ("id", "person_id"):
            return getattr(row, via)
        if via == "referral":
            return self.of_referral.get(row.referral_id)
        if via == "item":
            return self.of_item.get(row.item_id)
        if via == "participant":
            return self.of_participant.get(row.participant_id)
        raise ValueError(via)


def _system_user(apps):
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    user, _created = user_model.objects.get_or_create(
        username=settings.SYSTEM_USERNAME, defaults={"first_name": "System", "is_active": False, "password": "!"}
    )
    return user


def backfill_events(apps, schema_editor):
    case_event = apps.get_model("sehoglandet", "CaseEvent")
    if case_event.objects.exists():
        return
    persons = _Persons(apps)
    system = None
    seen = {}
    batch = []
    for app_label, table, codes, record_type, record_field, person_via in EVENT_SOURCES:
        history = apps.get_model(app_label, table)
        rows = history.objects.filter(history_change_reason__in=codes).order_by("history_date", "history_id")
        for row in rows.iterator(chunk_size=BATCH):
            record_id = str(getattr(row, record_field))
            key = (row.history_change_reason, record_type, record_id, row.history_user_id)
            if table in MERGED:
                # The rows of one action come within the same moment, which may straddle a second.
                first = seen.get(key)
                if first is not None and row.history_date - first < SAME_ACTION:
                    continue
                seen[key] = row.history_date
            payload = {"backfilled": True}
            if hasattr(row, "status"):
                payload["status"] = row.status
            actor_id = row.history_user_id
            if actor_id is None:
                system = system or _system_user(apps)
                actor_id = system.pk
                payload["actor_unknown"] = True
            batch.append(
                case_event(
                    code=row.history_change_reason,
                    occurred_at=row.history_date,
                    actor_id=actor_id,
                    person_id=persons.of(row, person_via),
                    record_type=record_type,
                    record_id=record_id,
                    payload=payload,
                )
            )
            if len(batch) >= BATCH:
                case_event.objects.bulk_create(batch)
                batch = []
    case_event.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("sehoglandet", "0007_case_event"),
        ("consent", "0003_person_moves_to_core"),
        ("referrals", "0003_person_moves_to_core"),
        ("participants", "0007_person_moves_to_core"),
        ("reporting", "0001_survey_and_certification"),
    ]

    operations = [
        migrations.RunPython(reasons_to_codes, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(backfill_events, migrations.RunPython.noop, elidable=True),
    ]
