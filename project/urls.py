"""The root URLconf: the start page, then each app's pages, then the admin."""

from django.contrib import admin
from django.urls import include, path

from . import calendar_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("sok/", views.search, name="search"),
    path("personer/<int:pk>/registerutdrag.pdf", views.register_extract, name="register_extract"),
    path("registerutdrag/", views.register_extract_requests, name="register_extract_requests"),
    path("konto/kalender/", calendar_views.calendar_page, name="calendar_page"),
    path("konto/kalender/ny/", calendar_views.calendar_make, name="calendar_make"),
    path("konto/kalender/stang-av/", calendar_views.calendar_stop, name="calendar_stop"),
    path("kalender/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path("", include("sehoglandet.urls")),
    path("", include("consent.urls")),
    path("", include("referrals.urls")),
    path("", include("participants.urls")),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
