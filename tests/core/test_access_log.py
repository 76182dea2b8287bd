"""The access log: who saw whose data, when, why and from where. Once written, a row never changes."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse

from sehoglandet import services
from sehoglandet.audit import log_access
from sehoglandet.models import AccessLog, AppendOnlyError, Organisation, ReferralGroup, Role
from tests.second_factor import sign_in_verified

ON_POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (migration 0002); SQLite has none",
)


@pytest.fixture
def entry(people) -> AccessLog:
    return AccessLog.objects.create(
        user=people["coach.nassjo"],
        organisation=Organisation.objects.get(code="nassjo-se"),
        object_type="participants.participant",
        object_id="4711",
        person_id=4711,
        action=AccessLog.Action.VIEW,
        purpose="Uppföljning av insats",
        ip_address="203.0.113.7",
    )


def stored(entry: AccessLog) -> dict:
    return AccessLog.objects.filter(pk=entry.pk).values().get()


# --- Append-only in the model ----------------------------------------------------------------------


def test_an_existing_row_cannot_be_saved_again(entry):
    before = stored(entry)
    entry.purpose = "Något annat"

    with pytest.raises(AppendOnlyError):
        entry.save()

    assert stored(entry) == before


def test_an_existing_row_cannot_be_saved_even_with_update_fields(entry):
    before = stored(entry)
    entry.person_id = 1

    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["person_id"])

    assert stored(entry) == before


def test_a_row_cannot_be_deleted(entry):
    before = stored(entry)

    with pytest.raises(AppendOnlyError):
        entry.delete()

    assert stored(entry) == before


def test_rows_cannot_be_updated_through_a_queryset(entry):
    before = stored(entry)

    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=entry.pk).update(purpose="Något annat")

    assert stored(entry) == before


def test_rows_cannot_be_deleted_through_a_queryset(entry):
    before = stored(entry)

    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()

    assert stored(entry) == before


def test_rows_cannot_be_changed_with_bulk_update(entry):
    before = stored(entry)
    entry.purpose = "Något annat"

    # bulk_update opens a transaction without a savepoint; ours keeps the test's transaction usable.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessLog.objects.bulk_update([entry], ["purpose"])

    assert stored(entry) == before


def test_new_rows_can_still_be_added(entry):
    AccessLog.objects.create(
        user=entry.user, object_type="participants.participant", action=AccessLog.Action.EXPORT, purpose="Rapport"
    )

    assert AccessLog.objects.count() == 2


# --- Append-only in the database -------------------------------------------------------------------


@ON_POSTGRESQL_ONLY
def test_the_database_refuses_a_raw_update(entry):
    before = stored(entry)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE sehoglandet_accesslog SET purpose = %s WHERE id = %s", ["Något annat", entry.pk])

    assert stored(entry) == before


@ON_POSTGRESQL_ONLY
def test_the_database_refuses_a_raw_delete(entry):
    before = stored(entry)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sehoglandet_accesslog WHERE id = %s", [entry.pk])

    assert stored(entry) == before


# --- The admin -------------------------------------------------------------------------------------


@pytest.fixture
def superuser(people) -> User:
    """A staff superuser who also holds the administrator role, so the admin lets them in."""
    user = User.objects.create_superuser("root", "root@example.se", "demo-2026-root")
    services.add_membership(
        actor=people["admin"],
        user=user,
        organisation=Organisation.objects.get(code="forbundet"),
        role=Role.ADMINISTRATOR,
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def admin_client_for(client, people, superuser):
    users = {**people, "superuser": superuser}

    def sign_in(who: str):
        return sign_in_verified(client, users[who])

    return sign_in


ADMINS = ["admin", "superuser"]


def url(name: str, *args) -> str:
    return reverse(f"admin:sehoglandet_accesslog_{name}", args=args)


@pytest.mark.parametrize("who", ADMINS)
def test_in_the_admin_posting_a_delete_is_refused_and_the_row_remains(admin_client_for, entry, who):
    before = stored(entry)

    response = admin_client_for(who).post(url("delete", entry.pk), {"post": "yes"})

    assert response.status_code == 403
    assert stored(entry) == before


@pytest.mark.parametrize("who", ADMINS)
def test_in_the_admin_posting_a_change_is_refused_and_the_row_is_unchanged(admin_client_for, entry, who):
    before = stored(entry)

    response = admin_client_for(who).post(
        url("change", entry.pk),
        {"object_type": "x", "object_id": "1", "action": "view", "purpose": "Ändrad", "user": entry.user_id},
    )

    assert response.status_code == 403
    assert stored(entry) == before


@pytest.mark.parametrize("who", ADMINS)
def test_in_the_admin_nobody_can_add_a_row(admin_client_for, entry, who):
    response = admin_client_for(who).post(
        url("add"),
        {"object_type": "x", "object_id": "1", "action": "view", "purpose": "Påhittad", "user": entry.user_id},
    )

    assert response.status_code == 403
    assert AccessLog.objects.count() == 1


@pytest.mark.parametrize("who", ADMINS)
def test_in_the_admin_bulk_delete_from_the_list_does_not_remove_rows(admin_client_for, entry, who):
    response = admin_client_for(who).post(
        url("changelist"), {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    assert response.status_code in (200, 302, 403)
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_a_superuser_sees_a_row_read_only_without_save_or_delete(admin_client_for, entry):
    response = admin_client_for("superuser").get(url("change", entry.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert url("delete", entry.pk) not in html
    assert "Uppföljning av insats" in html


def test_a_superuser_sees_the_list_without_an_add_button(admin_client_for, entry):
    response = admin_client_for("superuser").get(url("changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert url("add") not in html
    assert "delete_selected" not in html
    assert url("change", entry.pk) in html


def test_a_staff_superuser_without_the_administrator_role_cannot_open_the_access_log_in_the_admin(client, entry):
    root = User.objects.create_superuser("root2", "root2@example.se", "demo-2026-root")
    sign_in_verified(client, root)

    assert client.get(url("changelist")).status_code == 403
    assert client.get(url("change", entry.pk)).status_code == 403


# --- log_access ------------------------------------------------------------------------------------


def a_request(user, **meta):
    request = RequestFactory().get("/deltagare/4711/", REMOTE_ADDR="203.0.113.7", **meta)
    request.user = user
    return request


def test_log_access_records_who_for_which_organisation_what_whose_why_and_from_where(people):
    coach = people["coach.nassjo"]
    group = ReferralGroup.objects.get(municipality__code="nassjo")

    row = log_access(
        a_request(coach), group, action=AccessLog.Action.PRINT, purpose="Förberedelse av möte", person_id=4711
    )

    saved = AccessLog.objects.get(pk=row.pk)
    assert saved.user == coach
    assert saved.organisation == Organisation.objects.get(code="nassjo-se")
    assert saved.object_type == "sehoglandet.referralgroup"
    assert saved.object_id == str(group.pk)
    assert saved.person_id == 4711
    assert saved.action == AccessLog.Action.PRINT
    assert saved.purpose == "Förberedelse av möte"
    assert saved.ip_address == "203.0.113.7"
    assert saved.created_at is not None


def test_log_access_for_a_list_names_the_kind_of_record(people):
    row = log_access(
        a_request(people["auditor"]), action=AccessLog.Action.LIST, object_type="participants.participant", purpose="x"
    )

    saved = AccessLog.objects.get(pk=row.pk)
    assert saved.object_type == "participants.participant"
    assert saved.object_id == ""
    assert saved.person_id is None
    assert saved.organisation == Organisation.objects.get(code="forbundet")


def test_log_access_uses_the_organisation_of_the_users_first_membership(people):
    user = people["nobody"]
    admin = people["admin"]
    services.add_membership(
        actor=admin, user=user, organisation=Organisation.objects.get(code="fk"), role=Role.GROUP_MEMBER
    )
    services.add_membership(
        actor=admin, user=user, organisation=Organisation.objects.get(code="af"), role=Role.GROUP_MEMBER
    )
    user = User.objects.get(pk=user.pk)

    row = log_access(a_request(user), object_type="x", purpose="y")

    # Memberships are ordered by organisation name: Arbetsförmedlingen comes before Försäkringskassan.
    assert AccessLog.objects.get(pk=row.pk).organisation == Organisation.objects.get(code="af")


def test_log_access_for_a_user_without_membership_records_no_organisation(people):
    row = log_access(a_request(people["nobody"]), object_type="x", purpose="y")

    assert AccessLog.objects.get(pk=row.pk).organisation is None


def test_log_access_takes_an_explicit_organisation_over_the_first_membership(people):
    row = log_access(
        a_request(people["coach.nassjo"]),
        object_type="x",
        purpose="y",
        organisation=Organisation.objects.get(code="fk"),
    )

    assert AccessLog.objects.get(pk=row.pk).organisation.code == "fk"


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_a_forged_forwarded_for_header_does_not_change_the_logged_address(people):
    request = a_request(people["coach.nassjo"], HTTP_X_FORWARDED_FOR="198.51.100.99")

    row = log_access(request, object_type="x", purpose="y")

    assert AccessLog.objects.get(pk=row.pk).ip_address == "203.0.113.7"
