from django.urls import path

from macehub.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("metrics/<slug:metric_code>/", views.metric_detail, name="metric"),
    path("metrics/<slug:metric_code>/records/", views.records, name="records"),
    path("reports/", views.report_list, name="reports"),
    path("reports/publish/", views.publish, name="publish"),
    path("reports/<int:report_pk>/", views.report_detail, name="report"),
    path("reports/<int:report_pk>/report.csv", views.report_csv, name="report_csv"),
    path("reports/<int:report_pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
