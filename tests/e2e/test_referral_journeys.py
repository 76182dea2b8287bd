"""From referral to decision in the browser: the referrer, the coach, a group member, the manager.

Each journey clicks through the pages as the person would (fields by their labels, buttons and links
by their accessible names) and runs axe on the pages it visits. The data a journey starts from is
made through the services (tests.factories), the way a user would have made it.
"""

import io
import re
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from referrals import services
from referrals.models import AgendaItem, Decision, Meeting, Referral
from tests import factories
from tests.helpers import today

from .axe import assert_accessible
from .ui import containing, either, open_from_menu

# The SE team and every seat of the group except FK: the referral fk.nassjo must not see.
CONSENT_WITHOUT_FK = ["{m}-se", "af", "region-psykiatri", "{m}-bistand"]
GROUP_PARTIES = [
    "Biståndsenheten Nässjö",
    "Arbetsförmedlingen",
    "Försäkringskassan",
    "Region Jönköpings län – psykiatri",
]

REFERRAL_PAGE = re.compile(r"/remisser/\d+/(#.*)?$")
MEETING_PAGE = re.compile(r"/moten/\d+/(#.*)?$")

# Status labels, as the Swedish catalogue words them.
DRAFT = either("Utkast", "Draft")
SUBMITTED = either("Inskickad", "Submitted")
PRE_MEETING_BOOKED = either("Förmöte bokat", "Pre-meeting booked")
READY = either("Klar för remittentgruppen", "Ready for the referral group")
# A decided referral's status is the decision's result (issue 14, point 4).
ENROLLED = either("Inskriven", "Enrolled")
HELD = either("Hållet", "Held")

RECORD_THE_DECISION = either("Registrera beslutet", "Record the decision")
ENROL = either("Skriv in", "Enrol")
# The decision once recorded, as every page words it.
ENROLLED_RESULT = containing("Inskriven", "Enrolled")


def url_of(name: str, *args) -> re.Pattern:
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?(#.*)?$")


def a_person(people: dict[str, User], first_name: str, last_name: str, birth: date):
    return factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name, birth=birth)


def referral_status(page: Page) -> Locator:
    """The status shown under the referral's heading."""
    return page.get_by_role("main").locator("p.lead .status")


def messages(page: Page) -> Locator:
    """The messages the app shows after an action (other status regions, such as warnings, aside)."""
    return page.get_by_role("status", name=re.compile("Meddelanden|Messages"))


def agenda_item(page: Page, number: int) -> Locator:
    """The agenda item "Punkt n" (named by its heading, with or without the case reference)."""
    return page.get_by_role("article", name=re.compile(rf"^(Punkt|Item) {number}(:|$)"))


def choose(select: Locator, option: re.Pattern) -> None:
    """Pick the option whose text matches, in a drop-down list."""
    label = select.locator("option").filter(has_text=option).first.text_content() or ""
    select.select_option(label=label.strip())


def open_the_meeting(page: Page) -> None:
    """Möten in the menu, then the group's one meeting in the list."""
    open_from_menu(page, "Möten", "Meetings")
    expect(page).to_have_url(url_of("referrals:meeting_list"))
    assert_accessible(page)
    page.get_by_role("main").get_by_role("row").filter(has_text="Nässjö").get_by_role("link").click()
    expect(page).to_have_url(MEETING_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^(Möte|Meeting) .+, (remittentgrupp|referral group) Nässjö$")
    )


def meeting_with_two_ready_referrals(people, first, second, **second_kwargs) -> tuple[Meeting, AgendaItem, AgendaItem]:
    """A published meeting two weeks ahead, with two referrals ready for the group on its agenda."""
    meeting = factories.make_meeting(people)
    one = factories.make_ready_referral(people, person=first)
    two = factories.make_ready_referral(people, person=second, **second_kwargs)
    return meeting, factories.put_on_agenda(people, one, meeting), factories.put_on_agenda(people, two, meeting)


# 1. The referrer writes and submits a referral


