"""Investigation endpoints of the REST API. ``macehub/api_urls.py`` adds them to its
``urlpatterns`` (under the ``api`` namespace) with ``*investigations_api_urlpatterns``."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from macehub.investigations.api import (
    InvestigationDetailApi,
    InvestigationListApi,
    VictimJourneyApi,
)


def _api_view(view_class: Any) -> Any:
    # As macehub.api_urls.api_view: DRF answers 401 itself, so the login redirect is off.
    return login_not_required(view_class.as_view())


investigations_api_urlpatterns = [
    path("investigations/", _api_view(InvestigationListApi), name="investigation_list"),
    path("investigations/<int:investigation_pk>/", _api_view(InvestigationDetailApi),
         name="investigation_detail"),
    path("investigations/victims/<int:victim_pk>/", _api_view(VictimJourneyApi),
         name="victim_journey"),
]
