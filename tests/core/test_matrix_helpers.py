"""The role matrices rest on tests/helpers.py: every persona asked from the same data, signed in as
itself, on a client of its own; and a change to any table is seen."""

from django.conf import settings
from django.contrib.auth.models import Group

from tests.helpers import outcomes_by_persona, status_and_changed_tables, statuses_by_persona


def test_what_one_persona_writes_the_next_does_not_see(client_for):
    groups = Group.objects.count()

    def count_then_write(client):
        seen = Group.objects.count()
        Group.objects.create(name=f"written as user {client.session['_auth_user_id']}")
        return seen

    outcomes = outcomes_by_persona(client_for, ["coach.nassjo", "fk.nassjo", "auditor"], count_then_write)

    assert outcomes == {"coach.nassjo": groups, "fk.nassjo": groups, "auditor": groups}
    assert Group.objects.count() == groups


def test_each_persona_is_signed_in_as_itself_without_the_cookies_left_before(client_for):
    client_for("admin").cookies["messages"] = "left by an earlier request"

    def who_and_which_cookies(client):
        cookies = sorted(client.cookies)
        client.cookies["messages"] = "left for the next persona"
        return client.get("/").context["user"].username, cookies

    outcomes = outcomes_by_persona(client_for, ["coach.nassjo", "nobody"], who_and_which_cookies)

    assert outcomes == {
        "coach.nassjo": ("coach.nassjo", [settings.SESSION_COOKIE_NAME]),
        "nobody": ("nobody", [settings.SESSION_COOKIE_NAME]),
    }


def test_the_statuses_are_those_of_each_persona(client_for):
    statuses = statuses_by_persona(client_for, ["auditor", "coach.nassjo"], lambda client: client.get("/atkomstlogg/"))

    assert statuses == {"auditor": 200, "coach.nassjo": 403}


def test_a_change_to_any_table_is_reported_by_model(client_for):
    def write_a_group_and_open_the_start_page(client):
        Group.objects.create(name="Skrivs av testet")
        return client.get("/")

    outcomes = outcomes_by_persona(
        client_for, ["coach.nassjo"], status_and_changed_tables(write_a_group_and_open_the_start_page)
    )

    assert outcomes == {"coach.nassjo": (200, ["auth.Group"])}
