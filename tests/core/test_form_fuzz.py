"""Hostile input to every form of every role: never a 500, never a partial write (issue 10, point 5).

Discovery, not a list: each persona signs in, walks the site from the start page by its links and
collects every POST form it is shown (its action and its fields); the administrator walks the admin
too (issue 16), a few pages of each of its URL patterns. Hypothesis then posts to each form
values that are partly plausible (an option the page offers, today's date) and partly hostile: very
long strings, NUL bytes and other control characters, markup, impossible dates and times, numbers
out of range, personnummer with a wrong check digit, ids of any record in the database (another
organisation's included) in hidden inputs and selects, missing and repeated fields, and a hostile
`next`. Besides the generated examples each form gets explicit ones: every field plausible with a
`next` that is not an address, and one value at the edge in every field of a kind (an id beyond 64
bits in every choice, 9999-12-31 and 0001-01-01 in every date, 10 000 characters in every text).

Each example runs in a savepoint that is rolled back afterwards, so every example starts from the
same state and a failure can be replayed from its POST alone. Each example asserts:

- the answer is never a server error (500 or above);
- nothing changed in the project's tables (the access log aside) unless the answer is a success:
  a redirect that carries no error message. A form sent back with its errors, a 400, 403, 404 or
  405, or a redirect with an error message must have written nothing.

Every form is fuzzed even after another one failed; the test then fails once, listing each failure
with the persona, the form and the exact request.

Generation is derandomized and keeps no example database, so CI runs the same examples every time
and nothing is written to the work tree.
"""

import logging
import os
import re
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from consent.models import Purpose, private_storage
from participants import services as participant_services
from participants.models import Participant
from project.demo import create_demo_cases
from referrals import services as referral_services
from referrals.models import AgendaItem, Decision, ExitReason, Meeting
from sehoglandet import access
from tests import factories
from tests.helpers import PERSONAS, changed_tables, every_row, tables_written, today
from tests.second_factor import sign_in_verified

# The walk and the demo state are built once per process that runs them: every test of the module
# goes to the same pytest-xdist worker (the Makefile runs `--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("form_fuzz")

# Generated examples per form, besides the explicit ones (EXPLICIT_VALUES). The walk finds some
# 85 forms over the personas; with it and the demo state the file stays under a minute on one core
# on SQLite, a fresh test database included. FORM_FUZZ_EXAMPLES=100 searches longer, locally.
MAX_EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "5"))
# At most this many fields of one example get a hostile value; the rest are plausible, so the
# hostile value gets past the other fields' validation to the code behind them.
MAX_HOSTILE_FIELDS = 3

# The walk: at most this many pages a persona, and this many of one URL pattern (of the admin's:
# its pages are alike from one record to the next, and the admin tests crawl them on their own).
MAX_PAGES = 250
MAX_PAGES_PER_PATTERN = 60
MAX_PAGES_PER_ADMIN_PATTERN = 3
# Forms kept for one persona and URL pattern of the action: a second only with other fields.
MAX_FORMS_PER_PATTERN = 2
SATURATION = 4
VISIT_ALL_BELOW = 10
# The issue counts 46 forms over the roles; the walk must find at least as many (persona, form)
# pairs, and at least this many different forms, or it has stopped finding the site.
LEAST_PERSONA_FORMS = 46
LEAST_FORMS = 30
# Never followed or posted: signing in and out (the admin's logout too), files rather than pages,
# and the admin for everyone who may not use it (it is not linked for them, and answers 403).
SKIPPED_URL_NAMES = {"logout", "login"}
ADMIN_NAMESPACE = "admin"
FILE_SUFFIXES = (".pdf", "/pdf/", "/csv/", "/xlsx/")
# The admin's pop-up forms (add a user from a membership's form): their success is a 200 page that
# closes the pop-up, which the fuzz cannot tell from a form sent back with its errors. The same
# forms are fuzzed on their own pages.
POPUP = "_popup"

