"""The case page in the browser: the SUS dates on the case, and several rows marked registered in
SUS at once, on a phone and at 1,280 px, with no sideways scroll inside the list's card."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from participants.models import Participant
from tests.participants.conftest import enrol

from .axe import assert_accessible
from .ui import containing, either

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def assert_nothing_overflows(page: Page) -> None:
    """Neither the page nor any table's wrapper scrolls sideways."""
    widths = page.evaluate(
        "[document.documentElement, ...document.querySelectorAll('.table-wrap')]"
        ".map(e => [e.scrollWidth, e.clientWidth])"
    )
    assert all(scroll <= client for scroll, client in widths), f"{page.url} overflows: {widths}"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_coach_sees_the_sus_dates_on_the_case(login, people, page, viewport):
    page.set_viewport_size(viewport)
    (alva,) = enrol(people, ("Alva", "Brandt"))
    Participant.objects.filter(pk=alva.pk).update(sus_registered_on=alva.decided_on)
    login("coach.nassjo")

    page.goto(
        page.url.split("/", 3)[0]
        + "//"
        + page.url.split("/")[2]
        + reverse("participants:participant_detail", args=[alva.pk])
    )

    facts = page.get_by_role("region", name=either("Ärendet", "The case"))
    expect(facts).to_contain_text(containing("Registrerad i SUS", "Registered in SUS"))
    expect(facts).to_contain_text(alva.decided_on.isoformat())
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_coach_marks_several_registered_in_sus_at_once(login, people, page, viewport):
    page.set_viewport_size(viewport)
    alva, bo = enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"))
    login("coach.nassjo")

    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2] + reverse("participants:sus_list"))
    assert_accessible(page)
    assert_nothing_overflows(page)
    for name in ("Alva Brandt", "Bo Cederholm"):
        page.get_by_role("checkbox", name=re.compile(name)).check()
    page.get_by_role(
        "button", name=either("Markera de valda som registrerade", "Mark the ticked participants registered")
    ).click()

    expect(page.get_by_role("status", name=re.compile("Meddelanden|Messages"))).to_contain_text(
        containing("2 deltagare", "2 participants")
    )
    assert set(Participant.objects.filter(pk__in=[alva.pk, bo.pk]).values_list("sus_registered_on", flat=True)) != {
        None
    }
    assert_accessible(page)
    assert_nothing_overflows(page)