def fill_in_the_new_referral(page: Page, identity_number: str) -> None:
    page.get_by_label(
        either("Personnummer eller samordningsnummer", "Personal identity number or coordination number")
    ).fill(identity_number)
    page.get_by_label(either("Förnamn", "First name")).fill("Linnea")
    page.get_by_label(either("Efternamn", "Last name")).fill("Sjöberg")
    page.get_by_role("group", name=either("Kön", "Gender")).get_by_label(either("Kvinna", "Woman")).check()
    page.get_by_label(either("Hemkommun", "Municipality of residence")).select_option(label="Nässjö")
    page.get_by_label(either("Kommun som remissen går till", "Municipality the referral goes to")).select_option(
        label="Nässjö"
    )
    page.get_by_role("group", name=either("Grunder för målgruppen", "Target-group grounds")).get_by_label(
        re.compile(r"^(Psykisk ohälsa|Mental ill-health \(psykisk ohälsa\))$")
    ).check()
    active_at = page.get_by_role("group", name=either("Aktuell hos", "Active at (aktuell hos)"))
    active_at.get_by_label("Arbetsförmedlingen", exact=True).check()
    active_at.get_by_label("Försäkringskassan", exact=True).check()
    choose(
        page.get_by_label(either("Försörjning", "Income (försörjning)")),
        either("Sjukpenning", "Sickness benefit (sjukpenning)"),
    )
    page.get_by_label(either("Personens motivation, med egna ord", "The person's motivation, in their own words")).fill(
        "Jag vill jobba i butik igen, några timmar om dagen till att börja med."
    )
    page.get_by_label(either("Fråga till remittentgruppen", "Question to the referral group")).fill(
        "Kan Linnea skrivas in i SE-Höglandet?"
    )


def test_the_referrer_writes_a_referral_records_the_consent_and_submits_it(login):
    page = login("referrer.af")

    open_from_menu(page, "Remisser", "Referrals")
    expect(page).to_have_url(url_of("referrals:referral_list"))
    assert_accessible(page)
    page.get_by_role("link", name=either("Ny remiss", "New referral")).click()
    expect(page).to_have_url(url_of("referrals:referral_create"))
    assert_accessible(page)

    # A wrong check digit first: refused in Swedish, and nothing typed is lost.
    fill_in_the_new_referral(page, "19900101-1234")
    page.get_by_role("button", name=either("Spara utkastet", "Save the draft")).click()

    number_field = page.get_by_label(
        either("Personnummer eller samordningsnummer", "Personal identity number or coordination number")
    )
    expect(page.get_by_role("alert")).to_contain_text(
        "Kontrollsiffran stämmer inte: kontrollera numret, det kan vara felskrivet."
    )
    expect(page).to_have_url(url_of("referrals:referral_create"))
    expect(number_field).to_have_value("19900101-1234")
    expect(number_field).to_have_accessible_description(
        re.compile(r"Kontrollsiffran stämmer inte: kontrollera numret, det kan vara felskrivet\.")
    )
    expect(page.get_by_label(either("Förnamn", "First name"))).to_have_value("Linnea")
    expect(page.get_by_label(either("Efternamn", "Last name"))).to_have_value("Sjöberg")
    expect(page.get_by_label(either("Kvinna", "Woman"))).to_be_checked()
    expect(page.get_by_label("Försäkringskassan", exact=True)).to_be_checked()
    expect(
        page.get_by_label(either("Personens motivation, med egna ord", "The person's motivation, in their own words"))
    ).to_have_value(re.compile("^Jag vill jobba i butik igen"))
    assert_accessible(page)

    number = factories.valid_personnummer(date(1996, 4, 2), 917)
    number_field.fill(number)
    page.get_by_role("button", name=either("Spara utkastet", "Save the draft")).click()

    expect(page).to_have_url(REFERRAL_PAGE)
    reference = Referral.objects.get().reference
    expect(page.get_by_role("heading", level=1)).to_have_text(either(f"Remiss {reference}", f"Referral {reference}"))
    expect(messages(page)).to_contain_text(
        containing(f"Remissen {reference} är sparad som utkast.", f"The referral {reference} is saved as a draft.")
    )
    expect(referral_status(page)).to_have_text(DRAFT)
    missing = page.get_by_role(
        "region",
        name=either(
            "Det här saknas innan remissen kan skickas", "What is missing before the referral can be submitted"
        ),
    )
    expect(missing).to_contain_text("SE-team Nässjö")
    expect(page.get_by_role("main")).to_contain_text("Linnea Sjöberg")
    expect(page.get_by_role("main")).to_contain_text(number)
    assert_accessible(page)

    page.get_by_role("link", name=either("Registrera samtycke", "Record a consent")).click()
    expect(page).to_have_url(url_of("consent:consent_create", Referral.objects.get().person_id))
    organisations = page.get_by_role(
        "group",
        name=either(
            "Organisationer som får lämna och ta emot uppgifter", "Organisations that may share and receive information"
        ),
    )
    for organisation in ["SE-team Nässjö", *GROUP_PARTIES]:
        organisations.get_by_label(organisation, exact=True).check()
    purposes = page.get_by_role("group", name=either("Ändamål", "Purposes"))
    purposes.get_by_label(either("Diskussion i remittentgruppen", "Discussion in the referral group")).check()
    purposes.get_by_label(either("Deltagande i SE-Höglandet", "Participation in SE-Höglandet")).check()
    expect(page.get_by_label(either("Lämnat den", "Given on"))).to_have_value(today().isoformat())
    page.get_by_role("group", name=either("Hur det lämnades", "How it was given")).get_by_label(
        either("Skriftligt", "Written")
    ).check()
    page.get_by_label(either("Giltigt till", "Valid until")).fill((today() + timedelta(days=365)).isoformat())
    assert_accessible(page)
    page.get_by_role("button", name=either("Spara samtycket", "Save the consent")).click()

    expect(page).to_have_url(REFERRAL_PAGE)
    expect(messages(page)).to_contain_text(containing("Samtycket har registrerats.", "The consent has been recorded."))
    expect(missing).to_have_count(0)
    expect(page.get_by_role("region", name=either("Samtycke", "Consent"))).to_contain_text("SE-team Nässjö")

    page.get_by_role("button", name=either("Skicka remissen", "Submit the referral")).click()

    expect(messages(page)).to_contain_text(
        containing(
            "Remissen har skickats till SE-teamet i Nässjö.",
            "The referral has been submitted to the SE team in Nässjö.",
        )
    )
    expect(referral_status(page)).to_have_text(SUBMITTED)
    expect(page.get_by_role("button", name=either("Skicka remissen", "Submit the referral"))).to_have_count(0)
    assert_accessible(page)


