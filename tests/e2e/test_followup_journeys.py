"""Follow-up in the browser: the coach's to-do list and SUS on a phone, the group member's summary."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant

from .axe import assert_accessible
from .test_participant_journeys import PHONE, assert_no_horizontal_scroll, enrolled
from .ui import containing, either, open_from_menu

MESSAGES = re.compile("Meddelanden|Messages")


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_coach_follows_the_to_do_list_to_sus_and_marks_the_registration(login, people: dict[str, User]):
    participant = enrolled(people, "Sara", "Lind")
    page = login("coach.nassjo")

    todo = page.get_by_role("region", name=either("Att göra", "To do"))
    expect(todo).to_contain_text(containing("Registrera i SUS: 1", "Register in SUS: 1"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    todo.get_by_role("link", name=containing("Öppna att göra-listan", "Open the to-do list")).tap()

    expect(page).to_have_url(re.compile(re.escape(reverse("participants:todo_list")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Att göra", "To do"))
    row = page.get_by_role("row", name=re.compile("Sara Lind"))
    expect(row).to_contain_text(containing("Registrera i SUS", "Register in SUS"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    open_from_menu(page, "SUS", "SUS")
    register = page.get_by_role("region", name=either("Registrera i SUS", "Register in SUS"))
    expect(register.get_by_role("row", name=re.compile("Sara Lind"))).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    register.get_by_role("button", name=containing("Markera registrerad", "Mark registered")).tap()

    today = timezone.localdate().isoformat()
    expect(page.get_by_role("status", name=MESSAGES)).to_contain_text(
        containing(f"Sara Lind är markerad som registrerad i SUS {today}.", "Sara Lind is marked")
    )
    register = page.get_by_role("region", name=either("Registrera i SUS", "Register in SUS"))
    expect(register.get_by_role("row", name=re.compile("Sara Lind"))).to_contain_text(today)
    expect(register.get_by_role("button")).to_have_count(0)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    participant.refresh_from_db()
    assert participant.sus_registered_on == timezone.localdate()

    open_from_menu(page, "Att göra", "To do")
    expect(page.get_by_role("main")).to_contain_text(
        containing("Just nu finns inget att göra.", "Nothing is due right now.")
    )


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_a_group_member_opens_the_follow_up_summary_on_a_phone(login, people: dict[str, User]):
    participant = enrolled(people, "Nils", "Holm")
    page = login("fk.nassjo")

    open_from_menu(page, "Uppföljning", "Follow-up")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Uppföljning av deltagare", "Follow-up of participants")
    )
    row = page.get_by_role("row", name=re.compile("Nils Holm"))
    expect(row).to_contain_text(participant.referral.reference)
    expect(row).to_contain_text(containing("Aktiv", "Active"))
    expect(row.get_by_role("link")).to_have_count(0)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert Participant.objects.get(pk=participant.pk).status == Participant.Status.ACTIVE
