"""The minutes (minnesanteckningar) of a remittentgrupp meeting as a PDF.

docs/domain.md#minutes: minutes hold decisions on participation only, never case details, not even
de-identified ones. So the template gets plain rows built here — a case reference and the
decision's label — and never a person, a referral or a decision object it could leak from.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AgendaItem, Decision, Meeting

STYLESHEET = "css/minutes.css"


@dataclass(frozen=True)
class MinutesItem:
    number: int
    reference: str | None  # None: the reader's organisation has no consent for the item
    decision: str  # empty while undecided


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
        return _("%(decision)s (decided by the manager)") % {"decision": decision.get_outcome_display()}
    return decision.get_outcome_display()


def minutes_items(items: list[AgendaItem]) -> list[MinutesItem]:
    """Rows for the minutes from agenda items carrying `visible` (selectors.agenda_for)."""
    rows = []
    for number, item in enumerate(items, start=1):
        if item.visible:
            rows.append(MinutesItem(number, item.referral.reference, decision_label(getattr(item, "decision", None))))
        else:
            rows.append(MinutesItem(number, None, ""))
    return rows


def minutes_attendance(seats_with_attendance: list[tuple]) -> list[MinutesAttendance]:
    return [
        MinutesAttendance(
            seat.organisation.name, bool(row and row.present), row.attendee if row and row.present else ""
        )
        for seat, row in seats_with_attendance
    ]


def minutes_filename(meeting: Meeting) -> str:
    day = timezone.localtime(meeting.starts_at).date()
    return f"minnesanteckningar-{meeting.referral_group.municipality.code}-{day:%Y-%m-%d}.pdf"


def render_minutes(
    *,
    meeting: Meeting,
    items: list[AgendaItem],
    seats_with_attendance: list[tuple],
    generated_by: str,
    generated_at: datetime,
) -> bytes:
    """The minutes as A4 PDF bytes, with page numbers and who generated them, and when."""
    import weasyprint  # loads system libraries; only when a PDF is made

    html = render_to_string(
        "referrals/minutes.html",
        {
            "meeting": meeting,
            "municipality": meeting.referral_group.municipality.name,
            "starts_at": timezone.localtime(meeting.starts_at),
            "preliminary": meeting.status != Meeting.Status.HELD,
            "attendance": minutes_attendance(seats_with_attendance),
            "items": minutes_items(items),
            "generated_by": generated_by,
            "generated_at": timezone.localtime(generated_at),
        },
    )
    stylesheet = weasyprint.CSS(filename=finders.find(STYLESHEET))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])
