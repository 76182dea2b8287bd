from django.urls import path

from .views import caseload, followup, transfers

app_name = "participants"

urlpatterns = [
    # The participant page and what the coach records on it (participants/views/caseload.py).
    path("deltagare/", caseload.participant_list, name="participant_list"),
    path("deltagare/<int:pk>/", caseload.participant_detail, name="participant_detail"),
    path("deltagare/<int:pk>/anteckning/", caseload.journal_entry_add, name="journal_entry_add"),
    path("deltagare/<int:pk>/steg/", caseload.step_change, name="step_change"),
    path("deltagare/<int:pk>/anstallning/", caseload.employment_add, name="employment_add"),
    path("deltagare/<int:pk>/efterstod/forlang/", caseload.aftercare_extend, name="aftercare_extend"),
    path("efterstod/<int:pk>/", caseload.aftercare_visit_mark, name="aftercare_visit_mark"),
    path("anstallning/<int:pk>/avsluta/", caseload.employment_end, name="employment_end"),
    path("deltagare/<int:pk>/starta/", caseload.support_start, name="support_start"),
    path("deltagare/<int:pk>/ansvarig/", caseload.coach_assign, name="coach_assign"),
    path("deltagare/<int:pk>/forsorjning/", caseload.income_add, name="income_add"),
    path("deltagare/<int:pk>/forsorjning/inskrivning/", caseload.income_before_correct, name="income_before_correct"),
    path("deltagare/<int:pk>/andringar/", caseload.participant_changes, name="participant_changes"),
    path("deltagare/<int:pk>/avslut/", caseload.participant_exit, name="participant_exit"),
    path("deltagare/<int:pk>/avslut/komplettera/", caseload.exit_complete, name="exit_complete"),
    # Transfers between municipalities (participants/views/transfers.py).
    path("deltagare/<int:pk>/flytt/", transfers.transfer_start, name="transfer_start"),
    path("overflyttningar/", transfers.transfer_list, name="transfer_list"),
    path("overflyttningar/<int:pk>/mote/", transfers.transfer_meeting, name="transfer_meeting"),
    path("overflyttningar/<int:pk>/flytta/", transfers.transfer_move, name="transfer_move"),
    path("overflyttningar/<int:pk>/acceptera/", transfers.transfer_accept, name="transfer_accept"),
    path(
        "overflyttningar/<int:pk>/acceptera/bekrafta/",
        transfers.transfer_accept_confirm,
        name="transfer_accept_confirm",
    ),
    path("overflyttningar/<int:pk>/avbryt/", transfers.transfer_cancel, name="transfer_cancel"),
    path(
        "overflyttningar/<int:pk>/avbryt/bekrafta/",
        transfers.transfer_cancel_confirm,
        name="transfer_cancel_confirm",
    ),
    # Follow-up: the to-do list, SUS and the referral group's summary (participants/views/followup.py).
    path("att-gora/", followup.todo_list, name="todo_list"),
    path("sus/", followup.sus_list, name="sus_list"),
    path("sus/csv/", followup.sus_csv, name="sus_csv"),
    path("sus/registrerade/", followup.sus_mark_many, name="sus_mark_many"),
    path("deltagare/<int:pk>/sus/", followup.sus_mark, name="sus_mark"),
    path("uppfoljning/", followup.followup_summary, name="followup_summary"),
]
