"""Information governance's addresses. The namespace stays ``audit`` (``audit:log``,
``audit:verify``, under /audit/) as it was before these pages left the audit app, so
links, navigation and tests did not change; the register of sharing agreements joins
them under the same prefix and namespace."""

from django.urls import path

from macehub.governance import (
    requested_job_views,
    retention_views,
    sharing_views,
    subject_access_views,
    views,
)

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("verify/", views.verify, name="verify"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/requested/<int:requested_job_pk>/", requested_job_views.requested_job,
         name="requested_job"),
    path("jobs/requested/<int:requested_job_pk>/file/", requested_job_views.requested_job_file,
         name="requested_job_file"),
    path("retention/", retention_views.queue, name="retention"),
    path("retention/rules/", retention_views.rules, name="retention_rules"),
    path("retention/holds/", retention_views.holds, name="retention_holds"),
    path("retention/holds/<int:hold_pk>/release/", retention_views.release_hold,
         name="retention_release_hold"),
    path("retention/disposals/<int:disposal_pk>/", retention_views.disposal,
         name="retention_disposal"),
    path("retention/<str:record_kind>/<int:record_pk>/", retention_views.review,
         name="retention_review"),
    path("sharing-agreements/", sharing_views.agreements, name="agreements"),
    path("sharing-agreements/new/", sharing_views.agreement_new, name="agreement_new"),
    path("sharing-agreements/<int:agreement_pk>/", sharing_views.agreement_detail,
         name="agreement"),
    path("sharing-agreements/<int:agreement_pk>/change/", sharing_views.agreement_change,
         name="agreement_change"),
    path("subject-access/", subject_access_views.register, name="subject_access"),
    path("subject-access/new/", subject_access_views.new, name="subject_access_new"),
    path("subject-access/<int:sar_pk>/", subject_access_views.detail,
         name="subject_access_request"),
    path("subject-access/<int:sar_pk>/progress/", subject_access_views.progress,
         name="subject_access_progress"),
    path("subject-access/<int:sar_pk>/gather/", subject_access_views.gather,
         name="subject_access_gather"),
    path("subject-access/<int:sar_pk>/items/<int:item_pk>/", subject_access_views.item,
         name="subject_access_item"),
    path("subject-access/<int:sar_pk>/produce/", subject_access_views.produce,
         name="subject_access_produce"),
    path("subject-access/<int:sar_pk>/bundle/", subject_access_views.bundle,
         name="subject_access_bundle"),
]
