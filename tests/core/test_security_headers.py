"""Security headers on every kind of response, and pages that load nothing from elsewhere.

The Content-Security-Policy allows this origin only, so a page that pulled a script or style
from another host, or wrote one inline, would break in the browser. Nothing Django answers may be
kept in a browser's or a proxy's cache (pages, exports and documents carry personal data); static
files keep their long cache.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from consent import services as consent_services
from consent.models import Purpose, private_storage
from tests.factories import make_referral, org
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


def test_a_page_names_its_icon_so_that_no_browser_asks_for_a_favicon_that_is_not_there(client, client_for):
    """Without a named icon every browser asks for /favicon.ico, which answered with the 404 page
    (and a warning in the log) on the first page of every session."""
    for response in (client.get("/konto/logga-in/"), client_for("coach.nassjo").get("/")):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in response.content.decode()
    assert client.get("/static/favicon.svg").status_code == 200


def cache_directives(response) -> set[str]:
    return {directive.strip().split("=")[0] for directive in response.get("Cache-Control", "").split(",")}


# Pages that show personal data, and the login and error pages that do not, alike.
PAGES = list(
    dict.fromkeys(
        [
            *RESPONSES,
            ("coach.nassjo", "/deltagare/"),
            ("coach.nassjo", "/remisser/"),
            ("coach.nassjo", "/att-gora/"),
            ("coach.nassjo", "/sus/"),
            *((username, "/") for username in PERSONAS),
        ]
    )
)


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_no_page_may_be_kept_in_a_cache(response_for, people, username, url):
    assert {"no-store", "private"} <= cache_directives(response_for(username, url))


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("forbundschef", "/rapporter/pdf/?kind=H1&year=2026"),
        ("forbundschef", "/rapporter/xlsx/?kind=H1&year=2026"),
        ("forbundschef", "/rapporter/csv/?kind=H1&year=2026"),
        ("coach.nassjo", "/sus/csv/?month=2025-03"),
    ],
)
def test_no_export_may_be_kept_in_a_cache(response_for, people, username, url):
    response = response_for(username, url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert {"no-store", "private"} <= cache_directives(response)


def test_neither_a_referral_nor_its_signed_consent_form_may_be_kept_in_a_cache(
    client_for, people, tmp_path, monkeypatch
):
    monkeypatch.setattr(private_storage, "_wrapped", FileSystemStorage(location=tmp_path))
    referral = make_referral(people)
    today = timezone.localdate()
    consent = consent_services.record_consent(
        actor=people["coach.nassjo"],
        person=referral.person,
        organisations=[org("nassjo-se")],
        purposes=[Purpose.PARTICIPATION],
        given_on=today,
        method="written",
        valid_until=today + timedelta(days=30),
        document=ContentFile(b"%PDF-1.4\n%%EOF\n", name="blankett.pdf"),
    )
    client = client_for("coach.nassjo")

    page = client.get(reverse("referrals:referral_detail", args=[referral.pk]))
    form = client.get(reverse("consent:consent_document", args=[consent.pk]))

    assert (page.status_code, form.status_code) == (200, 200)
    assert {"no-store", "private"} <= cache_directives(page)
    assert {"no-store", "private"} <= cache_directives(form)
    form.close()


def test_static_files_keep_their_cache(client, people):
    # WhiteNoise's own header: max-age=0 under DEBUG, a year and `immutable` for the hashed files in production.
    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in cache_directives(response)
    assert {"public", "max-age"} <= cache_directives(response)
