"""Disproportionality and data-quality pages (aggregates only), under ``/equality/``."""

from django.urls import URLPattern, path

from macehub.equality import views

app_name = "equality"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("completeness/", views.completeness, name="completeness"),
    path("published/", views.published, name="published"),
    path("published/export.csv", views.published_export, name="published_export"),
    path("published/report.pdf", views.published_pdf, name="published_pdf"),
]
