"""The core's pages: health, remittentgrupper, the access log, the purge runs and the account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import access, views
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm, ResetPasswordForm

urlpatterns = [
    path("health/", views.health, name="health"),
    path("remittentgrupper/", views.referral_group_list, name="referral_group_list"),
    path("remittentgrupper/<int:pk>/", views.referral_group_detail, name="referral_group_detail"),
    path("atkomstlogg/", views.access_log, name="access_log"),
    path("personer/<int:pk>/rattelse/", views.person_correct, name="person_correct"),
    path("gallring/", views.purge_runs, name="purge_runs"),
    path("atkomstlogg/person/", views.person_trail, name="person_trail"),
    path("atkomstlogg/person/csv/", views.person_trail_csv, name="person_trail_csv"),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("konto/logga-ut/", access.for_any_user(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "konto/losenord/",
        access.for_any_user(auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm)),
        name="password_change",
    ),
    path(
        "konto/losenord/klart/",
        access.for_any_user(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("konto/aterstall/", auth_views.PasswordResetView.as_view(form_class=ResetPasswordForm), name="password_reset"),
    path("konto/aterstall/skickat/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "konto/aterstall/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "konto/aterstall/klart/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
