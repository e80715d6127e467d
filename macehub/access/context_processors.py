"""What every page's layout needs to know: demo mode, and who is signed in (the
navigation follows the access policy, which is why this lives in ``access``)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from macehub.access.navigation import navigation_for


def hub_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        "hub_name": settings.HUB_TEAM_LABEL,
        "navigation": navigation_for(user, request.path) if user is not None else [],
    }
