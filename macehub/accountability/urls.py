"""The accountability app's pages, under ``/accountability/``."""

from django.urls import path

from macehub.accountability import views

app_name = "accountability"

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:inspection_pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:inspection_pk>/recommendations/new/", views.recommendation_new,
         name="recommendation_new"),
    path("inspections/<int:inspection_pk>/import/", views.recommendation_import,
         name="recommendation_import"),
    path("inspections/<int:inspection_pk>/statements/", views.inspection_statements,
         name="inspection_statements"),
    path("recommendations/<int:recommendation_pk>/", views.recommendation_detail,
         name="recommendation"),
    path("recommendations/<int:recommendation_pk>/status/", views.recommendation_status,
         name="recommendation_status"),
    path("recommendations/<int:recommendation_pk>/assess/", views.recommendation_assess,
         name="recommendation_assess"),
    path("recommendations/<int:recommendation_pk>/actions/new/", views.action_new,
         name="action_new"),
    path("recommendations/<int:recommendation_pk>/measures/", views.measure_link,
         name="measure_link"),
    path("recommendations/<int:recommendation_pk>/measures/remove/", views.measure_unlink,
         name="measure_unlink"),
    path("actions/", views.my_actions, name="my_actions"),
    path("actions/<int:improvement_action_pk>/", views.action_update, name="action_update"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/<int:statement_pk>/", views.statement_detail, name="statement"),
    path("statements/<int:statement_pk>/pdf/", views.statement_pdf, name="statement_pdf"),
]