# 2. The coach books and records the pre-meeting


def test_the_coach_books_and_records_the_pre_meeting(login, people):
    referral = factories.make_referral(people, person=a_person(people, "Sara", "Nilsson", date(1990, 8, 14)))
    page = login("coach.nassjo")

    open_from_menu(page, "Remisser", "Referrals")
    page.get_by_role("link", name=referral.reference, exact=True).click()
    expect(page).to_have_url(url_of("referrals:referral_detail", referral.pk))
    expect(referral_status(page)).to_have_text(SUBMITTED)
    assert_accessible(page)

    page.get_by_role("link", name=either("Boka förmöte", "Book a pre-meeting")).click()
    expect(page).to_have_url(url_of("referrals:pre_meeting_book", referral.pk))
    page.get_by_label(either("Datum", "Date")).fill(today().isoformat())
    page.get_by_label(either("Tidpunkt", "Time")).fill("08:30")
    assert_accessible(page)
    page.get_by_role("button", name=either("Boka", "Book")).click()

    expect(page).to_have_url(url_of("referrals:referral_detail", referral.pk))
    expect(messages(page)).to_contain_text(containing("Förmötet är bokat till", "The pre-meeting is booked for"))
    expect(referral_status(page)).to_have_text(PRE_MEETING_BOOKED)

    page.get_by_role("link", name=either("Registrera förmötet", "Record the pre-meeting")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Registrera förmötet", "Record the pre-meeting"))
    expect(page.get_by_label(either("Hållet den", "Held on"))).to_have_value(today().isoformat())
    checklist = page.get_by_role("group", name=either("Checklista", "Checklist"))
    for item in [
        either("Tillhör målgruppen", "Belongs to the target group"),
        either("Behöver insatser från minst två parter", "Needs insatser from at least two parties"),
        either("Motiverad till arbete", "Motivated to work"),
        either("Försörjningen är tryggad", "Income secured"),
    ]:
        checklist.get_by_label(item).check()
    page.get_by_label(either("Anteckningar", "Notes")).fill("Vill arbeta med djur. Har körkort.")
    page.get_by_role("group", name=either("Utfall", "Outcome")).get_by_label(
        either("Uppfyller kriterierna", "Meets the criteria")
    ).check()
    assert_accessible(page)
    page.get_by_role("button", name=either("Spara registreringen", "Save the record")).click()

    expect(page).to_have_url(url_of("referrals:referral_detail", referral.pk))
    expect(messages(page)).to_contain_text(
        containing("Förmötet har registrerats.", "The pre-meeting has been recorded.")
    )
    expect(referral_status(page)).to_have_text(READY)
    pre_meetings = page.get_by_role("region", name=either("Förmöten", "Pre-meetings"))
    expect(pre_meetings).to_contain_text("Vill arbeta med djur. Har körkort.")
    expect(pre_meetings).to_contain_text(containing("Uppfyller kriterierna", "Meets the criteria"))
    assert_accessible(page)


# 3. A group member reviews the agenda: the consented item, and nothing of the other


def test_fk_reviews_the_agenda_and_sees_only_the_item_its_consent_covers(login, people):
    shared_person = a_person(people, "Astrid", "Berg", date(1993, 2, 11))
    hidden_person = a_person(people, "Bodil", "Frisk", date(1988, 11, 23))
    _meeting, shared, hidden = meeting_with_two_ready_referrals(
        people, shared_person, hidden_person, consent=CONSENT_WITHOUT_FK
    )
    page = login("fk.nassjo")

    open_the_meeting(page)

    first, second = agenda_item(page, 1), agenda_item(page, 2)
    expect(first.get_by_role("heading", level=3)).to_have_text(
        either(f"Punkt 1: {shared.referral.reference}", f"Item 1: {shared.referral.reference}")
    )
    expect(first).to_contain_text("Astrid Berg")
    expect(second.get_by_role("heading", level=3)).to_have_text(either("Punkt 2", "Item 2"))
    expect(second).to_have_text(
        re.compile(
            r"^\s*(Punkt|Item) 2\s+"
            r"(Samtycke för din organisation saknas\.|Consent for your organisation is missing\.)\s+"
            r"(Din organisation deltar inte i den här punkten\.|Your organisation does not take part in this item\.)"
            r"\s*$"
        )
    )
    body = page.locator("body")
    for secret in [hidden.referral.reference, "Bodil", "Frisk", hidden_person.identity_display]:
        expect(body).not_to_contain_text(secret)
    assert_accessible(page)

    # The pre-read of the consented item, and back to the agenda.
    first.get_by_role(
        "link",
        name=either(
            f"Läs remissen {shared.referral.reference} inför mötet",
            f"Read the referral {shared.referral.reference} before the meeting",
        ),
    ).click()
    expect(page).to_have_url(url_of("referrals:referral_detail", shared.referral.pk))
    expect(page.get_by_role("main")).to_contain_text("Astrid Berg")
    assert_accessible(page)
    page.go_back()
    expect(page).to_have_url(MEETING_PAGE)

    first.get_by_role(
        "group", name=either("Är personen aktuell hos er organisation?", "Is the person active with your organisation?")
    ).get_by_label(either("Aktuell hos oss", "Active with us")).check()
    first.get_by_label(either("Det som är relevant för frågeställningen", "What is relevant for the question")).fill(
        "Sjukpenning på halvtid till och med juni."
    )
    first.get_by_role("button", name=either("Spara ditt svar", "Save your answer")).click()

    expect(page).to_have_url(re.compile(rf"/moten/\d+/#item-{shared.pk}$"))
    expect(messages(page)).to_contain_text(
        containing(
            f"Ditt svar om {shared.referral.reference} är sparat.",
            f"Your answer on {shared.referral.reference} is saved.",
        )
    )
    expect(first).to_contain_text(
        containing("Er organisations svar: Aktuell hos oss", "Your organisation's answer: Active with us")
    )
    expect(first).to_contain_text("Sjukpenning på halvtid till och med juni.")
    for secret in [hidden.referral.reference, "Bodil", "Frisk"]:
        expect(body).not_to_contain_text(secret)
    assert_accessible(page)


def test_a_member_reads_a_long_agenda_a_page_at_a_time_and_answers_on_the_second_page(login, people, monkeypatch):
    """A long agenda is read a page at a time (referrals.selectors.AGENDA_PAGE_SIZE, here one item a
    page): the member goes to the next page, answers there, and is brought back to that page."""
    monkeypatch.setattr("referrals.selectors.AGENDA_PAGE_SIZE", 1)
    _meeting, _first, second = meeting_with_two_ready_referrals(
        people,
        a_person(people, "Elin", "Holm", date(1990, 4, 2)),
        a_person(people, "Fredrik", "Ivarsson", date(1979, 8, 14)),
    )
    page = login("af.nassjo")
    open_the_meeting(page)
    main = page.get_by_role("main")
    expect(main).to_contain_text(containing("Dagordningen har 2 punkter. Punkt 1 visas.", "The agenda has 2 items."))
    expect(agenda_item(page, 1)).to_contain_text("Elin Holm")
    expect(main).not_to_contain_text("Fredrik Ivarsson")

    pages = page.get_by_role("navigation", name=either("Dagordningens sidor", "Pages of the agenda"))
    pages.get_by_role("link", name=either("Nästa", "Next")).click()
    item = agenda_item(page, 2)
    expect(item).to_contain_text("Fredrik Ivarsson")
    expect(main).not_to_contain_text("Elin Holm")
    assert_accessible(page)

    item.get_by_role(
        "group", name=either("Är personen aktuell hos er organisation?", "Is the person active with your organisation?")
    ).get_by_label(either("Inte aktuell hos oss", "Not active with us")).check()
    item.get_by_role("button", name=either("Spara ditt svar", "Save your answer")).click()

    expect(page).to_have_url(re.compile(rf"/moten/\d+/\?page=2#item-{second.pk}$"))
    expect(agenda_item(page, 2)).to_contain_text(
        containing("Er organisations svar: Inte aktuell hos oss", "Your organisation's answer: Not active with us")
    )
    assert_accessible(page)


# 4. The coach records attendance and the group's decisions


def test_the_coach_records_attendance_and_the_groups_decisions(login, people):
    meeting, enrolled, disputed = meeting_with_two_ready_referrals(
        people,
        a_person(people, "Cecilia", "Ahlgren", date(1999, 6, 3)),
        a_person(people, "David", "Lund", date(1985, 1, 30)),
    )
    factories.hold_meeting_today(meeting)
    page = login("coach.nassjo")

    open_the_meeting(page)
    attendance = page.get_by_role("region", name=either("Närvaro", "Attendance"))
    for party, attendee in [
        ("Biståndsenheten Nässjö", "Elin Holm"),
        ("Arbetsförmedlingen", "Omar Rashid"),
        ("Region Jönköpings län – psykiatri", "Jonas Wik"),
    ]:
        attendance.get_by_label(either(f"{party} närvarande", f"{party} present")).check()
        attendance.get_by_label(either(f"Vem som deltog för {party}", f"Who attended for {party}")).fill(attendee)
    expect(
        attendance.get_by_label(either("Försäkringskassan närvarande", "Försäkringskassan present"))
    ).not_to_be_checked()
    assert_accessible(page)
    attendance.get_by_role("button", name=either("Spara närvaro", "Save attendance")).click()

    expect(page).to_have_url(re.compile(r"/moten/\d+/#attendance$"))
    expect(messages(page)).to_contain_text(containing("Närvaro sparad.", "Attendance recorded."))
    missing = page.get_by_role("region", name=either("Parter som saknas", "Parties missing"))
    expect(missing.get_by_role("listitem")).to_have_text(["Försäkringskassan"])
    expect(
        attendance.get_by_label(either("Vem som deltog för Arbetsförmedlingen", "Who attended for Arbetsförmedlingen"))
    ).to_have_value("Omar Rashid")
    assert_accessible(page)

    # The group agrees to enrol the first.
    agenda_item(page, 1).get_by_role("link", name=RECORD_THE_DECISION).click()
    expect(page).to_have_url(url_of("referrals:item_decide", enrolled.pk))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either(f"Beslut om {enrolled.referral.reference}", f"Decision on {enrolled.referral.reference}")
    )
    page.get_by_label(either("Ja, gruppen var enig", "Yes, the group agreed")).check()
    page.get_by_role("group", name=either("Beslut", "Decision")).get_by_label(ENROL).check()
    assert_accessible(page)
    page.get_by_role("button", name=RECORD_THE_DECISION).click()

    expect(page).to_have_url(re.compile(rf"/moten/\d+/#item-{enrolled.pk}$"))
    expect(messages(page)).to_contain_text(containing("Beslutet är registrerat.", "The decision is recorded."))
    expect(agenda_item(page, 1)).to_contain_text(ENROLLED_RESULT)
    expect(agenda_item(page, 1)).to_contain_text(containing("beslutat av gruppen", "decided by the group"))

    # The group cannot agree on the second: the question goes to the manager.
    agenda_item(page, 2).get_by_role("link", name=RECORD_THE_DECISION).click()
    expect(page).to_have_url(url_of("referrals:item_decide", disputed.pk))
    page.get_by_label(either("Nej, gruppen kunde inte enas", "No, the group could not agree")).check()
    page.get_by_label(either("Det gruppen inte kunde enas om", "What the group could not agree on")).fill(
        "Om David behöver mer förberedelse innan inskrivning."
    )
    page.get_by_role("button", name=RECORD_THE_DECISION).click()

    expect(page).to_have_url(re.compile(rf"/moten/\d+/#item-{disputed.pk}$"))
    expect(messages(page)).to_contain_text(
        containing(
            "Frågan är hänskjuten till chefen, som beslutar.", "The question is referred to the manager, who decides."
        )
    )
    expect(agenda_item(page, 2)).to_contain_text(containing("Hänskjutet till chef", "Referred to the manager"))
    expect(agenda_item(page, 2)).to_contain_text("Om David behöver mer förberedelse innan inskrivning.")
    expect(agenda_item(page, 1)).to_contain_text(ENROLLED_RESULT)
    assert_accessible(page)

    open_from_menu(page, "Remisser", "Referrals")
    page.get_by_role("link", name=enrolled.referral.reference, exact=True).click()
    expect(referral_status(page)).to_have_text(ENROLLED)