# Hypothesis caches what it learns from the source in its home directory, by default .hypothesis/
# in the work tree: keep it outside.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "sehoglandet-hypothesis")

CSRF_FIELD = "csrfmiddlewaretoken"
# Fields whose values the page offers or holds: where another record's id goes.
CHOICE_KINDS = {"hidden", "select", "radio", "checkbox", "button", "submit"}


@dataclass
class Field:
    """One name of a form: its kind (the input's type, or select, textarea, button), the values the
    page offers (options, checkboxes, radios, buttons) or holds (a hidden or filled-in input), and
    which of them are chosen."""

    name: str
    kind: str
    values: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)
    multiple: bool = False
    maxlength: int | None = None


@dataclass
class Link:
    """A link the walk may follow, with its context: the cells of its table row, or outside a table
    ("link text", its text); digits left out."""

    url: str
    context: tuple[str, ...]
    visited: bool = False


@dataclass
class Form:
    persona: str
    page: str
    action: str
    url_name: str
    multipart: bool
    fields: dict[str, Field]

    def describe(self) -> str:
        return f"{self.persona} → {self.url_name} (found on {self.page})"


class PageParser(HTMLParser):
    """The same-site links of a page and its POST forms, with the stdlib parser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        # (href, its context, as Link.context)
        self.links: list[tuple[str, tuple[str, ...]]] = []
        self._rows: list[dict] = []
        self._link: dict | None = None
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: Field | None = None
        self._option: dict | None = None
        self._textarea: Field | None = None

    def _field(self, name: str, kind: str, attrs: dict, *, multiple: bool = False) -> Field:
        fields = self._form["fields"]
        if name not in fields:
            maxlength = attrs.get("maxlength", "")
            fields[name] = Field(
                name, kind, multiple=multiple, maxlength=int(maxlength) if maxlength.isdigit() else None
            )
        return fields[name]

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "tr":
            self._rows.append({"cells": [], "links": []})
        elif tag in ("td", "th") and self._rows:
            self._rows[-1]["cells"].append("")
        if tag == "a" and attrs.get("href"):
            if self._rows:
                self._rows[-1]["links"].append(len(self.links))
            self._link = {"index": len(self.links), "text": ""}
            self.links.append((attrs["href"], ()))
        elif tag == "form":
            if attrs.get("method", "get").lower() == "post":
                self._form = {
                    "action": attrs.get("action", ""),
                    "multipart": attrs.get("enctype", "") == "multipart/form-data",
                    "fields": {},
                }
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            found = self._field(attrs["name"], kind, attrs, multiple=kind == "checkbox")
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio", "submit"):
                found.values.append(value)
                if "checked" in attrs:
                    found.chosen.append(value)
            else:
                found.values.append(value)
                found.chosen.append(value)
        elif tag == "button" and attrs.get("name"):
            found = self._field(attrs["name"], "button", attrs)
            found.values.append(attrs.get("value", ""))
        elif tag == "select" and attrs.get("name"):
            self._select = self._field(attrs["name"], "select", attrs, multiple="multiple" in attrs)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = self._field(attrs["name"], "textarea", attrs)
            self._textarea.values.append("")

    def handle_data(self, data):
        if self._rows and self._rows[-1]["cells"]:
            self._rows[-1]["cells"][-1] += data
        if self._link is not None:
            self._link["text"] += data
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea.values[-1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            index, text = self._link["index"], self._link["text"]
            self.links[index] = (self.links[index][0], ("link text", _without_digits(text)))
            self._link = None
        if tag == "tr" and self._rows:
            row = self._rows.pop()
            cells = tuple(_without_digits(cell) for cell in row["cells"])
            for index in row["links"]:
                self.links[index] = (self.links[index][0], cells)
        if tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select":
            if self._option is not None:
                self._close_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the line break that starts a textarea's content.
            self._textarea.values[-1] = self._textarea.values[-1].removeprefix("\n")
            self._textarea.chosen = list(self._textarea.values)
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def _close_option(self):
        option, self._option = self._option, None
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self._select.values.append(value)
        if option["selected"]:
            self._select.chosen.append(value)


def _without_digits(text: str) -> str:
    return " ".join(re.sub(r"\d", "", text).split())


def _url_name(path: str, *, admin: bool = False) -> str | None:
    """The qualified URL name of a path on this site, or None where it is not one of ours to visit;
    the admin's pages only with `admin`."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name in SKIPPED_URL_NAMES or (ADMIN_NAMESPACE in match.namespaces and not admin):
        return None
    return match.view_name


