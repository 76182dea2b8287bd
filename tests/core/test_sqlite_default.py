"""The zero-set-up SQLite default copes with a small team working at once.

Out of the box SQLite answers a second writer with "database is locked" at once: a transaction that
reads and then writes cannot take the write lock while another one holds it. The settings turn on
WAL (readers and one writer side by side), a busy timeout (a writer waits its turn) and IMMEDIATE
transactions (a transaction takes the write lock when it begins, so it waits at the start instead
of failing half-way). PostgreSQL, the production database, needs none of this; these tests skip there.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, transaction
from django.utils import timezone

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite settings only"
)

WRITERS = 8


def pragma(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_the_database_runs_in_wal_mode_with_a_busy_timeout(db):
    assert pragma("journal_mode") == "wal"
    assert pragma("busy_timeout") >= 20_000


def test_writers_starting_together_wait_their_turn_instead_of_failing(transactional_db):
    barrier = threading.Barrier(WRITERS)
    errors = []

    def read_then_write(number: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                count = Session.objects.count()
                time.sleep(0.02)  # the page does some work between its read and its write
                Session.objects.create(
                    session_key=f"writer-{number}-after-{count}",
                    session_data="",
                    expire_date=timezone.now() + timedelta(minutes=5),
                )
        except OperationalError as error:
            errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=read_then_write, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Session.objects.filter(session_key__startswith="writer-").count() == WRITERS
