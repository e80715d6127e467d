"""Exhibit endpoints of the REST API. ``macehub/api_urls.py`` adds them to its
``urlpatterns`` (under the ``api`` namespace) with ``*forensics_api_urlpatterns``."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from macehub.forensics.api import ExhibitDetailApi, ExhibitListApi


def _api_view(view_class: Any) -> Any:
    # As macehub.api_urls.api_view: DRF answers 401 itself, so the login redirect is off.
    return login_not_required(view_class.as_view())


forensics_api_urlpatterns = [
    path("exhibits/", _api_view(ExhibitListApi), name="exhibit_list"),
    path("exhibits/<int:exhibit_pk>/", _api_view(ExhibitDetailApi), name="exhibit_detail"),
]
