"""Mixed journeys against gunicorn on 127.0.0.1 (issue 15), on a database filled by bench/national.py.

    locust -f bench/locustfile.py --headless -u 100 -r 10 -t 3m --host http://127.0.0.1:8000 --csv …

Each simulated user signs in once, in on_start, as a bench user (password, then a code from the
authenticator app that bench/national.py gave every bench user, computed here from the same key),
and only the journeys after that are measured (the statistics are cleared once every simulated
user has signed in; then each user starts after a pause like those between its journeys):

- a coach opens the to-do list and the participant list, opens a participant and writes a journal
  entry (a POST with the CSRF token);
- a member of a remittentgrupp opens the meetings, the next meeting's agenda and a pre-read (a
  referral on that agenda);
- a manager ("chef") opens the start page, the participant list, the escalations and the meetings;
- the förbundschef opens the start page and the half-year report for all municipalities.

Simulated users of one role take the bench users of that role in turn; when there are more simulated
users than bench users, they share the bench user's session (one person, two tabs), because a code
from the app is accepted only once. See bench/README.md for the server's command.
"""

import hashlib
import hmac
import itertools
import random
import re
import struct
import time
from datetime import date

import gevent.event
import gevent.lock
import requests
from locust import HttpUser, between, task

PASSWORD = "bench-national-2026"
TOTP_KEY = bytes.fromhex("3132333435363738393031323334353637383930")
MUNICIPALITIES = ["aneby", "eksjo", "nassjo", "savsjo", "tranas", "vetlanda"]
SEAT_ORGANISATIONS = ["af", "fk", "region-psykiatri", "bistand"]
PARTICIPANT = re.compile(r'href="/deltagare/(\d+)/"')
MEETING = re.compile(r'href="/moten/(\d+)/"')
REFERRAL = re.compile(r'href="/remisser/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Seconds a person spends on a page before the next click of the same journey.
READING = (2, 6)


def totp(key: bytes, step: int) -> str:
    """RFC 6238 with django-otp's TOTPDevice defaults: SHA-1, 30-second steps from 0, six digits."""
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def usernames(role: str):
    """The bench users of a role, in the order simulated users take them."""
    if role == "coach":
        for number in itertools.count():
            for municipality in MUNICIPALITIES:
                yield f"bench.coach.{municipality}.{number}"
    elif role == "member":
        while True:
            for number, municipality, organisation in itertools.product(range(2), MUNICIPALITIES, SEAT_ORGANISATIONS):
                code = f"{municipality}-bistand" if organisation == "bistand" else organisation
                yield f"bench.member.{municipality}.{code}.{number}"
    elif role == "chef":
        while True:
            for number, municipality in itertools.product(range(2), MUNICIPALITIES):
                yield f"bench.chef.{municipality}.{number}"
    else:
        yield from itertools.cycle(f"bench.forbundschef.{number}" for number in range(3))


NEXT_USERNAME = {role: usernames(role) for role in ("coach", "member", "chef", "director")}
# The session cookie of each bench user signed in so far, and a lock so one signs in at a time.
SESSIONS: dict[str, dict] = {}
LOCKS: dict[str, gevent.lock.Semaphore] = {}
# The journeys start, and locust's statistics are cleared, once every simulated user has signed in.
SIGNED_IN = {"count": 0}
ALL_SIGNED_IN = gevent.event.Event()


class BenchUser(HttpUser):
    """A person at work: they read a page for READING seconds before the next click, and pause
    between journeys for `wait_time`. At 100 users that asks the server for about 18 requests a
    second (bench/README.md#load-locust-against-gunicorn)."""

    abstract = True
    role = ""
    wait_time = between(5, 15)

    def read(self):
        gevent.sleep(random.uniform(*READING))

    def on_start(self):
        self.username = next(NEXT_USERNAME[self.role])
        lock = LOCKS.setdefault(self.username, gevent.lock.Semaphore())
        try:
            with lock:
                if self.username not in SESSIONS:
                    SESSIONS[self.username] = self.sign_in()
            for name, value in SESSIONS[self.username].items():
                self.client.cookies.set(name, value)
        finally:
            # A user whose sign-in failed stops, but counts, so that the others do not wait for it.
            SIGNED_IN["count"] += 1
            if SIGNED_IN["count"] >= self.environment.runner.target_user_count:
                self.environment.stats.reset_all()
                ALL_SIGNED_IN.set()
        ALL_SIGNED_IN.wait()
        # Each begins after a pause like the one between journeys, as people at work do: released
        # together, the hundred first clicks would land in the same second and queue behind each other.
        gevent.sleep(self.wait_time())

    def csrf(self, session: requests.Session, path: str) -> str:
        response = session.get(self.host + path)
        match = CSRF.search(response.text)
        if match is None:
            raise RuntimeError(f"no CSRF token on {path} ({response.status_code})")
        return match.group(1)

    def sign_in(self) -> dict:
        """Sign in with a session of its own, outside locust's statistics; return its cookies."""
        session = requests.Session()
        token = self.csrf(session, "/konto/logga-in/")
        response = session.post(
            self.host + "/konto/logga-in/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if "tvastegsverifiering" not in response.url:
            raise RuntimeError(f"{self.username}: the password was refused ({response.status_code} {response.url})")
        # The device accepts the codes of the step before and after its own, each once. The next
        # step's code stays good for 30 to 90 seconds, however long the request waits in the queue
        # of a busy server; a refused one (already used, or too late) is tried again a little later.
        for attempt in range(3):
            token = self.csrf(session, "/konto/tvastegsverifiering/kod/")
            response = session.post(
                self.host + "/konto/tvastegsverifiering/kod/",
                {"code": totp(TOTP_KEY, int(time.time()) // 30 + 1), "csrfmiddlewaretoken": token},
            )
            if "tvastegsverifiering" not in response.url:
                return session.cookies.get_dict()
            time.sleep(5 * (attempt + 1))
        raise RuntimeError(f"{self.username}: the code was refused")

    def links(self, response, pattern) -> list[str]:
        return pattern.findall(response.text) if response.status_code == 200 else []


class Coach(BenchUser):
    role = "coach"
    weight = 6

    @task
    def work_on_a_participant(self):
        self.client.get("/att-gora/", name="coach: to-do list")
        self.read()
        caseload = self.links(self.client.get("/deltagare/", name="coach: participant list"), PARTICIPANT)
        if not caseload:
            return
        pk = random.choice(caseload)
        self.read()
        page = self.client.get(f"/deltagare/{pk}/", name="coach: participant")
        if page.status_code != 200:
            return
        self.read()
        form = self.client.get(f"/deltagare/{pk}/anteckning/", name="coach: journal entry form")
        match = CSRF.search(form.text)
        if match is None:
            return
        self.read()
        self.client.post(
            f"/deltagare/{pk}/anteckning/",
            {
                "date": date.today().isoformat(),
                "kind": "phone",
                "text": "Ringde deltagaren om veckans arbetsprövning.",
                "csrfmiddlewaretoken": match.group(1),
            },
            name="coach: write a journal entry (POST)",
        )


class Member(BenchUser):
    role = "member"
    weight = 2

    @task
    def prepare_the_meeting(self):
        meetings = self.links(self.client.get("/moten/", name="member: meeting list"), MEETING)
        if not meetings:
            return
        self.read()
        agenda = self.client.get(f"/moten/{meetings[0]}/", name="member: next meeting's agenda")
        referrals = self.links(agenda, REFERRAL)
        if referrals:
            self.read()
            self.client.get(f"/remisser/{random.choice(referrals)}/", name="member: pre-read (referral)")


class Chef(BenchUser):
    role = "chef"
    weight = 1

    @task
    def look_over_the_team(self):
        self.client.get("/", name="chef: start page")
        self.read()
        self.client.get("/deltagare/", name="chef: participant list")
        self.read()
        self.client.get("/eskaleringar/", name="chef: escalations")
        self.read()
        self.client.get("/moten/", name="chef: meeting list")


class Director(BenchUser):
    role = "director"
    weight = 1
    wait_time = between(10, 30)

    @task
    def read_the_report(self):
        self.client.get("/", name="director: start page")
        self.read()
        self.client.get(
            "/rapporter/", params={"kind": "H1", "year": str(date.today().year)}, name="director: report page"
        )