# 5. The manager decides an escalated question


def test_the_manager_decides_an_escalated_question(login, people):
    meeting = factories.make_meeting(people)
    referral = factories.make_ready_referral(people, person=a_person(people, "Erik", "Wallin", date(1997, 9, 9)))
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    services.record_decision(
        actor=people["coach.nassjo"],
        item=item,
        group_agreed=False,
        disagreement="Gruppen var oenig om Erik har stöd från två parter.",
    )
    page = login("chef.nassjo")

    waiting = page.get_by_role("region", name=either("Frågor som väntar på ditt beslut", "Questions for you to decide"))
    expect(waiting).to_contain_text(re.compile(r"\b1 (fråga|question)\b"))
    assert_accessible(page)
    waiting.get_by_role("link", name=either("Öppna eskaleringar", "Open escalations")).click()

    expect(page).to_have_url(url_of("referrals:escalation_list"))
    expect(page.get_by_role("main")).to_contain_text("Gruppen var oenig om Erik har stöd från två parter.")
    assert_accessible(page)
    page.get_by_role("link", name=either(f"Besluta om {referral.reference}", f"Decide {referral.reference}")).click()

    expect(page).to_have_url(url_of("referrals:escalation_decide", item.decision.pk))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either(f"Hänskjuten fråga: {referral.reference}", f"Escalated question: {referral.reference}")
    )
    page.get_by_role("group", name=either("Beslut", "Decision")).get_by_label(ENROL).check()
    assert_accessible(page)
    page.get_by_role("button", name=either("Registrera ditt beslut", "Record your decision")).click()

    expect(page).to_have_url(url_of("referrals:escalation_list"))
    expect(messages(page)).to_contain_text(
        containing(
            f"Ditt beslut om {referral.reference} är registrerat.",
            f"Your decision on {referral.reference} is recorded.",
        )
    )
    expect(page.get_by_role("main")).to_contain_text(
        containing("Ingen fråga väntar på ditt beslut.", "No question waits for your decision.")
    )
    assert_accessible(page)

    # The meeting's page shows the decision as the manager's.
    open_the_meeting(page)
    decided = agenda_item(page, 1)
    expect(decided).to_contain_text(ENROLLED_RESULT)
    expect(decided).to_contain_text(containing("beslutat av chef", "decided by the manager"))
    assert_accessible(page)
    decision = Decision.objects.get(pk=item.decision.pk)
    assert decision.decided_by_manager == people["chef.nassjo"]
    assert decision.outcome == Decision.Outcome.ENROL


