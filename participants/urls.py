from django.urls import path

from .views import caseload

app_name = "participants"

urlpatterns = [
    path("deltagare/", caseload.participant_list, name="participant_list"),
    path("deltagare/<int:pk>/", caseload.participant_detail, name="participant_detail"),
    path("deltagare/<int:pk>/anteckning/", caseload.journal_entry_add, name="journal_entry_add"),
    path("deltagare/<int:pk>/steg/", caseload.step_change, name="step_change"),
    path("deltagare/<int:pk>/anstallning/", caseload.employment_add, name="employment_add"),
    path("deltagare/<int:pk>/efterstod/forlang/", caseload.aftercare_extend, name="aftercare_extend"),
    path("efterstod/<int:pk>/", caseload.aftercare_visit_mark, name="aftercare_visit_mark"),
]
