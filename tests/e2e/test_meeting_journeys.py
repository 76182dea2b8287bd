"""Issue 14, points 5 to 7 in the browser: a pre-meeting held on the spot puts a submitted referral on
the agenda in one form; an extra meeting is created and a decision recorded on it; the receiving
group decides the exit of a transferred participant. Axe runs on every page the journeys visit."""

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from consent.models import Purpose
from participants import services as participant_services
from participants.models import Participant
from referrals.models import AgendaItem, Decision, Meeting, Referral
from tests import factories

from .axe import assert_accessible
from .test_participant_journeys import enrolled
from .ui import containing, either, open_from_menu

RECORD_THE_DECISION = either("Registrera beslutet", "Record the decision")
CANDIDATES = either("Ärenden som kan tas upp på dagordningen", "Cases that can go on the agenda")
FIND_A_CASE = either("Sök på namn, personnummer eller ärendenummer", "Search by name, personnummer or case reference")


def find_case_for_the_agenda(page: Page, text: str) -> None:
    """The "add to the agenda" search, as a coach on a phone would use it: type, then Search."""
    page.get_by_label(FIND_A_CASE).fill(text)
    page.locator("#add-to-agenda").get_by_role("button", name=either("Sök", "Search")).click()
    # The answer is the same page with the search in its address: wait for it, not the page searched from.
    expect(page).to_have_url(re.compile(re.escape(urlencode({"q": text})) + r"(&|#|$)"))


