"""The register extract (registerutdrag, GDPR art. 15): everything the service holds about one person,
as an accessible PDF.

It composes every app's part, each read by a selector of its own app (the layers contract): the
person, corrections, the case timeline and who has viewed the record from the core; consents;
referrals with their decisions; participation with the journal in full. A constant number of queries
however large the record (docs/domain.md#rights-of-the-registered).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from consent import selectors as consent_selectors
from participants import selectors as participant_selectors
from referrals import selectors as referral_selectors
from sehoglandet import access
from sehoglandet import selectors as core_selectors
from sehoglandet.models import Person

STYLESHEET = "css/register_extract.css"


@dataclass(frozen=True)
class RegisterExtract:
    person: Person
    made_by: str
    made_at: datetime
    corrections: list
    consents: list
    referrals: list
    enrolments: list
    timeline: list
    viewers: list


def _maker(user: User) -> str:
    """Who made the extract: their name, organisation and role, so the person knows whom to ask."""
    name = user.get_full_name() or user.username
    held = [f"{m.get_role_display()}, {m.organisation.name}" for m in access.memberships_of(user)]
    return f"{name} ({'; '.join(held)})" if held else name


def register_extract_of(person: Person, *, made_by: User, made_at: datetime | None = None) -> RegisterExtract:
    """Everything the service holds about `person`, each app's part from its own selector."""
    return RegisterExtract(
        person=person,
        made_by=_maker(made_by),
        made_at=timezone.localtime(made_at or timezone.now()),
        corrections=core_selectors.corrections_of(person),
        consents=consent_selectors.consents_for_register_extract(person),
        referrals=referral_selectors.referrals_for_register_extract(person),
        enrolments=participant_selectors.enrolments_for_register_extract(person),
        timeline=core_selectors.timeline_of(person),
        viewers=core_selectors.viewers_of(person),
    )


def filename(person: Person, made_at: datetime) -> str:
    """registerutdrag-<date>.pdf: no name or number in the file name, which lands in download lists."""
    return f"registerutdrag-{timezone.localtime(made_at):%Y-%m-%d}.pdf"


def render_pdf(extract: RegisterExtract) -> bytes:
    """The extract as a tagged A4 PDF (PDF/UA-1: headings, tables and the language marked for a
    screen reader), with who made it and when on every page."""
    import weasyprint  # loads system libraries; only when a PDF is made

    html = render_to_string("project/register_extract.html", {"extract": extract, "person": extract.person})
    stylesheet = weasyprint.CSS(filename=finders.find(STYLESHEET))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
