"""The dump test: after the purge, a pg_dump of the whole database holds no trace of the purged
person: not their name, personnummer in any format, e-mail, phone or street address. The dump
covers every table: history, the admin's log, case event payloads, axes and sessions included.

PostgreSQL only: the dump is what a backup would hold. The data is committed (a transactional
test), since pg_dump reads through a connection of its own.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import connection

from consent.models import private_storage
from participants.models import add_months
from project import retention
from sehoglandet.models import AccessLog
from sehoglandet.services import get_system_user
from tests.helpers import today

from .cases import build_declined_case, build_full_case, build_participant

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump needs PostgreSQL; on SQLite, secure_delete overwrites deleted rows (docs/domain.md#retention)",
    ),
    pytest.mark.django_db(transaction=True),
]

PURGED = {
    "first_name": "Zebulona",
    "last_name": "Quarnbeck",
    "email": "zebulona.quarnbeck@example.org",
    "phone": "0739418275",
    "street_address": "Ljungrisvagen 41",
}
DECLINED = {
    "first_name": "Ottilde",
    "last_name": "Vrangsater",
    "email": "ottilde.v@example.net",
    "phone": "0706653912",
    "street_address": "Krakbarsstigen 3",
}
KEPT = {"first_name": "Bertolf", "last_name": "Kvarhallen"}


def pg_dump_binary() -> str:
    found = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    if not Path(found).is_file():
        pytest.skip("pg_dump is not installed")
    return found


def dump() -> str:
    """The whole test database as plain SQL, as a backup would hold it."""
    db = connection.settings_dict
    command = [pg_dump_binary(), "--no-owner", "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return subprocess.run(command, check=True, capture_output=True, env=env).stdout.decode()


def traces(person, details: dict) -> list[str]:
    """What would identify the person: names, the number in every way it is written, contact details."""
    digits = person.identity_number
    numbers = [
        digits,
        digits[2:],
        f"{digits[2:8]}-{digits[8:]}",
        f"{digits[2:8]}+{digits[8:]}",
        f"{digits[:8]}-{digits[8:]}",
    ]
    return [*details.values(), *numbers]


def found_in(text: str, needles: list[str]) -> list[str]:
    lowered = text.lower()
    return [needle for needle in needles if needle.lower() in lowered]


@pytest.fixture
def private_media(tmp_path, monkeypatch):
    monkeypatch.setattr(private_storage, "_wrapped", FileSystemStorage(location=tmp_path))


def test_no_trace_of_a_purged_person_is_left_in_a_dump_of_the_database(people, private_media):
    purged = build_full_case(people, PURGED["first_name"], PURGED["last_name"], **_contact(PURGED))
    declined = build_declined_case(people, DECLINED["first_name"], DECLINED["last_name"], **_contact(DECLINED))
    build_participant(people, KEPT["first_name"], KEPT["last_name"], exit_today=False)
    for case in (purged, declined):
        LogEntry.objects.create(
            user=people["admin"],
            content_type=ContentType.objects.get_for_model(case.person),
            object_id=str(case.person.pk),
            object_repr=str(case.person),
            action_flag=CHANGE,
        )
        AccessLog.objects.create(
            user=people["coach.nassjo"],
            object_type="sehoglandet.person",
            object_id=str(case.person.pk),
            person_id=case.person.pk,
            action=AccessLog.Action.VIEW,
            purpose="Handläggning",
        )
    secrets = traces(purged.person, PURGED) + traces(declined.person, DECLINED)
    stored = [*PURGED.values(), purged.person.identity_number, *DECLINED.values(), declined.person.identity_number]
    assert found_in(dump(), stored) == stored, "the search must find the persons before the purge"

    run = retention.purge_expired(actor=get_system_user(), today=add_months(today(), 25))

    after = dump()
    assert run.persons == 2
    assert found_in(after, secrets) == []
    assert found_in(after, list(KEPT.values())) == list(KEPT.values())


def _contact(details: dict) -> dict:
    return {key: value for key, value in details.items() if key not in ("first_name", "last_name")}
