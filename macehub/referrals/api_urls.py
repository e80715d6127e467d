"""Referral endpoints of the REST API. ``macehub/api_urls.py`` adds them to its
``urlpatterns`` (under the ``api`` namespace) with ``*referrals_api_urlpatterns``."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from macehub.referrals.api import ReferralDetailApi, ReferralListApi


def _api_view(view_class: Any) -> Any:
    # As macehub.api_urls.api_view: DRF answers 401 itself, so the login redirect is off.
    return login_not_required(view_class.as_view())


referrals_api_urlpatterns = [
    path("referrals/", _api_view(ReferralListApi), name="referral_list"),
    path("referrals/<int:referral_pk>/", _api_view(ReferralDetailApi),
         name="referral_detail"),
]
