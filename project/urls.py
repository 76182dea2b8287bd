"""The root URLconf: the start page, then each app's pages, then the admin."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sok/", views.search, name="search"),
    path("personer/<int:pk>/registerutdrag.pdf", views.register_extract, name="register_extract"),
    path("registerutdrag/", views.register_extract_requests, name="register_extract_requests"),
    path("", include("sehoglandet.urls")),
    path("", include("consent.urls")),
    path("", include("referrals.urls")),
    path("", include("participants.urls")),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