def _same_site(base: str, href: str) -> str | None:
    """The site-relative address (path and query) of a link, or None for another site, a scheme other
    than http, or a file."""
    url, _fragment = urldefrag(urljoin(f"http://testserver{base}", href))
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.netloc != "testserver":
        return None
    if parts.path.endswith(FILE_SUFFIXES) or POPUP in parse_qs(parts.query):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def discover_forms(client: Client, persona: str) -> list[Form]:
    """Walk the site from "/" as the signed-in persona and collect its POST forms, at most
    MAX_FORMS_PER_PATTERN for each URL pattern of the action (a second one only with other fields).

    Which forms a record's page shows depends on the record's state, and a list shows dozens of
    records in the same state. So the walk takes the URL pattern visited least so far next, and
    within a pattern first a link of a kind it has not visited: the kind of a link in a table row
    is what the row shows in its columns of few distinct values (a status, a step; not a name or a
    date), of any other link its text. A pattern with fewer than VISIT_ALL_BELOW links is visited
    whole; a larger one is left once every kind was visited and SATURATION visits in a row showed
    no form or kind of link its earlier pages had not shown, nor a new link of a pattern with few
    links (the manager reaches participant pages only from referral pages), or after
    MAX_PAGES_PER_PATTERN pages (MAX_PAGES_PER_ADMIN_PATTERN of the admin's).

    A persona who may use the admin (the administrator) walks it too, from its index.
    """
    admin = access.may_use_admin(User.objects.get(username=persona))
    candidates: dict[str, list[Link]] = {}
    seen: set[str] = set()
    dull: dict[str, int] = {}
    signatures: dict[str, set] = {}
    forms: dict[str, list[Form]] = {}
    pages = 0

    def enqueue(target: str, context: tuple[str, ...]) -> bool:
        """Add the link; whether it is a new one of a pattern with few links so far."""
        name = _url_name(urlsplit(target).path, admin=admin)
        if name is None or target in seen:
            return False
        seen.add(target)
        candidates.setdefault(name, []).append(Link(target, context))
        return len(candidates[name]) <= VISIT_ALL_BELOW

    def pick(name: str) -> Link | None:
        """The next link of the pattern, or None when the pattern is done."""
        links = candidates[name]
        done = [link for link in links if link.visited]
        rest = [link for link in links if not link.visited]
        limit = MAX_PAGES_PER_ADMIN_PATTERN if name.startswith(f"{ADMIN_NAMESPACE}:") else MAX_PAGES_PER_PATTERN
        if not rest or len(done) >= limit:
            return None
        kind = _kinds(links)
        kinds_done = {kind(link) for link in done}
        new_kind = next((link for link in rest if kind(link) not in kinds_done), None)
        if new_kind is not None:
            return new_kind
        if dull.get(name, 0) >= SATURATION and len(links) >= VISIT_ALL_BELOW:
            return None
        return rest[0]

    enqueue("/", ())
    if admin:
        enqueue(reverse(f"{ADMIN_NAMESPACE}:index"), ())
    while pages < MAX_PAGES:
        choices = [(name, link) for name in candidates if (link := pick(name)) is not None]
        if not choices:
            break
        name, link = min(choices, key=lambda choice: sum(other.visited for other in candidates[choice[0]]))
        link.visited = True
        page = link.url
        response = client.get(page)
        pages += 1
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            dull[name] = dull.get(name, 0) + 1
            continue
        parser = PageParser()
        parser.feed(response.content.decode())
        shown, rare_links = set(), False
        for href, context in parser.links:
            target = _same_site(page, href)
            if target is not None:
                rare_links |= enqueue(target, context)
                shown.add(("link", _url_name(urlsplit(target).path, admin=admin)))
        for found in parser.forms:
            action = _same_site(page, found["action"]) if found["action"] else page
            action_name = action and _url_name(urlsplit(action).path, admin=admin)
            if not action_name:
                continue
            form = Form(persona, page, action, action_name, found["multipart"], found["fields"])
            shown.add(("form", action_name, frozenset(form.fields)))
            kept = forms.setdefault(action_name, [])
            if not kept or (len(kept) < MAX_FORMS_PER_PATTERN and _differs(form, kept)):
                kept.append(form)
        known = signatures.setdefault(name, set())
        dull[name] = 0 if shown - known or rare_links else dull.get(name, 0) + 1
        known |= shown
    return [form for kept in forms.values() for form in kept]


