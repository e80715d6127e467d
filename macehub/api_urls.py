"""The REST API. Every endpoint is behind the same access policy as the pages; the
LoginRequiredMiddleware is bypassed here only so that DRF can answer 401 itself."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from macehub.access.actions import Action
from macehub.access.api import (
    ApiClientAuthentication,
    HubSessionAuthentication,
    PolicyPermission,
)
from macehub.disruption.api_urls import disruption_api_urlpatterns
from macehub.forensics.api_urls import forensics_api_urlpatterns
from macehub.intelligence.api_urls import intelligence_api_urlpatterns
from macehub.investigations.api_urls import investigations_api_urlpatterns
from macehub.meetings.api_urls import meetings_api_urlpatterns
from macehub.people.api import PersonDetailApi, PersonSearchApi
from macehub.referrals.api_urls import referrals_api_urlpatterns


class SchemaApi(SpectacularAPIView):
    access_action = Action.USE_HUB
    authentication_classes = [ApiClientAuthentication, HubSessionAuthentication]
    permission_classes = [PolicyPermission]


def api_view(view_class: Any) -> Any:
    return login_not_required(view_class.as_view())


app_name = "api"

urlpatterns = [
    path("schema/", api_view(SchemaApi), name="schema"),
    path("people/", api_view(PersonSearchApi), name="person_search"),
    path("people/<int:person_pk>/", api_view(PersonDetailApi), name="person_detail"),
    *referrals_api_urlpatterns,
    *intelligence_api_urlpatterns,
    *investigations_api_urlpatterns,
    *forensics_api_urlpatterns,
    *meetings_api_urlpatterns,
    *disruption_api_urlpatterns,
]
