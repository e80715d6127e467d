"""Information governance's addresses. The namespace stays ``audit`` (``audit:log``,
``audit:verify``, under /audit/) as it was before these pages left the audit app, so
links, navigation and tests did not change; the register of sharing agreements joins
them under the same prefix and namespace."""

from django.urls import path

from macehub.governance import sharing_views, views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("verify/", views.verify, name="verify"),
    path("sharing-agreements/", sharing_views.agreements, name="agreements"),
    path("sharing-agreements/new/", sharing_views.agreement_new, name="agreement_new"),
    path("sharing-agreements/<int:agreement_pk>/", sharing_views.agreement_detail,
         name="agreement"),
    path("sharing-agreements/<int:agreement_pk>/change/", sharing_views.agreement_change,
         name="agreement_change"),
]
