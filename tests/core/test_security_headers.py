"""Security headers on every kind of response, and pages that load nothing from elsewhere.

The Content-Security-Policy allows this origin only, so a page that pulled a script or style
from another host, or wrote one inline, would break in the browser.
"""

from html.parser import HTMLParser

import pytest

from tests.helpers import PERSONAS

# (who asks, what) for the kinds of response a user meets: None is a visitor who is not signed in.
RESPONSES = [
    (None, "/konto/logga-in/"),
    (None, "/health/"),
    (None, "/remittentgrupper/"),
    ("coach.nassjo", "/"),
    ("coach.nassjo", "/remittentgrupper/"),
    ("coach.nassjo", "/atkomstlogg/"),
    ("coach.nassjo", "/remittentgrupper/999999/"),
    ("coach.nassjo", "/finns-inte/"),
    ("auditor", "/atkomstlogg/"),
    ("admin", "/admin/"),
]


@pytest.fixture
def response_for(client, client_for):
    def get(username, url):
        return (client_for(username) if username else client).get(url)

    return get


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize(("username", "url"), RESPONSES)
def test_every_response_carries_the_security_headers(response_for, people, username, url):
    response = response_for(username, url)

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("username", "url"), RESPONSES)
def test_the_content_security_policy_allows_only_this_origin(response_for, people, username, url):
    header = response_for(username, url)["Content-Security-Policy"]

    assert csp_directives(header)["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header


class _Resources(HTMLParser):
    """The scripts and linked files a page loads, and anything it writes inline."""

    def __init__(self):
        super().__init__()
        self.loaded = []
        self.inline = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.loaded.append(attrs["src"])
            else:
                self._in_script = True
        elif tag == "link" and attrs.get("href"):
            self.loaded.append(attrs["href"])
        elif tag == "style":
            self.inline.append("<style>")
        self.inline += [f"<{tag} {name}>" for name in attrs if name == "style" or name.startswith("on")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(f"<script>{data.strip()[:40]}")


def resources_of(response) -> _Resources:
    parser = _Resources()
    parser.feed(response.content.decode())
    return parser


def pages_to_check():
    return [(None, "/konto/logga-in/")] + [(username, "/") for username in PERSONAS]


@pytest.mark.parametrize(("username", "url"), pages_to_check())
def test_a_page_loads_scripts_and_styles_from_this_sites_static_files_only(response_for, people, username, url):
    resources = resources_of(response_for(username, url))

    assert resources.loaded
    assert [src for src in resources.loaded if not src.startswith("/static/")] == []


@pytest.mark.parametrize(("username", "url"), pages_to_check())
def test_a_page_writes_no_inline_script_or_style_the_policy_would_block(response_for, people, username, url):
    assert resources_of(response_for(username, url)).inline == []


def test_the_static_files_the_pages_load_are_served(client, client_for):
    loaded = (
        resources_of(client.get("/konto/logga-in/")).loaded + resources_of(client_for("coach.nassjo").get("/")).loaded
    )

    statuses = {src: client.get(src).status_code for src in loaded}

    assert statuses == dict.fromkeys(loaded, 200)
