"""A participant moves from Nässjö to Eksjö in the browser, on a phone: Nässjö's coach starts the
transfer, Eksjö's coach moves the meeting, accepts the transfer and writes in the journal, and
Nässjö's coach can no longer open the case."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from consent.models import Purpose
from participants.models import Participant
from tests import factories

from .axe import assert_accessible
from .test_participant_journeys import PHONE, assert_no_horizontal_scroll, enrolled
from .ui import LOG_IN, LOG_OUT, containing, either, open_from_menu

NOTE_TO_EKSJO = "Sara flyttar till Eksjö i maj och vill fortsätta inom handeln."
EKSJO_NOTE = "Första mötet i Eksjö. Sara vill prova lagerarbete."


def messages(page: Page):
    return page.get_by_role("status", name=re.compile("Meddelanden|Messages"))


def check_page(page: Page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def log_out(page: Page) -> None:
    page.get_by_role("button", name=LOG_OUT).tap()
    expect(page.get_by_role("button", name=LOG_IN)).to_be_visible()


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_a_participant_moves_from_nassjo_to_eksjo(login, people: dict[str, User]):
    participant = enrolled(people, "Sara", "Lind")
    factories.give_consent(
        people["coach.nassjo"], participant.person, org_codes=["eksjo-se"], purposes=[Purpose.TRANSFER]
    )
    detail = reverse("participants:participant_detail", args=[participant.pk])
    meeting_day = timezone.localdate() + timedelta(days=7)

    # Nässjö's coach starts the transfer from the participant page.
    page = login("coach.nassjo")
    open_from_menu(page, "Deltagare", "Participants")
    page.get_by_role("main").get_by_role("link", name="Sara Lind").click()
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    check_page(page)
    page.get_by_role("link", name=either("Flytta till annan kommun", "Move to another municipality")).tap()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Flytta till annan kommun", "Move to another municipality")
    )
    consent = page.get_by_role("region", name=either("Samtycke till överflyttningen", "Consent to the transfer"))
    expect(consent).to_contain_text("Eksjö")
    check_page(page)
    form = page.get_by_role("form", name=either("Överflyttningen", "The transfer"))
    form.get_by_label(either("Mottagande kommun", "Receiving municipality")).select_option(label="Eksjö")
    form.get_by_label(either("Till mottagande coach", "To the receiving coach")).fill(NOTE_TO_EKSJO)
    form.get_by_label(either("Datum och tid för mötet", "Date and time of the meeting")).fill(
        f"{meeting_day.isoformat()}T10:00"
    )
    form.get_by_label(either("Plats för mötet", "Place of the meeting")).fill("Stadshuset i Eksjö")
    form.get_by_role("button", name=either("Påbörja överflyttningen", "Start the transfer")).tap()

    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(messages(page)).to_contain_text(
        containing("Överflyttningen till Eksjö är påbörjad.", "The transfer to Eksjö has been started.")
    )
    expect(page.get_by_role("main")).to_contain_text(
        containing(
            "Överflyttning till Eksjö väntar på mottagande coach.",
            "Transfer to Eksjö is waiting for the receiving coach.",
        )
    )
    expect(page.get_by_role("main")).to_contain_text(f"{meeting_day.isoformat()} 10:00")
    check_page(page)
    log_out(page)

    # Eksjö's coach finds the transfer in the queue and accepts it.
    page = login("coach.eksjo")
    open_from_menu(page, "Överflyttningar", "Transfers")
    incoming = page.get_by_role("region", name=either("Inkommande", "Incoming"))
    transfer = incoming.get_by_role("article", name="Sara Lind")
    expect(transfer).to_contain_text("Nässjö")
    expect(transfer).to_contain_text(NOTE_TO_EKSJO)
    expect(transfer).to_contain_text(f"{meeting_day.isoformat()} 10:00, Stadshuset i Eksjö")
    check_page(page)

    # The meeting moves to the library: the card links to a page of its own with the meeting's form.
    transfer.get_by_role(
        "link", name=re.compile(r"^(Ändra överlämningsmötet|Change the transfer meeting) Sara Lind$")
    ).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Ändra överlämningsmötet", "Change the transfer meeting")
    )
    check_page(page)
    place = page.get_by_label(either("Plats för mötet", "Place of the meeting"))
    expect(place).to_have_value("Stadshuset i Eksjö")
    place.fill("Biblioteket i Eksjö")
    page.get_by_role("button", name=either("Spara mötet", "Save the meeting")).tap()
    expect(messages(page)).to_contain_text(
        containing("Överlämningsmötet är bokat till", "The transfer meeting is booked for")
    )
    incoming = page.get_by_role("region", name=either("Inkommande", "Incoming"))
    transfer = incoming.get_by_role("article", name="Sara Lind")
    expect(transfer).to_contain_text(f"{meeting_day.isoformat()} 10:00, Biblioteket i Eksjö")
    transfer.get_by_role("link", name=re.compile(r"^(Acceptera|Accept) Sara Lind$")).tap()

    # The confirmation says who gains and who loses access, and names no one.
    consequences = page.get_by_role("list", name=either("Vad som kommer att hända", "What will happen"))
    expect(consequences).to_contain_text("Eksjö")
    expect(consequences).to_contain_text("Nässjö")
    expect(page.get_by_role("main")).not_to_contain_text("Sara Lind")
    check_page(page)
    page.get_by_role("button", name=either("Ja, acceptera överflyttningen", "Yes, accept the transfer")).tap()

    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(messages(page)).to_contain_text(
        containing("deltagaren tillhör nu Eksjö", "the participant now belongs to Eksjö")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sara Lind")
    check_page(page)

    # ...and writes the first note of the case in Eksjö.
    page.get_by_role("link", name=either("Skriv i journalen", "Write in the journal")).tap()
    form = page.get_by_role("region", name=either("Ny journalanteckning", "New journal entry"))
    form.get_by_label(either("Anteckning", "Note")).fill(EKSJO_NOTE)
    form.get_by_role("button", name=either("Lägg till i journalen", "Add to the journal")).tap()
    expect(messages(page)).to_contain_text(
        containing("Journalanteckningen är tillagd.", "The journal entry has been added.")
    )
    expect(page.get_by_role("region", name=either("Journal och händelser", "Journal and events"))).to_contain_text(
        EKSJO_NOTE
    )
    log_out(page)

    # Nässjö's coach no longer reaches the case, nor what Eksjö writes in it.
    page = login("coach.nassjo")
    open_from_menu(page, "Deltagare", "Participants")
    expect(page.get_by_role("main").get_by_role("link", name="Sara Lind")).to_have_count(0)
    response = page.goto(detail)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Sidan finns inte", "Page not found"))
    expect(page.get_by_role("main")).not_to_contain_text(EKSJO_NOTE)
    check_page(page)
    open_from_menu(page, "Överflyttningar", "Transfers")
    expect(page.get_by_role("main")).not_to_contain_text("Sara Lind")
    check_page(page)

    moved = Participant.objects.get(pk=participant.pk)
    assert (moved.municipality.code, moved.responsible_coach) == ("eksjo", people["coach.eksjo"])
