"""The person's rights in the browser: the coach corrects a misspelt name, with the reason, and
downloads the register extract that shows it (GDPR art. 15 and 16)."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .axe import assert_accessible
from .test_participant_journeys import PHONE, assert_no_horizontal_scroll, enrolled
from .ui import containing, either

REASON = "Efternamnet var felstavat i remissen; Sara visade sitt id-kort."


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
def test_the_coach_corrects_a_misspelt_name_and_downloads_the_extract(login, people, live_server):
    participant = enrolled(people, "Sara", "Lindh")
    page = login("coach.nassjo")
    page.goto(f"{live_server.url}/deltagare/{participant.pk}/")

    page.get_by_role("link", name=either("Rätta personens uppgifter", "Correct the person's details")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Rätta personens uppgifter", "Correct the person's details")
    )
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.get_by_label(either("Efternamn", "Last name")).fill("Lind")
    page.get_by_role("button", name=either("Spara rättelsen", "Save the correction")).click()
    expect(page.get_by_role("alert")).to_contain_text(containing("Orsak", "Reason"))
    assert_accessible(page)

    page.get_by_label(either("Efternamn", "Last name")).fill("Lind")
    page.get_by_label(either("Orsak till rättelsen", "Reason for the correction")).fill(REASON)
    page.get_by_role("button", name=either("Spara rättelsen", "Save the correction")).click()

    expect(page).to_have_url(re.compile(rf"/deltagare/{participant.pk}/$"))
    expect(page.get_by_role("status", name=re.compile("Meddelanden|Messages"))).to_contain_text(
        containing("Personens uppgifter är rättade.", "The person's details have been corrected.")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sara Lind")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    with page.expect_download() as download:
        page.get_by_role(
            "link", name=either("Ladda ner registerutdraget (PDF)", "Download the register extract (PDF)")
        ).click()
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(" ".join(sheet.extract_text().split()) for sheet in PdfReader(BytesIO(pdf)).pages)
    assert "Sara Lind" in text
    # A narrow table column may break the reason after "id-"; the words are what matter.
    assert "Sara visade sitt id-kort.".replace(" ", "") in text.replace(" ", "")
