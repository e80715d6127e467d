"""The REST API's authentication and permission: the same policy as the pages.

Every API view names its ``access_action``. Role-level actions are checked here; record
lookups go through the same selectors as the pages (404 for what may not be known).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from macehub.access.actions import Action
from macehub.access.policy import RULES, allows
from macehub.accounts.two_factor import session_is_verified


class HubSessionAuthentication(SessionAuthentication):
    """Signed-in browser sessions (CSRF enforced). Answers 401, not 403, when nobody is
    signed in, so API clients can tell "who are you?" from "not allowed"."""

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="MACE Hub"'


class PolicyPermission(BasePermission):
    message = "You do not have permission to do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if settings.REQUIRE_TWO_FACTOR and not session_is_verified(user):
            return False
        action: Action = view.access_action
        if RULES[action].relation is not None:
            return True  # decided per record by the view's selector
        return allows(user, action)


class HubSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes the session sign-in to the OpenAPI schema."""

    target_class = "macehub.access.api.HubSessionAuthentication"
    name = "hubSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