def _kinds(links: list[Link]):
    """A function giving a link its kind. In a table row: the values of the columns that repeat
    (fewer distinct values than half the rows as long as its own), a status or a step rather than a
    name; a row alone of its length, and a link outside a table, is a kind of its own."""
    columns: dict[tuple[int, int], set[str]] = {}
    rows = Counter(len(link.context) for link in links)
    for link in links:
        for index, cell in enumerate(link.context):
            columns.setdefault((len(link.context), index), set()).add(cell)

    def kind(link: Link) -> tuple:
        width = len(link.context)
        if link.context[:1] == ("link text",) or rows[width] == 1:
            return link.context
        return tuple(
            (index, cell) for index, cell in enumerate(link.context) if len(columns[(width, index)]) <= rows[width] / 2
        )

    return kind


def _differs(form: Form, kept: list[Form]) -> bool:
    """Worth a second copy: other fields."""
    return all(set(form.fields) != set(other.fields) for other in kept)


# The state: the demo cases, and what they leave out, once for the module.


def add_the_states_the_demo_leaves_out(people: dict[str, User]) -> None:
    """What the demo cases lack for every form to be on some page: a planned meeting whose agenda is
    still to publish, a meeting being held today with an item to decide, an exit the group decided
    whose details the coach must complete, and a second transfer waiting in Eksjö, so its queue has
    an order to change."""
    coach = people["coach.nassjo"]
    planned = factories.make_meeting(people, days_ahead=30)
    factories.put_on_agenda(people, factories.make_case(people, "Petra", "Planerad"), planned, publish=False)
    held_today = factories.make_meeting(people, days_ahead=10)
    factories.put_on_agenda(people, factories.make_case(people, "Tove", "Idag"), held_today)
    factories.hold_meeting_today(held_today)

    active = Participant.objects.filter(
        municipality__code="nassjo", status=Participant.Status.ACTIVE, transfers=None
    ).order_by("pk")
    leaving, moving = active.first(), active.last()
    exit_meeting = factories.make_meeting(people, days_ahead=14)
    item = referral_services.add_agenda_item(
        actor=coach, meeting=exit_meeting, referral=leaving.referral, kind=AgendaItem.Kind.PROPOSED_EXIT
    )
    Meeting.objects.filter(pk=exit_meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    item.refresh_from_db()
    factories.decide(people, item, Decision.Outcome.EXIT, exit_reason=ExitReason.OTHER)

    factories.give_consent(coach, moving.person, org_codes=["nassjo-se", "eksjo-se"], purposes=[Purpose.TRANSFER])
    participant_services.start_transfer(
        actor=coach, participant=moving, to_municipality=factories.municipality("eksjo")
    )


@pytest.fixture(scope="module")
def _demo_state(django_db_setup, django_db_blocker):
    """The demo cases and the states they leave out, built once for the module (it takes a few
    seconds) in a transaction rolled back afterwards; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        people = {user.username: user for user in User.objects.filter(username__in=PERSONAS)}
        create_demo_cases(people)
        add_the_states_the_demo_leaves_out(people)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def _discovered(_demo_state) -> dict[str, list[Form]]:
    """The forms each persona's walk found, filled in by the first test that needs them (the walk
    only reads, apart from the access log, and the state is the same in every test of the module)."""
    return {}


@pytest.fixture
def forms_of(_discovered, db, monkeypatch):
    """`forms_of(persona)`: the persona's forms, from its walk. Uploaded files stay in memory, and
    the thousands of refusals (and 500s, which the failure reports) are not logged."""
    monkeypatch.setattr(private_storage, "_wrapped", InMemoryStorage())
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security", "axes")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)

    def forms(persona: str) -> list[Form]:
        if persona not in _discovered:
            _discovered[persona] = discover_forms(signed_in_client(persona), persona)
        return _discovered[persona]

    yield forms
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def signed_in_client(username: str) -> Client:
    """A client of its own for the persona that answers a server error with the 500 page, as the
    site would, instead of raising: the fuzz reports it with the request that caused it."""
    client = Client(raise_request_exception=False)
    return sign_in_verified(client, User.objects.get(username=username))


# What is posted.


class Shown(str):
    """A string whose repr is the expression that makes it, so a report stays short."""

    def __new__(cls, value: str, expression: str):
        made = super().__new__(cls, value)
        made.expression = expression
        return made

    def __repr__(self) -> str:
        return self.expression


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    content_type: str

    def file(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, content_type=self.content_type)

    def __repr__(self) -> str:
        return f"SimpleUploadedFile({self.name!r}, {self.content!r}, content_type={self.content_type!r})"


class Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()

LONG_STRINGS = [
    Shown("A" * 10_000, "'A' * 10_000"),
    Shown("ö" * 20_000, "'ö' * 20_000"),
    Shown("9" * 10_000, "'9' * 10_000"),
    Shown("<b>" * 4_000, "'<b>' * 4_000"),
]
HOSTILE_TEXT = [
    "\x00",
    "före\x00efter",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r\nSet-Cookie: x=1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE referrals_referral; --",
    "' OR '1'='1",
    "{{ request }}{% debug %}",
    "%(name)s %s {0}",
    "../../../etc/passwd",
    "\u202eevil\u202c",
    "\ufeff",
    "Z\u0351\u0352a\u0300l\u0301g\u0302o",
    "😀🇸🇪\U0010ffff",
    "\uffff\ufffe",
    " ",
    "",
    "None",
    b"\xff\xfe\xfd",
    b"caf\xe9",
    *LONG_STRINGS,
]
# Not real days, or not days in the format the forms take.
HOSTILE_DATES = [
    "2026-02-30",
    "2026-02-29",
    "0000-00-00",
    "31/12/2026",
    "igår",
    "2026-13-01",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "-2026-01-01",
    "2026-12-01T10:00",
    "２０２６-０１-０１",
]
HOSTILE_TIMES = ["25:61", "24:00", "-1:00", "13:60:99", "noon", "1300", "99:99"]
HOSTILE_DATETIMES = [
    "2026-02-30T13:00",
    "2026-12-01T25:61",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "igår kl 13",
    *HOSTILE_DATES[:4],
]
HOSTILE_NUMBERS = [
    "-1",
    "0",
    str(2**31),
    str(2**63),
    str(2**64),
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "1,5,5",
    "0.0000001",
    "١٢",
    "1_000",
    "0x10",
    "9" * 40,
]
# Personnummer: a wrong check digit; samordningsnummer (day + 60) on a day that does not exist,
# with a right check digit; formats and dates that are not allowed.
HOSTILE_IDENTITY_NUMBERS = [
    "19850412-1235",
    "198504121235",
    "850412-1235",
    "19850289-1230",
    "19850292-1235",
    "000000-0000",
    "20991231-1234",
    "1985-04-12-1230",
    "19850412 12 30",
]
HOSTILE_IDS = ["-1", "0", str(2**31), str(2**63), str(2**64), "1.0", "1 OR 1=1", "١", " 1", "1e3", "None"]
HOSTILE_NEXT = [
    "'; DROP TABLE referrals_referral; --",
    "//evil.example",
    "javascript:alert(1)",
    "https://evil.example/",
    "/\\evil.example",
    "referral_group_detail",
]
HOSTILE_UPLOADS = [
    Upload("../../samtycke.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    Upload("samtycke.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    Upload("samtycke.exe", b"MZ\x90\x00", "application/octet-stream"),
    Upload("x" * 300 + ".pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    Upload("samtycke.pdf", b"", "application/pdf"),
]
A_SIGNED_FORM = Upload("samtycke.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


def plausible_values(form_field: Field) -> list:
    """What a user could post in the field, the page's own value first."""
    kind, values, chosen = form_field.kind, form_field.values, form_field.chosen
    day = today()
    if kind == "checkbox":
        # One box (a yes or no) as the page has it; of several, at least one ticked.
        first = chosen or (MISSING if len(values) == 1 else values[:1])
        return [first, values, MISSING if first is not MISSING else values]
    if kind in ("radio", "select", "button", "submit"):
        # A choice the user makes (not the empty "Choose …"), the page's own choice first.
        ordered = [
            *(value for value in chosen if value),
            *(value for value in values if value and value not in chosen),
            "",
        ]
        if form_field.multiple:
            return [chosen or ordered[:1], [value for value in values if value]]
        return ordered
    if kind == "hidden":
        return values[:1]
    if kind == "file":
        return [MISSING, A_SIGNED_FORM]
    if kind == "password":
        return ["ett-lösenord-som-inte-stämmer-2026"]
    current = [value for value in values if value]
    if kind == "date":
        return [*current, day.isoformat(), (day - timedelta(days=1)).isoformat(), (day + timedelta(days=7)).isoformat()]
    if kind == "datetime-local":
        return [*current, f"{day + timedelta(days=7)}T13:00", f"{day}T08:00"]
    if kind == "time":
        return [*current, "13:00"]
    if kind == "number":
        return [*current, "1", "10"]
    if kind == "email":
        return [*current, "test@example.se"]
    if kind == "tel":
        return [*current, "070-123 45 67"]
    # A valid personnummer is a plausible text anywhere, and the one some fields need; nothing
    # longer than the input takes.
    texts = [*current, "19850412-1230", "Ett vanligt värde", "10", day.isoformat(), "57131"]
    return [text for text in texts if form_field.maxlength is None or len(text) <= form_field.maxlength] or [""]


