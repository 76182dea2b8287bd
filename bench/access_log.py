"""Fill PostgreSQL with 2 million access-log rows and time the auditor's pages.

    DEBUG=false SECRET_KEY=bench DATABASE_URL=postgres://…/sehoglandet_bench_log \\
        .venv/bin/python bench/access_log.py

Fills an empty, migrated database with the Höglandet organisations, 60 staff users with their
roles, 20 000 fictional persons and two years of access-log rows (2 million by default, written
with COPY in time order, as the log grows), then times /atkomstlogg/ as an auditor: unfiltered,
filtered by a month, by a user, by a person, a first page and a page a million rows deep, and the
person page /atkomstlogg/person/. See bench/README.md.

It refuses SQLite, and a database that already holds access-log rows unless --force; --measure-only
times what is there.
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sehoglandet.settings")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from sehoglandet import services  # noqa: E402
from sehoglandet.identity import format_identity_number, with_check_digit  # noqa: E402
from sehoglandet.keyset import Cursor  # noqa: E402
from sehoglandet.models import AccessLog, Membership, Organisation, Person, Role  # noqa: E402
from sehoglandet.reference_data import DEFAULT_FILE, parse  # noqa: E402

PERSONS = 20_000
STAFF = 60
OBJECT_TYPES = [
    ("referrals.referral", 30),
    ("participants.participant", 35),
    ("participants.journalentry", 5),
    ("consent.consent", 5),
    ("referrals.meeting", 10),
    ("sehoglandet.person", 5),
    ("reporting.report", 5),
    ("participants.transfer", 5),
]
ACTIONS = [("view", 80), ("list", 12), ("export", 3), ("print", 3), ("refused", 2)]
PURPOSES = ["Uppföljning av insats", "Förberedelse av möte", "Handläggning av remiss", "Dagordning", "Rapport"]


def refuse(message: str) -> None:
    sys.exit(f"bench/access_log.py: {message}")


def bench_user(username: str, first_name: str, last_name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def prepare(rng: random.Random) -> tuple[User, list[tuple[int, int]], list[int]]:
    """The organisations, an auditor to sign in as, staff users (user id, organisation id) and persons."""
    system = services.get_system_user()
    if not Organisation.objects.exists():
        services.load_reference_data(actor=system, data=parse(DEFAULT_FILE.read_text(encoding="utf-8")))
    auditor = bench_user("bench.auditor", "Gun", "Granskare")
    if not Membership.objects.filter(user=auditor).exists():
        services.add_membership(
            actor=system, user=auditor, organisation=Organisation.objects.get(code="forbundet"), role=Role.AUDITOR
        )
    organisations = list(Organisation.objects.exclude(code="forbundet"))
    staff = []
    for number in range(STAFF):
        user = bench_user(f"bench.staff{number:02d}", "Personal", f"Nummer {number}")
        organisation = organisations[number % len(organisations)]
        Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=Role.COACH if organisation.code.endswith("-se") else Role.GROUP_MEMBER,
        )
        staff.append((user.pk, organisation.pk))
    if Person.objects.count() < PERSONS:
        start = datetime(1960, 1, 1).date()
        persons = [
            Person(
                identity_kind=Person.IdentityKind.PERSONNUMMER,
                identity_number=with_check_digit(
                    start + timedelta(days=number % 15_000), number // 15_000 + 100
                ).replace("-", ""),
                birth_date=start + timedelta(days=number % 15_000),
                first_name="Bänk",
                last_name=f"Person {number}",
                gender="woman" if number % 2 else "man",
            )
            for number in range(PERSONS)
        ]
        Person.objects.bulk_create(persons, batch_size=5000, ignore_conflicts=True)
    return auditor, staff, list(Person.objects.values_list("pk", flat=True))


def fill(rng: random.Random, rows: int, staff: list[tuple[int, int]], persons: list[int], now: datetime) -> None:
    """`rows` access-log rows over the two years up to `now`, oldest first, with COPY."""
    start = now - timedelta(days=730)
    step = (now - start) / rows
    kinds, kind_weights = zip(*OBJECT_TYPES, strict=True)
    actions, action_weights = zip(*ACTIONS, strict=True)
    # A few persons are looked at far more than others (a long case), most now and then.
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(persons))]
    person_ids = rng.choices(persons, weights, k=rows)
    columns = "created_at, user_id, organisation_id, object_type, object_id, person_id, action, purpose, ip_address"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY sehoglandet_accesslog ({columns}) FROM STDIN") as copy,
    ):
        for number in range(rows):
            user_id, organisation_id = staff[rng.randrange(len(staff))]
            kind = rng.choices(kinds, kind_weights)[0]
            is_list = rng.random() < 0.1
            copy.write_row(
                (
                    start + step * number,
                    user_id,
                    organisation_id,
                    kind,
                    "" if is_list else str(rng.randint(1, 100_000)),
                    None if is_list else person_ids[number],
                    rng.choices(actions, action_weights)[0],
                    rng.choice(PURPOSES),
                    f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                )
            )
            if number and number % 500_000 == 0:
                print(f"  {number} rows …", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sehoglandet_accesslog")


def timed(client: Client, path: str, query: dict, runs: int) -> dict:
    client.get(path, query, secure=True)
    times = []
    for _number in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, query, secure=True)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            refuse(f"{path} answered {response.status_code}")
    return {"times": times, "queries": list(queries.captured_queries)}


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


PLAIN_STATIC_FILES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=PLAIN_STATIC_FILES)
def measure(auditor: User, *, runs: int, explain_all: bool) -> None:
    client = Client()
    client.force_login(auditor, backend="django.contrib.auth.backends.ModelBackend")
    busiest = (
        AccessLog.objects.exclude(person_id=None).values_list("person_id", flat=True).order_by("person_id").first()
    )
    person = Person.objects.get(pk=busiest)
    number = format_identity_number(person.identity_number)
    staff = User.objects.get(username="bench.staff07")
    newest = AccessLog.objects.order_by("-created_at", "-id").values_list("created_at", flat=True).first()
    month_start = (newest - timedelta(days=120)).astimezone(UTC).date().replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    deep = AccessLog.objects.order_by("-created_at", "-id").values_list("created_at", "id")[1_000_000]
    cursor = str(Cursor(deep[0], 0, deep[1]))
    cases = [
        ("Floor: the password page", "/konto/losenord/", {}),
        ("Access log, unfiltered, first page", "/atkomstlogg/", {}),
        ("Access log, unfiltered, 1 000 000 rows deep", "/atkomstlogg/", {"after": cursor}),
        (
            f"Access log, a month ({month_start:%Y-%m})",
            "/atkomstlogg/",
            {"date_from": month_start.isoformat(), "date_to": month_end.isoformat()},
        ),
        ("Access log, a user", "/atkomstlogg/", {"user": staff.username}),
        ("Access log, a person", "/atkomstlogg/", {"person": number}),
        (
            "Access log, a person and a month",
            "/atkomstlogg/",
            {"person": number, "date_from": month_start.isoformat(), "date_to": month_end.isoformat()},
        ),
        ("Person page, views and changes", "/atkomstlogg/person/", {"person": number}),
        ("Person page CSV", "/atkomstlogg/person/csv/", {"person": number}),
    ]
    results = []
    for label, path, query in cases:
        print(f"  timing: {label} …", flush=True)
        results.append((label, timed(client, path, query, runs)))
    rows_of_person = AccessLog.objects.filter(person_id=person.pk).count()
    print(f"\nThe person has {rows_of_person} rows; the log {AccessLog.objects.count()} rows.\n")
    print(f"{'what':<48} {'runs':>4} {'median':>8} {'max':>8} {'queries':>8} {'SQL time':>9}")
    for label, result in results:
        times, queries = result["times"], result["queries"]
        sql = sum(float(query["time"]) for query in queries)
        print(
            f"{label:<48} {len(times):>4} {statistics.median(times) * 1000:>6.0f}ms {max(times) * 1000:>6.0f}ms "
            f"{len(queries):>8} {sql * 1000:>7.0f}ms"
        )
    for label, result in results[1:]:
        page_queries = [query for query in result["queries"] if "LIMIT" in query["sql"] and "accesslog" in query["sql"]]
        if explain_all and page_queries:
            query = max(page_queries, key=lambda query: len(query["sql"]))
            print(f"\n{label}: EXPLAIN ANALYZE of the page's query ({float(query['time']) * 1000:.1f} ms)")
            print(explain(query["sql"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=7, help="Timed requests of each page (after one warm-up).")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of each page.")
    parser.add_argument("--force", action="store_true", help="Fill even though the log holds rows.")
    parser.add_argument("--measure-only", action="store_true", help="Time the pages on the rows that are there.")
    options = parser.parse_args()

    if connection.vendor != "postgresql":
        refuse("set DATABASE_URL to a PostgreSQL database; the benchmark does not run on SQLite.")
    rng = random.Random(options.seed)
    auditor, staff, persons = prepare(rng)
    if not options.measure_only:
        if AccessLog.objects.exists() and not options.force:
            refuse("the access log already holds rows; use --force to add more, or --measure-only.")
        print(f"Filling {connection.settings_dict['NAME']} with {options.rows} access-log rows …", flush=True)
        started = time.perf_counter()
        fill(rng, options.rows, staff, persons, datetime.now(UTC))
        print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    measure(auditor, runs=options.runs, explain_all=options.explain)


if __name__ == "__main__":
    main()
