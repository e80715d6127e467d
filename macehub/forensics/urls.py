"""The digital forensics pages' routes."""

from django.urls import path

from macehub.forensics import views

app_name = "forensics"

urlpatterns = [
    path("", views.exhibit_queue, name="queue"),
    path("investigations/<int:investigation_pk>/exhibits/new/", views.record_device,
         name="record_device"),
    path("exhibits/<int:exhibit_pk>/", views.exhibit_detail, name="detail"),
    path("exhibits/<int:exhibit_pk>/triage/", views.record_triage, name="record_triage"),
    path("exhibits/<int:exhibit_pk>/full-examination/", views.record_full_examination,
         name="record_full_examination"),
    path("exhibits/<int:exhibit_pk>/after-examination/", views.after_examination,
         name="after_examination"),
]
