"""A small team on the zero-set-up SQLite default: parallel users, and how many requests fail.

    .venv/bin/python bench/sqlite_team.py [--clients 4] [--seconds 30]

Builds a fresh SQLite database in a temporary directory (migrate, the Höglandet reference data, the
demo data), serves it with `manage.py runserver` on 127.0.0.1 as `make run` does, and lets each
client sign in as a demo user and open that user's everyday pages in a loop. Every page view writes
(the session is renewed on every request, pages with personal data write an access-log row), so the
clients write at the same time, which is what made SQLite answer "database is locked" before WAL,
the busy timeout and IMMEDIATE transactions (issue 10). Prints the requests, the statuses, the
server errors and the latencies. Only ever talks to 127.0.0.1. See bench/README.md.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-2026"
# Who works at the same time, and the pages each opens in turn.
USERS = {
    "coach.nassjo": ["/", "/deltagare/", "/remisser/", "/att-gora/", "/sus/", "/moten/"],
    "chef.nassjo": ["/", "/eskaleringar/", "/intyganden/"],
    "coach.eksjo": ["/", "/deltagare/", "/remisser/", "/overflyttningar/"],
    "referrer.af": ["/", "/remisser/"],
    "fk.nassjo": ["/", "/moten/"],
    "forbundschef": ["/", "/rapporter/"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


class Visitor:
    """One signed-in browser: cookies, and the CSRF token for the login form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path}))

    def _open(self, request) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, username: str) -> None:
        _status, page = self.get("/konto/logga-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _page = self.post(
            "/konto/logga-in/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        if status != 200:
            raise SystemExit(f"{username} could not sign in ({status})")


def first_participant(visitor: Visitor) -> str | None:
    """The address of the first participant on the user's caseload, if they have one."""
    _status, page = visitor.get("/deltagare/")
    found = re.search(rb'href="(/deltagare/\d+/)"', page)
    return found.group(1).decode() if found else None


def write_note(visitor: Visitor, participant: str) -> tuple[int, bytes]:
    """A journal note, as a coach writes one after a meeting (a read and a write in one transaction)."""
    _status, page = visitor.get(participant)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    return visitor.post(
        participant + "anteckning/",
        {
            "csrfmiddlewaretoken": token,
            "date": time.strftime("%Y-%m-%d"),
            "kind": "meeting",
            "text": "Träffades på arbetsplatsen; allt går bra.",
        },
    )


def run_client(base: str, username: str, pages: list[str], until: float, results: list, lock: threading.Lock):
    visitor = Visitor(base)
    visitor.sign_in(username)
    participant = first_participant(visitor) if username.startswith("coach.") else None
    mine = []
    while time.monotonic() < until:
        for path in pages:
            start = time.monotonic()
            status, body = visitor.get(path)
            mine.append((status, time.monotonic() - start, b"database is locked" in body))
        if participant:
            start = time.monotonic()
            status, body = write_note(visitor, participant)
            mine.append((status, time.monotonic() - start, b"database is locked" in body))
    with lock:
        results.extend(mine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4, help=f"parallel users (at most {len(USERS)})")
    parser.add_argument("--seconds", type=int, default=30, help="how long they work")
    options = parser.parse_args()
    if not 1 <= options.clients <= len(USERS):
        parser.error(f"--clients must be between 1 and {len(USERS)}")

    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{Path(directory) / 'team.sqlite3'}",
            "ENV_FILE": str(Path(directory) / "none.env"),
        }
        print("Building the demo database …", flush=True)
        for command in (["migrate", "--noinput"], ["load_reference_data"], ["demo_data"]):
            manage(env, *command, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/health/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            results: list = []
            lock = threading.Lock()
            until = time.monotonic() + options.seconds
            chosen = list(USERS.items())[: options.clients]
            threads = [
                threading.Thread(target=run_client, args=(base, user, pages, until, results, lock))
                for user, pages in chosen
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=10)

    statuses = Counter(status for status, _seconds, _locked in results)
    times = sorted(seconds for _status, seconds, _locked in results)
    print(f"{options.clients} users for {options.seconds} s: {', '.join(user for user, _ in chosen)}")
    print(f"requests: {len(results)}  statuses: {dict(sorted(statuses.items()))}")
    print(f"server errors (5xx): {sum(n for status, n in statuses.items() if status >= 500)}")
    print(f"'database is locked': {sum(1 for *_rest, locked in results if locked)}")
    print(
        f"latency: median {statistics.median(times) * 1000:.0f} ms, "
        f"95th percentile {times[int(len(times) * 0.95)] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
