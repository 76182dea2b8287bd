"""The admin as its administrator sees it: no page answers with a server error (issue 16, point 1).

The crawl starts at /admin/ as the demo administrator (`admin`, staff with the administrator role)
and follows every link into the admin it is shown: app indexes, change lists with their filters and
sorting, change and add forms, delete confirmations, history lists and the history of one version,
the password page. At most MAX_PAGES_PER_SHAPE pages of one shape of address (its path with the
numbers left out, and whether it has a query), so it stays fast: a link that matches a pattern with a
word where the pattern's other links have an id (`history/password/`) is a shape of its own.
"""

import logging
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from simple_history.admin import SimpleHistoryAdmin

from sehoglandet.admin import HistoryAdmin
from sehoglandet.models import Organisation
from tests.helpers import changed_tables, every_row
from tests.second_factor import sign_in_verified

MAX_PAGES_PER_SHAPE = 3
# Far more than the crawl needs (some 175 pages, ten seconds); a bound in case links multiply.
MAX_PAGES = 400


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def admin_view_name(base: str, href: str) -> tuple[str, str] | None:
    """(the site-relative address, its admin URL name) of a link into the admin, or None."""
    url, _fragment = urldefrag(urljoin(f"http://testserver{base}", href))
    parts = urlsplit(url)
    if parts.netloc != "testserver" or not parts.path.startswith("/admin/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        # Not a page of the admin: the crawl reports it as a broken link.
        return (parts.path, "")
    if match.url_name == "logout":
        return None
    address = f"{parts.path}?{parts.query}" if parts.query else parts.path
    return address, match.view_name


def shape(address: str) -> tuple[str, bool]:
    """The address without its numbers: the path, and whether it has a query (a filter, an order)."""
    parts = urlsplit(address)
    return re.sub(r"\d+", "#", parts.path), bool(parts.query)


def crawl_admin(client: Client) -> dict[str, tuple[int, str]]:
    """{address: (status, the page that links to it)} of every admin page reached from /admin/."""
    start = reverse("admin:index")
    queue = [(start, "admin:index", "")]
    seen = {start}
    per_shape: dict[tuple, int] = {}
    answers = {}
    while queue and len(answers) < MAX_PAGES:
        address, name, linked_from = queue.pop(0)
        response = client.get(address)
        answers[address] = (response.status_code, linked_from, name)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        parser = LinkParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            found = admin_view_name(address, href)
            if found is None or found[0] in seen:
                continue
            target, target_name = found
            seen.add(target)
            kind = shape(target)
            if per_shape.get(kind, 0) >= MAX_PAGES_PER_SHAPE:
                continue
            per_shape[kind] = per_shape.get(kind, 0) + 1
            queue.append((target, target_name, address))
    return answers


@pytest.fixture
def quiet_errors():
    """The crawl reports 500s itself; the request logger need not print each one."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def administrator(people) -> Client:
    client = Client(raise_request_exception=False)
    return sign_in_verified(client, people["admin"])


def history_admins() -> list[str]:
    return sorted(
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin)
    )


def test_every_admin_with_history_uses_the_projects_history_admin():
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin) and not isinstance(model_admin, HistoryAdmin)
    ]

    assert plain == []


@pytest.mark.parametrize("label", history_admins())
@pytest.mark.parametrize("version", ["password", "abc", "1.0", str(2**64)])
def test_a_version_that_is_no_history_id_is_not_found(administrator, quiet_errors, label, version):
    app_label, model_name = label.split(".")
    model = next(model for model in admin.site._registry if model._meta.label_lower == label)
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {label} to ask about"

    response = administrator.get(f"/admin/{app_label}/{model_name}/{obj.pk}/history/{version}/")

    assert response.status_code == 404


@pytest.mark.parametrize("label", history_admins())
@pytest.mark.parametrize("object_id", ["password", str(2**64)])
def test_the_history_of_an_id_no_record_has_is_not_found(administrator, quiet_errors, label, object_id):
    app_label, model_name = label.split(".")

    responses = [
        administrator.get(f"/admin/{app_label}/{model_name}/{object_id}/history/"),
        administrator.get(f"/admin/{app_label}/{model_name}/{object_id}/history/1/"),
    ]

    assert [response.status_code for response in responses] == [404, 404]


def test_a_users_past_version_links_to_the_users_real_password_page(administrator, people):
    user = people["coach.nassjo"]
    version = User.history.filter(id=user.pk).latest("history_date")
    password_page = reverse("admin:auth_user_password_change", args=[user.pk])

    page = administrator.get(f"/admin/auth/user/{user.pk}/history/{version.history_id}/").content.decode()

    assert f'href="{password_page}"' in page
    assert 'href="../password/"' not in page


def test_no_admin_page_the_administrator_reaches_by_links_is_a_server_error_or_a_broken_link(
    administrator, quiet_errors
):
    answers = crawl_admin(administrator)
    reached = {name for _status, _from, name in answers.values()}
    failures = [
        f"{address} answered {status} (linked from {linked_from})"
        for address, (status, linked_from, _name) in answers.items()
        if status >= 500 or status == 404
    ]

    assert not failures, "\n".join(failures)
    assert len(answers) < MAX_PAGES
    # The crawl reached the kinds of page it is about.
    assert {
        "admin:auth_user_changelist",
        "admin:auth_user_change",
        "admin:auth_user_history",
        "admin:auth_user_simple_history",
        "admin:auth_user_password_change",
        "admin:sehoglandet_membership_add",
        "admin:sehoglandet_municipality_simple_history",
    } <= reached, sorted(reached)


def test_reverting_reference_data_to_a_past_version_is_refused_and_changes_nothing(administrator):
    organisation = Organisation.objects.order_by("pk").first()
    version = organisation.history.earliest("history_date")
    Organisation.objects.filter(pk=organisation.pk).update(short_name="Nytt namn")
    before = every_row(access_log=False)

    response = administrator.post(
        f"/admin/sehoglandet/organisation/{organisation.pk}/history/{version.history_id}/",
        {
            **{name: getattr(version, name) for name in ["code", "name", "short_name", "kind"]},
            "association": version.association_id,
            "municipality": version.municipality_id or "",
            "_save": "Revert",
        },
    )

    assert (response.status_code, changed_tables(before, every_row(access_log=False))) == (403, [])


@pytest.mark.parametrize("page", ["membership", "referralgroupmember"])
def test_an_autocompleted_user_no_database_integer_holds_is_refused_not_a_500(administrator, quiet_errors, page):
    before = every_row(access_log=False)

    response = administrator.post(f"/admin/sehoglandet/{page}/add/", {"user": str(2**64), "_save": "Save"})

    assert (response.status_code, changed_tables(before, every_row(access_log=False))) == (200, [])
