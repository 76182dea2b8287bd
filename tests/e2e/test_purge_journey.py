"""The auditor reads the retention purge's runs on a phone: found in the main menu, counts by kind,
never a name."""

import pytest
from playwright.sync_api import Page, expect

from project import retention
from sehoglandet.services import get_system_user

from .axe import assert_accessible
from .ui import either, open_from_menu

PHONE = {"width": 375, "height": 800}


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_the_auditor_finds_the_purge_runs_in_the_menu_and_reads_them_on_a_phone(login):
    retention.purge_expired(actor=get_system_user(), dry_run=True)
    page: Page = login("auditor")

    open_from_menu(page, "Gallring", "Retention purge")

    expect(page.get_by_role("heading", level=1, name=either("Gallring", "Retention purge"))).to_be_visible()
    expect(page.get_by_role("region")).to_be_visible()
    assert_accessible(page)
