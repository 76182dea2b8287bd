"""Who may open which page: every persona against every app page, and what each of them sees.

Nässjö's people are the insiders of Nässjö's remittentgrupp; Eksjö's coach, manager and FK member
are outsiders who hold the right role but no grant on it, so the group does not exist for them.
"""

from html.parser import HTMLParser

import pytest

from sehoglandet.models import AccessLog, ReferralGroup, ReferralGroupMember
from tests.helpers import (
    COACHES,
    GROUP_MEMBERS,
    MANAGERS,
    NASSJO_GROUP,
    OUTSIDERS,
    PERSONAS,
    every_row,
    outcomes_by_persona,
    status_and_changed_tables,
)

NASSJO_GROUP_PAGE = "/remittentgrupper/<nassjo>/"

EXPECTED = {
    "/": dict.fromkeys(PERSONAS, 200),
    "/remittentgrupper/": {p: 200 if p in [*NASSJO_GROUP, *OUTSIDERS] else 403 for p in PERSONAS},
    NASSJO_GROUP_PAGE: {p: 200 if p in NASSJO_GROUP else 404 if p in OUTSIDERS else 403 for p in PERSONAS},
    "/atkomstlogg/": {p: 200 if p == "auditor" else 403 for p in PERSONAS},
    "/registerutdrag/": {p: 200 if p == "admin" else 403 for p in PERSONAS},
    "/gallring/": {p: 200 if p == "auditor" else 403 for p in PERSONAS},
    # Found by personnummer in the query string, never by an internal id: no outsider to ask.
    "/atkomstlogg/person/": {p: 200 if p == "auditor" else 403 for p in PERSONAS},
    "/admin/": {p: 200 if p == "admin" else 403 for p in PERSONAS},
    "/konto/losenord/": dict.fromkeys(PERSONAS, 200),
    "/remisser/": {p: 200 if p in {"referrer.af", "coach.nassjo", "coach.eksjo"} else 403 for p in PERSONAS},
    "/deltagare/": {p: 200 if p in [*COACHES, *MANAGERS] else 403 for p in PERSONAS},
    # The search box, in the header of the coaches' and managers' pages.
    "/sok/": {p: 200 if p in [*COACHES, *MANAGERS] else 403 for p in PERSONAS},
    "/att-gora/": {p: 200 if p in COACHES else 403 for p in PERSONAS},
    "/overflyttningar/": {p: 200 if p in COACHES else 403 for p in PERSONAS},
    "/sus/": {p: 200 if p in COACHES else 403 for p in PERSONAS},
    "/uppfoljning/": {p: 200 if p in GROUP_MEMBERS else 403 for p in PERSONAS},
    "/enkater/": {p: 200 if p in [*COACHES, *MANAGERS] else 403 for p in PERSONAS},
    "/enkater/ny/": {p: 200 if p in [*COACHES, *MANAGERS] else 403 for p in PERSONAS},
    "/intyganden/": {p: 200 if p in [*MANAGERS, "forbundschef"] else 403 for p in PERSONAS},
    "/intyganden/ny/": {p: 200 if p in MANAGERS else 403 for p in PERSONAS},
    "/rapporter/": {p: 200 if p in [*MANAGERS, "forbundschef"] else 403 for p in PERSONAS},
    "/moten/": {p: 200 if p in [*NASSJO_GROUP, *OUTSIDERS] else 403 for p in PERSONAS},
    "/eskaleringar/": {p: 200 if p in MANAGERS else 403 for p in PERSONAS},
}
# Pages the main menu may link to, besides the start page.
MENU_PAGES = [
    "/remisser/",
    "/deltagare/",
    "/att-gora/",
    "/overflyttningar/",
    "/sus/",
    "/uppfoljning/",
    "/enkater/",
    "/rapporter/",
    "/intyganden/",
    "/moten/",
    "/eskaleringar/",
    "/remittentgrupper/",
    "/atkomstlogg/",
    "/registerutdrag/",
    "/gallring/",
    "/admin/",
]


def nassjo_group() -> ReferralGroup:
    return ReferralGroup.objects.get(municipality__code="nassjo")


def url_of(page: str) -> str:
    return f"/remittentgrupper/{nassjo_group().pk}/" if page == NASSJO_GROUP_PAGE else page


