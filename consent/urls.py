from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("personer/<int:pk>/samtycke/", views.consent_create, name="consent_create"),
    path("samtycken/<int:pk>/aterkalla/", views.consent_withdraw, name="consent_withdraw"),
    path("samtycken/<int:pk>/blankett/", views.consent_document, name="consent_document"),
]
