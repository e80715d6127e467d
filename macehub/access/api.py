"""The REST API's authentication and permission: the same policy as the pages.

Every API view names its ``access_action``. Role-level actions are checked here; record
lookups go through the same selectors as the pages (404 for what may not be known).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from macehub.access.actions import Action
from macehub.access.policy import RULES, allows
from macehub.accounts.api_tokens import token_hash
from macehub.accounts.models import ApiClient, User
from macehub.accounts.two_factor import session_is_verified
from macehub.audit.events import EventType
from macehub.audit.services import record_event

BAD_TOKEN_MESSAGE = "The token is not valid: it is unknown, revoked or expired."  # noqa: S105 (a message, not a secret)


class HubSessionAuthentication(SessionAuthentication):
    """Signed-in browser sessions (CSRF enforced). Answers 401, not 403, when nobody is
    signed in, so API clients can tell "who are you?" from "not allowed"."""

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="MACE Hub"'


class ApiClientAuthentication(BaseAuthentication):
    """A partner system's ``Authorization: Bearer <token>``. The call is made as the
    client's service account, so the access policy and the audit log see the client.
    An unknown, revoked or expired token, or a switched-off service account, is 401."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiClient] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not a token: the session, if any, decides
        token = token.strip()
        if not token:
            raise AuthenticationFailed(BAD_TOKEN_MESSAGE)
        hashed = token_hash(token)
        client = (ApiClient.objects.select_related("service_account__agency")
                  .filter(Q(token_hash=hashed) | Q(previous_token_hash=hashed)).first())
        if client is None:
            raise AuthenticationFailed(BAD_TOKEN_MESSAGE)
        now = timezone.now()
        account = client.service_account
        if client.token_hash != hashed:
            # The token a renewal replaced, in its overlap: only until then.
            if not client.previous_token_works_at(now) or not account.is_active:
                record_event(event_type=EventType.LOGIN_FAILURE, actor=None, record=client,
                             actor_username=account.username,
                             detail={"api_client": client.name,
                                     "reason": "a token replaced by a newer one"},
                             request=request._request)
                raise AuthenticationFailed(BAD_TOKEN_MESSAGE)
            ApiClient.objects.filter(pk=client.pk).update(previous_token_last_used_at=now)
            return account, client
        if not client.is_usable_at(now) or not account.is_active:
            record_event(event_type=EventType.LOGIN_FAILURE, actor=None, record=client,
                         actor_username=account.username,
                         detail={"api_client": client.name,
                                 "reason": "revoked" if client.revoked_at else
                                 "expired" if client.expires_at <= now else
                                 "service account switched off"},
                         request=request._request)
            raise AuthenticationFailed(BAD_TOKEN_MESSAGE)
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return account, client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="MACE Hub"'


def is_api_client_call(request: Request) -> bool:
    return isinstance(request.successful_authenticator, ApiClientAuthentication)


class PartnerSystemRateThrottle(SimpleRateThrottle):
    """Each partner system may call the API ``MACEHUB_API_CALLS_PER_MINUTE`` times a minute
    (a sliding minute); beyond that it is answered 429 with ``Retry-After``, so one
    misbehaving system cannot crowd out the people using the hub. People signed in to the
    pages are not counted. The calls are counted in the database cache ``api_throttle``,
    which every web worker shares."""

    scope = "partner_system"

    def __init__(self) -> None:
        self.cache = caches["api_throttle"]
        super().__init__()

    def get_rate(self) -> str:
        return f"{settings.API_CALLS_PER_MINUTE}/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not is_api_client_call(request):
            return None
        client = cast(ApiClient, request.auth)
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class PolicyPermission(BasePermission):
    message = "You do not have permission to do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        # A partner system holds a token, not a session: two-factor is a person's check.
        if (settings.REQUIRE_TWO_FACTOR and not is_api_client_call(request)
                and not session_is_verified(user)):
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


class ApiClientScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes a partner system's bearer token to the OpenAPI schema."""

    target_class = "macehub.access.api.ApiClientAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "A partner system's API token, issued by a hub "
                "administrator (Administration, API clients)"}