def hostile_values(form_field: Field, ids: list[str]) -> st.SearchStrategy:
    """A hostile value for the field, a hostile value repeated, or the field left out."""
    kind = form_field.kind
    if form_field.name == "next":
        pools = [HOSTILE_NEXT, HOSTILE_TEXT]
    elif kind in CHOICE_KINDS:
        pools = [ids, HOSTILE_IDS, HOSTILE_TEXT]
    elif kind == "date":
        pools = [HOSTILE_DATES, HOSTILE_TEXT]
    elif kind == "datetime-local":
        pools = [HOSTILE_DATETIMES, HOSTILE_TEXT]
    elif kind == "time":
        pools = [HOSTILE_TIMES, HOSTILE_TEXT]
    elif kind == "number":
        pools = [HOSTILE_NUMBERS, HOSTILE_TEXT]
    elif kind == "file":
        pools = [HOSTILE_UPLOADS, HOSTILE_TEXT]
    else:
        pools = [HOSTILE_TEXT, HOSTILE_IDENTITY_NUMBERS, HOSTILE_DATES, HOSTILE_NUMBERS]
    one = st.one_of(*(st.sampled_from(pool) for pool in pools if pool))
    return st.one_of(one, st.just(MISSING), st.lists(one, min_size=2, max_size=3))


