"""Disruption endpoints of the REST API. ``macehub/api_urls.py`` adds them to its
``urlpatterns`` (under the ``api`` namespace) with ``*disruption_api_urlpatterns``."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from macehub.disruption.api import DisruptionDetailApi, DisruptionListApi


def _api_view(view_class: Any) -> Any:
    # As macehub.api_urls.api_view: DRF answers 401 itself, so the login redirect is off.
    return login_not_required(view_class.as_view())


disruption_api_urlpatterns = [
    path("disruptions/", _api_view(DisruptionListApi), name="disruption_list"),
    path("disruptions/<int:disruption_pk>/", _api_view(DisruptionDetailApi),
         name="disruption_detail"),
]
