"""The investigation pages' routes."""

from django.urls import path

from macehub.investigations import journey_views, views

app_name = "investigations"

urlpatterns = [
    path("", views.investigation_list, name="list"),
    path("new/", views.investigation_create, name="create"),
    path("reviews/", views.reviews_due, name="reviews_due"),
    path("released/", views.releases_expiring, name="releases_expiring"),
    path("<int:investigation_pk>/", views.investigation_detail, name="detail"),
    path("<int:investigation_pk>/allocate/", views.allocate, name="allocate"),
    path("<int:investigation_pk>/crimes/new/", views.add_crime, name="add_crime"),
    path("<int:investigation_pk>/people/new/", views.add_person, name="add_person"),
    path("<int:investigation_pk>/enquiries/new/", views.add_enquiry, name="add_enquiry"),
    path("<int:investigation_pk>/enquiries/<int:enquiry_pk>/", views.finish_enquiry,
         name="finish_enquiry"),
    path("<int:investigation_pk>/reviews/ask/", views.ask_review, name="ask_review"),
    path("<int:investigation_pk>/reviews/<int:review_pk>/", views.sign_review,
         name="sign_review"),
    path("<int:investigation_pk>/charge/", views.send_for_charge, name="send_for_charge"),
    path("<int:investigation_pk>/charge/decision/", views.record_charging_decision,
         name="record_charging_decision"),
    path("<int:investigation_pk>/outcome/", views.record_outcome, name="record_outcome"),
    path("<int:investigation_pk>/released/new/", views.record_release, name="record_release"),
    path("<int:investigation_pk>/released/<int:release_pk>/end/", views.end_release,
         name="end_release"),
    path("victims/<int:victim_pk>/", journey_views.victim_journey, name="victim_journey"),
    path("victims/<int:victim_pk>/rights/new/", journey_views.record_entitlement,
         name="record_entitlement"),
    path("victims/<int:victim_pk>/needs/", journey_views.record_needs, name="record_needs"),
    path("victims/<int:victim_pk>/steps/<str:step_kind>/new/", journey_views.record_step,
         name="record_step"),
    path("victims/<int:victim_pk>/withdrawal/", journey_views.record_withdrawal,
         name="record_withdrawal"),
    path("victims/<int:victim_pk>/notes/new/", journey_views.write_note,
         name="write_advocate_note"),
]
