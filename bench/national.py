"""National scale (issue 15): fill PostgreSQL in the shapes the services create, and time every page.

    DEBUG=false SECRET_KEY=bench DATABASE_URL=postgres://…/sehoglandet_bench_national \\
        .venv/bin/python bench/national.py fill --participants 100000
    DEBUG=false SECRET_KEY=bench DATABASE_URL=… .venv/bin/python bench/national.py measure

`fill` writes ten years of a national-scale service into an empty, migrated database: the Höglandet
reference data (loaded by its service), staff for every role (coaches by the capacity rule), persons
with fictional names and valid test personnummer, referrals with their pre-meetings, consents,
meetings, agenda items and decisions, enrolments with their coach, steps, journal, incomes,
employments, aftercare visits, transfers and exits; the guardian grants, history rows and case events
the services write with each change; two years of access log; and the reporting app's statistical
records (made by its own refresh). Rows are written with COPY and INSERT … SELECT, not through the
services, so that 100 000 participants take minutes. It refuses SQLite, and a database that holds
participants unless --force.

`measure` times every page each role uses against the floor (the password page), in one interleaved
run through Django's test client, and prints a Markdown table. See bench/README.md.
"""

import argparse
import bisect
import heapq
import itertools
import json
import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import NamedTuple

# report_bench sets Django up as it is imported (the repository on sys.path, the settings); bench/
# is the script's directory, so it is on sys.path.
import report_bench  # noqa: F401
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission, User
from django.db import connection, models
from django.db.models import Count
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from report_bench import (
    EXIT_REASONS,
    FIRST_NAMES,
    INCOME_AFTER,
    INCOME_BEFORE,
    LAST_NAMES,
    OCCUPATION_AFTER,
    PLAIN_STATIC_FILES,
    signed_in,
    weighted,
)

from consent.models import Consent
from participants.models import (
    AftercareVisit,
    Employment,
    IncomeRecord,
    JournalEntry,
    MunicipalityPeriod,
    Participant,
    ParticipantGroupObjectPermission,
    StepChange,
    Transfer,
)
from referrals.models import (
    AgendaItem,
    Attendance,
    Decision,
    ExitReason,
    ItemResponse,
    Meeting,
    PreMeeting,
    Referral,
    ReferralGroupObjectPermission,
    ReferralUserObjectPermission,
)
from reporting.services import refresh_all_statistics
from sehoglandet import services
from sehoglandet.identity import format_identity_number, with_check_digit
from sehoglandet.models import (
    AccessLog,
    Membership,
    Municipality,
    Organisation,
    Person,
    ReferralGroupMember,
    ReferralGroupSeat,
    Role,
    age_on,
)
from sehoglandet.reference_data import DEFAULT_FILE, parse

YEARS = 10
# Every bench user signs in with this password and an authenticator app with this key (hex), so
# that bench/locustfile.py can compute the codes. Test data only.
PASSWORD = "bench-national-2026"
TOTP_KEY = "3132333435363738393031323334353637383930"
JOURNAL_TEXTS = [
    "Samtal om arbetsmål och vad som fungerat sedan sist.",
    "Ringde arbetsgivaren om en praktikplats inom lager.",
    "Besök på arbetsplatsen, handledaren nöjd med första veckan.",
    "Uppdaterade yrkesprofilen med tidigare erfarenheter.",
    "Nätverksmöte med handläggare, planen står fast.",
    "Deltagaren sjuk, nytt möte bokat nästa vecka.",
]
ACCESS_PURPOSES = ["Uppföljning av insats", "Förberedelse av möte", "Handläggning av remiss", "Dagordning"]


def refuse(message: str) -> None:
    sys.exit(f"bench/national.py: {message}")


def local(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(hour, 0)))


# Writing rows


def _copy_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY `rows` (tuples in the order of `columns`, attnames) into the model's table; every other
    column gets its model default (or now, empty text, NULL). Returns the number of rows."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    now = timezone.now()
    extra_columns, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in columns or field.primary_key:
            continue
        if field.has_default():
            value = field.get_default()
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value = now
        elif field.null:
            value = None
        elif field.blank:
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{field.attname} needs a value")
        extra_columns.append(field.column)
        extra_values.append(_copy_value(value))
    names = ", ".join([fields[name].column for name in columns] + extra_columns)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *extra_values))
            count += 1
    return count


def reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"
        )


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def history(model, *, when: str, kind: str = "'~'", user: str, reason: str, overrides=None, join="", where=""):
    """Write one history row per row of `model` (aliased t, joined with `join`, filtered by `where`)
    as simple_history writes it for a change: the row's columns, with `overrides` (SQL per attname)
    for the values it had then. Returns the number of rows."""
    overrides = overrides or {}
    historical = model.history.model
    columns, values = [], []
    for field in historical._meta.concrete_fields:
        name = field.attname
        if name == "history_id":
            continue
        columns.append(field.column)
        if name == "history_date":
            values.append(when)
        elif name == "history_type":
            values.append(kind)
        elif name == "history_user_id":
            values.append(user)
        elif name == "history_change_reason":
            values.append(reason)
        elif name in overrides:
            values.append(overrides[name])
        else:
            values.append(f"t.{field.column}")
    sql = (
        f"INSERT INTO {historical._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {model._meta.db_table} t {join} {'WHERE ' + where if where else ''}"
    )
    return execute(sql)


def at(day_sql: str, hour: int) -> str:
    """A local date column as an instant at `hour` o'clock."""
    return f"(({day_sql})::timestamp + interval '{hour} hours') AT TIME ZONE '{settings.TIME_ZONE}'"


class Timer:
    def __init__(self):
        self.parts: list[tuple[str, float, str]] = []
        self.started = time.perf_counter()

    def part(self, label: str):
        timer = self

        class Part:
            def __enter__(self):
                self.started = time.perf_counter()
                print(f"  {label} …", end="", flush=True)
                self.note = ""
                return self

            def __exit__(self, *exc):
                seconds = time.perf_counter() - self.started
                timer.parts.append((label, seconds, self.note))
                print(f" {seconds:.1f} s {self.note}", flush=True)

        return Part()


# The fill


