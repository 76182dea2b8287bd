from django.urls import path

from .views import consultations, escalations, meetings, referrals

app_name = "referrals"

urlpatterns = [
    path("remisser/", referrals.referral_list, name="referral_list"),
    path("remisser/ny/", referrals.referral_create, name="referral_create"),
    path("remisser/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path("remisser/<int:pk>/andra/", referrals.referral_edit, name="referral_edit"),
    path("remisser/<int:pk>/skicka/", referrals.referral_submit, name="referral_submit"),
    path("remisser/<int:pk>/aterkalla/", referrals.referral_withdraw, name="referral_withdraw"),
    path("remisser/<int:pk>/individbeslut/", referrals.agency_decision_add, name="agency_decision_add"),
    path("remisser/<int:pk>/formote/", referrals.pre_meeting_book, name="pre_meeting_book"),
    path("remisser/<int:pk>/formote/nu/", referrals.pre_meeting_hold, name="pre_meeting_hold"),
    path("formoten/<int:pk>/", referrals.pre_meeting_record, name="pre_meeting_record"),
    path("remisser/<int:pk>/dagordning/", meetings.agenda_add, name="agenda_add"),
    path("moten/", meetings.meeting_list, name="meeting_list"),
    path("moten/planera/", meetings.meeting_plan_year, name="meeting_plan_year"),
    path("moten/extra/", meetings.meeting_add_extra, name="meeting_add_extra"),
    path("moten/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("moten/<int:pk>/publicera/", meetings.meeting_publish, name="meeting_publish"),
    path("moten/<int:pk>/publicera/bekrafta/", meetings.meeting_publish_confirm, name="meeting_publish_confirm"),
    path("moten/<int:pk>/narvaro/", meetings.meeting_attendance, name="meeting_attendance"),
    path("moten/<int:pk>/avsluta/", meetings.meeting_close, name="meeting_close"),
    path("moten/<int:pk>/avsluta/bekrafta/", meetings.meeting_close_confirm, name="meeting_close_confirm"),
    path("moten/<int:pk>/dagordning.pdf", meetings.meeting_agenda, name="meeting_agenda"),
    path("moten/<int:pk>/minnesanteckningar.pdf", meetings.meeting_minutes, name="meeting_minutes"),
    path("punkter/<int:pk>/svar/", meetings.item_respond, name="item_respond"),
    path("punkter/<int:pk>/beslut/", meetings.item_decide, name="item_decide"),
    path("moten/<int:pk>/konsultationer/ny/", consultations.consultation_raise, name="consultation_raise"),
    path("konsultationer/<int:pk>/besvara/", consultations.consultation_answer, name="consultation_answer"),
    path("konsultationer/<int:pk>/aterkalla/", consultations.consultation_withdraw, name="consultation_withdraw"),
    path("eskaleringar/", escalations.escalation_list, name="escalation_list"),
    path("eskaleringar/<int:pk>/", escalations.escalation_decide, name="escalation_decide"),
]
