"""The disruption register's routes."""

from django.urls import path

from macehub.disruption import views

app_name = "disruption"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.record_disruption, name="record"),
    path("effectiveness/", views.effectiveness, name="effectiveness"),
    path("tactics/", views.tactics, name="tactics"),
    path("tactics/new/", views.add_tactic, name="add_tactic"),
    path("<int:disruption_pk>/", views.disruption_detail, name="detail"),
    path("<int:disruption_pk>/status/", views.change_status, name="change_status"),
    path("<int:disruption_pk>/lead-officer/", views.change_lead_officer,
         name="change_lead_officer"),
    path("<int:disruption_pk>/breach/", views.record_breach, name="record_breach"),
]
