"""The main menu, built from the roles the views declare: a link shows when the user holds one of
the roles its page declares (access.require_roles), so one place says who may open a page."""

from functools import cache

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from sehoglandet import access, second_factor

# (URL name, label, the URL names of the pages that mark the item as the current one)
MENU = [
    ("home", _("Start"), {"home"}),
    ("referrals:referral_list", _("Referrals"), {"referral_list", "referral_detail", "referral_create"}),
    ("participants:participant_list", _("Participants"), {"participant_list", "participant_detail"}),
    ("participants:todo_list", _("To do"), {"todo_list"}),
    ("participants:transfer_list", _("Transfers"), {"transfer_list", "transfer_start"}),
    ("participants:sus_list", _("SUS"), {"sus_list"}),
    ("participants:followup_summary", _("Follow-up"), {"followup_summary"}),
    ("referrals:meeting_list", _("Meetings"), {"meeting_list", "meeting_detail"}),
    ("referrals:escalation_list", _("Escalations"), {"escalation_list", "escalation_decide"}),
    ("referral_group_list", _("Referral groups"), {"referral_group_list", "referral_group_detail"}),
    ("reporting:survey_list", _("Survey"), {"survey_list", "survey_add"}),
    ("reporting:report_page", _("Reports"), {"report_page"}),
    ("reporting:certification_list", _("Certification"), {"certification_list", "certification_add"}),
    ("access_log", _("Access log"), {"access_log", "person_trail"}),
    ("register_extract_requests", _("Register extracts"), {"register_extract_requests", "person_correct"}),
    ("purge_runs", _("Retention purge"), {"purge_runs"}),
    ("admin:index", _("Administration"), set()),
]


@cache
def _page(name: str) -> tuple[str, frozenset[str]]:
    """The page's address and the roles its view declares (read once per process)."""
    url = reverse(name)
    return url, access.declared_roles(resolve(url).func) or frozenset()


def navigation(request):
    """The main menu: only what the signed-in user's roles may open, and nothing before the second
    factor is passed (every page but its steps would send them back there)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if not second_factor.is_done(request):
        return {"nav_items": [], "second_factor_pending": True}
    roles = access.roles_of(user)
    current = getattr(request.resolver_match, "url_name", None)
    items = []
    for name, label, pages in MENU:
        url, allowed = _page(name)
        if name == "home" or roles & allowed:
            items.append({"url": url, "label": label, "current": current in pages})
    search_url, search_roles = _page("search")
    context = {"nav_items": items}
    if roles & search_roles:
        context["search_url"] = search_url
        context["search_query"] = request.GET.get("q", "")[:100] if current == "search" else ""
    return context
