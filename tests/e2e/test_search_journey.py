"""Journeys of issue 13: a coach finds a person by personnummer from any page in one step, on a
wide screen and on a phone; the manager changes a participant's responsible coach."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from participants.models import Participant
from tests import factories

from .axe import assert_accessible
from .ui import containing, either, open_from_menu

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SEARCH = either("Sök", "Search")


def enrolled(people: dict[str, User], first_name: str, last_name: str) -> Participant:
    person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name)
    referral = factories.make_ready_referral(people, person=person)
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)
    item.refresh_from_db()
    factories.decide(people, item)
    return Participant.objects.get(referral=referral)


def dashed(participant: Participant) -> str:
    digits = participant.person.identity_number
    return f"{digits[2:8]}-{digits[8:]}"


@pytest.mark.browser_context_args(viewport=DESKTOP)
def test_a_coach_finds_a_person_by_personnummer_from_any_page_in_one_step(login, people):
    participant = enrolled(people, "Sara", "Lind")
    page = login("coach.nassjo")
    page.goto(reverse("participants:todo_list"))

    box = page.get_by_role("search").get_by_role("searchbox", name=SEARCH)
    box.fill(dashed(participant))
    box.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(reverse("search")) + r"\?q="))
    results = page.get_by_role("main")
    expect(results.get_by_role("link", name="Sara Lind")).to_be_visible()
    expect(results.get_by_role("link", name=participant.referral.reference)).to_be_visible()
    assert_accessible(page)
    results.get_by_role("link", name="Sara Lind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sara Lind")


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_on_a_phone_the_search_box_opens_from_the_header_and_explains_a_partial_number(login, people):
    participant = enrolled(people, "Sara", "Lind")
    page = login("coach.nassjo")
    page.goto(reverse("home"))

    page.get_by_role("banner").get_by_text(SEARCH, exact=True).first.click()
    box = page.get_by_role("search").get_by_role("searchbox", name=SEARCH)
    expect(box).to_be_visible()
    box.fill(dashed(participant)[:6])
    box.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text(containing("hela personnumret", "whole personnummer"))
    assert_accessible(page)
    page.get_by_role("banner").get_by_text(SEARCH, exact=True).first.click()
    box = page.get_by_role("search").get_by_role("searchbox", name=SEARCH)
    box.fill(dashed(participant))
    box.press("Enter")
    expect(page.get_by_role("main").get_by_role("link", name="Sara Lind")).to_be_visible()
    assert_accessible(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_the_chef_changes_a_participants_responsible_coach(login, people, viewport):
    participant = enrolled(people, "Sara", "Lind")
    page = login("chef.nassjo")
    page.set_viewport_size(viewport)

    open_from_menu(page, "Deltagare", "Participants")
    expect(page.get_by_role("main").get_by_role("link", name="Sara Lind")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Sara Lind").click()
    page.get_by_role("link", name=either("Byt ansvarig coach", "Change the responsible coach")).click()
    page.get_by_label(either("Ansvarig coach", "Responsible coach")).select_option(label="Maja Lindqvist")
    page.get_by_role("button", name=either("Byt ansvarig coach", "Change responsible coach")).click()

    expect(page.get_by_role("status")).to_contain_text("Maja Lindqvist")
    participant.refresh_from_db()
    assert participant.responsible_coach == people["coach.nassjo"]
    assert_accessible(page)
