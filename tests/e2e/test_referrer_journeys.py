"""The referrer after the referral is written (issue 14): reading why the group declined, and being
told at once that a consent leaves out a party of the group. Each page is checked with axe."""

import re
from datetime import timedelta

from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import Decision
from tests import factories
from tests.helpers import today

from .axe import assert_accessible
from .ui import containing, either, open_from_menu

GROUNDS = "Pågående behandling inom psykiatrin behöver komma först."
RECOMMENDATION = "Ta kontakt med psykiatrins mottagning och remittera igen om ett halvår."
INFORMS = "Handläggaren på Arbetsförmedlingen"


def test_the_referrer_of_a_declined_referral_reads_the_grounds(login, people):
    referral = factories.make_ready_referral(people)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    factories.decide(
        people,
        item,
        Decision.Outcome.DECLINE,
        grounds=GROUNDS,
        recommendation=RECOMMENDATION,
        informs_person=INFORMS,
    )
    page = login("referrer.af")

    open_from_menu(page, "Remisser", "Referrals")
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text(containing("Avböjd", "Declined"))
    assert_accessible(page)
    page.get_by_role("link", name=referral.reference, exact=True).click()

    outcome = page.get_by_role("region", name=either("Utfall", "Outcome"))
    expect(outcome).to_contain_text(containing("Avböjd", "Declined"))
    expect(outcome).to_contain_text(GROUNDS)
    expect(outcome).to_contain_text(RECOMMENDATION)
    expect(outcome).to_contain_text(INFORMS)
    next_steps = page.get_by_role("region", name=either("Nästa steg", "Next steps"))
    expect(next_steps.get_by_role("link")).to_have_count(0)
    expect(next_steps.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text("Motiverad, vill arbeta inom handel.")
    assert_accessible(page)


def test_the_referrer_recording_a_consent_that_leaves_out_a_party_sees_the_warning(login, people, live_server):
    referral = factories.make_referral(people, consent=False, submit=False)
    page = login("referrer.af")

    page.goto(live_server.url + reverse("referrals:referral_detail", args=[referral.pk]))
    page.get_by_role("link", name=either("Registrera samtycke", "Record a consent")).click()

    parties = page.get_by_role("region", name=either("Remittentgruppens parter", "The referral group's parties"))
    expect(parties).to_contain_text("Region Jönköpings län – psykiatri")
    assert_accessible(page)
    organisations = page.get_by_role(
        "group",
        name=either(
            "Organisationer som får lämna och ta emot uppgifter", "Organisations that may share and receive information"
        ),
    )
    for organisation in ["SE-team Nässjö", "Arbetsförmedlingen", "Försäkringskassan", "Biståndsenheten Nässjö"]:
        organisations.get_by_label(organisation, exact=True).check()
    purposes = page.get_by_role("group", name=either("Ändamål", "Purposes"))
    purposes.get_by_label(either("Diskussion i remittentgruppen", "Discussion in the referral group")).check()
    page.get_by_role("group", name=either("Hur det lämnades", "How it was given")).get_by_label(
        either("Skriftligt", "Written")
    ).check()
    page.get_by_label(either("Giltigt till", "Valid until")).fill((today() + timedelta(days=365)).isoformat())
    page.get_by_role("button", name=either("Spara samtycket", "Save the consent")).click()

    expect(page).to_have_url(re.compile(rf"/remisser/{referral.pk}/$"))
    messages = page.get_by_role("status", name=re.compile("Meddelanden|Messages"))
    expect(messages).to_contain_text(containing("Samtycket har registrerats.", "The consent has been recorded."))
    expect(messages).to_contain_text("Region Jönköpings län – psykiatri")
    consent = page.get_by_role("region", name=either("Samtycke", "Consent"))
    expect(consent).to_contain_text("Region Jönköpings län – psykiatri")
    assert_accessible(page)
