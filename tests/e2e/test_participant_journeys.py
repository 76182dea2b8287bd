"""The coach's participant work in the browser, on a phone: the caseload, the page, the journal."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from participants import services
from participants.models import JournalEntry, Participant
from tests import factories
from tests.participants.conftest import enrol

from .axe import assert_accessible
from .ui import containing, either, open_from_menu

PHONE = {"width": 375, "height": 740}
NOTE = "Besökte bageriet med Sara. Hon provar morgonpasset på fredag."


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{page.url} is {scroll_width}px wide on a {PHONE['width']}px screen"


def enrolled(people: dict[str, User], first_name: str, last_name: str) -> Participant:
    """A participant enrolled by Nässjö's group today, the way the coach would get there."""
    person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name)
    referral = factories.make_ready_referral(people, person=person)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    item.refresh_from_db()
    factories.decide(people, item)
    return Participant.objects.get(referral=referral)


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_coach_adds_a_journal_entry_on_a_phone(login, people):
    participant = enrolled(people, "Sara", "Lind")
    services.add_journal_entry(
        actor=people["coach.nassjo"],
        participant=participant,
        date=participant.decided_on,
        kind=JournalEntry.Kind.PHONE,
        text="Ringde Sara och bokade ett första möte.",
    )
    page = login("coach.nassjo")

    open_from_menu(page, "Deltagare", "Participants")
    expect(page).to_have_url(re.compile(re.escape(reverse("participants:participant_list")) + r"(\?.*)?$"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("main").get_by_role("link", name="Sara Lind").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("participants:participant_detail", args=[participant.pk]))))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sara Lind")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    button = page.get_by_role("link", name=either("Skriv i journalen", "Write in the journal"))
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], (
        "The journal button is below the first screen"
    )
    button.tap()
    form = page.get_by_role("region", name=either("Ny journalanteckning", "New journal entry"))
    expect(form.get_by_label(either("Datum", "Date"))).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    form.get_by_label(either("Typ av kontakt", "Kind of contact")).select_option("workplace_visit")
    form.get_by_label(either("Anteckning", "Note")).fill(NOTE)
    form.get_by_role("button", name=either("Lägg till i journalen", "Add to the journal")).tap()

    expect(page.get_by_role("status", name=re.compile("Meddelanden|Messages"))).to_contain_text(
        containing("Journalanteckningen är tillagd.", "The journal entry has been added.")
    )
    journal = page.get_by_role("region", name=either("Journal och händelser", "Journal and events"))
    newest = journal.get_by_role("article").first
    expect(newest).to_contain_text(NOTE)
    expect(newest).to_contain_text(containing("Arbetsplatsbesök", "Workplace visit"))
    expect(journal.get_by_role("article")).to_have_count(2)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_coach_registers_an_employment_and_sees_the_aftercare_plan(login, people):
    participant = enrolled(people, "Nils", "Holm")
    page = login("coach.nassjo")
    page.goto(reverse("participants:participant_detail", args=[participant.pk]))

    section = page.get_by_role("region", name=either("Anställning och efterstöd", "Employment and aftercare"))
    expect(section).to_contain_text(containing("Ingen efterstödsplan än", "No aftercare plan yet"))
    page.get_by_role("link", name=either("Registrera anställning", "Register employment")).tap()
    form = page.get_by_role("region", name=either("Registrera anställning", "Register employment"))
    form.get_by_label(either("Arbetsgivare eller skola", "Employer or school")).fill("Bageriet på torget")
    form.get_by_label(either("Typ", "Kind")).select_option("subsidised_employment")
    form.get_by_label(either("Startdatum", "Start date")).fill("2025-03-03")
    form.get_by_label(either("Timmar per vecka", "Hours per week")).fill("20")
    form.get_by_role("button", name=either("Registrera", "Register")).tap()

    expect(page.get_by_role("status", name=re.compile("Meddelanden|Messages"))).to_contain_text(
        containing(
            "Anställningen är registrerad och efterstödsplanen skapad.",
            "The employment has been registered and the aftercare plan created.",
        )
    )
    section = page.get_by_role("region", name=either("Anställning och efterstöd", "Employment and aftercare"))
    expect(section).to_contain_text("Bageriet på torget")
    plan = section.get_by_role("list", name=either("Efterstödsplan", "Aftercare plan"))
    expect(plan.get_by_role("listitem")).to_have_count(10)
    expect(plan.get_by_role("listitem").first).to_contain_text("2025-03-10")
    expect(plan.get_by_role("listitem").last).to_contain_text(containing("Telefonsamtal", "Phone call"))
    expect(page.locator(".lead .status")).to_have_text(either("Efterstöd", "Aftercare"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_coach_ends_a_participation_for_work_and_sees_the_exit_summary(login, people):
    participant = enrolled(people, "Lina", "Ek")
    page = login("coach.nassjo")
    page.goto(reverse("participants:participant_detail", args=[participant.pk]))

    section = page.get_by_role("region", name=either("Avsluta deltagandet", "End the participation"))
    expect(section.get_by_role("combobox")).to_have_count(0)
    section.get_by_role("link", name=either("Registrera avslutet", "Record the exit")).tap()
    form = page.get_by_role("region", name=either("Avsluta deltagandet", "End the participation"))
    expect(form.get_by_role("button", name=either("Avsluta deltagandet", "End the participation"))).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    expect(form.get_by_label(either("Avslutsdatum", "Exit date"))).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    form.get_by_label(either("Avslutsorsak", "Exit reason")).select_option("work")
    form.get_by_label(either("Sysselsättning efter avslut", "Occupation after the exit")).select_option("work")
    form.get_by_label(either("Försörjning efter avslut", "Income after the exit")).select_option("salary")
    form.get_by_label(either("Om avslutet (frivilligt)", "About the exit (optional)")).fill("Fast jobb på lagret.")
    form.get_by_role("button", name=either("Avsluta deltagandet", "End the participation")).tap()

    expect(page.get_by_role("status", name=re.compile("Meddelanden|Messages"))).to_contain_text(
        containing("Deltagandet är avslutat.", "The participation has ended.")
    )
    summary = page.get_by_role("region", name=either("Avslut", "The exit"))
    expect(summary).to_contain_text(containing("Arbete utan stöd", "Work without support"))
    expect(summary).to_contain_text(containing("Lön", "Salary"))
    expect(summary).to_contain_text(containing("Coachen", "The coach"))
    expect(summary).to_contain_text("Fast jobb på lagret.")
    expect(page.locator(".lead .status")).to_have_text(either("Avslutad", "Exited"))
    expect(page.get_by_role("region", name=either("Ny journalanteckning", "New journal entry"))).to_have_count(0)
    expect(page.get_by_role("region", name=either("Avsluta deltagandet", "End the participation"))).to_have_count(0)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    participant.refresh_from_db()
    assert (participant.status, participant.exit_reason) == (Participant.Status.EXITED, "work")


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_coach_pages_through_a_caseload_longer_than_a_page_on_a_phone(login, people, monkeypatch):
    """The list is not counted (sehoglandet.paging.UncountedPaginator): the caption says which rows a
    page shows, "Nästa" goes on, and the last page says how many there are."""
    monkeypatch.setattr("participants.views.caseload.CASELOAD_PAGE_SIZE", 2)
    enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"), ("Cim", "Dahl"))
    page = login("coach.nassjo")

    open_from_menu(page, "Deltagare", "Participants")
    table = page.get_by_role("table")
    expect(table).to_have_accessible_name(either("Deltagare 1–2 av fler", "Participants 1–2 of more"))
    pages = page.get_by_role("navigation", name=either("Sidor", "Pages"))
    expect(pages).to_contain_text(containing("Sida 1", "Page 1"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    pages.get_by_role("link", name=either("Nästa", "Next")).click()

    expect(table).to_have_accessible_name(either("3 deltagare", "3 participants"))
    expect(pages).to_contain_text(containing("Sida 2 av 2", "Page 2 of 2"))
    expect(pages.get_by_role("link", name=either("Nästa", "Next"))).to_have_count(0)
    expect(table.get_by_role("row")).to_have_count(2)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
