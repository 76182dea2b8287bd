"""What the test modules share: the personas and their usual groups, a snapshot of every row, small
readers of a response, and the role matrices that put one question to every persona.

Data builders live in tests/factories.py; the personas themselves in tests/conftest.py.
"""

import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from referrals import selectors
from referrals.models import DECISION_RESULTS
from sehoglandet.demo import DEMO_USERS
from sehoglandet.models import AccessLog

# Every demo user, and `nobody`, a signed-in user who holds no role at all.
ROLE_PERSONAS = [username for username, *_rest in DEMO_USERS]
PERSONAS = [*ROLE_PERSONAS, "nobody"]

COACHES = ["coach.nassjo", "coach.eksjo"]
MANAGERS = ["chef.nassjo", "chef.eksjo"]
# The members of Nässjö's remittentgrupp: biståndsenheten, AF, FK and psykiatrin.
NASSJO_MEMBERS = ["bistand.nassjo", "af.nassjo", "fk.nassjo", "region.nassjo"]
# Every member of a remittentgrupp: Nässjö's, and FK's member of Eksjö's.
GROUP_MEMBERS = [*NASSJO_MEMBERS, "fk.eksjo"]
# Nässjö's remittentgrupp with its coach and the coach's manager.
NASSJO_GROUP = ["coach.nassjo", "chef.nassjo", *NASSJO_MEMBERS]
# Eksjö's coach, manager and FK member: the right roles, but no grant on anything of Nässjö's.
OUTSIDERS = ["coach.eksjo", "chef.eksjo", "fk.eksjo"]
# Everyone who neither coaches nor manages an SE team.
OUTSIDE_THE_SE_TEAMS = [username for username in PERSONAS if username not in COACHES + MANAGERS]

# Issue 15: no page makes more than this many queries, whatever the data (bench/README.md#national-scale-issue-15).
MOST_QUERIES_A_PAGE = 15

# The project's own apps; every_row reads all their tables (history and grants included).
APPS = ["sehoglandet", "referrals", "participants", "consent", "reporting"]


def _snapshot_models(*, access_log: bool) -> list:
    models = [
        *(model for label in APPS for model in apps.get_app_config(label).get_models(include_auto_created=True)),
        *apps.get_app_config("auth").get_models(include_auto_created=True),
    ]
    return models if access_log else [model for model in models if model is not AccessLog]


def every_row(*, access_log: bool = True, tables: Iterable[str] | None = None) -> dict[str, list[dict]]:
    """Every row of the project's tables (history, grants and many-to-many links included) and of the
    user, group and permission tables, by model, each row a dict of its columns as the database
    returns them; only those of `tables` (database table names) when given.

    `access_log=False` leaves out the append-only access log, for a test that checks it on its own.
    Plain SQL rather than the ORM: a role matrix takes two snapshots per persona and page, and this
    is some fifteen times faster.
    """
    models = _snapshot_models(access_log=access_log)
    if tables is not None:
        models = [model for model in models if model._meta.db_table in tables]
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}")
            columns = [column[0] for column in cursor.description]
            rows[model._meta.label] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return rows


def changed_tables(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> list[str]:
    """The models whose rows differ between two snapshots of every_row."""
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


# The table an INSERT, UPDATE or DELETE writes, as Django's backends write them (quoted).
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(\w+)"', re.IGNORECASE)


@contextmanager
def tables_written():
    """The names of the tables written to (an INSERT, UPDATE or DELETE seen on the connection) while
    the block runs: the only ones whose rows it can have changed."""
    written: set[str] = set()

    def note_writes(execute, sql, params, many, context):
        if match := WRITE.match(sql):
            written.add(match[1])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_writes):
        yield written


def changed_by(send: Callable[[], Any], *, access_log: bool = True) -> tuple[Any, list[str]]:
    """Runs `send()` and answers what it returned and the models whose rows it changed, as
    changed_tables(every_row() before, every_row() after) would, and then undoes what it changed.

    Only the tables `send` wrote to can have changed (tables_written), so only they are read: after
    `send`, and again once a savepoint has undone it, which gives them back as they were before. A
    request that writes nothing costs no snapshot at all.
    """
    with transaction.atomic():
        with tables_written() as written:
            result = send()
        after = every_row(access_log=access_log, tables=written) if written else {}
        transaction.set_rollback(True)
    before = every_row(access_log=access_log, tables=written) if after else {}
    return result, changed_tables(before, after)


