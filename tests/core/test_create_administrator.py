"""The first administrator of a fresh install (issue 11, point 2; docs/operations.md#first-administrator)."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from sehoglandet import access
from sehoglandet.models import Membership, Role
from sehoglandet.second_factor import pending_enrolment
from tests.helpers import every_row
from tests.second_factor import next_code


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_administrator", *args, stdout=out)
    return out.getvalue()


def test_a_new_administrator_gets_the_role_reaches_the_admin_once_a_password_and_an_app_are_set(client, people):
    output = run("greta.admin", "--email", "greta@example.se", "--first-name", "Greta")

    greta = User.objects.get(username="greta.admin")
    assert access.has_role(greta, Role.ADMINISTRATOR) and greta.is_staff
    assert not greta.has_usable_password()
    assert "Administratören greta.admin har skapats." in output
    assert "manage.py changepassword greta.admin" in output
    assert "/admin/" in output and "Roller i organisationer" in output
    assert "lägg till en autentiseringsapp" in output
    greta.set_password("ett-långt-lösenord-2026")
    greta.save()
    client.post(reverse("login"), {"username": "greta.admin", "password": "ett-långt-lösenord-2026"})
    assert client.get("/admin/")["Location"].startswith(reverse("second_factor_enrol"))
    client.post(reverse("second_factor_enrol_start"))
    client.post(reverse("second_factor_enrol"), {"code": next_code(pending_enrolment(greta))})
    assert client.get("/admin/").status_code == 200


def test_an_existing_user_is_promoted_and_keeps_their_password_and_roles(people):
    coach = people["coach.nassjo"]

    output = run("coach.nassjo")

    coach.refresh_from_db()
    assert access.has_role(coach, Role.ADMINISTRATOR) and access.has_role(coach, Role.COACH)
    assert coach.has_usable_password()
    assert "coach.nassjo är nu administratör." in output
    assert "changepassword" not in output


def test_running_it_twice_changes_nothing_the_second_time(people):
    run("greta.admin")
    before = every_row(access_log=False)

    run("greta.admin")

    assert every_row(access_log=False) == before
    assert Membership.objects.filter(user__username="greta.admin").count() == 1


@pytest.mark.parametrize("username", ["greta admin!", "x" * 151, ""])
def test_a_bad_user_name_is_refused_in_swedish_and_nothing_is_created(people, username):
    before = every_row(access_log=False)

    with pytest.raises(CommandError, match="Inget ändrades"):
        run(username)

    assert every_row(access_log=False) == before


def test_without_reference_data_it_says_to_load_it_first(empty_database):
    with pytest.raises(CommandError, match="load_reference_data"):
        run("greta.admin")

    assert not User.objects.filter(username="greta.admin").exists()
