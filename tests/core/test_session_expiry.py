"""When the session ends: the warning's markup and its keep-alive, and the way back after signing in
again: to the page the form was on, never to a POST-only address, through the second factor too.
The browser half (the warning shown, the note kept) is tests/e2e/test_session_expiry_journey.py."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants.models import JournalEntry
from sehoglandet.demo import DEMO_PASSWORD
from tests.helpers import body, every_row
from tests.participants.conftest import enrol
from tests.second_factor import next_code

LOGIN = reverse("login")
KEEP_ALIVE = reverse("session_keep_alive")
HOST = "http://testserver"


@pytest.fixture
def alva(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    return alva


def end_the_session() -> None:
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def note(**overrides) -> dict:
    return {"date": timezone.localdate().isoformat(), "kind": "workplace_visit", "text": "Besök hos Lagret AB."} | (
        overrides
    )


def journal_urls(participant) -> tuple[str, str]:
    page = reverse("participants:participant_detail", args=[participant.pk])
    return page, reverse("participants:journal_entry_add", args=[participant.pk])


def test_a_note_sent_after_the_session_ended_leads_to_the_login_with_the_page_as_next_and_saves_nothing(
    client_for, alva
):
    page, action = journal_urls(alva)
    client = client_for("coach.nassjo")
    end_the_session()

    response = client.post(action, note(), HTTP_REFERER=HOST + page)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={page}"
    assert not JournalEntry.objects.exists()


def test_after_the_password_and_the_code_the_user_is_back_on_the_page(client_for, people, alva):
    page, action = journal_urls(alva)
    client = client_for("coach.nassjo")
    end_the_session()
    to_login = client.post(action, note(), HTTP_REFERER=HOST + page)["Location"]

    after_password = client.post(to_login, {"username": "coach.nassjo", "password": DEMO_PASSWORD})
    to_code = client.get(after_password["Location"])["Location"]
    device = TOTPDevice.objects.get(user=people["coach.nassjo"])
    after_code = client.post(to_code, {"code": next_code(device)})

    assert after_password["Location"] == page
    assert to_code.startswith(reverse("second_factor_verify"))
    assert after_code["Location"] == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/deltagare/1/",
        "javascript:alert(1)",
        "http://testserver/finns-inte/",
        "",
    ],
)
def test_a_referer_that_is_not_one_of_our_pages_gives_a_login_without_next(client_for, alva, referer):
    _page, action = journal_urls(alva)
    client = client_for("coach.nassjo")
    end_the_session()

    response = client.post(action, note(), HTTP_REFERER=referer)

    assert response["Location"] == LOGIN


def test_a_form_shown_again_at_its_post_only_address_never_becomes_the_next(client_for, alva):
    _page, action = journal_urls(alva)
    client = client_for("coach.nassjo")
    end_the_session()

    response = client.post(action, note(), HTTP_REFERER=HOST + action)

    assert response["Location"] == LOGIN


def test_a_get_after_the_session_ended_keeps_its_own_address_as_next(client_for, alva):
    page, _action = journal_urls(alva)
    client = client_for("coach.nassjo")
    end_the_session()

    assert client.get(page)["Location"] == f"{LOGIN}?next={page}"


def test_a_post_before_the_code_step_goes_to_the_code_with_the_page_as_next(client, people, alva):
    page, action = journal_urls(alva)
    client.post(LOGIN, {"username": "coach.nassjo", "password": DEMO_PASSWORD})

    response = client.post(action, note(), HTTP_REFERER=HOST + page)

    assert response["Location"] == f"{reverse('second_factor_verify')}?next={quote(page, safe='')}"
    assert not JournalEntry.objects.exists()


def test_staying_signed_in_renews_the_session_and_writes_nothing_else(client_for):
    client = client_for("coach.nassjo")
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=2))
    before = every_row()

    response = client.post(KEEP_ALIVE, HTTP_X_REQUESTED_WITH="fetch")

    assert response.status_code == 204
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=20)
    assert every_row() == before


def test_staying_signed_in_without_script_goes_back_to_the_page(client_for, alva):
    page, _action = journal_urls(alva)

    response = client_for("coach.nassjo").post(KEEP_ALIVE, {"next": page})

    assert response["Location"] == page


def test_staying_signed_in_never_leaves_the_site(client_for):
    response = client_for("coach.nassjo").post(KEEP_ALIVE, {"next": "https://evil.example/"})

    assert response["Location"] == reverse("home")


def test_staying_signed_in_takes_post_only_and_needs_a_session(client, client_for):
    assert client.post(KEEP_ALIVE)["Location"].startswith(LOGIN)
    assert client_for("coach.nassjo").get(KEEP_ALIVE).status_code == 405


def test_every_page_of_a_signed_in_user_carries_the_warning_and_its_timing(client_for, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60

    page = body(client_for("auditor").get("/"))

    assert 'id="session-warning"' in page
    assert 'data-session-seconds="1800"' in page
    assert 'data-session-warning-seconds="300"' in page
    assert "js/session_expiry.js" in page
    assert 'id="session-warning"' in page and "hidden" in page.split('id="session-warning"')[1].split(">")[0]


def test_a_short_session_is_warned_halfway(client_for, settings):
    settings.SESSION_COOKIE_AGE = 4 * 60

    assert 'data-session-warning-seconds="120"' in body(client_for("auditor").get("/"))


def test_the_login_page_has_no_warning(client, db):
    page = body(client.get(LOGIN))

    assert 'id="session-warning"' not in page
    assert "js/session_expiry.js" not in page


def test_the_journal_form_keeps_its_draft_in_the_browser(client_for, alva):
    _page, action = journal_urls(alva)

    # The journal form opens on its own page (inline on the case page with htmx).
    html = body(client_for("coach.nassjo").get(action))

    form = html.split(f'action="{action}"')[1].split(">")[0]
    assert "data-keep-draft" in form
    assert "js/keep_draft.js" in html
