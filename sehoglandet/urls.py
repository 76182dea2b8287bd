"""The core's pages: health, remittentgrupper, the access log, the purge runs and the account pages
(the second factor too)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import access, views
from . import second_factor_views as second_factor
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm, ResetPasswordForm
from .middleware import second_factor_exempt

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
    path("konto/logga-ut/", second_factor_exempt(access.for_any_user(auth_views.LogoutView.as_view())), name="logout"),
    path("konto/", second_factor.account, name="account"),
    path("konto/forbli-inloggad/", views.session_keep_alive, name="session_keep_alive"),
    path("konto/tvastegsverifiering/kod/", second_factor.verify, name="second_factor_verify"),
    path("konto/tvastegsverifiering/lagg-till/", second_factor.enrol, name="second_factor_enrol"),
    path("konto/tvastegsverifiering/lagg-till/borja/", second_factor.enrol_start, name="second_factor_enrol_start"),
    path("konto/tvastegsverifiering/hoppa-over/", second_factor.skip, name="second_factor_skip"),
    path(
        "konto/tvastegsverifiering/reservkoder/",
        second_factor.recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path(
        "konto/tvastegsverifiering/nya-reservkoder/",
        second_factor.new_recovery_codes,
        name="second_factor_new_codes",
    ),
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