class Filler:
    def __init__(self, *, participants: int, seed: int, today: date):
        self.rng = random.Random(seed)
        self.target = participants
        self.today = today
        self.first_day = date(today.year - YEARS, today.month, 1)
        self.ids: dict[type, int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.timer = Timer()

    def next_id(self, model) -> int:
        if model not in self.ids:
            self.ids[model] = (model.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
        value = self.ids[model]
        self.ids[model] += 1
        return value

    # Reference data and staff

    def reference_data(self) -> None:
        self.system = services.get_system_user()
        if not Municipality.objects.exists():
            services.load_reference_data(actor=self.system, data=parse(DEFAULT_FILE.read_text(encoding="utf-8")))
        self.municipalities = list(Municipality.objects.select_related("se_team", "referral_group").order_by("name"))
        self.weights = [m.coach_fte_percent for m in self.municipalities]
        self.organisations = {o.code: o for o in Organisation.objects.all()}
        self.seats = defaultdict(list)
        for seat in ReferralGroupSeat.objects.select_related("organisation", "referral_group"):
            self.seats[seat.referral_group.municipality_id].append(seat)
        self.units = {
            m.pk: [o for o in Organisation.objects.filter(municipality=m) if o.pk != m.se_team_id]
            for m in self.municipalities
        }

    def staff(self, open_per_municipality: dict[int, int]) -> None:
        """Users for every role; coaches by the capacity rule (20 per full-time post,
        docs/domain.md#capacity), and each municipality's coach posts set to carry its open participants."""
        password = make_password(PASSWORD)
        users, memberships, groups, seats = [], [], [], []
        self.coaches: dict[int, list[int]] = defaultdict(list)
        self.referrers: dict[str, list[int]] = defaultdict(list)
        self.managers: dict[int, list[int]] = defaultdict(list)
        self.members: dict[int, list[int]] = defaultdict(list)

        def user(username, first, last, organisation, role, *, group=None):
            pk = self.next_id(User)
            users.append((pk, username, first, last, password, f"{username}@bench.invalid", False, False, True))
            memberships.append((self.next_id(Membership), pk, organisation.pk, role, 100))
            groups.append((pk, organisation.group_id))
            if group is not None:
                groups.append((pk, group))
            return pk

        for municipality in self.municipalities:
            coaches = max(1, math.ceil(open_per_municipality[municipality.pk] / 20))
            services.update_municipality(actor=self.system, municipality=municipality, coach_fte_percent=coaches * 100)
            for number in range(coaches):
                self.coaches[municipality.pk].append(
                    user(
                        f"bench.coach.{municipality.code}.{number}",
                        "Coach",
                        f"{municipality.name} {number}",
                        municipality.se_team,
                        Role.COACH,
                    )
                )
            for number in range(2):
                self.managers[municipality.pk].append(
                    user(
                        f"bench.chef.{municipality.code}.{number}",
                        "Chef",
                        f"{municipality.name} {number}",
                        municipality.se_team,
                        Role.MANAGER,
                    )
                )
            for seat in self.seats[municipality.pk]:
                for number in range(2):
                    pk = user(
                        f"bench.member.{municipality.code}.{seat.organisation.code}.{number}",
                        "Ledamot",
                        f"{seat.organisation.short_name} {number}",
                        seat.organisation,
                        Role.GROUP_MEMBER,
                        group=seat.group_id,
                    )
                    seats.append((self.next_id(ReferralGroupMember), seat.pk, pk))
                    self.members[municipality.pk].append(pk)
        referring = ["af", "fk", "region-psykiatri"] + [o.code for units in self.units.values() for o in units]
        per_organisation = max(2, self.target // 2500)
        for code in referring:
            for number in range(per_organisation):
                self.referrers[code].append(
                    user(
                        f"bench.referrer.{code}.{number}",
                        "Remittent",
                        f"{code} {number}",
                        self.organisations[code],
                        Role.REFERRER,
                    )
                )
        forbundet = self.organisations["forbundet"]
        for number in range(3):
            user(f"bench.forbundschef.{number}", "Förbundschef", str(number), forbundet, Role.DIRECTOR)
        self.auditor = user("bench.auditor", "Gun", "Granskare", forbundet, Role.AUDITOR)
        copy_rows(
            User,
            ["id", "username", "first_name", "last_name", "password", "email", "is_superuser", "is_staff", "is_active"],
            users,
        )
        reset_sequence(User)
        copy_rows(Membership, ["id", "user_id", "organisation_id", "role", "fte_percent"], memberships)
        reset_sequence(Membership)
        copy_rows(User.groups.through, ["user_id", "group_id"], groups)
        copy_rows(ReferralGroupMember, ["id", "seat_id", "user_id"], seats)
        reset_sequence(ReferralGroupMember)
        administrator = User.objects.create_user("bench.admin", "admin@bench.invalid", PASSWORD)
        services.add_membership(actor=self.system, user=administrator, organisation=forbundet, role=Role.ADMINISTRATOR)
        # Every bench user has a confirmed authenticator app with the known key.
        devices = [
            (pk, "Autentiseringsapp", True, TOTP_KEY)
            for pk in User.objects.filter(username__startswith="bench.").values_list("pk", flat=True)
        ]
        copy_rows(TOTPDevice, ["user_id", "name", "confirmed", "key"], devices)
        since = f"'{local(self.first_day, 8).isoformat()}'::timestamptz"
        history(
            User,
            when=since,
            kind="'+'",
            user=str(self.system.pk),
            reason="'membership.added'",
            where="t.username LIKE 'bench.%' AND t.username <> 'bench.admin'",
        )
        history(
            Membership,
            when=since,
            kind="'+'",
            user=str(self.system.pk),
            reason="'membership.added'",
            join="JOIN auth_user u ON u.id = t.user_id",
            where="u.username <> 'bench.admin'",
        )
        history(ReferralGroupMember, when=since, kind="'+'", user=str(self.system.pk), reason="'seat.member_added'")
        self.counts["staff users"] = len(users) + 1

    # Planning the cases, in memory

    def plan(self) -> None:
        """Referrals in the order they were submitted, and what became of each."""
        rng, today = self.rng, self.today
        span = (today - self.first_day).days
        meetings = self.plan_meetings()
        self.referrals, self.enrolments = [], []
        returning: list[tuple[date, int]] = []
        self.persons = []
        self.serials: dict[date, int] = {}
        enrolled = 0
        # About one referral in eight does not lead to an enrolment.
        while enrolled < self.target:
            # Slightly more in later years.
            submitted = self.first_day + timedelta(days=int(span * rng.random() ** 0.85))
            municipality = rng.choices(self.municipalities, self.weights)[0]
            if returning and returning[0][0] < submitted - timedelta(days=60) and rng.random() < 0.05:
                _exit, person = heapq.heappop(returning)
            else:
                person = self.new_person(submitted)
            referral = self.plan_referral(person, municipality, submitted, meetings)
            if referral["status"] == Referral.Status.ENROLLED:
                enrolled += 1
                enrolment = self.plan_enrolment(referral)
                if enrolment["exited"]:
                    heapq.heappush(returning, (enrolment["exited"], person))
            elif referral["status"] in (Referral.Status.DECLINED, Referral.Status.WITHDRAWN):
                heapq.heappush(returning, (referral["submitted"] + timedelta(days=60), person))
        self.counts["persons"] = len(self.persons)
        self.counts["referrals"] = len(self.referrals)
        self.counts["participants"] = len(self.enrolments)

    def plan_meetings(self) -> dict[int, list[dict]]:
        """A meeting on the 10th of every month per municipality, ten years back and two months on."""
        meetings = {}
        self.meetings = []
        for municipality in self.municipalities:
            rows = []
            day = self.first_day.replace(day=10)
            upcoming = 0
            while upcoming < 2:
                starts = local(day, 9)
                if day < self.today:
                    status = Meeting.Status.HELD
                else:
                    status = Meeting.Status.PUBLISHED if upcoming == 0 else Meeting.Status.PLANNED
                    upcoming += 1
                row = {
                    "id": self.next_id(Meeting),
                    "municipality": municipality,
                    "group": municipality.referral_group.pk,
                    "day": day,
                    "starts": starts,
                    "status": status,
                    "items": 0,
                }
                rows.append(row)
                self.meetings.append(row)
                day = (day + timedelta(days=32)).replace(day=10)
            meetings[municipality.pk] = rows
        return meetings

    def new_person(self, submitted: date) -> int:
        rng = self.rng
        gender = rng.choices(["woman", "man", "other"], [47, 49, 4])[0]
        age = rng.randint(18, 29) if rng.random() < 0.38 else rng.randint(30, 64)
        birth = submitted - timedelta(days=age * 365 + rng.randint(0, 364))
        # A serial per birth date keeps the numbers unique.
        serial = self.serials[birth] = self.serials.get(birth, 99) + 1
        pk = self.next_id(Person)
        self.persons.append(
            {
                "id": pk,
                "birth": birth,
                "number": with_check_digit(birth, serial).replace("-", ""),
                "first": rng.choice(FIRST_NAMES[gender]),
                "last": rng.choice(LAST_NAMES),
                "gender": gender,
                "protected": rng.random() < 0.003,
                "created": submitted - timedelta(days=7),
            }
        )
        return len(self.persons) - 1

    def meeting_after(self, meetings: list[dict], day: date) -> dict | None:
        index = bisect.bisect_left(meetings, day, key=lambda meeting: meeting["day"])
        return meetings[index] if index < len(meetings) else None

    def plan_referral(self, person: int, municipality, submitted: date, meetings) -> dict:
        rng, today = self.rng, self.today
        own = meetings[municipality.pk]
        kind = rng.choices(["af", "fk", "region-psykiatri", "unit"], [35, 25, 20, 20])[0]
        organisation = rng.choice(self.units[municipality.pk]) if kind == "unit" else self.organisations[kind]
        referral = {
            "id": self.next_id(Referral),
            "person": person,
            "municipality": municipality,
            "organisation": organisation,
            # The referrer (and a coach who writes for them) are picked once the staff exist.
            "pick": rng.random(),
            "coach_writes": rng.random() < 0.1,
            "submitted": submitted,
            "items": [],
            "pre_meeting": None,
            "decided": None,
        }
        self.referrals.append(referral)
        age = (today - submitted).days
        meeting = self.meeting_after(own, submitted + timedelta(days=14))
        if rng.random() < 0.01:
            referral["status"] = Referral.Status.DRAFT
            referral["submitted"] = None
            return referral
        if (age < 120 and rng.random() < 0.6) or meeting is None:
            # Still with the SE team: submitted, pre-meeting booked, or ready and on the next agenda.
            status = rng.choices(
                [Referral.Status.SUBMITTED, Referral.Status.PRE_MEETING_BOOKED, Referral.Status.READY], [3, 3, 4]
            )[0]
            referral["status"] = status
            if status != Referral.Status.SUBMITTED:
                referral["pre_meeting"] = (submitted + timedelta(days=7), status == Referral.Status.READY)
            if status == Referral.Status.READY:
                upcoming = next(m for m in own if m["status"] == Meeting.Status.PUBLISHED)
                referral["items"].append((upcoming, AgendaItem.Kind.NEW_REFERRAL, None))
            return referral
        if rng.random() < 0.04:
            referral["status"] = Referral.Status.WITHDRAWN
            referral["withdrawn"] = submitted + timedelta(days=rng.randint(3, 13))
            return referral
        referral["pre_meeting"] = (submitted + timedelta(days=7), True)
        if rng.random() < 0.05:
            later = self.meeting_after(own, meeting["day"] + timedelta(days=1))
            if later is not None and later["status"] == Meeting.Status.HELD:
                referral["items"].append((meeting, AgendaItem.Kind.NEW_REFERRAL, Decision.Outcome.SEND_BACK))
                meeting = later
        kind = AgendaItem.Kind.SENT_BACK if referral["items"] else AgendaItem.Kind.NEW_REFERRAL
        outcome = Decision.Outcome.ENROL if rng.random() < 0.9 else Decision.Outcome.DECLINE
        if meeting["status"] != Meeting.Status.HELD:
            referral["status"] = Referral.Status.READY
            referral["items"].append((meeting, kind, None))
            return referral
        if age < 60 and rng.random() < 0.02:
            # The group could not agree: the manager has it.
            referral["status"] = Referral.Status.READY
            referral["items"].append((meeting, kind, "escalated"))
            return referral
        referral["items"].append((meeting, kind, outcome))
        referral["decided"] = meeting["day"]
        referral["status"] = Referral.Status.ENROLLED if outcome == Decision.Outcome.ENROL else Referral.Status.DECLINED
        return referral

    def plan_enrolment(self, referral: dict) -> dict:
        rng, today = self.rng, self.today
        decided = referral["decided"]
        queued = rng.random() < 0.15
        started = decided + timedelta(days=rng.randint(20, 150) if queued else rng.randint(3, 20))
        if started > today:
            started = None
        exited = reason = occupation = None
        if started:
            days = int(rng.lognormvariate(math.log(365), 0.6))
            if started + timedelta(days=days) < today:
                exited = started + timedelta(days=days)
                reason = weighted(rng, EXIT_REASONS)
                occupation = rng.choice(OCCUPATION_AFTER[reason])
        elif rng.random() < 0.02 and decided + timedelta(days=60) < today:
            exited, reason, occupation = decided + timedelta(days=60), ExitReason.OTHER, ""
        municipality = referral["municipality"]
        moved = None
        if started and rng.random() < 0.03:
            end = exited or today
            if (end - started).days > 60:
                moved = started + timedelta(days=rng.randint(30, (end - started).days - 1))
        receiving = rng.choice([m for m in self.municipalities if m != municipality]) if moved else municipality
        enrolment = {
            "id": self.next_id(Participant),
            "referral": referral,
            "person": referral["person"],
            "municipality": receiving,
            "first_municipality": municipality,
            "moved": moved,
            "decided": decided,
            "started": started,
            "exited": exited,
            "reason": reason,
            "occupation": occupation or "",
        }
        self.enrolments.append(enrolment)
        return enrolment

    def assign(self) -> None:
        """Referrers for the referrals; coaches for the enrolments, the open ones spread evenly; steps,
        journal counts, employment."""
        rng, today = self.rng, self.today
        for r in self.referrals:
            referrers = self.referrers[r["organisation"].code]
            r["referrer"] = referrers[int(r["pick"] * len(referrers))]
            r["writer"] = rng.choice(self.coaches[r["municipality"].pk]) if r["coach_writes"] else r["referrer"]
        turn = defaultdict(int)
        for enrolment in self.enrolments:
            municipality = enrolment["municipality"]
            coaches = self.coaches[municipality.pk]
            started, exited = enrolment["started"], enrolment["exited"]
            if started is None:
                enrolment["coach"] = None
            elif exited is None:
                enrolment["coach"] = coaches[turn[municipality.pk] % len(coaches)]
                turn[municipality.pk] += 1
            else:
                enrolment["coach"] = rng.choice(coaches)
            end = exited or today
            days = (end - started).days if started else 0
            steps = [] if not started else [(1, started)]
            if started:
                for step in range(2, 6):
                    day = steps[-1][1] + timedelta(days=rng.randint(20, 120))
                    if day >= end:
                        break
                    steps.append((step, day))
            enrolment["steps"] = steps
            enrolment["journal"] = 0 if not started else max(1, int(days / 40 * rng.uniform(0.6, 1.4)))
            works = enrolment["reason"] == ExitReason.WORK
            employed = started and not exited and days > 60 and rng.random() < 0.25
            enrolment["employment"] = None
            if started and (works or employed):
                starts = max(started, end - timedelta(days=rng.randint(20, 180)))
                enrolment["employment"] = (starts, exited)
            if exited:
                status = Participant.Status.EXITED
            elif not started:
                status = Participant.Status.QUEUED
            elif employed:
                status = Participant.Status.AFTERCARE
            else:
                status = Participant.Status.ACTIVE
            enrolment["status"] = status
        # The longest case gets a long journal: the participant page's worst case.
        longest = max(
            (e for e in self.enrolments if e["status"] == Participant.Status.ACTIVE),
            key=lambda e: (today - e["started"]).days,
            default=None,
        )
        if longest is not None:
            longest["journal"] = max(longest["journal"], 400)

    # Writing

    def write_persons(self) -> None:
        rows = (
            (
                p["id"],
                Person.IdentityKind.PERSONNUMMER,
                p["number"],
                p["birth"],
                p["first"],
                p["last"],
                p["gender"],
                self.municipalities[i % len(self.municipalities)].pk,
                p["protected"],
                local(p["created"]),
            )
            for i, p in enumerate(self.persons)
        )
        copy_rows(
            Person,
            [
                "id",
                "identity_kind",
                "identity_number",
                "birth_date",
                "first_name",
                "last_name",
                "gender",
                "municipality_id",
                "protected_identity",
                "created_at",
            ],
            rows,
        )
        reset_sequence(Person)

    def write_referrals(self) -> None:
        rng = self.rng
        references = defaultdict(int)
        rows = []
        for r in self.referrals:
            person = self.persons[r["person"]]
            created = (r["submitted"] or self.today) - timedelta(days=2)
            references[created.year] += 1
            r["reference"] = f"SE-{created.year}-{references[created.year]:05d}"
            rows.append(
                (
                    r["id"],
                    r["reference"],
                    person["id"],
                    r["municipality"].pk,
                    r["organisation"].pk,
                    r["referrer"],
                    r["writer"],
                    r["status"],
                    person["first"],
                    person["last"],
                    person["gender"],
                    r["municipality"].pk,
                    person["protected"],
                    rng.random() < 0.3,
                    rng.random() < 0.8,
                    rng.random() < 0.2,
                    weighted(rng, INCOME_BEFORE),
                    "Vill arbeta och klara sig själv.",
                    "Är SE-Höglandet rätt stöd för personen?",
                    local(created, 9),
                    local(r["submitted"], 11) if r["submitted"] else None,
                    local(r["decided"], 11) if r["decided"] else None,
                )
            )
        copy_rows(
            Referral,
            [
                "id",
                "reference",
                "person_id",
                "municipality_id",
                "referring_organisation_id",
                "referrer_id",
                "written_by_id",
                "status",
                "first_name",
                "last_name",
                "gender",
                "residence_id",
                "protected_identity",
                "ground_disability",
                "ground_mental_ill_health",
                "ground_past_substance_abuse",
                "income_source",
                "motivation",
                "question",
                "created_at",
                "submitted_at",
                "decided_at",
            ],
            rows,
        )
        reset_sequence(Referral)
        active_at = []
        for r in self.referrals:
            unit = self.units[r["municipality"].pk][0]
            others = {r["organisation"].pk, unit.pk}
            if len(others) < 2:
                others.add(self.organisations["af"].pk)
            active_at.extend((r["id"], organisation) for organisation in others)
        copy_rows(Referral.active_at.through, ["referral_id", "organisation_id"], active_at)

    def write_pre_meetings(self) -> None:
        rows = []
        for r in self.referrals:
            if r["pre_meeting"] is None:
                continue
            day, held = r["pre_meeting"]
            coach = self.rng.choice(self.coaches[r["municipality"].pk])
            rows.append(
                (
                    self.next_id(PreMeeting),
                    r["id"],
                    local(day, 13),
                    day if held else None,
                    held,
                    held,
                    held,
                    held,
                    "Förmöte hållet." if held else "",
                    PreMeeting.Outcome.MEETS if held else "",
                    coach,
                )
            )
        copy_rows(
            PreMeeting,
            [
                "id",
                "referral_id",
                "booked_for",
                "held_on",
                "target_group",
                "needs_two_parties",
                "motivated",
                "income_secured",
                "notes",
                "outcome",
                "coach_id",
            ],
            rows,
        )
        reset_sequence(PreMeeting)

    def write_meetings(self) -> None:
        rows = [
            (
                m["id"],
                m["group"],
                m["starts"],
                "Kommunhuset",
                m["day"] - timedelta(days=7),
                m["status"],
                local(m["day"] - timedelta(days=7), 12) if m["status"] != Meeting.Status.PLANNED else None,
            )
            for m in self.meetings
        ]
        copy_rows(
            Meeting,
            ["id", "referral_group_id", "starts_at", "location", "item_deadline", "status", "published_at"],
            rows,
        )
        reset_sequence(Meeting)
        attendance = [
            (m["id"], seat.pk, True, f"Ledamot {seat.organisation.short_name}")
            for m in self.meetings
            if m["status"] == Meeting.Status.HELD
            for seat in self.seats[m["municipality"].pk]
        ]
        copy_rows(Attendance, ["meeting_id", "seat_id", "present", "attendee"], attendance)

    def write_items(self) -> None:
        rng = self.rng
        items, decisions, responses = [], [], []
        for r in self.referrals:
            for meeting, kind, outcome in r["items"]:
                meeting["items"] += 1
                item_id = self.next_id(AgendaItem)
                coach = rng.choice(self.coaches[r["municipality"].pk])
                added = meeting["starts"] - timedelta(days=rng.randint(8, 20))
                items.append((item_id, meeting["id"], kind, r["id"], meeting["items"], coach, added))
                if meeting["status"] != Meeting.Status.PLANNED:
                    for seat in self.seats[r["municipality"].pk]:
                        if meeting["status"] == Meeting.Status.PUBLISHED and rng.random() < 0.5:
                            continue
                        member = rng.choice(self.members[r["municipality"].pk])
                        responses.append(
                            (
                                item_id,
                                seat.organisation_id,
                                member,
                                rng.choice([ItemResponse.Active.YES, ItemResponse.Active.NO]),
                                "",
                            )
                        )
                if outcome is None:
                    continue
                recorded = meeting["starts"] + timedelta(hours=2)
                if outcome == "escalated":
                    decisions.append(
                        (
                            item_id,
                            Decision.Status.ESCALATED,
                            False,
                            "",
                            "",
                            "",
                            "",
                            "Oense om personen har två aktörer.",
                            coach,
                            recorded,
                        )
                    )
                else:
                    decisions.append(
                        (
                            item_id,
                            Decision.Status.FINAL,
                            True,
                            outcome,
                            "Gruppen tillstyrker.",
                            "Uppfyller målgruppen.",
                            "SE-coachen",
                            "",
                            coach,
                            recorded,
                        )
                    )
        copy_rows(AgendaItem, ["id", "meeting_id", "kind", "referral_id", "position", "added_by_id", "added_at"], items)
        reset_sequence(AgendaItem)
        copy_rows(
            Decision,
            [
                "item_id",
                "status",
                "group_agreed",
                "outcome",
                "recommendation",
                "grounds",
                "informs_person",
                "disagreement",
                "recorded_by_id",
                "recorded_at",
            ],
            decisions,
        )
        copy_rows(ItemResponse, ["item_id", "organisation_id", "responded_by_id", "active", "note"], responses)
        self.counts["agenda items"] = len(items)
        self.counts["decisions"] = len(decisions)

    def write_consents(self) -> None:
        """One consent per person, recorded by the SE team before the first referral was discussed:
        the group's seats and the team, for the group and for participation; a few leave out the region."""
        rng = self.rng
        first_referral = {}
        for r in self.referrals:
            if r["submitted"] and r["person"] not in first_referral:
                first_referral[r["person"]] = r
        consents, organisations = [], []
        self.covered: dict[int, set[int]] = {}
        for person, r in first_referral.items():
            pk = self.next_id(Consent)
            given = r["submitted"] + timedelta(days=3)
            covered = {seat.organisation_id for seat in self.seats[r["municipality"].pk]}
            if rng.random() < 0.1:
                covered.discard(self.organisations["region-psykiatri"].pk)
            covered.add(r["municipality"].se_team_id)
            self.covered[person] = covered
            coach = rng.choice(self.coaches[r["municipality"].pk])
            consents.append(
                (
                    pk,
                    self.persons[person]["id"],
                    True,
                    True,
                    rng.random() < 0.7,
                    rng.random() < 0.1,
                    given,
                    Consent.Method.WRITTEN,
                    coach,
                    given + timedelta(days=3 * 365),
                    local(given, 15),
                )
            )
            organisations.extend((pk, organisation) for organisation in covered)
        copy_rows(
            Consent,
            [
                "id",
                "person_id",
                "for_referral_group",
                "for_participation",
                "for_employer_contact",
                "for_transfer",
                "given_on",
                "method",
                "recorded_by_id",
                "valid_until",
                "created_at",
            ],
            consents,
        )
        reset_sequence(Consent)
        copy_rows(Consent.organisations.through, ["consent_id", "organisation_id"], organisations)
        self.counts["consents"] = len(consents)

    def write_enrolments(self) -> None:
        rng, today = self.rng, self.today
        participants = []
        for e in self.enrolments:
            person = self.persons[e["person"]]
            started, exited = e["started"], e["exited"]
            sus_registered = started if started and (today - started).days > 40 else None
            deregistered = None
            if exited:
                due = exited + timedelta(days=91) if e["reason"] in (ExitReason.WORK, ExitReason.STUDIES) else exited
                deregistered = due if due < today - timedelta(days=30) and sus_registered else None
            participants.append(
                (
                    e["id"],
                    person["id"],
                    e["municipality"].pk,
                    e["referral"]["id"],
                    e["status"],
                    e["steps"][-1][0] if e["steps"] else 1,
                    e["decided"],
                    started,
                    age_on(person["birth"], e["decided"]),
                    e["coach"],
                    exited,
                    e["reason"] or "",
                    e["occupation"],
                    sus_registered,
                    deregistered,
                )
            )
        copy_rows(
            Participant,
            [
                "id",
                "person_id",
                "municipality_id",
                "referral_id",
                "status",
                "step",
                "decided_on",
                "started_on",
                "age_at_decision",
                "responsible_coach_id",
                "exited_on",
                "exit_reason",
                "occupation_after",
                "sus_registered_on",
                "sus_deregistered_on",
            ],
            participants,
        )
        reset_sequence(Participant)
        steps, periods, transfers, incomes, employments, visits = [], [], [], [], [], []
        for e in self.enrolments:
            coach = e["coach"] or self.coaches[e["municipality"].pk][0]
            for step, day in e["steps"]:
                steps.append((e["id"], step, day, coach, local(day, 15)))
            if e["moved"]:
                periods.append((e["id"], e["first_municipality"].pk, e["decided"], e["moved"]))
                periods.append((e["id"], e["municipality"].pk, e["moved"], None))
                transfers.append(
                    (
                        e["id"],
                        e["first_municipality"].pk,
                        e["municipality"].pk,
                        Transfer.Status.ACCEPTED,
                        coach,
                        coach,
                        local(e["moved"], 10),
                    )
                )
            else:
                periods.append((e["id"], e["municipality"].pk, e["decided"], None))
            income = weighted(rng, INCOME_BEFORE)
            incomes.append((e["id"], IncomeRecord.Phase.BEFORE, income, e["decided"], None, coach))
            end = e["exited"] or today
            if e["started"] and (end - e["started"]).days > 40 and rng.random() < 0.3:
                valid_from = e["started"] + timedelta(days=rng.randint(30, (end - e["started"]).days - 1))
                review = valid_from + timedelta(days=180) if rng.random() < 0.5 else None
                incomes.append(
                    (e["id"], IncomeRecord.Phase.DURING, weighted(rng, INCOME_BEFORE), valid_from, review, coach)
                )
            if e["exited"] and e["occupation"]:
                source = INCOME_AFTER.get(e["occupation"], weighted(rng, INCOME_BEFORE))
                incomes.append((e["id"], IncomeRecord.Phase.AFTER, source, e["exited"], None, coach))
            if e["employment"]:
                starts, ends = e["employment"]
                pk = self.next_id(Employment)
                employments.append(
                    (
                        pk,
                        e["id"],
                        f"Arbetsgivare {rng.randint(1, 2000)} AB",
                        Employment.Kind.EMPLOYMENT,
                        starts,
                        ends,
                        rng.choice([20, 25, 30, 40]),
                        coach,
                        local(starts, 16),
                    )
                )
                for month in range(1, 7):
                    due = starts + timedelta(days=30 * month)
                    if ends and due > ends:
                        break
                    if due < today:
                        status = AftercareVisit.Status.DONE if rng.random() < 0.9 else AftercareVisit.Status.MISSED
                        done = due if status == AftercareVisit.Status.DONE else None
                    else:
                        status, done = AftercareVisit.Status.PLANNED, None
                    kind = AftercareVisit.Kind.VISIT if month % 2 else AftercareVisit.Kind.PHONE
                    visits.append((e["id"], pk, due, kind, status, done, ""))
        # A few open participants wait on a transfer to another municipality.
        for e in rng.sample(
            [e for e in self.enrolments if e["status"] == Participant.Status.ACTIVE],
            k=max(3, len(self.enrolments) // 2000),
        ):
            if e["moved"]:
                continue
            to = rng.choice([m for m in self.municipalities if m != e["municipality"]])
            transfers.append((e["id"], e["municipality"].pk, to.pk, Transfer.Status.PENDING, e["coach"], None, None))
        copy_rows(StepChange, ["participant_id", "step", "changed_on", "changed_by_id", "created_at"], steps)
        copy_rows(MunicipalityPeriod, ["participant_id", "municipality_id", "moved_in_on", "moved_out_on"], periods)
        copy_rows(
            Transfer,
            [
                "participant_id",
                "from_municipality_id",
                "to_municipality_id",
                "status",
                "requested_by_id",
                "decided_by_id",
                "decided_at",
            ],
            transfers,
        )
        copy_rows(
            IncomeRecord, ["participant_id", "phase", "source", "valid_from", "review_on", "recorded_by_id"], incomes
        )
        copy_rows(
            Employment,
            [
                "id",
                "participant_id",
                "employer",
                "kind",
                "starts_on",
                "ends_on",
                "hours_per_week",
                "created_by_id",
                "created_at",
            ],
            employments,
        )
        reset_sequence(Employment)
        copy_rows(
            AftercareVisit, ["participant_id", "employment_id", "due_on", "kind", "status", "done_on", "note"], visits
        )
        for model in (
            StepChange,
            MunicipalityPeriod,
            Transfer,
            IncomeRecord,
            AftercareVisit,
            Attendance,
            Decision,
            ItemResponse,
        ):
            reset_sequence(model)
        self.counts.update(
            {
                "step changes": len(steps),
                "incomes": len(incomes),
                "employments": len(employments),
                "aftercare visits": len(visits),
                "transfers": len(transfers),
            }
        )

    def journal_rows(self):
        rng, today = self.rng, self.today
        for e in self.enrolments:
            if not e["journal"]:
                continue
            start, end = e["started"], e["exited"] or today
            days = max(1, (end - start).days)
            coach = e["coach"]
            kinds = JournalEntry.Kind.values
            for number in range(e["journal"]):
                day = start + timedelta(days=days * number // e["journal"])
                yield (e["id"], day, rng.choice(kinds), rng.choice(JOURNAL_TEXTS), coach, local(day, 16))

    def write_journal(self) -> None:
        self.counts["journal entries"] = copy_rows(
            JournalEntry, ["participant_id", "date", "kind", "text", "author_id", "created_at"], self.journal_rows()
        )
        reset_sequence(JournalEntry)

    # What the services derive from the rows: grants, history, case events

    def write_grants(self) -> None:
        """The grants referrals/grants.py and participants/services.py leave in each state: the referrer
        and the writer on every referral; the SE team once submitted; after a transfer the receiving
        team; each seat of the group whose agenda it was on, when the consent covered the seat's
        organisation; the SE team of the participant's municipality on the enrolment."""
        perms = {
            p.codename: p.pk
            for p in Permission.objects.filter(content_type__app_label__in=["referrals", "participants"])
        }
        view, change = perms["view_referral"], perms["change_referral"]
        user_rows, group_rows = [], []
        seat_groups = {m: [(s.organisation_id, s.group_id) for s in seats] for m, seats in self.seats.items()}
        team_group = {m.pk: m.se_team.group_id for m in self.municipalities}
        moved = {e["referral"]["id"]: e for e in self.enrolments if e["moved"]}
        for r in self.referrals:
            for user in {r["referrer"], r["writer"]}:
                user_rows.append((view, user, r["id"]))
                user_rows.append((change, user, r["id"]))
            if r["status"] == Referral.Status.DRAFT:
                continue
            group_rows.append((view, team_group[r["municipality"].pk], r["id"]))
            group_rows.append((change, team_group[r["municipality"].pk], r["id"]))
            if r["id"] in moved:
                group_rows.append((view, team_group[moved[r["id"]]["municipality"].pk], r["id"]))
            if r["items"] and r["status"] != Referral.Status.WITHDRAWN:
                covered = self.covered.get(r["person"], set())
                for organisation, group in seat_groups[r["municipality"].pk]:
                    if organisation in covered:
                        group_rows.append((view, group, r["id"]))
        copy_rows(ReferralUserObjectPermission, ["permission_id", "user_id", "content_object_id"], user_rows)
        copy_rows(ReferralGroupObjectPermission, ["permission_id", "group_id", "content_object_id"], group_rows)
        participant_rows = [
            (perms[codename], team_group[e["municipality"].pk], e["id"])
            for e in self.enrolments
            for codename in ("view_participant", "change_participant")
        ]
        copy_rows(
            ParticipantGroupObjectPermission, ["permission_id", "group_id", "content_object_id"], participant_rows
        )
        self.counts["grants"] = len(user_rows) + len(group_rows) + len(participant_rows)

    def write_history(self) -> int:
        """The history rows simple_history writes with each change the services make."""
        system = str(self.system.pk)
        total = 0
        total += history(Person, when="t.created_at", kind="'+'", user=system, reason="'person.registered'")
        # A referral: written (a draft), submitted, pre-meeting booked, ready, decided or withdrawn.
        draft = {"status": "'draft'", "submitted_at": "NULL", "decided_at": "NULL"}
        total += history(
            Referral,
            when="t.created_at",
            kind="'+'",
            user="t.written_by_id",
            reason="'referral.written'",
            overrides=draft,
        )
        submitted = {"status": "'submitted'", "decided_at": "NULL"}
        total += history(
            Referral,
            when="t.submitted_at",
            user="t.written_by_id",
            reason="'referral.submitted'",
            overrides=submitted,
            where="t.submitted_at IS NOT NULL",
        )
        total += history(
            Referral,
            when="p.booked_for - interval '5 days'",
            user="p.coach_id",
            reason="'pre_meeting.booked'",
            overrides={**submitted, "status": "'pre_meeting_booked'"},
            join="JOIN referrals_premeeting p ON p.referral_id = t.id",
        )
        total += history(
            Referral,
            when="p.booked_for + interval '2 hours'",
            user="p.coach_id",
            reason="'pre_meeting.recorded'",
            overrides={**submitted, "status": "'ready'"},
            join="JOIN referrals_premeeting p ON p.referral_id = t.id",
            where="p.held_on IS NOT NULL",
        )
        total += history(
            Referral,
            when="t.decided_at",
            user="t.written_by_id",
            reason="CASE t.status WHEN 'enrolled' THEN 'referral.enrolled' ELSE 'referral.declined' END",
            where="t.decided_at IS NOT NULL",
        )
        total += history(
            Referral,
            when="t.submitted_at + interval '5 days'",
            user="t.written_by_id",
            reason="'referral.withdrawn'",
            where="t.status = 'withdrawn'",
        )
        total += history(
            PreMeeting,
            when="t.booked_for - interval '5 days'",
            kind="'+'",
            user="t.coach_id",
            reason="'pre_meeting.booked'",
            overrides={
                "held_on": "NULL",
                "outcome": "''",
                "notes": "''",
                "target_group": "false",
                "needs_two_parties": "false",
                "motivated": "false",
                "income_secured": "false",
            },
        )
        total += history(
            PreMeeting,
            when="t.booked_for + interval '2 hours'",
            user="t.coach_id",
            reason="'pre_meeting.recorded'",
            where="t.held_on IS NOT NULL",
        )
        total += history(
            Meeting,
            when="t.starts_at - interval '60 days'",
            kind="'+'",
            user=system,
            reason="'meeting.planned'",
            overrides={"status": "'planned'", "published_at": "NULL"},
        )
        total += history(
            Meeting,
            when="t.published_at",
            user=system,
            reason="'meeting.agenda_published'",
            overrides={"status": "'published'"},
            where="t.published_at IS NOT NULL",
        )
        total += history(
            Meeting,
            when="t.starts_at + interval '3 hours'",
            user=system,
            reason="'meeting.held'",
            where="t.status = 'held'",
        )
        total += history(AgendaItem, when="t.added_at", kind="'+'", user="t.added_by_id", reason="'agenda.item_added'")
        total += history(
            Attendance,
            when="m.starts_at + interval '2 hours'",
            kind="'+'",
            user=system,
            reason="'meeting.attendance_recorded'",
            join="JOIN referrals_meeting m ON m.id = t.meeting_id",
        )
        total += history(
            ItemResponse, when="t.updated_at", kind="'+'", user="t.responded_by_id", reason="'agenda.member_responded'"
        )
        total += history(
            Decision,
            when="t.recorded_at",
            kind="'+'",
            user="t.recorded_by_id",
            reason="CASE t.status WHEN 'final' THEN 'decision.recorded' ELSE 'decision.escalated' END",
        )
        total += history(Consent, when="t.created_at", kind="'+'", user="t.recorded_by_id", reason="'consent.given'")
        # An enrolment: enrolled (queued), support started, its coach, each step, SUS, aftercare, the exit.
        coach = f"COALESCE(t.responsible_coach_id, {system})"
        enrolled = {
            "status": "'queued'",
            "step": "1",
            "started_on": "NULL",
            "responsible_coach_id": "NULL",
            "exited_on": "NULL",
            "exit_reason": "''",
            "occupation_after": "''",
            "sus_registered_on": "NULL",
            "sus_deregistered_on": "NULL",
        }
        total += history(
            Participant,
            when=at("t.decided_on", 14),
            kind="'+'",
            user=system,
            reason="'participant.enrolled'",
            overrides=enrolled,
        )
        open_ = {
            "exited_on": "NULL",
            "exit_reason": "''",
            "occupation_after": "''",
            "sus_deregistered_on": "NULL",
            "status": "'active'",
        }
        total += history(
            Participant,
            when=at("t.started_on", 9),
            user=coach,
            reason="'participant.support_started'",
            overrides={**open_, "step": "1", "sus_registered_on": "NULL"},
            where="t.started_on IS NOT NULL",
        )
        total += history(
            Participant,
            when=at("t.started_on", 10),
            user=coach,
            reason="'participant.coach_assigned'",
            overrides={**open_, "step": "1", "sus_registered_on": "NULL"},
            where="t.started_on IS NOT NULL",
        )
        total += history(
            Participant,
            when=at("s.changed_on", 15),
            user="s.changed_by_id",
            reason="'participant.step_changed'",
            overrides={**open_, "step": "s.step"},
            join="JOIN participants_stepchange s ON s.participant_id = t.id",
            where="s.step > 1",
        )
        total += history(
            Participant,
            when=at("t.sus_registered_on", 11),
            user=coach,
            reason="'sus.registered'",
            overrides=open_,
            where="t.sus_registered_on IS NOT NULL",
        )
        total += history(
            Participant,
            when=at("e.starts_on", 16),
            user=coach,
            reason="'participant.aftercare_started'",
            overrides={**open_, "status": "'aftercare'"},
            join="JOIN participants_employment e ON e.participant_id = t.id",
        )
        total += history(
            Participant,
            when=at("t.exited_on", 14),
            user=coach,
            reason="'participant.exited'",
            overrides={"sus_deregistered_on": "NULL"},
            where="t.exited_on IS NOT NULL",
        )
        total += history(
            Participant,
            when=at("t.sus_deregistered_on", 11),
            user=coach,
            reason="'sus.deregistered'",
            where="t.sus_deregistered_on IS NOT NULL",
        )
        total += history(
            StepChange, when="t.created_at", kind="'+'", user="t.changed_by_id", reason="'participant.step_changed'"
        )
        total += history(
            JournalEntry, when="t.created_at", kind="'+'", user="t.author_id", reason="'journal.entry_added'"
        )
        total += history(
            IncomeRecord,
            when=at("t.valid_from", 12),
            kind="'+'",
            user="t.recorded_by_id",
            reason="CASE t.phase WHEN 'before' THEN 'participant.enrolled' "
            "WHEN 'after' THEN 'participant.exited' ELSE 'income.recorded' END",
        )
        total += history(
            MunicipalityPeriod,
            when=at("t.moved_in_on", 12),
            kind="'+'",
            user=system,
            reason="'participant.enrolled'",
            overrides={"moved_out_on": "NULL"},
        )
        total += history(
            Transfer,
            when="COALESCE(t.decided_at, now()) - interval '20 days'",
            kind="'+'",
            user="t.requested_by_id",
            reason="'transfer.started'",
            overrides={"status": "'pending'", "decided_by_id": "NULL", "decided_at": "NULL"},
        )
        total += history(
            Transfer,
            when="t.decided_at",
            user="t.decided_by_id",
            reason="'transfer.accepted'",
            where="t.decided_at IS NOT NULL",
        )
        total += history(
            Employment,
            when="t.created_at",
            kind="'+'",
            user="t.created_by_id",
            reason="'employment.registered'",
            overrides={"ends_on": "NULL"},
        )
        total += history(
            Employment,
            when=at("t.ends_on", 12),
            user="t.created_by_id",
            reason="'employment.ended'",
            where="t.ends_on IS NOT NULL",
        )
        total += history(
            AftercareVisit,
            when="e.created_at",
            kind="'+'",
            user="e.created_by_id",
            reason="'participant.aftercare_started'",
            overrides={"status": "'planned'", "done_on": "NULL"},
            join="JOIN participants_employment e ON e.id = t.employment_id",
        )
        total += history(
            AftercareVisit,
            when=at("t.due_on", 12),
            user="e.created_by_id",
            reason="'aftercare.visit_marked'",
            join="JOIN participants_employment e ON e.id = t.employment_id",
            where="t.status <> 'planned'",
        )
        return total

    def write_case_events(self) -> int:
        """A case event for each change of a case (sehoglandet.events.record), read from its history row:
        the same code, actor and time, the record and the person."""
        total = 0
        sources = [
            (Referral, "h.person_id", ""),
            (Participant, "h.person_id", ""),
            (Consent, "h.person_id", ""),
            (JournalEntry, "p.person_id", "JOIN participants_participant p ON p.id = h.participant_id"),
            (StepChange, "p.person_id", "JOIN participants_participant p ON p.id = h.participant_id"),
            (Employment, "p.person_id", "JOIN participants_participant p ON p.id = h.participant_id"),
            (
                Decision,
                "r.person_id",
                "JOIN referrals_agendaitem i ON i.id = h.item_id JOIN referrals_referral r ON r.id = i.referral_id",
            ),
        ]
        for model, person, join in sources:
            label = f"{model._meta.app_label}.{model._meta.model_name}"
            total += execute(
                "INSERT INTO sehoglandet_caseevent (code, occurred_at, actor_id, person_id, record_type, record_id, "
                f"payload) SELECT h.history_change_reason, h.history_date, h.history_user_id, {person}, '{label}', "
                f"h.id::text, '{{}}'::jsonb FROM {model.history.model._meta.db_table} h {join} "
                "WHERE h.history_change_reason IS NOT NULL"
            )
        return total

    def write_access_log(self, rows: int) -> None:
        """`rows` access-log rows over the two years up to now, oldest first: staff opening the cases
        they work on, a few persons far more often than the rest (a long case)."""
        rng = self.rng
        now = timezone.now()
        start = now - timedelta(days=730)
        step = (now - start) / rows
        memberships = dict(Membership.objects.values_list("user_id", "organisation_id"))
        coaches = [u for users in self.coaches.values() for u in users]
        others = [
            u for users in (*self.members.values(), *self.referrers.values(), *self.managers.values()) for u in users
        ]
        enrolments = [(e["id"], self.persons[e["person"]]["id"]) for e in self.enrolments]
        referrals = [(r["id"], self.persons[r["person"]]["id"]) for r in self.referrals]
        weights = [1 / (rank + 1) ** 0.6 for rank in range(len(enrolments))]
        cumulative = list(itertools.accumulate(weights))
        referral_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.6 for rank in range(len(referrals))))

        def generate():
            for number in range(rows):
                when = start + step * number
                if rng.random() < 0.7:
                    user = rng.choice(coaches)
                    if rng.random() < 0.12:
                        yield (
                            when,
                            user,
                            memberships[user],
                            "participants.participant",
                            "",
                            None,
                            "list",
                            "Deltagarlista",
                            "10.0.0.1",
                        )
                        continue
                    pk, person = rng.choices(enrolments, cum_weights=cumulative)[0]
                    kind = "participants.participant" if rng.random() < 0.85 else "participants.journalentry"
                    yield (
                        when,
                        user,
                        memberships[user],
                        kind,
                        str(pk),
                        person,
                        "view",
                        rng.choice(ACCESS_PURPOSES),
                        f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                    )
                else:
                    user = rng.choice(others)
                    pk, person = rng.choices(referrals, cum_weights=referral_weights)[0]
                    yield (
                        when,
                        user,
                        memberships[user],
                        "referrals.referral",
                        str(pk),
                        person,
                        "view",
                        rng.choice(ACCESS_PURPOSES),
                        f"10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                    )

        self.counts["access-log rows"] = copy_rows(
            AccessLog,
            [
                "created_at",
                "user_id",
                "organisation_id",
                "object_type",
                "object_id",
                "person_id",
                "action",
                "purpose",
                "ip_address",
            ],
            generate(),
        )

    def run(self, *, access_log_rows: int) -> None:
        timer = self.timer
        with timer.part("reference data"):
            self.reference_data()
        with timer.part("planning the cases (in memory)"):
            self.plan()
        with timer.part("staff users, roles, seats, authenticator apps"):
            self.staff(self.open_per_municipality_after_plan())
        with timer.part("coaches, steps, journal counts"):
            self.assign()
        with timer.part("persons"):
            self.write_persons()
        with timer.part("referrals"):
            self.write_referrals()
        with timer.part("pre-meetings"):
            self.write_pre_meetings()
        with timer.part("meetings and attendance"):
            self.write_meetings()
        with timer.part("agenda items, responses, decisions"):
            self.write_items()
        with timer.part("consents"):
            self.write_consents()
        with timer.part("participants, steps, incomes, employments, aftercare, transfers"):
            self.write_enrolments()
        with timer.part("journal entries") as part:
            self.write_journal()
            part.note = f"({self.counts['journal entries']} rows)"
        with timer.part("guardian grants") as part:
            self.write_grants()
            part.note = f"({self.counts['grants']} rows)"
        with timer.part("history rows") as part:
            self.counts["history rows"] = self.write_history()
            part.note = f"({self.counts['history rows']} rows)"
        with timer.part("case events") as part:
            self.counts["case events"] = self.write_case_events()
            part.note = f"({self.counts['case events']} rows)"
        with timer.part("access log") as part:
            self.write_access_log(access_log_rows)
            part.note = f"({self.counts['access-log rows']} rows)"
        with timer.part("reporting statistics (reporting.services.refresh_all_statistics)"):
            refresh_all_statistics()
        with timer.part("ANALYZE"):
            execute("ANALYZE")

    def open_per_municipality_after_plan(self) -> dict[int, int]:
        # Coaches are needed before assign() spreads the open enrolments over them.
        counts = defaultdict(int)
        for enrolment in self.enrolments:
            if enrolment["started"] and not enrolment["exited"]:
                counts[enrolment["municipality"].pk] += 1
        return counts


def fill(options) -> None:
    if Participant.objects.exists() and not options.force:
        refuse("the database already holds participants; use --force to add more.")
    print(f"Filling {connection.settings_dict['NAME']} with {options.participants} participants …", flush=True)
    started = time.perf_counter()
    filler = Filler(participants=options.participants, seed=options.seed, today=timezone.localdate())
    filler.run(access_log_rows=options.access_log_rows or options.participants * 20)
    total = time.perf_counter() - started
    print(f"\nFilled in {total:.0f} s ({total / 60:.1f} min):")
    for name, count in filler.counts.items():
        print(f"  {count:>10} {name}")


# Measuring

FLOOR = "floor: the password page"
REPORT_PAGE = "director: report page, all municipalities"
REPORT_PDF = "director: report PDF, all municipalities"
MAX_QUERIES = 15
MAX_TIMES_FLOOR = 3
REPORT_LIMIT, PDF_LIMIT = 1.0, 3.0
# The targets are three: the report page for all municipalities within 1 s, its PDF within
# 3 s, and every list and detail page within 3× the floor. The pages below are neither lists nor
# detail pages: the manager's report page is the same report for one municipality, and the
# meeting's agenda and minutes are PDFs that WeasyPrint lays out, as the report's PDF is; each is held
# to the limit of its kind (bench/README.md, eleventh pass). Every other page is held to 3× the floor.
LIMITS = {
    REPORT_PAGE: REPORT_LIMIT,
    "manager: report page, own municipality": REPORT_LIMIT,
    REPORT_PDF: PDF_LIMIT,
    "coach: agenda PDF": PDF_LIMIT,
    "coach: minutes PDF": PDF_LIMIT,
}


def pick_pages() -> list[tuple[str, Client, str, dict]]:
    """(label, client, path, query) for every page each role uses, on representative records."""
    today = timezone.localdate()
    busiest = (
        Participant.objects.filter(status=Participant.Status.ACTIVE)
        .annotate(entries=Count("journal"))
        .order_by("-entries", "pk")
        .first()
    )
    municipality = busiest.municipality
    coach = busiest.responsible_coach
    typical = (
        Participant.objects.filter(responsible_coach=coach, status=Participant.Status.ACTIVE)
        .exclude(pk=busiest.pk)
        .order_by("pk")
        .first()
    ) or busiest
    aftercare = Participant.objects.filter(municipality=municipality, status=Participant.Status.AFTERCARE).first()
    group = municipality.referral_group
    next_meeting = Meeting.objects.filter(referral_group=group, status=Meeting.Status.PUBLISHED).first()
    busy_meeting = (
        Meeting.objects.filter(referral_group=group, status=Meeting.Status.HELD)
        .annotate(n=Count("items"))
        .order_by("-n", "-starts_at")
        .first()
    )
    on_agenda = AgendaItem.objects.filter(meeting=next_meeting).select_related("referral").first().referral
    open_referral = Referral.objects.filter(municipality=municipality, status=Referral.Status.SUBMITTED).first()
    seat = ReferralGroupSeat.objects.get(referral_group=group, organisation__code="af")
    member = User.objects.filter(referral_group_seats__seat=seat).order_by("username").first()
    referrer_id = (
        Referral.objects.values("referrer").annotate(n=Count("id")).order_by("-n", "referrer").first()["referrer"]
    )
    referrer = User.objects.get(pk=referrer_id)
    own_referral = Referral.objects.filter(referrer=referrer).exclude(status=Referral.Status.DRAFT).first()
    manager = User.objects.get(username=f"bench.chef.{municipality.code}.0")
    escalated = Decision.objects.filter(status=Decision.Status.ESCALATED).select_related("item__meeting").first()
    if escalated is not None:
        manager = User.objects.get(username=f"bench.chef.{escalated.item.meeting.referral_group.municipality.code}.0")
    director = User.objects.get(username="bench.forbundschef.0")
    auditor = User.objects.get(username="bench.auditor")
    administrator = User.objects.get(username="bench.admin")
    busiest_person = busiest.person
    number = format_identity_number(busiest_person.identity_number)
    month_start = (today - timedelta(days=120)).replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    month = {"date_from": month_start.isoformat(), "date_to": month_end.isoformat()}
    half_year = {"kind": "H1", "year": str(today.year)}
    clients = {
        user.pk: signed_in(user) for user in (coach, member, referrer, manager, director, auditor, administrator)
    }
    c, g, r, m, d, a, adm = (
        clients[u.pk] for u in (coach, member, referrer, manager, director, auditor, administrator)
    )
    pages = [
        (FLOOR, c, "/konto/losenord/", {}),
        ("coach: start page", c, "/", {}),
        ("coach: participant list", c, "/deltagare/", {}),
        ("coach: participant, long journal", c, f"/deltagare/{busiest.pk}/", {}),
        ("coach: participant, typical", c, f"/deltagare/{typical.pk}/", {}),
        ("coach: participant's changes", c, f"/deltagare/{busiest.pk}/andringar/", {}),
        ("coach: new journal entry form", c, f"/deltagare/{busiest.pk}/anteckning/", {}),
        ("coach: to-do list", c, "/att-gora/", {}),
        ("coach: SUS list", c, "/sus/", {}),
        ("coach: SUS CSV", c, "/sus/csv/", {}),
        ("coach: transfers", c, "/overflyttningar/", {}),
        ("coach: referral list", c, "/remisser/", {}),
        ("coach: referral, submitted", c, f"/remisser/{open_referral.pk}/", {}),
        ("coach: meeting list", c, "/moten/", {}),
        ("coach: next meeting's agenda (add candidates)", c, f"/moten/{next_meeting.pk}/", {}),
        ("coach: held meeting, most items", c, f"/moten/{busy_meeting.pk}/", {}),
        ("coach: agenda PDF", c, f"/moten/{next_meeting.pk}/dagordning.pdf", {}),
        ("coach: minutes PDF", c, f"/moten/{busy_meeting.pk}/minnesanteckningar.pdf", {}),
        ("coach: search by name", c, "/sok/", {"q": busiest_person.last_name}),
        ("coach: search by personnummer", c, "/sok/", {"q": number}),
        ("coach: referral groups", c, "/remittentgrupper/", {}),
        ("coach: referral group", c, f"/remittentgrupper/{group.pk}/", {}),
        ("coach: calendar page", c, "/konto/kalender/", {}),
        ("coach: account", c, "/konto/", {}),
        ("member: start page", g, "/", {}),
        ("member: meeting list", g, "/moten/", {}),
        ("member: next meeting's agenda", g, f"/moten/{next_meeting.pk}/", {}),
        ("member: pre-read (referral on the agenda)", g, f"/remisser/{on_agenda.pk}/", {}),
        ("member: follow-up summary", g, "/uppfoljning/", {}),
        ("referrer: start page", r, "/", {}),
        ("referrer: referral list", r, "/remisser/", {}),
        ("referrer: own referral", r, f"/remisser/{own_referral.pk}/", {}),
        ("referrer: new referral form", r, "/remisser/ny/", {}),
        ("manager: start page", m, "/", {}),
        ("manager: participant list", m, "/deltagare/", {}),
        ("manager: escalations", m, "/eskaleringar/", {}),
        ("manager: meeting list", m, "/moten/", {}),
        ("manager: report page, own municipality", m, "/rapporter/", half_year),
        ("manager: certifications", m, "/intyganden/", {}),
        ("manager: survey answers", m, "/enkater/", {}),
        ("director: start page", d, "/", {}),
        (REPORT_PAGE, d, "/rapporter/", half_year),
        (REPORT_PDF, d, "/rapporter/pdf/", half_year),
        ("director: adopted reports", d, "/rapporter/faststallda/", {}),
        ("director: certifications", d, "/intyganden/", {}),
        ("auditor: start page", a, "/", {}),
        ("auditor: access log", a, "/atkomstlogg/", {}),
        ("auditor: access log, a month", a, "/atkomstlogg/", month),
        ("auditor: access log, a person", a, "/atkomstlogg/", {"person": number}),
        ("auditor: person trail", a, "/atkomstlogg/person/", {"person": number}),
        ("auditor: participant's changes", a, f"/deltagare/{busiest.pk}/andringar/", {}),
        ("auditor: purge runs", a, "/gallring/", {}),
        ("administrator: start page", adm, "/", {}),
        ("administrator: admin index", adm, "/admin/", {}),
        ("administrator: register extracts", adm, "/registerutdrag/", {}),
    ]
    if aftercare is not None:
        pages.insert(5, ("coach: participant in aftercare", c, f"/deltagare/{aftercare.pk}/", {}))
    if escalated is not None:
        pages.append(("manager: escalated question", m, f"/eskaleringar/{escalated.pk}/", {}))
    print(
        f"Records: participant {busiest.pk} ({busiest.journal.count()} journal entries), coach {coach.username}, "
        f"next meeting {next_meeting.pk} ({next_meeting.items.count()} items), held meeting {busy_meeting.pk} "
        f"({busy_meeting.items.count()} items), referrer {referrer.username}, member {member.username}"
    )
    return pages


class Timing(NamedTuple):
    seconds: float
    queries: int
    status: int
    sql_seconds: float
    render_seconds: float


class RenderClock:
    """The seconds a page spends rendering templates, for `measure --breakdown`: the outermost render
    of each template of Django's backend (a form's widgets render inside the page's template, and
    count once). A query the template makes itself counts as rendering and as SQL."""

    def __init__(self):
        self.seconds = 0.0
        self._depth = 0

    @contextmanager
    def installed(self):
        original = DjangoTemplate.render
        clock = self

        def render(template, context=None, request=None):
            clock._depth += 1
            started = time.perf_counter()
            try:
                return original(template, context, request)
            finally:
                clock._depth -= 1
                if clock._depth == 0:
                    clock.seconds += time.perf_counter() - started

        DjangoTemplate.render = render
        try:
            yield self
        finally:
            DjangoTemplate.render = original


class QueryClock:
    """The number of queries a request makes and the seconds they take, as the database driver sees
    them: an execute wrapper, as production runs them. Django's CaptureQueriesContext (the bench's
    clock until the eleventh pass) keeps each query's time rounded to the millisecond, so a page of
    fifteen queries of 0.3 ms showed no time in SQL, and it wraps every query in the debug cursor."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def request(client: Client, path: str, query: dict, clock: RenderClock | None = None) -> Timing:
    """One request as `client`'s user, timed, with its number of queries, its status, and the time
    its queries took (as the database driver saw them) and, with a clock, its templates took. It is
    made by a client of its own that shares `client`'s cookies: Django's test client leaves a
    finaliser behind for each request it makes, which lives as long as the client, and over a run of
    a few clients those piled up and set off full passes of the garbage collector (about 110 ms)
    inside whichever page came at that point of a round (bench/README.md, fourth pass)."""
    once = Client()
    once.cookies = client.cookies
    rendered_before = clock.seconds if clock else 0.0
    queries = QueryClock()
    with connection.execute_wrapper(queries):
        started = time.perf_counter()
        response = once.get(path, query, secure=True)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        seconds = time.perf_counter() - started
    return Timing(
        seconds=seconds,
        queries=queries.queries,
        status=response.status_code,
        sql_seconds=queries.seconds,
        render_seconds=(clock.seconds - rendered_before) if clock else 0.0,
    )


@override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=PLAIN_STATIC_FILES)
def measure(options) -> None:
    load_before = os.getloadavg()
    print(
        f"Database {connection.settings_dict['NAME']}: {Participant.objects.count()} participants; "
        f"{os.cpu_count()} CPU cores; DEBUG={settings.DEBUG}; load average {load_before[0]:.2f} "
        f"{load_before[1]:.2f} {load_before[2]:.2f}",
        flush=True,
    )
    pages = [page for page in pick_pages() if options.only in page[0] or page[0] == FLOOR]
    timings: dict[str, list[Timing]] = defaultdict(list)
    queries: dict[str, int] = {}
    statuses: dict[str, int] = {}
    clock = RenderClock() if options.breakdown else None
    with clock.installed() if clock else nullcontext():
        print("Warm-up …", flush=True)
        for label, client, path, query in pages:
            statuses[label] = request(client, path, query, clock).status
        for number in range(options.rounds):
            print(f"Round {number + 1} of {options.rounds} …", flush=True)
            # Each round in an order of its own (the same for every run): a full pass of the garbage
            # collector (about 100 ms for this process) lands on whichever page comes when the pages
            # before it have made enough garbage, so in one fixed order it landed on the same page
            # every round, and that page's median was the pause's (bench/README.md, fifth pass).
            for label, client, path, query in random.Random(number).sample(pages, len(pages)):
                timing = request(client, path, query, clock)
                statuses[label] = timing.status
                timings[label].append(timing)
                # The fewest of any round: the session is written at most once a minute, on whichever
                # page a client opens at the minute, and those three queries are the session's, not the page's.
                queries[label] = min(queries.get(label, timing.queries), timing.queries)
    load_after = os.getloadavg()

    def median_of(label: str, part: str = "seconds") -> float:
        return statistics.median(getattr(timing, part) for timing in timings[label])

    floor = median_of(FLOOR)
    rows = sorted(pages, key=lambda page: median_of(page[0]))
    print(f"\nLoad average at the start {load_before[0]:.2f}, at the end {load_after[0]:.2f} (1 min).")
    print(f"Floor: {floor * 1000:.1f} ms. Median of {options.rounds} interleaved rounds after a warm-up.\n")
    if clock:
        # Where each page's time goes: its queries as the driver saw them, its templates, and the rest
        # (middleware, the view's Python, building and compiling the queries).
        print("| page | median | × floor | queries | status | misses | SQL | templates | rest |")
        print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    else:
        print("| page | median | × floor | queries | status | misses |")
        print("|---|---:|---:|---:|---:|---|")
    missing = []
    for label, _client, path, _query in rows:
        median = median_of(label)
        ratio = median / floor
        misses = []
        if queries[label] > MAX_QUERIES:
            misses.append(f"> {MAX_QUERIES} queries")
        if label in LIMITS:
            if median > LIMITS[label]:
                misses.append(f"> {LIMITS[label]:.0f} s")
        elif ratio > MAX_TIMES_FLOOR:
            misses.append(f"> {MAX_TIMES_FLOOR}× floor")
        if statuses[label] != 200:
            misses.append(f"answered {statuses[label]}")
        if misses:
            missing.append(label)
        shown = f"{median * 1000:.0f} ms" if median < 10 else f"{median:.1f} s"
        row = f"| {label} (`{path}`) | {shown} | {ratio:.1f} | {queries[label]} | {statuses[label]} | "
        row += f"{', '.join(misses)} |"
        if clock:
            sql, templates = median_of(label, "sql_seconds"), median_of(label, "render_seconds")
            rest = median - sql - templates
            row += f" {sql * 1000:.0f} ms | {templates * 1000:.0f} ms | {rest * 1000:.0f} ms |"
        print(row)
    print(f"\n{len(missing)} of {len(rows) - 1} pages miss a target.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    filling = commands.add_parser("fill", help="Fill an empty, migrated database.")
    filling.add_argument("--participants", type=int, default=3000)
    filling.add_argument("--access-log-rows", type=int, default=0, help="Default: 20 per participant.")
    filling.add_argument("--seed", type=int, default=2026)
    filling.add_argument("--force", action="store_true", help="Fill even though the database holds participants.")
    measuring = commands.add_parser("measure", help="Time every page per role against the floor.")
    measuring.add_argument("--rounds", type=int, default=7)
    measuring.add_argument("--only", default="", help="Only pages whose label contains this text.")
    measuring.add_argument(
        "--breakdown", action="store_true", help="Also say how much of each page is SQL and how much templates."
    )
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        refuse("set DATABASE_URL to a PostgreSQL database; the benchmark does not run on SQLite.")
    if options.command == "fill":
        fill(options)
    else:
        measure(options)


if __name__ == "__main__":
    main()
