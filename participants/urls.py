from django.urls import path

from . import views

app_name = "participants"

urlpatterns = [
    path("deltagare/", views.participant_list, name="participant_list"),
    path("deltagare/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("deltagare/<int:pk>/anteckning/", views.journal_entry_add, name="journal_entry_add"),
    path("deltagare/<int:pk>/steg/", views.step_change, name="step_change"),
    path("deltagare/<int:pk>/anstallning/", views.employment_add, name="employment_add"),
    path("deltagare/<int:pk>/efterstod/forlang/", views.aftercare_extend, name="aftercare_extend"),
    path("efterstod/<int:pk>/", views.aftercare_visit_mark, name="aftercare_visit_mark"),
]
