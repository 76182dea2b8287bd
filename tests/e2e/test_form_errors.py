"""A form sent with mistakes: focus lands on the error summary, which lists the errors in the order of
the fields on the page, names each field, and links to it."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from .axe import assert_accessible
from .ui import either

SAVE_THE_DRAFT = either("Spara utkastet", "Save the draft")
CORRECT_THE_FOLLOWING = either("Rätta följande", "Please correct the following")
NUMBER = re.compile(r"^(Personnummer eller samordningsnummer|Personal identity number or coordination number)\b")
NUMBER_FIELD = either("Personnummer eller samordningsnummer", "Personal identity number or coordination number")
GROUNDS = re.compile(r"^(Grunder för målgruppen|Target-group grounds)\b")
# The labels are in the compiled catalogue; the message around them may not be yet.
FIRST_NAME_REQUIRED = either("Förnamn måste fyllas i.", "Förnamn must be filled in.")

# Whether each link of the summary points at an element that exists and comes after the one before.
LINKS_FOLLOW_THE_PAGE = """summary => {
    const targets = [...summary.querySelectorAll("a")].map(a => document.getElementById(a.hash.slice(1)));
    return targets.map((target, i) =>
        target === null ? "missing"
        : i === 0 || targets[i - 1].compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING ? "ok"
        : "before the previous one");
}"""


def test_a_referral_sent_empty_puts_focus_on_the_summary_which_follows_the_page(login):
    page: Page = login("coach.nassjo")
    page.goto(reverse("referrals:referral_create"))

    page.get_by_role("button", name=SAVE_THE_DRAFT).click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading", name=CORRECT_THE_FOLLOWING)).to_be_visible()

    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    number = next(i for i, text in enumerate(texts) if NUMBER.match(text))
    grounds = next(i for i, text in enumerate(texts) if GROUNDS.match(text))
    assert number == 0, f"the first field's error should come first: {texts}"
    assert number < grounds, f"the person's number is above the grounds on the page: {texts}"
    assert set(summary.evaluate(LINKS_FOLLOW_THE_PAGE)) == {"ok"}, texts

    # Django's "Detta fält måste fyllas i." named no field; the message now does, here and at the field.
    expect(summary.get_by_role("link", name=FIRST_NAME_REQUIRED)).to_have_count(1)
    expect(page.locator(".field-error").filter(has_text=FIRST_NAME_REQUIRED)).to_be_visible()
    assert not page.get_by_text(re.compile("Detta fält måste fyllas i|This field is required")).count()

    assert_accessible(page)

    links.first.click()
    expect(page.get_by_label(NUMBER_FIELD)).to_be_focused()