@dataclass
class Post:
    """One request: the address (the form's action, with `next` on the query string if so drawn)
    and the data, as the test client takes it."""

    url: str
    data: dict

    def __repr__(self) -> str:
        # The test client does not check the CSRF token; the token the page held is left out.
        data = {key: value for key, value in self.data.items() if key != CSRF_FIELD}
        return f"client.post({self.url!r}, {data!r})"


def with_next(action: str, target: str) -> str:
    parts = urlsplit(action)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "next"]
    return f"{parts.path}?{urlencode([*query, ('next', target)])}"


def plain_post(form: Form, kinds: set[str] = frozenset(), value=None) -> Post:
    """Every field with its first plausible value, or `value` in every field of one of `kinds`."""
    data = {CSRF_FIELD: _token(form)}
    for name, form_field in form.fields.items():
        chosen = value if form_field.kind in kinds else plausible_values(form_field)[0]
        if name != CSRF_FIELD and chosen is not MISSING:
            data[name] = chosen
    return Post(form.action, data)


# Besides the generated examples, each form gets explicit ones: every field plausible and a `next`
# that is not an address; and, where the form has fields of the kind, one of these values in every
# such field, the others plausible, so that the code behind the form runs with the value when the
# form accepts it (a day that is valid but at the end of the calendar).
EXPLICIT_VALUES = [
    (CHOICE_KINDS, str(2**64)),
    ({"date"}, "9999-12-31"),
    ({"datetime-local"}, "9999-12-31T23:59"),
    ({"date"}, "0001-01-01"),
    ({"text", "textarea", "search"}, LONG_STRINGS[0]),
]