def url_of(name: str, *args) -> re.Pattern:
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?(#.*)?$")


def messages(page: Page):
    return page.get_by_role("status", name=re.compile("Meddelanden|Messages"))


def outcome(page: Page, value: str):
    """The decision's outcome radio by its value: its wording is issue 14's point 4."""
    return page.locator(f'input[name="outcome"][value="{value}"]')


def test_a_pre_meeting_held_on_the_spot_puts_the_referral_on_the_agenda_in_one_form(login, people):
    person = factories.make_person(people["referrer.af"], first_name="Klara", last_name="Holm", birth=date(1994, 3, 9))
    referral = factories.make_referral(people, person=person)
    meeting = factories.make_meeting(people)
    page = login("coach.nassjo")

    open_from_menu(page, "Remisser", "Referrals")
    page.get_by_role("link", name=referral.reference, exact=True).click()
    expect(page).to_have_url(url_of("referrals:referral_detail", referral.pk))
    page.get_by_role("link", name=either("Håll förmötet nu", "Hold the pre-meeting now")).click()

    expect(page).to_have_url(url_of("referrals:pre_meeting_hold", referral.pk))
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Håll förmötet nu", "Hold the pre-meeting now"))
    checklist = page.get_by_role("group", name=either("Checklista", "Checklist"))
    for item in [
        either("Tillhör målgruppen", "Belongs to the target group"),
        either("Behöver insatser från minst två parter", "Needs insatser from at least two parties"),
        either("Motiverad till arbete", "Motivated to work"),
        either("Försörjningen är tryggad", "Income secured"),
    ]:
        checklist.get_by_label(item).check()
    page.get_by_label(either("Anteckningar", "Notes")).fill("Vill arbeta i butik.")
    page.get_by_role("group", name=either("Utfall", "Outcome")).get_by_label(
        either("Uppfyller kriterierna", "Meets the criteria")
    ).check()
    page.get_by_label(containing("dagordningen", "agenda")).select_option(str(meeting.pk))
    assert_accessible(page)
    page.get_by_role("button", name=either("Spara registreringen", "Save the record")).click()

    expect(page).to_have_url(url_of("referrals:meeting_detail", meeting.pk))
    expect(messages(page)).to_contain_text(referral.reference)
    expect(page.get_by_role("main")).to_contain_text("Klara Holm")
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.READY
    assert AgendaItem.objects.filter(referral=referral, meeting=meeting).exists()


def test_an_extra_meeting_is_created_and_a_decision_recorded_on_it(login, people):
    now = timezone.localtime()
    if now.hour >= 23:
        pytest.skip("an extra meeting later today needs an hour left of the day")
    starts = f"{now.hour + 1:02d}:00"
    referral = factories.make_case(people, "Olle", "Dahl")
    page = login("coach.nassjo")

    # Refused first: a day that has passed.
    open_from_menu(page, "Möten", "Meetings")
    page.get_by_role("link", name=either("Skapa ett extramöte", "Create an extra meeting")).click()
    expect(page).to_have_url(url_of("referrals:meeting_add_extra"))
    page.get_by_label(either("Datum", "Date")).fill((now.date() - timedelta(days=1)).isoformat())
    page.get_by_label(either("Starttid", "Starts at")).fill(starts)
    page.get_by_label(either("Plats", "Place")).fill("Stadshuset, rum 2")
    page.get_by_role("button", name=either("Skapa mötet", "Create the meeting")).click()
    expect(page.get_by_role("main")).to_contain_text(containing("Datumet har passerat", "The date has passed"))
    assert_accessible(page)
    assert not Meeting.objects.exists()

    # Today, an hour from now.
    page.get_by_label(either("Datum", "Date")).fill(now.date().isoformat())
    page.get_by_role("button", name=either("Skapa mötet", "Create the meeting")).click()
    meeting = Meeting.objects.get()
    expect(page).to_have_url(url_of("referrals:meeting_detail", meeting.pk))
    expect(messages(page)).to_contain_text(containing("Extramötet är skapat", "The extra meeting is created"))
    assert_accessible(page)

    # The ready referral is found by name and goes on its agenda; the decision is recorded today, the meeting's day.
    find_case_for_the_agenda(page, "Olle Dahl")
    expect(page).to_have_url(url_of("referrals:meeting_detail", meeting.pk))
    assert_accessible(page)
    candidates = page.get_by_role("region", name=CANDIDATES)
    candidates.get_by_role("row").filter(has_text=referral.reference).get_by_role("button").click()
    expect(messages(page)).to_contain_text(referral.reference)
    page.get_by_role("link", name=RECORD_THE_DECISION).click()
    page.get_by_label(either("Ja, gruppen var enig", "Yes, the group agreed")).check()
    outcome(page, Decision.Outcome.ENROL).check()
    assert_accessible(page)
    page.get_by_role("button", name=RECORD_THE_DECISION).click()

    expect(page).to_have_url(url_of("referrals:meeting_detail", meeting.pk))
    expect(messages(page)).to_contain_text(containing("Beslutet är registrerat", "The decision is recorded"))
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ENROLLED


def test_the_receiving_group_decides_the_exit_of_a_transferred_participant(login, people: dict[str, User]):
    participant = enrolled(people, "Nora", "Vik")
    factories.give_consent(
        people["coach.nassjo"], participant.person, org_codes=["eksjo-se"], purposes=[Purpose.TRANSFER]
    )
    transfer = participant_services.start_transfer(
        actor=people["coach.nassjo"], participant=participant, to_municipality=factories.municipality("eksjo")
    )
    participant_services.accept_transfer(actor=people["coach.eksjo"], transfer=transfer)
    meeting = factories.make_meeting(people, municipality_code="eksjo", coach="coach.eksjo")
    page = login("coach.eksjo")

    open_from_menu(page, "Möten", "Meetings")
    page.get_by_role("link", name=re.compile(timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d"))).click()
    expect(page).to_have_url(url_of("referrals:meeting_detail", meeting.pk))
    find_case_for_the_agenda(page, participant.referral.reference)
    assert_accessible(page)
    candidates = page.get_by_role("region", name=CANDIDATES)
    expect(candidates).to_contain_text(participant.referral.reference)
    row = candidates.get_by_role("row").filter(has_text=participant.referral.reference)
    row.get_by_role("combobox").select_option(AgendaItem.Kind.PROPOSED_EXIT.value)
    row.get_by_role("button").click()
    expect(messages(page)).to_contain_text(participant.referral.reference)
    assert_accessible(page)

    factories.hold_meeting_today(meeting)
    page.reload()
    page.get_by_role("link", name=RECORD_THE_DECISION).click()
    page.get_by_label(either("Ja, gruppen var enig", "Yes, the group agreed")).check()
    outcome(page, Decision.Outcome.EXIT).check()
    page.get_by_label(either("Orsak till utskrivning", "Reason for the exit")).select_option("work")
    assert_accessible(page)
    page.get_by_role("button", name=RECORD_THE_DECISION).click()

    expect(messages(page)).to_contain_text(containing("Beslutet är registrerat", "The decision is recorded"))
    participant.refresh_from_db()
    assert participant.status == Participant.Status.EXITED
    assert participant.municipality.code == "eksjo"
