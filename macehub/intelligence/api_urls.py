"""Intelligence endpoints of the REST API. ``macehub/api_urls.py`` adds them to its
``urlpatterns`` (under the ``api`` namespace) with ``*intelligence_api_urlpatterns``."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from macehub.intelligence.api import (
    EntitySearchApi,
    ReportDetailApi,
    ReportListApi,
    SubmissionListApi,
)


def _api_view(view_class: Any) -> Any:
    # As macehub.api_urls.api_view: DRF answers 401 itself, so the login redirect is off.
    return login_not_required(view_class.as_view())


intelligence_api_urlpatterns = [
    path("intelligence/reports/", _api_view(ReportListApi), name="intelligence_report_list"),
    path("intelligence/reports/<int:intel_report_pk>/", _api_view(ReportDetailApi),
         name="intelligence_report_detail"),
    path("intelligence/search/", _api_view(EntitySearchApi), name="intelligence_search"),
    path("intelligence/submissions/", _api_view(SubmissionListApi),
         name="intelligence_submission_list"),
]
