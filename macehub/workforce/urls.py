"""The workforce app's pages, under ``/workforce/``."""

from django.urls import URLPattern, path

from macehub.workforce import views

app_name = "workforce"

urlpatterns: list[URLPattern] = [
    path("", views.establishment, name="establishment"),
    path("establishment/record/", views.record_month, name="record_month"),
    path("establishment/import/", views.import_months, name="import_months"),
    path("weighting/", views.weighting, name="weighting"),
    path("caseloads/", views.caseload_list, name="caseloads"),
    path("report/", views.resourcing_report, name="report"),
    path("report/pdf/", views.report_pdf, name="report_pdf"),
    path("report/csv/", views.report_csv, name="report_csv"),
]