def explicit_posts(form: Form) -> list[Post]:
    bad_next = plain_post(form)
    bad_next.data["next"] = HOSTILE_NEXT[0]
    kinds_here = {form_field.kind for name, form_field in form.fields.items() if name != CSRF_FIELD}
    return [bad_next, *(plain_post(form, kinds, value) for kinds, value in EXPLICIT_VALUES if kinds & kinds_here)]


def _token(form: Form) -> str:
    return form.fields[CSRF_FIELD].values[0] if CSRF_FIELD in form.fields else ""


@st.composite
def posts(draw, form: Form, ids: list[str]) -> Post:
    """A POST to the form: up to MAX_HOSTILE_FIELDS fields hostile, the others plausible, the CSRF
    token kept, and sometimes a hostile `next` in the data or on the query string."""
    names = [name for name in form.fields if name != CSRF_FIELD]
    hostile = draw(st.sets(st.sampled_from(names), max_size=MAX_HOSTILE_FIELDS)) if names else set()
    data = {CSRF_FIELD: _token(form)}
    for name in names:
        form_field = form.fields[name]
        value = draw(
            hostile_values(form_field, ids) if name in hostile else st.sampled_from(plausible_values(form_field))
        )
        if value is not MISSING:
            data[name] = value
    url = form.action
    target = draw(st.none() | st.sampled_from(HOSTILE_NEXT))
    if target is not None:
        if draw(st.booleans()):
            url = with_next(url, target)
        else:
            data["next"] = target
    return Post(url, data)


# What is checked.


def send(client: Client, form: Form, post: Post):
    """The request as a browser would send the form: urlencoded, or multipart where it has a file."""
    if form.multipart:
        data = {key: _as_sent(value) for key, value in post.data.items()}
        return client.post(post.url, data)
    pairs = [
        (key, item)
        for key, value in post.data.items()
        for item in (value if isinstance(value, list) else [value])
        if not isinstance(item, Upload)
    ]
    return client.post(post.url, urlencode(pairs), content_type="application/x-www-form-urlencoded")


def _as_sent(value):
    if isinstance(value, Upload):
        return value.file()
    if isinstance(value, list):
        return [_as_sent(item) for item in value]
    return value


