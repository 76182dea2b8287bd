"""The confirmation steps before publishing an agenda (which sends e-mail) and marking a meeting held: what
will happen, in counts and organisations, never a name; a step someone else already took says so."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from referrals import services
from referrals.models import Meeting
from tests import factories
from tests.factories import WITHOUT_FK, make_case
from tests.helpers import PERSONAS, body, every_row, outcomes_by_persona, status_and_changed_tables


def shown(msgid: str) -> str:
    """The text as the Swedish page shows it: the translation, or the English source until the catalogue has
    this issue's strings."""
    with translation.override("sv"):
        return translation.gettext(msgid)


def url(name: str, meeting: Meeting) -> str:
    return reverse(f"referrals:{name}", args=[meeting.pk])


@pytest.fixture
def planned(people):
    """A planned coming meeting of Nässjö with two cases: one every member may see, one FK may not."""
    meeting = factories.make_meeting(people)
    factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting, publish=False)
    factories.put_on_agenda(people, make_case(people, "Bo", "Cederholm", consent=WITHOUT_FK), meeting, publish=False)
    meeting.refresh_from_db()
    return SimpleNamespace(meeting=meeting)


@pytest.mark.parametrize("name", ["meeting_publish_confirm", "meeting_close_confirm"])
def test_only_the_convening_coach_opens_a_confirmation_and_opening_it_changes_nothing(client_for, planned, name):
    open_it = status_and_changed_tables(lambda client: client.get(url(name, planned.meeting)), access_log=False)

    outcomes = outcomes_by_persona(client_for, PERSONAS, open_it)

    def expected(username):
        if username == "coach.nassjo":
            return 200
        return 404 if username == "coach.eksjo" else 403

    assert {username: status for username, (status, _tables) in outcomes.items()} == {
        username: expected(username) for username in PERSONAS
    }
    assert all(tables == [] for _status, tables in outcomes.values())


def test_publishing_says_how_many_of_each_organisation_get_e_mail_and_names_no_one(client_for, people, planned):
    page = body(client_for("coach.nassjo").get(url("meeting_publish_confirm", planned.meeting)))

    for organisation in ("Arbetsförmedlingen", "Försäkringskassan"):
        assert organisation in page
    assert "Alva" not in page and "Brandt" not in page and "Cederholm" not in page
    for username in ("fk.nassjo", "af.nassjo"):
        assert people[username].email not in page
        assert people[username].get_full_name() not in page
    assert f'action="{url("meeting_publish", planned.meeting)}"' in page


def test_the_meeting_page_leads_to_the_confirmation_rather_than_publishing_at_once(client_for, planned):
    page = body(client_for("coach.nassjo").get(url("meeting_detail", planned.meeting)))

    assert f'href="{url("meeting_publish_confirm", planned.meeting)}"' in page
    assert f'action="{url("meeting_publish", planned.meeting)}"' not in page


def test_an_agenda_someone_else_already_published_says_so_and_sends_nothing_twice(
    client_for, people, planned, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_agenda(actor=people["coach.nassjo"], meeting=planned.meeting)
    sent = len(mail.outbox)
    client = client_for("coach.nassjo")

    page = body(client.get(url("meeting_publish_confirm", planned.meeting)))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("meeting_publish", planned.meeting), follow=True)

    assert shown("The agenda has already been published.") in page
    assert f'action="{url("meeting_publish", planned.meeting)}"' not in page
    assert shown("The agenda has already been published.") in body(again)
    assert len(mail.outbox) == sent


def test_marking_held_says_what_changes_and_how_many_cases_wait_for_a_decision(client_for, people, planned):
    services.publish_agenda(actor=people["coach.nassjo"], meeting=planned.meeting)
    factories.hold_meeting_today(planned.meeting)

    page = body(client_for("coach.nassjo").get(url("meeting_close_confirm", planned.meeting)))

    assert shown("No e-mail is sent, and no one gains or loses access to a case.") in page
    with translation.override("sv"):
        waiting = translation.ngettext(
            "%(count)s case on the agenda has no decision yet; it can still be recorded afterwards.",
            "%(count)s cases on the agenda have no decision yet; they can still be recorded afterwards.",
            2,
        ) % {"count": 2}
    assert waiting in page
    assert f'action="{url("meeting_close", planned.meeting)}"' in page


def test_a_meeting_already_marked_held_says_so_and_nothing_changes(client_for, people, planned):
    services.publish_agenda(actor=people["coach.nassjo"], meeting=planned.meeting)
    factories.hold_meeting_today(planned.meeting)
    services.close_meeting(actor=people["coach.nassjo"], meeting=planned.meeting)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    page = body(client.get(url("meeting_close_confirm", planned.meeting)))
    client.post(url("meeting_close", planned.meeting))

    assert shown("The meeting has already been marked as held.") in page
    assert f'action="{url("meeting_close", planned.meeting)}"' not in page
    assert every_row(access_log=False) == before
