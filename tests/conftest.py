"""Personas for every role, built from the Höglandet reference data and the demo users.

Alice-and-Bob style: `people["coach.nassjo"]` is the Nässjö coach, `people["coach.eksjo"]` the
outsider from another municipality, `people["nobody"]` a signed-in user without any role.

The reference data and personas are built once, when the test database is created, and every test
runs in a transaction that is rolled back, so each starts from them. Transactional tests (the
browser tests, thread races) empty the database afterwards; pytest-django runs them last, and the
fixtures below put the personas back from a copy of their rows taken when the database was set up.
"""

import fcntl
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management.commands import flush
from django.db import connection, transaction
from pytest_django.fixtures import validate_django_db

from sehoglandet import demo, services
from sehoglandet.reference_data import DEFAULT_FILE, parse
from tests.helpers import PERSONAS
from tests.second_factor import give_app, sign_in_verified


def pytest_configure(config):
    # Fast hashing for the whole run, the personas built at database set-up included.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


BROWSER_TESTS = Path(__file__).parent / "e2e"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked `late` after the others, and the browser tests last.

    A test marked `late` changes its process for good: Sentry's Django integration, once set up,
    wraps every request and query for the rest of the process (tests/core/test_error_reporting.py),
    which made the tests after it on its worker about 15 % slower; the browser tests, which come
    after it, spend their time in the browser. Playwright's sync API keeps an asyncio loop running
    on the main thread from the first browser test to the end of the session, and no other test
    should run under it. Under pytest-xdist every worker collects this order, and `--dist loadgroup`
    hands each worker its tests in it, so the order holds on every worker.

    The `late` tests do not go last of all: then a worker's last test used no database, and its
    PostgreSQL test database could not be dropped at the end ("being accessed by other users"); after
    a browser test last, as before, it can. Why the connection stays open then is not known.
    """

    def rank(item: pytest.Item) -> int:
        if item.path.is_relative_to(BROWSER_TESTS):
            return 2
        return 1 if item.get_closest_marker("late") else 0

    items.sort(key=rank)


@pytest.fixture
def system_user(db) -> User:
    return services.get_system_user()


def _personas_present() -> bool:
    return User.objects.filter(username="nobody").exists()


def _build_personas() -> None:
    """Reference data, the demo users and `nobody`, each with an authenticator app (their second
    factor, tests/second_factor.py), unless they are there already."""
    if _personas_present():
        return
    services.load_reference_data(actor=services.get_system_user(), data=parse(DEFAULT_FILE.read_text(encoding="utf-8")))
    demo.create_demo_users()
    User.objects.create_user("nobody", password=demo.DEMO_PASSWORD)
    for user in User.objects.filter(username__in=PERSONAS):
        give_app(user)


class _Rows:
    """Every row of every table, copied with plain SQL, to be written back after a transactional
    test has emptied the database. Building the personas through the services, with their history
    and case events, takes about 0.6 s; writing their rows back takes a small part of that, and
    about a hundred browser tests on each database start from them."""

    def __init__(self) -> None:
        self.tables: dict[str, tuple[list[str], list[tuple]]] = {}
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                if rows := cursor.fetchall():
                    self.tables[table] = ([column[0] for column in cursor.description], rows)

    def write_back(self) -> None:
        """Write the rows back into the emptied database. Django's flush re-creates the content
        types and permissions on its way out (post_migrate), under new keys: those rows make way
        for the copied ones, which the copied grants point to."""
        quote = connection.ops.quote_name
        with connection.constraint_checks_disabled(), transaction.atomic(), connection.cursor() as cursor:
            for table, (columns, rows) in self.tables.items():
                cursor.execute(f"DELETE FROM {quote(table)}")
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES ({placeholders})", rows
                )
        ContentType.objects.clear_cache()


_personas_rows: _Rows | None = None
_db_blocker = None


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix() -> None:
    """Every pytest-xdist worker starts from the one test database, the template that django_db_setup
    migrates once and copies for each worker; pytest-django would give each worker a database of its
    own to migrate."""


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_blocker, django_db_keepdb, django_db_createdb, tmp_path_factory):
    """The test database, migrated and with the personas, once per run: under pytest-xdist the first
    worker builds it as a template (the migrations take about 25 s of a core, docs/architecture.md)
    and each worker then works on a copy of its own (CREATE DATABASE … TEMPLATE on PostgreSQL, a copy
    of the file on SQLite), made afresh every run. Without xdist the test database is the template.
    With --reuse-db (the Makefile's) the template stays for the next run, which only migrates it."""
    from django.test.utils import setup_databases

    global _personas_rows, _db_blocker
    keepdb = django_db_keepdb and not django_db_createdb
    # As pytest-django reads it: None when pytest-xdist is not running the tests (or not installed).
    worker_id = getattr(request.config, "workerinput", {}).get("workerid")

    def build_template() -> None:
        setup_databases(
            verbosity=request.config.option.verbose, interactive=False, keepdb=keepdb, serialized_aliases=set()
        )
        _build_personas()

    with django_db_blocker.unblock():
        if worker_id is None:
            build_template()
        else:
            _clone_template_for_worker(build_template, worker_id, tmp_path_factory.getbasetemp().parent)
        _personas_rows, _db_blocker = _Rows(), django_db_blocker
    yield
    if worker_id is not None or not keepdb:
        with django_db_blocker.unblock():
            connection.creation.destroy_test_db(verbosity=0)


def _clone_template_for_worker(build_template, worker_id: str, shared: Path) -> None:
    """Build the template if no worker of this run has yet (the workers share `shared`, and take
    turns under a lock), then copy it for this worker and point the connection at the copy."""
    creation = connection.creation
    template = creation._get_test_db_name()
    with open(shared / "test-database.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "test-database.ready").exists():
            build_template()
            (shared / "test-database.ready").touch()
        # The template's name, whether this worker built it or not; no session may stay connected
        # to a PostgreSQL template while it is copied.
        connection.close()
        connection.settings_dict["NAME"] = template
        creation.clone_test_db(suffix=worker_id, verbosity=0, keepdb=False)
    connection.settings_dict.update(creation.get_test_db_clone_settings(worker_id))
    settings.DATABASES[connection.alias]["NAME"] = connection.settings_dict["NAME"]


def _transactional(item: pytest.Item) -> bool:
    """Whether the test commits to the database and pytest-django empties it afterwards: through the
    fixtures, or `pytest.mark.django_db(transaction=True)`."""
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    commits, *_others = validate_django_db(marker)  # its arguments as pytest-django reads them
    return commits


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test has emptied the database (its fixtures' teardown, in the yield),
    write the personas back, so the next test starts from them as every test does. After the last
    test the yield has destroyed the test database, and there is nothing to write back to.

    Django's flush, which empties it, would then re-create every content type and permission
    (post_migrate), only for the write-back to replace them with the copied ones: 0.1 s a test on
    PostgreSQL, most of the flush. The copy has them all, so the flush leaves that out."""
    transactional = _transactional(item)
    with mock.patch.object(flush, "emit_post_migrate_signal") if transactional else nullcontext():
        result = yield
    if transactional and nextitem is not None and _personas_rows is not None:
        with _db_blocker.unblock():
            if not _personas_present():
                _personas_rows.write_back()
    return result


@pytest.fixture
def reference_data(system_user) -> None:
    """The Höglandet organisations, municipalities and referral groups (and the personas)."""
    _build_personas()


@pytest.fixture
def people(reference_data) -> dict[str, User]:
    """Every demo user (password demo-2026), plus `nobody`, who holds no role at all; each has an
    authenticator app."""
    return {user.username: user for user in User.objects.filter(username__in=PERSONAS)}


@pytest.fixture
def client_for(client, people):
    """`client_for("coach.nassjo")` is a test client signed in as that persona, the session verified
    by the persona's authenticator app (tests/second_factor.py)."""

    def sign_in(username: str):
        return sign_in_verified(client, people[username])

    return sign_in


@pytest.fixture
def empty_database(db) -> None:
    """For the tests of loading itself: remove the personas and reference data inside the test's
    transaction (rolled back afterwards), so loading starts from nothing."""
    clear_database()


def clear_database() -> None:
    """Remove the personas and the reference data (inside a transaction the caller rolls back)."""
    from django.contrib.auth.models import Group

    from sehoglandet.models import (
        Association,
        CaseEvent,
        Membership,
        Municipality,
        Organisation,
        ReferralGroup,
        ReferralGroupMember,
        ReferralGroupSeat,
    )

    models = [
        Association,
        Organisation,
        Municipality,
        ReferralGroup,
        ReferralGroupSeat,
        Membership,
        ReferralGroupMember,
    ]
    CaseEvent.objects.all().delete()
    ReferralGroupMember.objects.all().delete()
    Membership.objects.all().delete()
    Municipality.objects.update(se_team=None)
    Organisation.objects.update(municipality=None)
    ReferralGroupSeat.objects.all().delete()
    ReferralGroup.objects.all().delete()
    Organisation.objects.all().delete()
    Municipality.objects.all().delete()
    Association.objects.all().delete()
    Group.objects.all().delete()
    User.objects.all().delete()
    for model in [*models, User]:
        model.history.all().delete()
