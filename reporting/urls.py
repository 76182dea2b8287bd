from django.urls import path

from .views import adoption, report, survey

app_name = "reporting"

urlpatterns = [
    # The statistics for a period and their exports (reporting/views/report.py).
    path("rapporter/", report.report_page, name="report_page"),
    path("rapporter/pdf/", report.report_pdf, name="report_pdf"),
    path("rapporter/xlsx/", report.report_xlsx, name="report_xlsx"),
    path("rapporter/csv/", report.report_csv, name="report_csv"),
    # Adopted reports: adopting a period, the list and the archived PDFs (reporting/views/adoption.py).
    path("rapporter/faststall/<str:period_code>/", adoption.adopt_confirm, name="report_adopt_confirm"),
    path("rapporter/faststall/<str:period_code>/spara/", adoption.adopt, name="report_adopt"),
    path("rapporter/faststallda/", adoption.adopted_list, name="adopted_list"),
    path("rapporter/faststallda/<int:pk>/<str:scope>.pdf", adoption.adopted_pdf, name="adopted_pdf"),
    # The indicator survey's paper answers and the managers' certification (reporting/views/survey.py).
    path("enkater/", survey.survey_list, name="survey_list"),
    path("enkater/ny/", survey.survey_add, name="survey_add"),
    path("intyganden/", survey.certification_list, name="certification_list"),
    path("intyganden/ny/", survey.certification_add, name="certification_add"),
]