def is_success(response) -> bool:
    """A redirect that carries no error message."""
    if response.status_code not in (301, 302, 303):
        return False
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    return not any(message.level >= messages.ERROR for message in queued)


def signed_out(response) -> bool:
    """Sent to sign in: the persona's session is gone, and every later post would prove nothing."""
    return response.status_code in (301, 302, 303) and urlsplit(response.url).path == reverse("login")


def server_error(response) -> str:
    """The exception behind a 500, with the last line of the project's code it passed."""
    if not response.exc_info:
        return ""
    kind, error, trace = response.exc_info
    ours = [
        frame
        for frame in traceback.extract_tb(trace)
        if frame.filename.startswith(str(settings.BASE_DIR)) and ".venv" not in Path(frame.filename).parts
    ]
    where = f" at {Path(ours[-1].filename).relative_to(settings.BASE_DIR)}:{ours[-1].lineno}" if ours else ""
    return f"{kind.__name__}: {str(error)[:300]}{where}"


def project_ids(snapshot: dict[str, list[dict]]) -> list[str]:
    """Every primary key in the snapshot (of any organisation's records, and of users), as posted."""
    ids = {str(row["id"]) for rows in snapshot.values() for row in rows if "id" in row}
    return sorted(ids, key=lambda value: (len(value), value))


class FormFailure(AssertionError):
    pass


def changed_since(before: dict, written: set[str]) -> list[str]:
    """The models whose rows differ from `before`, of the tables just written to: no other can have
    changed (tests.helpers.tables_written)."""
    after = every_row(access_log=False, tables=written)
    return changed_tables({label: before[label] for label in after}, after)


def fuzz_form(client: Client, form: Form, ids: list[str], before: dict) -> None:
    """Post the explicit examples and MAX_EXAMPLES generated ones to the form, each in a savepoint
    rolled back afterwards; raises FormFailure naming the persona, the form, the request and what
    went wrong (at the first failing example: no shrinking, which would take minutes)."""

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        report_multiple_bugs=False,
        print_blob=False,
    )
    def check(post: Post) -> None:
        client.cookies.pop("messages", None)
        # A password changed on one's own account (in the admin) gives the session a new key, which
        # the rollback takes away again: the persona goes on with the session it had.
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        with transaction.atomic():
            with tables_written() as written:
                response = send(client, form, post)
            if response.status_code >= 500:
                problem = f"answered {response.status_code}: {server_error(response)}"
            elif signed_out(response):
                problem = "sent the signed-in persona to sign in"
            elif not is_success(response) and written and (changed := changed_since(before, written)):
                problem = f"answered {response.status_code} without success, but changed {changed}"
            else:
                problem = ""
            transaction.set_rollback(True)
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        if problem:
            raise FormFailure(f"{form.describe()} {problem}\n    {post!r}")

    for explicit in reversed(explicit_posts(form)):
        check = example(post=explicit)(check)
    given(post=posts(form, ids))(check)()


# The tests.


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_form_answers_hostile_input_with_a_server_error_or_a_partial_write(forms_of, persona):
    forms = forms_of(persona)
    client = signed_in_client(persona)
    before = every_row(access_log=False)
    ids = project_ids(before)
    failures = []

    for form in forms:
        try:
            fuzz_form(client, form, ids, before)
        except FormFailure as failure:
            failures.append(str(failure))

    assert forms, f"{persona} found no form to post"
    assert not failures, f"{len(failures)} of {len(forms)} forms failed:\n" + "\n".join(failures)


def test_the_walk_finds_the_forms_of_every_role(forms_of):
    found = {persona: forms_of(persona) for persona in PERSONAS}
    pairs = {(persona, form.url_name) for persona, forms in found.items() for form in forms}
    names = {name for _persona, name in pairs}

    assert [persona for persona, forms in found.items() if not forms] == []
    assert len(names) >= LEAST_FORMS, sorted(names)
    assert len(pairs) >= LEAST_PERSONA_FORMS, sorted(pairs)