# 6. The minutes as PDF


def test_the_minutes_of_the_held_meeting_download_as_a_pdf_without_names(login, people):
    persons = [
        a_person(people, "Fredrika", "Öberg", date(1994, 12, 1)),
        a_person(people, "Gustav", "Pettersson", date(1991, 7, 19)),
    ]
    meeting, enrolled, declined = meeting_with_two_ready_referrals(people, *persons)
    factories.hold_meeting_today(meeting)
    factories.decide(people, enrolled)
    factories.decide(
        people,
        declined,
        Decision.Outcome.DECLINE,
        recommendation="Kontakta Gustav igen om ett halvår.",
        grounds="Gustav vill vänta med arbete.",
        informs_person="Coachen",
    )
    page = login("coach.nassjo")

    open_the_meeting(page)
    page.get_by_role("link", name=either("Markera mötet som hållet", "Mark the meeting as held")).click()
    confirm = page.get_by_role("button", name=either("Ja, markera mötet som hållet", "Yes, mark the meeting as held"))
    expect(confirm).to_be_visible()
    assert_accessible(page)
    confirm.click()
    expect(messages(page)).to_contain_text(
        containing("Mötet är markerat som hållet.", "The meeting is marked as held.")
    )
    expect(page.get_by_role("main").locator(".meeting-status")).to_have_text(HELD)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name=either("Ladda ner minnesanteckningarna (PDF)", "Download the minutes (PDF)")
        ).click()
    download = download_info.value

    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    text = "\n".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(data)).pages)
    for item in (enrolled, declined):
        assert item.referral.reference in text, f"{item.referral.reference} is missing from the minutes:\n{text}"
    for person in persons:
        for secret in (person.first_name, person.last_name, person.identity_display, person.identity_number):
            assert secret not in text, f"the minutes show {secret!r}:\n{text}"


