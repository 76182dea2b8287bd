"""The agenda (dagordning) and the minutes (minnesanteckningar) of a remittentgrupp meeting as PDFs.

Before the meeting there is the agenda: the items by case reference and kind. Once the meeting is
held there are the minutes: attendance and the decisions. Minutes before that would list every party
as absent, so there are none (`has_minutes`).

docs/domain.md#minutes: minutes hold decisions on participation only, never case details, not even
de-identified ones; the agenda holds even less. So the templates get plain rows built here — a case
reference and a label — and never a person, a referral or a decision object they could leak from.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AgendaItem, Consultation, Decision, Meeting

STYLESHEET = "css/minutes.css"


@dataclass(frozen=True)
class AgendaRow:
    number: int
    reference: str | None  # None: the reader's organisation has no consent for the item
    kind: str


@dataclass(frozen=True)
class MinutesItem:
    number: int
    reference: str | None  # None: the reader's organisation has no consent for the item
    decision: str  # empty while undecided


@dataclass(frozen=True)
class ConsultationAgendaRow:
    """A consultation on the agenda: the members read the question before the meeting (seed 004)."""

    number: int
    kind: str
    asked_by: str
    question: str
    withdrawn: bool


@dataclass(frozen=True)
class ConsultationMinutesRow:
    """A consultation in the minutes: whether it was answered, never the question or the answer."""

    number: int
    outcome: str


@dataclass(frozen=True)
class MinutesAttendance:
    organisation: str
    present: bool
    attendee: str


def decision_label(decision: Decision | None) -> str:
    """The decision on participation in a few words: the outcome, or that the manager has the question."""
    if decision is None:
        return ""
    if decision.status == Decision.Status.ESCALATED:
        return _("Referred to the manager")
    if decision.decided_by_manager_id:
        return _("%(decision)s (decided by the manager)") % {"decision": decision.result_label}
    return decision.result_label


def has_minutes(meeting: Meeting) -> bool:
    """Minutes exist once the meeting is held; before that only the agenda does."""
    return meeting.status == Meeting.Status.HELD


def agenda_rows(items: list[AgendaItem]) -> list[AgendaRow]:
    """Rows for the agenda from agenda items carrying `visible` (selectors.agenda_for)."""
    return [
        AgendaRow(number, item.referral.reference, item.get_kind_display())
        if item.visible
        else AgendaRow(number, None, "")
        for number, item in enumerate(items, start=1)
    ]


def minutes_items(items: list[AgendaItem]) -> list[MinutesItem]:
    """Rows for the minutes from agenda items carrying `visible` (selectors.agenda_for)."""
    rows = []
    for number, item in enumerate(items, start=1):
        if item.visible:
            rows.append(MinutesItem(number, item.referral.reference, decision_label(getattr(item, "decision", None))))
        else:
            rows.append(MinutesItem(number, None, ""))
    return rows


def agenda_consultations(consultations: list[Consultation]) -> list[ConsultationAgendaRow]:
    """Rows for the agenda from the consultations the reader may see (selectors.consultations_for)."""
    return [
        ConsultationAgendaRow(
            consultation.number,
            consultation.get_kind_display(),
            consultation.asking_organisation.name,
            consultation.question,
            consultation.status == Consultation.Status.WITHDRAWN,
        )
        for consultation in consultations
    ]


def consultation_outcome(consultation: Consultation) -> str:
    """ "besvarad", "inte besvarad" or "återkallad": all the minutes say of a consultation (docs/domain.md#minutes)."""
    if consultation.status == Consultation.Status.ANSWERED:
        return _("answered")
    if consultation.status == Consultation.Status.WITHDRAWN:
        return _("withdrawn")
    return _("not answered")


def minutes_consultations(consultations: list[Consultation]) -> list[ConsultationMinutesRow]:
    return [ConsultationMinutesRow(c.number, consultation_outcome(c)) for c in consultations]


def minutes_attendance(seats_with_attendance: list[tuple]) -> list[MinutesAttendance]:
    return [
        MinutesAttendance(
            seat.organisation.name, bool(row and row.present), row.attendee if row and row.present else ""
        )
        for seat, row in seats_with_attendance
    ]


def _filename(document: str, meeting: Meeting) -> str:
    day = timezone.localtime(meeting.starts_at).date()
    return f"{document}-{meeting.referral_group.municipality.code}-{day:%Y-%m-%d}.pdf"


def minutes_filename(meeting: Meeting) -> str:
    return _filename("minnesanteckningar", meeting)


def agenda_filename(meeting: Meeting) -> str:
    return _filename("dagordning", meeting)


def _pdf(template: str, meeting: Meeting, *, generated_by: str, generated_at: datetime, **context) -> bytes:
    """An A4 PDF of the meeting with page numbers, who generated it and when."""
    import weasyprint  # loads system libraries; only when a PDF is made

    html = render_to_string(
        template,
        {
            "meeting": meeting,
            "municipality": meeting.referral_group.municipality.name,
            "starts_at": timezone.localtime(meeting.starts_at),
            "generated_by": generated_by,
            "generated_at": timezone.localtime(generated_at),
            **context,
        },
    )
    stylesheet = weasyprint.CSS(filename=finders.find(STYLESHEET))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])


def render_agenda(
    *,
    meeting: Meeting,
    items: list[AgendaItem],
    generated_by: str,
    generated_at: datetime,
    consultations: list[Consultation] = (),
) -> bytes:
    """The agenda: date, place and the items by case reference and kind; no name, answer, decision
    or attendance. The consultations with their de-identified questions, for the members to prepare."""
    return _pdf(
        "referrals/agenda.html",
        meeting,
        generated_by=generated_by,
        generated_at=generated_at,
        items=agenda_rows(items),
        consultations=agenda_consultations(consultations),
    )


def render_minutes(
    *,
    meeting: Meeting,
    items: list[AgendaItem],
    seats_with_attendance: list[tuple],
    generated_by: str,
    generated_at: datetime,
    consultations: list[Consultation] = (),
) -> bytes:
    """The minutes of a held meeting: attendance per party and, per item, the reference and the decision;
    per consultation only whether it was answered."""
    if not has_minutes(meeting):
        raise ValueError("minutes exist only for a held meeting")
    return _pdf(
        "referrals/minutes.html",
        meeting,
        generated_by=generated_by,
        generated_at=generated_at,
        attendance=minutes_attendance(seats_with_attendance),
        items=minutes_items(items),
        consultations=minutes_consultations(consultations),
    )
