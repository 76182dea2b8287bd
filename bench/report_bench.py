"""Fill PostgreSQL with ten years of fictional participants and time the half-year report.

    DEBUG=false SECRET_KEY=bench DATABASE_URL=postgres://…/sehoglandet_bench \\
        .venv/bin/python bench/report_bench.py

Fills an empty, migrated database with 100 000 participants (persons with fictional names and
valid test personnummer, referrals, municipality periods, income before, during and after,
employments, exits with reasons, transfers, people who come back, a queue, survey answers and
certifications) spread over ten years and the six municipalities, then times the 2026 H1 report
page through Django's test client as the förbundschef, and its PDF. See bench/README.md.

The rows are written with bulk_create and no history: this is test data, not a user's change.
It refuses SQLite, and a database that already holds participants unless --force; --measure-only
times what is there.
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sehoglandet.settings")
# WhiteNoise warns that collectstatic has not run; the benchmark serves no static files.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from participants.models import (  # noqa: E402
    Employment,
    IncomeRecord,
    MunicipalityPeriod,
    Occupation,
    Participant,
    Transfer,
)
from referrals.models import ExitReason, IncomeSource, Referral  # noqa: E402
from reporting.models import SURVEY_QUESTIONS, Certification, SurveyResponse  # noqa: E402
from reporting.services import refresh_all_statistics  # noqa: E402
from sehoglandet import services  # noqa: E402
from sehoglandet.identity import with_check_digit  # noqa: E402
from sehoglandet.models import Municipality, Organisation, Person, Role, age_on  # noqa: E402
from sehoglandet.reference_data import DEFAULT_FILE, parse  # noqa: E402

BATCH = 5000
YEARS = 10
FIRST_NAMES = {
    "woman": ["Anna", "Maria", "Sara", "Emma", "Lina", "Elin", "Karin", "Sofia", "Hanna", "Ida", "Maja", "Alva"],
    "man": ["Erik", "Lars", "Johan", "Anders", "Oskar", "Karl", "Ali", "Nils", "Viktor", "Emil", "Omar", "Per"],
    "other": ["Kim", "Alex", "Robin", "Sam", "Noa", "Charlie"],
}
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]
LAST_NAMES += ["Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Holm", "Berg", "Ek", "Sandberg"]
EXIT_REASONS = [
    (ExitReason.WORK, 30),
    (ExitReason.STUDIES, 8),
    (ExitReason.LACK_OF_MOTIVATION, 12),
    (ExitReason.RELAPSE, 5),
    (ExitReason.WORSE_HEALTH, 15),
    (ExitReason.OTHER_SUPPORT, 14),
    (ExitReason.MOVED, 6),
    (ExitReason.DECEASED, 1),
    (ExitReason.OTHER, 9),
]
OCCUPATION_AFTER = {
    ExitReason.WORK: [Occupation.WORK, Occupation.SUBSIDISED_WORK],
    ExitReason.STUDIES: [Occupation.STUDIES],
    ExitReason.LACK_OF_MOTIVATION: [Occupation.JOB_SEEKING, Occupation.NONE, Occupation.UNKNOWN],
    ExitReason.RELAPSE: [Occupation.NONE, Occupation.SICK_LEAVE, Occupation.UNKNOWN],
    ExitReason.WORSE_HEALTH: [Occupation.SICK_LEAVE],
    ExitReason.OTHER_SUPPORT: [Occupation.OTHER_PROGRAMME, Occupation.SICK_LEAVE],
    ExitReason.MOVED: [Occupation.UNKNOWN, Occupation.JOB_SEEKING],
    ExitReason.DECEASED: [Occupation.UNKNOWN],
    ExitReason.OTHER: [Occupation.UNKNOWN, Occupation.NONE, Occupation.OTHER_PROGRAMME],
}
INCOME_AFTER = {
    Occupation.WORK: IncomeSource.SALARY,
    Occupation.SUBSIDISED_WORK: IncomeSource.SALARY,
    Occupation.STUDIES: IncomeSource.STUDENT_FINANCE,
    Occupation.SICK_LEAVE: IncomeSource.SICKNESS_BENEFIT,
}
INCOME_BEFORE = [
    (IncomeSource.ACTIVITY_COMPENSATION, 20),
    (IncomeSource.SICKNESS_COMPENSATION, 10),
    (IncomeSource.SICKNESS_BENEFIT, 15),
    (IncomeSource.ACTIVITY_SUPPORT, 20),
    (IncomeSource.SOCIAL_ASSISTANCE, 25),
    (IncomeSource.UNEMPLOYMENT_INSURANCE, 3),
    (IncomeSource.NONE, 5),
    (IncomeSource.OTHER, 2),
]


def weighted(rng: random.Random, choices: list[tuple]):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(hour, 0)))


def refuse(message: str) -> None:
    sys.exit(f"report_bench: {message}")


# Filling


class Filler:
    """Builds the rows in memory, a batch at a time, and writes them with bulk_create."""

    def __init__(self, *, participants: int, seed: int, today: date):
        self.rng = random.Random(seed)
        self.target = participants
        self.today = today
        self.first_day = date(today.year - YEARS, today.month, 1)
        self.municipalities = list(Municipality.objects.order_by("name"))
        self.weights = [m.coach_fte_percent for m in self.municipalities]
        self.referring = {
            "af": Organisation.objects.get(code="af"),
            "fk": Organisation.objects.get(code="fk"),
            "region": Organisation.objects.get(code="region-psykiatri"),
        }
        self.bistand = {m.pk: Organisation.objects.get(code=f"{m.code}-bistand") for m in self.municipalities}
        self.referrer = bench_user("bench.referrer", "Rut", "Remiss")
        self.coach = bench_user("bench.coach", "Cai", "Coach")
        self.serials: dict[date, int] = {}
        self.references: dict[int, int] = {}
        self.counts = dict.fromkeys(["persons", "participants", "referrals", "transfers", "employments"], 0)

    def identity(self, birth: date) -> str:
        serial = self.serials.get(birth, 0)
        if serial >= 999:
            return ""
        self.serials[birth] = serial + 1
        return with_check_digit(birth, serial + 1).replace("-", "")

    def reference(self, year: int) -> str:
        number = self.references.get(year, 0) + 1
        self.references[year] = number
        return f"SE-{year}-{number:05d}"

    def run(self) -> None:
        made = 0
        while made < self.target:
            size = min(BATCH, self.target - made)
            with transaction.atomic():
                made += self.batch(size)
            print(f"  {made:>7} participants", flush=True)

    def new_person(self, decided: date) -> Person:
        """Someone aged 18-64 on `decided`, 38 % of them 18-29."""
        rng = self.rng
        gender = rng.choices(["woman", "man", "other"], [47, 49, 4])[0]
        young = rng.random() < 0.38
        age = rng.randint(18, 29) if young else rng.randint(30, 63)
        birth = decided - timedelta(days=age * 365 + age // 4 + rng.randint(1, 360))
        number = ""
        while not number:
            number = self.identity(birth)
            birth = birth if number else birth - timedelta(days=1)
        municipality = rng.choices(self.municipalities, self.weights)[0]
        return Person(
            identity_kind=Person.IdentityKind.PERSONNUMMER,
            identity_number=number,
            birth_date=birth,
            first_name=rng.choice(FIRST_NAMES[gender]),
            last_name=rng.choice(LAST_NAMES),
            gender=gender,
            municipality=municipality,
        )

    def batch(self, size: int) -> int:
        """`size` enrolments: about one in twenty is a second enrolment of someone who exited."""
        rng = self.rng
        span = (self.today - self.first_day).days
        plans = []
        for _number in range(size - size // 20):
            # Slightly more enrolments in later years, as the service grew.
            decided = min(
                self.first_day + timedelta(days=int(span * rng.random() ** 0.85)), self.today - timedelta(days=1)
            )
            plans.append({"person": self.new_person(decided), "decided": decided})
        Person.objects.bulk_create([plan["person"] for plan in plans], batch_size=BATCH)
        self.counts["persons"] += len(plans)
        for plan in plans:
            self.plan_enrolment(plan)
        back = []
        for earlier in plans:
            if len(plans) + len(back) >= size:
                break
            decided = earlier["exited"] and earlier["exited"] + timedelta(days=rng.randint(60, 700))
            if decided and decided < self.today:
                back.append({"person": earlier["person"], "decided": decided})
        for plan in back:
            self.plan_enrolment(plan)
        plans += back
        self.write(plans)
        return len(plans)

    def plan_enrolment(self, plan: dict) -> None:
        rng, today = self.rng, self.today
        decided = plan["decided"]
        plan["municipality"] = rng.choices(self.municipalities, self.weights)[0]
        waits = rng.random() < 0.15
        started = decided + timedelta(days=rng.randint(10, 120) if waits else 0)
        if started > today:
            started = None
        plan["started"] = started
        plan["exited"] = plan["reason"] = plan["occupation"] = plan["moved"] = None
        if started is None:
            if rng.random() < 0.3 and decided + timedelta(days=90) < today:
                plan["exited"] = decided + timedelta(days=rng.randint(30, 90))
                plan["reason"] = ExitReason.OTHER_SUPPORT
                plan["occupation"] = Occupation.OTHER_PROGRAMME
            return
        months = min(60, max(1, int(rng.lognormvariate(2.5, 0.6))))
        exited = started + timedelta(days=months * 30 + rng.randint(0, 29))
        if exited < today:
            reason = weighted(rng, EXIT_REASONS)
            plan["exited"], plan["reason"] = exited, reason
            plan["occupation"] = rng.choice(OCCUPATION_AFTER[reason])
        span = ((plan["exited"] or today) - started).days
        if rng.random() < 0.03 and span > 60:
            plan["moved"] = started + timedelta(days=rng.randint(30, span - 1))
            plan["receiving"] = rng.choice([m for m in self.municipalities if m.pk != plan["municipality"].pk])

    def write(self, plans: list[dict]) -> None:
        rng = self.rng
        referrals = []
        for plan in plans:
            decided = plan["decided"]
            kind = rng.choices(["af", "fk", "region", "bistand"], [40, 25, 15, 20])[0]
            organisation = self.bistand[plan["municipality"].pk] if kind == "bistand" else self.referring[kind]
            submitted = decided - timedelta(days=rng.randint(20, 60))
            referrals.append(
                Referral(
                    reference=self.reference(submitted.year),
                    person=plan["person"],
                    municipality=plan["municipality"],
                    referring_organisation=organisation,
                    referrer=self.referrer,
                    written_by=self.referrer,
                    status=Referral.Status.ENROLLED,
                    ground_mental_ill_health=True,
                    income_source=weighted(rng, INCOME_BEFORE),
                    motivation="Vill arbeta.",
                    question="Deltagande i SE-Höglandet?",
                    submitted_at=aware(submitted),
                    decided_at=aware(decided, 14),
                )
            )
        # Referrals that did not lead to an enrolment: declined, sent back, withdrawn or open.
        for plan in rng.sample(plans, len(plans) // 8):
            submitted = plan["decided"] - timedelta(days=rng.randint(100, 400))
            referrals.append(
                Referral(
                    reference=self.reference(submitted.year),
                    person=plan["person"],
                    municipality=plan["municipality"],
                    referring_organisation=self.referring["af"],
                    referrer=self.referrer,
                    written_by=self.referrer,
                    status=rng.choice([Referral.Status.DECLINED, Referral.Status.SENT_BACK, Referral.Status.WITHDRAWN]),
                    income_source=IncomeSource.SOCIAL_ASSISTANCE,
                    motivation="Vill arbeta.",
                    question="Deltagande i SE-Höglandet?",
                    submitted_at=aware(submitted),
                )
            )
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
        self.counts["referrals"] += len(referrals)
        participants = []
        for plan, referral in zip(plans, referrals, strict=False):
            employed = plan["started"] and not plan["exited"] and rng.random() < 0.25
            status = (
                Participant.Status.EXITED
                if plan["exited"]
                else Participant.Status.QUEUED
                if plan["started"] is None
                else Participant.Status.AFTERCARE
                if employed
                else Participant.Status.ACTIVE
            )
            plan["employed"] = employed
            participants.append(
                Participant(
                    person=plan["person"],
                    municipality=plan.get("receiving") or plan["municipality"],
                    referral=referral,
                    status=status,
                    step=rng.randint(1, 5),
                    decided_on=plan["decided"],
                    started_on=plan["started"],
                    age_at_decision=age_on(plan["person"].birth_date, plan["decided"]),
                    responsible_coach=self.coach if plan["started"] else None,
                    exited_on=plan["exited"],
                    exit_reason=plan["reason"] or "",
                    occupation_after=plan["occupation"] or "",
                    sus_registered_on=plan["started"],
                )
            )
        Participant.objects.bulk_create(participants, batch_size=BATCH)
        self.counts["participants"] += len(participants)
        periods, incomes, transfers, employments = [], [], [], []
        for plan, participant in zip(plans, participants, strict=True):
            self.rows_of(plan, participant, periods, incomes, transfers, employments)
        MunicipalityPeriod.objects.bulk_create(periods, batch_size=BATCH)
        IncomeRecord.objects.bulk_create(incomes, batch_size=BATCH)
        Transfer.objects.bulk_create(transfers, batch_size=BATCH)
        Employment.objects.bulk_create(employments, batch_size=BATCH)
        self.counts["transfers"] += len(transfers)
        self.counts["employments"] += len(employments)

    def rows_of(self, plan, participant, periods, incomes, transfers, employments) -> None:
        rng, today = self.rng, self.today
        started, exited = plan["started"], plan["exited"]
        incomes.append(
            IncomeRecord(
                participant=participant,
                phase=IncomeRecord.Phase.BEFORE,
                source=participant.referral.income_source,
                valid_from=plan["decided"],
                recorded_by=self.coach,
            )
        )
        if plan.get("moved"):
            moved, receiving = plan["moved"], plan["receiving"]
            periods.append(
                MunicipalityPeriod(
                    participant=participant,
                    municipality=plan["municipality"],
                    moved_in_on=plan["decided"],
                    moved_out_on=moved,
                )
            )
            periods.append(MunicipalityPeriod(participant=participant, municipality=receiving, moved_in_on=moved))
            transfers.append(
                Transfer(
                    participant=participant,
                    from_municipality=plan["municipality"],
                    to_municipality=receiving,
                    status=Transfer.Status.ACCEPTED,
                    requested_by=self.coach,
                    decided_by=self.coach,
                    decided_at=aware(moved),
                )
            )
        else:
            periods.append(
                MunicipalityPeriod(
                    participant=participant, municipality=plan["municipality"], moved_in_on=plan["decided"]
                )
            )
        if started and rng.random() < 0.3:
            end = exited or today
            if (end - started).days > 40:
                incomes.append(
                    IncomeRecord(
                        participant=participant,
                        phase=IncomeRecord.Phase.DURING,
                        source=weighted(rng, INCOME_BEFORE),
                        valid_from=started + timedelta(days=rng.randint(30, (end - started).days - 1)),
                        recorded_by=self.coach,
                    )
                )
        if exited:
            source = INCOME_AFTER.get(plan["occupation"], weighted(rng, INCOME_BEFORE))
            incomes.append(
                IncomeRecord(
                    participant=participant,
                    phase=IncomeRecord.Phase.AFTER,
                    source=source,
                    valid_from=exited,
                    recorded_by=self.coach,
                )
            )
        works = plan["reason"] == ExitReason.WORK or plan.get("employed")
        if started and works:
            end = exited or today
            starts = max(started, end - timedelta(days=rng.randint(20, 180)))
            employments.append(
                Employment(
                    participant=participant,
                    employer=f"Arbetsgivare {rng.randint(1, 400)} AB",
                    kind=rng.choice([Employment.Kind.EMPLOYMENT, Employment.Kind.SUBSIDISED_EMPLOYMENT]),
                    starts_on=starts,
                    hours_per_week=Decimal(rng.choice([20, 25, 30, 40])),
                    created_by=self.coach,
                )
            )


def fill_survey_and_certifications(rng: random.Random, today: date) -> None:
    entered_by, manager = bench_user("bench.coach", "Cai", "Coach"), bench_user("bench.chef", "Cia", "Chef")
    answers = []
    for year in range(today.year - YEARS + 1, today.year + 1):
        for municipality in Municipality.objects.all():
            for _number in range(rng.randint(20, 60)):
                values = {
                    name: (None if rng.random() < 0.05 else rng.choices(range(1, 7), [3, 5, 10, 25, 30, 27])[0])
                    for name, _question, _scale in SURVEY_QUESTIONS
                }
                answers.append(
                    SurveyResponse(
                        municipality=municipality,
                        answered_on=date(year, 10, rng.randint(1, 31)),
                        gender=rng.choices(["woman", "man", "other"], [47, 49, 4])[0],
                        entered_by=entered_by,
                        **values,
                    )
                )
    SurveyResponse.objects.bulk_create(answers, batch_size=BATCH)
    certifications = []
    for year in range(today.year - YEARS + 1, today.year + 1):
        for start, end in ((date(year, 1, 1), date(year, 6, 30)), (date(year, 7, 1), date(year, 12, 31))):
            if end >= today:
                continue
            for municipality in Municipality.objects.all():
                certifications.append(
                    Certification(
                        municipality=municipality,
                        period_start=start,
                        period_end=end,
                        follows_description=True,
                        fte_as_agreed=rng.random() < 0.9,
                        comment="",
                        certified_by=manager,
                    )
                )
    Certification.objects.bulk_create(certifications, batch_size=BATCH)
    print(f"  {len(answers)} survey answers, {len(certifications)} certifications")


def bench_user(username: str, first_name: str, last_name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def prepare_reference_data() -> User:
    """The Höglandet organisations and a förbundschef to sign in as."""
    system = services.get_system_user()
    if not Municipality.objects.exists():
        services.load_reference_data(actor=system, data=parse(DEFAULT_FILE.read_text(encoding="utf-8")))
    director = bench_user("bench.forbundschef", "Fia", "Förbundschef")
    services.add_membership(
        actor=system, user=director, organisation=Organisation.objects.get(code="forbundet"), role=Role.DIRECTOR
    )
    return director


# Measuring


def timed(client: Client, path: str, query: dict, runs: int) -> dict:
    """`runs` requests after one to warm up: the times, and the queries of the last one."""
    client.get(path, query, secure=True)
    times = []
    for _number in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, query, secure=True)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            refuse(f"{path} answered {response.status_code}")
    return {"times": times, "queries": list(queries.captured_queries), "bytes": len(response.content)}


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


# Static files from the app directories: the benchmark needs no collectstatic and its manifest.
PLAIN_STATIC_FILES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def signed_in(user: User) -> Client:
    """A client signed in as `user` with the session verified by the user's authenticator app (one
    is added if they have none), as django_otp.login marks it after a right code (tests/second_factor.py
    does the same): the second-factor middleware and django-otp's device check run on every request
    as in production."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Bench"})
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=PLAIN_STATIC_FILES)
def measure(director: User, *, runs: int, pdf_runs: int, explain_slowest: int) -> None:
    client = signed_in(director)
    half_year = {"kind": "H1", "year": "2026"}
    cases = [
        ("Report page 2026 H1, all municipalities", "/rapporter/", half_year, runs),
        ("Report page 2026 H1, Nässjö", "/rapporter/", {**half_year, "municipality": "nassjo"}, runs),
        ("Report page, year 2026", "/rapporter/", {"kind": "year", "year": "2026"}, runs),
        ("PDF 2026 H1, all municipalities", "/rapporter/pdf/", half_year, pdf_runs),
        ("XLSX 2026 H1, all municipalities", "/rapporter/xlsx/", half_year, pdf_runs),
    ]
    results = []
    for label, path, query, count in cases:
        print(f"  timing: {label} …", flush=True)
        results.append((label, timed(client, path, query, count)))
    print()
    print(f"{'what':<42} {'runs':>4} {'median':>8} {'max':>8} {'queries':>8} {'SQL time':>9}")
    for label, result in results:
        times, queries = result["times"], result["queries"]
        sql = sum(float(query["time"]) for query in queries)
        print(
            f"{label:<42} {len(times):>4} {statistics.median(times):>7.2f}s {max(times):>7.2f}s "
            f"{len(queries):>8} {sql:>8.2f}s"
        )
    page = results[0][1]["queries"]
    slowest = sorted(page, key=lambda query: float(query["time"]), reverse=True)
    print("\nSlowest queries of the 2026 H1 page:")
    for query in slowest[:5]:
        print(f"  {float(query['time']):6.3f}s  {query['sql'][:150]}…")
    for query in slowest[:explain_slowest]:
        print(f"\nEXPLAIN ANALYZE of the {float(query['time']):.3f}s query:\n{query['sql']}\n")
        print(explain(query["sql"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=7, help="Timed requests of each page (after one warm-up).")
    parser.add_argument("--pdf-runs", type=int, default=3, help="Timed requests of each file.")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest queries of the page.")
    parser.add_argument("--force", action="store_true", help="Fill even though the database holds participants.")
    parser.add_argument("--measure-only", action="store_true", help="Time the report on the data that is there.")
    options = parser.parse_args()

    if connection.vendor != "postgresql":
        refuse("set DATABASE_URL to a PostgreSQL database; the benchmark does not run on SQLite.")
    director = prepare_reference_data()
    if not options.measure_only:
        if Participant.objects.exists() and not options.force:
            refuse("the database already holds participants; use --force to add more, or --measure-only.")
        today = timezone.localdate()
        print(f"Filling {connection.settings_dict['NAME']} with {options.participants} participants …", flush=True)
        started = time.perf_counter()
        filler = Filler(participants=options.participants, seed=options.seed, today=today)
        filler.run()
        fill_survey_and_certifications(filler.rng, today)
        # The report reads the statistical records, which the services keep in step; rows written
        # with bulk_create get theirs as `manage.py refresh_statistics` gives them to imported data.
        with transaction.atomic():
            refresh_all_statistics()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = ", ".join(f"{n} {name}" for name, n in filler.counts.items())
        print(f"  {counts} in {time.perf_counter() - started:.0f}s")
    print(
        f"Database: {Participant.objects.count()} participants, {Person.objects.count()} persons; "
        f"{os.cpu_count()} CPU cores; DEBUG={settings.DEBUG}"
    )
    measure(director, runs=options.runs, pdf_runs=options.pdf_runs, explain_slowest=options.explain)


if __name__ == "__main__":
    main()
