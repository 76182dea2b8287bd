"""The root URLconf: the start page, then each app's pages, then the admin."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("sehoglandet.urls")),
    path("", include("consent.urls")),
    path("", include("referrals.urls")),
    path("", include("participants.urls")),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