def today() -> date:
    return timezone.localdate()


def swedish(msgid: str) -> str:
    """A string of the app's catalogue as the Swedish page shows it (and proof it is translated)."""
    with translation.override("sv"):
        text = gettext(msgid)
    assert text != msgid, f"no Swedish translation for {msgid!r}"
    return text


def sees(user, referral) -> bool:
    """Whether the referral is among those the user may see."""
    return selectors.referrals_visible_to(user).filter(pk=referral.pk).exists()


def messages_of(response) -> list[str]:
    """The messages the page shows (the messages framework's), as text."""
    return [str(message) for message in response.context["messages"]]


def body(response) -> str:
    return response.content.decode()


def shows(text: str, message: str | tuple[str, ...]) -> bool:
    """Whether the page's text holds the message: one text, or alternatives such as (the Swedish
    message, the English source around a Swedish label) for a message the Swedish catalogue may not
    yet hold."""
    return any(alternative in text for alternative in ((message,) if isinstance(message, str) else message))


def css_rules(selector_part: str) -> list[str]:
    """The declarations of every rule in static/css/app.css whose selector holds `selector_part`,
    with spaces collapsed (a rough reading: enough to prove that a rule is there)."""
    css = re.sub(r"/\*.*?\*/", "", (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(), flags=re.S)
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    return [" ".join(declarations.split()) for selector, declarations in rules if selector_part in selector]


def signed_in(client_for, username: str) -> Client:
    """The test client signed in as `username`, without the cookies of earlier requests (messages,
    an earlier session): as a client of its own."""
    client_for(username).cookies.clear()
    return client_for(username)


def outcomes_by_persona(client_for, usernames: Iterable[str], act: Callable[[Client], Any]) -> dict[str, Any]:
    """`{username: act(client)}`, with `client` signed in as that persona.

    Each persona starts from the same data: `act` runs inside a transaction that is rolled back
    afterwards, so what one persona's POST changes the next never sees; whatever `act` returns must
    be read inside it. Each persona also starts on a client of its own (see signed_in).
    A role matrix asserts the whole answer at once, so a failure names every wrong persona.
    """
    outcomes = {}
    for username in usernames:
        client = signed_in(client_for, username)
        with transaction.atomic():
            outcomes[username] = act(client)
            transaction.set_rollback(True)
    return outcomes


def statuses_by_persona(client_for, usernames: Iterable[str], request: Callable[[Client], Any]) -> dict[str, int]:
    """`{username: status code of request(client)}`, each persona from the same data (see outcomes_by_persona)."""
    return outcomes_by_persona(client_for, usernames, lambda client: request(client).status_code)


def status_and_changed_tables(request: Callable[[Client], Any], *, access_log: bool = True):
    """An act for outcomes_by_persona: sends `request(client)` and answers (status code, the models
    whose rows the request changed), and undoes the change (changed_by); `access_log=False` leaves
    the access log out of the comparison."""

    def act(client: Client) -> tuple[int, list[str]]:
        response, changed = changed_by(lambda: request(client), access_log=access_log)
        return response.status_code, changed

    return act


def status_shown_and_changed_tables(request: Callable[[Client], Any], text: str, *, access_log: bool = True):
    """Like status_and_changed_tables, and whether the page shows `text` (say, a name it must not):
    answers (status code, `text` in the page, the models whose rows the request changed)."""

    def act(client: Client) -> tuple[int, bool, list[str]]:
        response, changed = changed_by(lambda: request(client), access_log=access_log)
        return response.status_code, text in body(response), changed

    return act


def decision_result(outcome: str) -> str:
    """A decision as every page words it, as a result ("Avböjd"; issue 14): the Swedish once the
    catalogue has it, the English msgid before."""
    with translation.override("sv"):
        return str(DECISION_RESULTS[outcome])
