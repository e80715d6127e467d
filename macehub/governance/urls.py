"""Information governance's addresses. The namespace stays ``audit`` (``audit:log``,
``audit:verify``, under /audit/) as it was before these pages left the audit app, so
links, navigation and tests did not change."""

from django.urls import path

from macehub.governance import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("verify/", views.verify, name="verify"),
    path("jobs/", views.jobs, name="jobs"),
]
