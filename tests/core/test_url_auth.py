"""Deny by default: every URL in the URLconf is closed to visitors unless it is on a short list.

After cisagov/manage.get.gov's test_url_auth.py. The tests walk the whole URLconf, the admin
included, so a new view that forgets to declare who may use it fails here, by name. Two more walks
check the HTTP methods: a GET to an action that only takes POST, and a POST to a page that only
takes GET, are refused with 405 and change nothing.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from sehoglandet.access import declared_roles
from sehoglandet.demo import DEMO_USERS
from sehoglandet.models import Role
from tests.helpers import changed_tables, every_row, signed_in

# The only pages a visitor who is not signed in may open, by qualified URL name. Keep it short.
OPEN_TO_VISITORS = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "health",
    # The calendar feed: a calendar app cannot sign in; the secret address is the key (project/calendar.py).
    "calendar_feed",
}
# Open pages that need a secret in their address: a sample one answers 404 (tests/project/test_calendar.py).
OPEN_WITH_A_SECRET = {"calendar_feed"}

# The views of the app that take POST only (a GET gets 405), by qualified URL name.
POST_ONLY = {
    "referrals:referral_submit",
    "referrals:agenda_add",
    "referrals:meeting_publish",
    "referrals:meeting_attendance",
    "referrals:meeting_close",
    "referrals:item_respond",
    "referrals:consultation_withdraw",
    "participants:aftercare_extend",
    "participants:aftercare_visit_mark",
    "participants:employment_end",
    "participants:exit_complete",
    "participants:transfer_move",
    "participants:transfer_accept",
    "participants:transfer_cancel",
    "participants:sus_mark",
    "participants:sus_mark_many",
    "reporting:report_adopt",
}

# The pages of the app that take GET only (a POST gets 405), by qualified URL name.
GET_ONLY = {
    "home",
    "search",
    "calendar_feed",
    "register_extract",
    "health",
    "referral_group_list",
    "referral_group_detail",
    "access_log",
    "purge_runs",
    "person_trail",
    "person_trail_csv",
    "referrals:referral_list",
    "referrals:referral_detail",
    "consent:consent_document",
    "referrals:meeting_list",
    "referrals:meeting_detail",
    "referrals:meeting_minutes",
    "referrals:meeting_agenda",
    "referrals:escalation_list",
    "referrals:meeting_publish_confirm",
    "referrals:meeting_close_confirm",
    "participants:participant_list",
    "participants:participant_detail",
    "participants:participant_changes",
    "participants:transfer_list",
    "participants:transfer_accept_confirm",
    "participants:transfer_cancel_confirm",
    "participants:todo_list",
    "participants:sus_list",
    "participants:sus_csv",
    "participants:followup_summary",
    "reporting:report_page",
    "reporting:report_pdf",
    "reporting:report_xlsx",
    "reporting:report_csv",
    "reporting:report_adopt_confirm",
    "reporting:adopted_list",
    "reporting:adopted_pdf",
    "reporting:survey_list",
    "reporting:certification_list",
}

# The account pages (sign in and out, passwords) are Django's own; the admin is walked above.
ACCOUNT_PAGES = "/konto/"

# Sample values for path converters: by parameter name first, then by converter type.
SAMPLE_BY_NAME = {"uidb64": "MQ", "token": "set-password"}
SAMPLE_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>[^()]*)\)")


class Endpoint:
    """One URL pattern of the URLconf, with a concrete URL that resolves to it."""

    def __init__(self, chain: list, pattern: URLPattern):
        self.pattern = pattern
        namespaces = [r.namespace for r in chain if r.namespace]
        self.name = ":".join([*namespaces, pattern.name]) if pattern.name else None
        self.route = "".join(str(p.pattern) for p in [*chain, pattern])
        self.url = "/" + "".join(_sample_piece(p.pattern) for p in [*chain, pattern])

    @property
    def callback(self):
        return self.pattern.callback

    def __repr__(self) -> str:
        return f"{self.url} ({self.name or 'unnamed pattern ' + self.route})"


def _sample_piece(pattern) -> str:
    if isinstance(pattern, RoutePattern):

        def sample(match: re.Match) -> str:
            name, converter = match["name"], match["converter"] or "str"
            if name in SAMPLE_BY_NAME:
                return SAMPLE_BY_NAME[name]
            if converter not in SAMPLE_BY_CONVERTER:
                raise AssertionError(f"No sample value for converter {converter!r} in route {pattern}")
            return SAMPLE_BY_CONVERTER[converter]

        return ROUTE_PARAMETER.sub(sample, str(pattern))
    if isinstance(pattern, RegexPattern):

        def sample(match: re.Match) -> str:
            body = match["body"]
            if match["name"] in SAMPLE_BY_NAME:
                return SAMPLE_BY_NAME[match["name"]]
            candidates = [*body.split("|"), "1", "x"] if "|" in body else ["1", "x"]
            for candidate in candidates:
                if re.fullmatch(body, candidate):
                    return candidate
            raise AssertionError(f"No sample value for group ({body}) in regex {pattern}")

        return REGEX_GROUP.sub(sample, str(pattern)).removeprefix("^").removesuffix("$")
    raise AssertionError(f"Unknown pattern type {type(pattern).__name__}: {pattern}")


def _walk(resolver: URLResolver, chain: list):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, [*chain, entry])
        else:
            yield Endpoint(chain, entry)


def all_endpoints() -> list[Endpoint]:
    """Every pattern in the URLconf, each with a URL checked to resolve back to that pattern."""
    endpoints = list(_walk(get_resolver(), []))
    for endpoint in endpoints:
        try:
            match = resolve(endpoint.url)
        except Resolver404:
            raise AssertionError(f"The sample URL {endpoint} resolves to nothing; teach _sample_piece") from None
        assert match.func is endpoint.callback, f"The sample URL {endpoint} resolves to {match.view_name}, not itself"
    return endpoints


def declares_open_to_visitors(callback) -> bool:
    """True for views marked with Django's login_not_required."""
    candidates = (callback, getattr(getattr(callback, "view_class", None), "dispatch", None))
    return any(getattr(candidate, "login_required", True) is False for candidate in candidates)


