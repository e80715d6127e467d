"""Intelligence pages (include at ``intelligence/``)."""

from django.urls import path

from macehub.intelligence import views

app_name = "intelligence"

urlpatterns = [
    # Reports, the review queue and the export
    path("", views.report_list, name="report_list"),
    path("new/", views.record, name="record"),
    path("review/", views.review_queue, name="review_queue"),
    path("export/", views.export, name="export"),
    path("reports/<int:intel_report_pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:intel_report_pk>/review/", views.review, name="review"),
    path("reports/<int:intel_report_pk>/links/new/", views.add_link, name="add_link"),
    path("reports/<int:intel_report_pk>/links/<int:intel_link_pk>/remove/", views.remove_link,
         name="remove_link"),
    path("reports/<int:intel_report_pk>/share/", views.disseminate, name="disseminate"),
    # Information from any partner
    path("submit/", views.submit, name="submit"),
    path("submissions/", views.my_submissions, name="my_submissions"),
    path("submissions/<int:intel_submission_pk>/", views.submission_detail,
         name="submission_detail"),
    # The one search box, and each entity's own page
    path("search/", views.search, name="search"),
    path("locations/<int:intel_location_pk>/", views.location_detail, name="location_detail"),
    path("vehicles/<int:intel_vehicle_pk>/", views.vehicle_detail, name="vehicle_detail"),
    path("phones/<int:intel_phone_pk>/", views.phone_detail, name="phone_detail"),
    path("accounts/<int:intel_account_pk>/", views.account_detail, name="account_detail"),
    path("premises/<int:intel_premises_pk>/", views.premises_detail, name="premises_detail"),
]
