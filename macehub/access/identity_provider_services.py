"""Agencies' own identity providers, registered and changed by hub administrators: each
save in one transaction, checked against the version the administrator opened (so two
administrators cannot overwrite each other unseen), and audited with what changed.

The client secret is never handled here: the provider names the environment variable
that holds it, and the deployment puts the secret there.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import IdentityProvider, User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.versioning import Versioning, plain_words

PROVIDER_FIELDS = ("agency", "name", "slug", "issuer", "authorization_endpoint",
                   "token_endpoint", "userinfo_endpoint", "jwks_endpoint", "client_id",
                   "client_secret_variable", "groups_claim", "mfa_methods", "is_active")

PROVIDER_VERSIONING = Versioning(
    history=saves_after,
    labels={"agency": "Agency", "name": "Name on the sign-in button",
            "slug": "Short name in the sign-in address", "issuer": "Issuer",
            "authorization_endpoint": "Authorization endpoint",
            "token_endpoint": "Token endpoint", "userinfo_endpoint": "User info endpoint",
            "jwks_endpoint": "Signing keys (JWKS) endpoint", "client_id": "Client ID",
            "client_secret_variable": "Environment variable holding the client secret",
            "groups_claim": "Groups claim",
            "mfa_methods": "Methods trusted as a second factor",
            "is_active": "Offered at sign-in"},
    words=lambda _name, value: plain_words(value))


def _values(provider: IdentityProvider) -> dict[str, Any]:
    return model_to_dict(provider, fields=list(PROVIDER_FIELDS))


@transaction.atomic
def save_identity_provider(*, actor: User, provider: IdentityProvider,
                           expected_version: int | None = None) -> IdentityProvider:
    """Register an agency's provider, or change one (deactivating it included) if
    nobody else saved it since ``expected_version``. The form has validated the
    fields."""
    policy.require(actor, Action.ACCOUNTS_MANAGE)
    if provider.pk is None:
        provider.version = 1
        provider.save()
        record_event(event_type=EventType.CREATE, actor=actor, record=provider,
                     detail={"changes": changed_values({}, _values(provider))})
        return provider
    stored = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
    # A change without the version it started from cannot show it overwrites nothing.
    expected = 0 if expected_version is None else expected_version
    PROVIDER_VERSIONING.check(stored, expected)
    before = _values(stored)
    PROVIDER_VERSIONING.save(provider, expected_version=expected)
    record_event(event_type=EventType.CHANGE, actor=actor, record=provider, detail={
        "changes": changed_values(before, _values(provider)), "version": provider.version})
    return provider