def _redirects_to_login(response, url: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == resolve_url(settings.LOGIN_URL) and parse_qs(location.query).get("next") == [url]


def _describe(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def test_the_walk_reaches_the_app_the_accounts_and_the_admin():
    names = {endpoint.name for endpoint in all_endpoints()}

    assert {"home", "referral_group_detail", "access_log", "logout", "admin:index", "admin:auth_user_change"} <= names
    assert names >= OPEN_TO_VISITORS


@pytest.mark.django_db
def test_it_sends_an_anonymous_visitor_to_the_login_page_from_every_url_but_the_open_ones(client):
    broken = []
    for endpoint in all_endpoints():
        if endpoint.name in OPEN_TO_VISITORS:
            continue
        response = client.get(endpoint.url)
        if not _redirects_to_login(response, endpoint.url):
            broken.append(f"{endpoint}: {_describe(response)}")

    login = resolve_url(settings.LOGIN_URL)
    assert not broken, f"These URLs do not redirect a visitor to {login}?next=<the URL>:\n" + "\n".join(broken)


@pytest.mark.django_db
def test_it_lets_an_anonymous_visitor_open_the_login_and_password_reset_pages(client):
    open_pages = [e for e in all_endpoints() if e.name in OPEN_TO_VISITORS - {"health"} - OPEN_WITH_A_SECRET]

    answers = {endpoint.name: client.get(endpoint.url).status_code for endpoint in open_pages}

    assert answers == dict.fromkeys(OPEN_TO_VISITORS - {"health"} - OPEN_WITH_A_SECRET, 200)


@pytest.mark.django_db
def test_the_health_check_answers_ok_and_nothing_else_without_signing_in(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_every_view_declares_who_may_use_it():
    undeclared = [
        repr(endpoint)
        for endpoint in all_endpoints()
        if declared_roles(endpoint.callback) is None and not declares_open_to_visitors(endpoint.callback)
    ]

    assert not undeclared, (
        "These views declare neither allowed roles (access.require_roles / access.for_any_user) "
        "nor login_not_required:\n" + "\n".join(undeclared)
    )


def test_only_the_listed_pages_declare_themselves_open_to_visitors():
    declared_open = {endpoint.name for endpoint in all_endpoints() if declares_open_to_visitors(endpoint.callback)}

    assert declared_open == OPEN_TO_VISITORS


def test_every_admin_view_is_declared_for_administrators_only():
    admin_views = [e for e in all_endpoints() if e.url.startswith(reverse("admin:index"))]

    roles = {repr(e): declared_roles(e.callback) for e in admin_views}

    assert len(admin_views) > 10
    assert roles == dict.fromkeys(roles, frozenset({Role.ADMINISTRATOR}))


@pytest.mark.parametrize("username", ["nobody", "auditor", "coach.nassjo"])
def test_every_admin_url_refuses_a_signed_in_user_who_is_not_an_administrator(client_for, username):
    client = client_for(username)
    admin_views = [e for e in all_endpoints() if e.url.startswith(reverse("admin:index"))]

    let_through = []
    for endpoint in admin_views:
        response = client.get(endpoint.url, follow=True)
        if response.status_code != 403:
            let_through.append(f"{endpoint}: {response.status_code} after {response.redirect_chain}")

    assert len(admin_views) > 10
    assert let_through == []


def app_endpoints() -> list[Endpoint]:
    """Every endpoint of the app itself: neither the admin nor the account pages."""
    return [e for e in all_endpoints() if not e.url.startswith((reverse("admin:index"), ACCOUNT_PAGES))]


def persona_for(callback) -> str | None:
    """A demo user holding one of the roles the view declares; None for a view open to visitors."""
    roles = declared_roles(callback)
    if roles is None:
        return None
    return next(username for username, _first, _last, _organisation, role, _seat in DEMO_USERS if role in roles)


def refused_with_405(client, client_for, method: str) -> tuple[set[str], dict[str, list[str]]]:
    """Send `method` (no data) to every app endpoint as a user it lets in, each request in a
    transaction rolled back afterwards: the names answered with 405, and for those the tables the
    request changed. Object ids are samples: the method check comes before any record is read."""
    refused, changed = set(), {}
    for endpoint in app_endpoints():
        username = persona_for(endpoint.callback)
        if username:
            signed_in(client_for, username)
        else:
            client.cookies.clear()
        with transaction.atomic():
            before = every_row()
            response = getattr(client, method)(endpoint.url)
            if response.status_code == 405:
                refused.add(endpoint.name)
                changed[endpoint.name] = changed_tables(before, every_row())
            transaction.set_rollback(True)
    return refused, changed


@pytest.mark.django_db
def test_a_get_to_an_action_that_takes_only_post_gets_405_and_changes_no_row(client, client_for):
    refused, changed = refused_with_405(client, client_for, "get")

    assert refused == POST_ONLY, "A GET got 405 from exactly these views; keep POST_ONLY in step with the views"
    assert {name: tables for name, tables in changed.items() if tables} == {}


@pytest.mark.django_db
def test_a_post_to_a_page_that_takes_only_get_gets_405_and_changes_no_row(client, client_for):
    refused, changed = refused_with_405(client, client_for, "post")

    assert refused == GET_ONLY, "A POST got 405 from exactly these pages; keep GET_ONLY in step with the views"
    assert {name: tables for name, tables in changed.items() if tables} == {}
