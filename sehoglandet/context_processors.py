from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Role


def navigation(request):
    """The main menu: only what the signed-in user's roles may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", _("Start"), {"home"})]
    if access.has_role(user, Role.REFERRER, Role.COACH):
        items.append(
            ("referrals:referral_list", _("Referrals"), {"referral_list", "referral_detail", "referral_create"})
        )
    if access.has_role(user, Role.COACH):
        items.append(("participants:participant_list", _("Participants"), {"participant_list", "participant_detail"}))
        items.append(("participants:todo_list", _("To do"), {"todo_list"}))
        items.append(("participants:transfer_list", _("Transfers"), {"transfer_list", "transfer_start"}))
        items.append(("participants:sus_list", _("SUS"), {"sus_list"}))
    if access.has_role(user, Role.GROUP_MEMBER):
        items.append(("participants:followup_summary", _("Follow-up"), {"followup_summary"}))
    if access.has_role(user, Role.COACH, Role.MANAGER, Role.GROUP_MEMBER):
        items.append(("referrals:meeting_list", _("Meetings"), {"meeting_list", "meeting_detail"}))
    if access.has_role(user, Role.MANAGER):
        items.append(("referrals:escalation_list", _("Escalations"), {"escalation_list", "escalation_decide"}))
    if access.has_role(user, Role.COACH, Role.MANAGER, Role.GROUP_MEMBER):
        items.append(("referral_group_list", _("Referral groups"), {"referral_group_list", "referral_group_detail"}))
    if access.has_role(user, Role.COACH, Role.MANAGER):
        items.append(("reporting:survey_list", _("Survey"), {"survey_list", "survey_add"}))
    if access.has_role(user, Role.MANAGER, Role.DIRECTOR):
        items.append(("reporting:report_page", _("Reports"), {"report_page"}))
        items.append(("reporting:certification_list", _("Certification"), {"certification_list", "certification_add"}))
    if access.may_view_access_log(user):
        items.append(("access_log", _("Access log"), {"access_log"}))
    if access.may_use_admin(user):
        items.append(("admin:index", _("Administration"), set()))
    current = getattr(request.resolver_match, "url_name", None)
    return {
        "nav_items": [
            {"url": reverse(name), "label": label, "current": current in pages} for name, label, pages in items
        ]
    }