# 7. A coach types the number of a person known elsewhere, and sends the form twice


def test_a_coach_typing_a_known_number_sees_only_what_they_typed_and_a_second_send_opens_the_same_draft(login, people):
    """docs/domain.md#identity-lookup: the person is known from an Eksjö referral, with protected
    identity; nothing of that may show on the Nässjö coach's new draft."""
    known = factories.make_person(
        people["referrer.af"],
        first_name="Stina",
        last_name="Hemlin",
        phone="070-555 12 34",
        protected_identity=True,
        birth=date(1993, 3, 9),
    )
    factories.make_referral(people, person=known, municipality_code="eksjo")
    page = login("coach.nassjo")

    open_from_menu(page, "Remisser", "Referrals")
    page.get_by_role("link", name=either("Ny remiss", "New referral")).click()
    fill_in_the_new_referral(page, known.identity_display)
    page.get_by_label(either("Remitterande organisation", "Referring organisation")).select_option(
        label="SE-team Nässjö"
    )
    page.get_by_role("button", name=either("Spara utkastet", "Save the draft")).click()

    expect(page).to_have_url(REFERRAL_PAGE)
    person = page.get_by_role("region", name=either("Personen", "The person"))
    expect(person).to_contain_text("Linnea Sjöberg")
    expect(person).to_contain_text(known.identity_display)
    for known_detail in ["Stina", "Hemlin", "070-555 12 34", "Eksjö"]:
        expect(page.get_by_role("main")).not_to_contain_text(known_detail)
    expect(person.get_by_text(either("Ja", "Yes"), exact=True)).to_have_count(0)
    assert_accessible(page)

    # Back to the form and send it again, as after a save that seemed to do nothing. The browser
    # keeps what was typed except the number (autocomplete is off there), so the coach types it again.
    page.go_back()
    expect(page).to_have_url(url_of("referrals:referral_create"))
    page.get_by_label(
        either("Personnummer eller samordningsnummer", "Personal identity number or coordination number")
    ).fill(known.identity_display)
    page.get_by_role("button", name=either("Spara utkastet", "Save the draft")).click()

    expect(page).to_have_url(REFERRAL_PAGE)
    draft = Referral.objects.get(written_by=people["coach.nassjo"])
    expect(messages(page)).to_contain_text(
        containing(
            f"Du har redan ett utkast till remiss för den här personen, {draft.reference}",
            f"You already have a draft referral for this person, {draft.reference}",
        )
    )
    assert Referral.objects.filter(person=known).count() == 2
    assert_accessible(page)
