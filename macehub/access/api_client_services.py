"""Partner systems' API clients: issued and revoked by an administrator, each in one
transaction, audited.

A client acts as its own service account: a user of the owning agency, made here through
``account_services.save_user`` so that the roles granted to it follow the same rules as a
person's (a role that reads intelligence or people's records waits for a second
administrator). The account has no password and so cannot sign in to the pages; only
its token opens the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from macehub.access import policy
from macehub.access.account_services import save_user
from macehub.access.actions import Action
from macehub.accounts.api_tokens import issue_token
from macehub.accounts.models import Agency, ApiClient, RoleChangeRequest, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.services import record_event

MAX_VALID_DAYS = 365
SERVICE_ACCOUNT_PREFIX = "api."


@dataclass(frozen=True)
class ApiClientIssued:
    """A new client, its token (shown to the administrator once, never stored) and the
    change of access waiting for a second administrator, if its roles need one."""

    client: ApiClient
    token: str
    request: RoleChangeRequest | None


@transaction.atomic
def issue_api_client(
    *,
    actor: User,
    name: str,
    agency: Agency,
    roles: Iterable[Role | str],
    valid_days: int,
    team: Team | None = None,
    reason: str = "",
) -> ApiClientIssued:
    """A partner system's client, its service account in ``agency`` with ``roles`` and a
    token valid for ``valid_days``."""
    policy.require(actor, Action.ACCOUNTS_MANAGE)
    roles = sorted(str(Role(role)) for role in roles)
    name = name.strip()
    username = SERVICE_ACCOUNT_PREFIX + slugify(name)[:140]
    errors: dict[str, str] = {}
    if not name or username == SERVICE_ACCOUNT_PREFIX:
        errors["name"] = "Enter the partner system's name"
    elif (ApiClient.objects.filter(name__iexact=name).exists()
          or User.objects.filter(username=username).exists()):
        errors["name"] = "A client with this name exists already: choose another name"
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        errors["valid_days"] = f"Enter a number of days from 1 to {MAX_VALID_DAYS}"
    if errors:
        raise ValidationError(errors)
    account = User(username=username, first_name=name[:150], last_name="(partner system)",
                   job_title="Partner system", agency=agency, team=team, is_active=True)
    saved = save_user(actor=actor, user=account, roles=roles, reason=reason)
    now = timezone.now()
    token = issue_token()
    client = ApiClient.objects.create(
        name=name, service_account=saved.user, created_by=actor, created_at=now,
        expires_at=now + dt.timedelta(days=valid_days), token_hash=token.hash,
        token_prefix=token.prefix,
    )
    record_event(event_type=EventType.CREATE, actor=actor, record=client,
                 detail={"name": name, "service_account": username, "agency": agency.name,
                         "roles": roles,
                         "expires_at": client.expires_at, "token_prefix": token.prefix})
    return ApiClientIssued(client=client, token=token.token, request=saved.request)


@transaction.atomic
def revoke_api_client(*, actor: User, client_pk: int) -> ApiClient:
    """Stop the client's token working, at once and for good (a new client is issued
    if the partner still needs one)."""
    policy.require(actor, Action.ACCOUNTS_MANAGE)
    client = ApiClient.objects.select_for_update().get(pk=client_pk)
    if client.revoked_at is not None:
        raise ValidationError("This client's token has already been revoked")
    client.revoked_at, client.revoked_by = timezone.now(), actor
    client.save(update_fields=["revoked_at", "revoked_by"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=client,
                 detail={"changes": {"revoked_at": {"old": None, "new": client.revoked_at}}})
    return client


MAX_OVERLAP_DAYS = 7


@dataclass(frozen=True)
class ApiTokenRenewed:
    """The client with its new token (shown to the administrator once, never stored)."""

    client: ApiClient
    token: str


@transaction.atomic
def renew_api_client_token(
    *, actor: User, client_pk: int, valid_days: int, overlap_days: int
) -> ApiTokenRenewed:
    """Give the client a new token valid for ``valid_days``. The token it replaces keeps
    working for ``overlap_days`` more (0 to 7, never past its own expiry), so the partner
    can put the new one in place without a gap; 0 stops it at once (a token that may
    have leaked). Any earlier token still in its overlap stops now."""
    policy.require(actor, Action.ACCOUNTS_MANAGE)
    client = ApiClient.objects.select_for_update().get(pk=client_pk)
    errors: dict[str, str] = {}
    if client.revoked_at is not None:
        raise ValidationError("This client's token has been revoked: add a new client "
                              "if the partner still needs one")
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        errors["valid_days"] = f"Enter a number of days from 1 to {MAX_VALID_DAYS}"
    if not 0 <= overlap_days <= MAX_OVERLAP_DAYS:
        errors["overlap_days"] = f"Enter a number of days from 0 to {MAX_OVERLAP_DAYS}"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    old_prefix, old_expires_at = client.token_prefix, client.expires_at
    overlap_until = min(now + dt.timedelta(days=overlap_days), old_expires_at)
    token = issue_token()
    if overlap_days and overlap_until > now:
        client.previous_token_hash = client.token_hash
        client.previous_token_prefix = old_prefix
        client.previous_token_until = overlap_until
    else:
        client.previous_token_hash, client.previous_token_prefix = None, ""
        client.previous_token_until = None
    client.previous_token_last_used_at = None
    client.token_hash, client.token_prefix = token.hash, token.prefix
    client.expires_at = now + dt.timedelta(days=valid_days)
    client.save(update_fields=[
        "token_hash", "token_prefix", "expires_at", "previous_token_hash",
        "previous_token_prefix", "previous_token_until", "previous_token_last_used_at"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=client, detail={
        "changes": {
            "token_prefix": {"old": old_prefix, "new": token.prefix},
            "expires_at": {"old": old_expires_at, "new": client.expires_at},
            "previous_token_until": {"old": None, "new": client.previous_token_until},
        },
    })
    return ApiTokenRenewed(client=client, token=token.token)