class _MenuLinks(HTMLParser):
    """The links of the main menu, in its <details> fold (a phone's) or in its row (a wide screen's)."""

    def __init__(self, *, folded: bool):
        super().__init__()
        self.folded = folded
        self.depth = 0
        self.in_fold = 0
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "main-nav" in (attrs.get("class") or "").split():
            self.depth = 1
        elif tag == "nav" and self.depth:
            self.depth += 1
        elif tag == "details" and self.depth:
            self.in_fold += 1
        elif tag == "a" and self.depth and bool(self.in_fold) == self.folded:
            self.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1
        elif tag == "details" and self.in_fold:
            self.in_fold -= 1


def menu_links(response, *, folded: bool = False) -> list[str]:
    parser = _MenuLinks(folded=folded)
    parser.feed(response.content.decode())
    return parser.links


@pytest.mark.parametrize("page", EXPECTED)
def test_each_role_gets_exactly_the_pages_it_may_use_and_opening_one_changes_no_row(client_for, page):
    """Opening a page changes no row, for those refused too. The auditor's look at the access log adds
    its access-log row, which the test of opening the access log below checks row by row."""
    open_page = status_and_changed_tables(lambda client: client.get(url_of(page)))

    outcomes = outcomes_by_persona(client_for, PERSONAS, open_page)

    # The auditor's look at the access log adds its row; an outsider's refused look at a record, too.
    logged = {"auditor": ["sehoglandet.AccessLog"]} if page == "/atkomstlogg/" else {}
    logged |= {username: ["sehoglandet.AccessLog"] for username, status in EXPECTED[page].items() if status == 404}
    assert outcomes == {username: (status, logged.get(username, [])) for username, status in EXPECTED[page].items()}


def test_it_never_reveals_the_group_to_someone_it_does_not_reach(client_for):
    group = nassjo_group()
    names = [m.user.get_full_name() for m in ReferralGroupMember.objects.filter(seat__referral_group=group)]
    unreached = [*OUTSIDERS, "referrer.af", "auditor", "admin", "nobody"]

    def shown(client):
        body = client.get(url_of(NASSJO_GROUP_PAGE)).content.decode()
        return [name for name in names if name in body], group.municipality.name in body

    outcomes = outcomes_by_persona(client_for, unreached, shown)

    assert len(names) == 4
    assert outcomes == dict.fromkeys(unreached, ([], False))


def test_a_member_sees_who_sits_in_the_group(client_for):
    group = nassjo_group()
    names = [m.user.get_full_name() for m in ReferralGroupMember.objects.filter(seat__referral_group=group)]

    body = client_for("fk.nassjo").get(url_of(NASSJO_GROUP_PAGE)).content.decode()

    assert names
    assert [name for name in names if name not in body] == []


def test_a_referral_group_that_does_not_exist_gives_a_coach_404(client_for):
    missing = ReferralGroup.objects.order_by("-pk").first().pk + 1000

    response = client_for("coach.nassjo").get(f"/remittentgrupper/{missing}/")

    assert response.status_code == 404


def test_the_menu_links_only_the_pages_the_role_may_use(client_for):
    def both_renderings(client):
        response = client.get("/")
        return sorted(menu_links(response)), sorted(menu_links(response, folded=True))

    links = outcomes_by_persona(client_for, PERSONAS, both_renderings)

    # The phone's fold and the wide screen's row hold the same links.
    assert links == {
        username: (expected, expected)
        for username in PERSONAS
        for expected in [sorted(["/", *[page for page in MENU_PAGES if EXPECTED[page][username] == 200]])]
    }


def test_opening_the_access_log_adds_one_access_log_row_and_changes_nothing_else(client_for, people):
    client = client_for("auditor")
    before = every_row()

    client.get("/atkomstlogg/")

    after = every_row()
    log_before, log_after = before.pop(AccessLog._meta.label), after.pop(AccessLog._meta.label)
    assert after == before
    assert log_after[: len(log_before)] == log_before
    new_entries = log_after[len(log_before) :]
    assert [(e["user_id"], e["action"]) for e in new_entries] == [(people["auditor"].pk, AccessLog.Action.LIST)]
