from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Role


def navigation(request):
    """The main menu: only what the signed-in user's roles may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", reverse("home"), _("Start"))]
    if access.has_role(user, Role.COACH, Role.MANAGER, Role.GROUP_MEMBER):
        items.append(("referral_groups", reverse("referral_group_list"), _("Referral groups")))
    if access.may_view_access_log(user):
        items.append(("access_log", reverse("access_log"), _("Access log")))
    if access.may_use_admin(user):
        items.append(("admin", reverse("admin:index"), _("Administration")))
    current = getattr(request.resolver_match, "url_name", None)
    return {
        "nav_items": [
            {"key": key, "url": url, "label": label, "current": key == current or (key == "referral_groups" and current == "referral_group_detail")}
            for key, url, label in items
        ]
    }
