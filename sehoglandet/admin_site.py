"""The Django admin, for administrators of reference data and user accounts only.

It has no login page of its own: LoginRequiredMiddleware sends visitors to the app's login page,
which django-axes guards. The admin opens only to staff users who hold the administrator role;
any other signed-in user gets 403.
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext_lazy as _

from . import access


class SEAdminSite(admin.AdminSite):
    site_header = _("SE-Höglandet administration")
    site_title = _("SE-Höglandet administration")
    index_title = _("Reference data and users")

    def has_permission(self, request) -> bool:
        return access.may_use_admin(request.user)

    def get_urls(self):
        """Send visitors to the app's login (not the admin's) and declare the admin's own login view."""
        patterns = super().get_urls()
        _use_app_login(patterns)
        for index, pattern in enumerate(patterns):
            if isinstance(pattern, URLPattern) and pattern.name == "login":
                patterns[index] = URLPattern(pattern.pattern, self.admin_view(self.login), name="login")
        return patterns

    def login(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("admin:index", current_app=self.name))

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if not self.has_permission(request):
                raise PermissionDenied
            return wrapped(request, *args, **kwargs)

        guarded = update_wrapper(guarded, wrapped)
        guarded.allowed_roles = frozenset({access.Role.ADMINISTRATOR})
        return guarded


def _use_app_login(patterns) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _use_app_login(pattern.url_patterns)
        elif hasattr(pattern.callback, "login_url"):
            pattern.callback.login_url = settings.LOGIN_URL
