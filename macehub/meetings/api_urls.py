"""Meeting endpoints of the REST API. ``macehub/api_urls.py`` adds them to its
``urlpatterns`` (under the ``api`` namespace) with ``*meetings_api_urlpatterns``."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from macehub.meetings.api import MeetingDetailApi, MeetingListApi


def _api_view(view_class: Any) -> Any:
    # As macehub.api_urls.api_view: DRF answers 401 itself, so the login redirect is off.
    return login_not_required(view_class.as_view())


meetings_api_urlpatterns = [
    path("meetings/", _api_view(MeetingListApi), name="meeting_list"),
    path("meetings/<int:meeting_pk>/", _api_view(MeetingDetailApi), name="meeting_detail"),
]
