"""Single sign-on with OpenID Connect, for agencies that run an identity provider.

Two kinds of provider sign people in:

- an agency's own (``IdentityProvider``, kept as data): it signs people into THAT agency
  and no other, whatever organisation its claims name, so the force's tenant can never
  put someone into the council; its own endpoints, client, groups claim and trusted
  ``amr`` methods apply, and the ID token must come from its issuer;
- the hub-wide provider of the settings (``MACEHUB_OIDC_*``), whose organisation claim
  picks the agency, as deployments configured before agencies had their own.

The callback view puts the provider the sign-in started with on the request
(``SIGN_IN_PROVIDER``: the row, or ``None`` for the hub-wide one); the backend acts only
when it is there, so a password sign-in never reaches a provider.

mozilla-django-oidc runs the authorisation code flow (with PKCE) and checks the ID
token's signature against the provider's published keys; this backend decides who the
person is in the hub:

- found by the provider's issuer and subject (``ExternalIdentity``), never by e-mail
  address, so a provider cannot take over a hub account that shares an address;
- otherwise created on their first sign-in, with **no roles** (an administrator grants
  them in the hub, through the usual approval), an unusable password, their agency from
  the organisation claim (``Agency.identity_provider_organisation``) and their team from
  the groups claim (``Team.identity_provider_group``, never a hub team);
- refused when the organisation names no active agency, when the agency the provider
  (or organisation) means is not the one the user already belongs to (moving agency is
  a change of access for an administrator), or when their account is switched off.

Whether the provider's sign-in also counts as the hub's second factor is decided by
``second_factor_asserted``: only if the ID token's ``amr`` claim names a multi-factor
method (``OIDC_MFA_METHODS``); otherwise the hub's own authenticator app code follows.

Each refusal is put on the request (``SIGN_IN_REFUSAL``) for the page that explains it,
and each sign-in's method on ``SIGN_IN_DETAIL`` for its audit entry (``signals``).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from macehub.accounts.models import Agency, ExternalIdentity, IdentityProvider, Team, User

# Attributes a sign-in leaves on its request.
SIGN_IN_PROVIDER = "sign_in_identity_provider"
SIGN_IN_REFUSAL = "sign_in_refusal"
SIGN_IN_DETAIL = "sign_in_detail"
SECOND_FACTOR_ASSERTED = "sign_in_second_factor_asserted"

# The claim name that takes the organisation from the domain of the e-mail claim.
EMAIL_DOMAIN = "email_domain"

UNKNOWN_ORGANISATION = "unknown_organisation"
OTHER_AGENCY = "other_agency"
SWITCHED_OFF = "switched_off"
NO_SUBJECT = "no_subject"
PROVIDER_FAILED = "provider_failed"
OTHER_ISSUER = "other_issuer"
PROVIDER_UNAVAILABLE = "provider_unavailable"

logger = logging.getLogger(__name__)


def _claim_text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def organisation_of(claims: dict[str, Any]) -> str:
    """The organisation the claims name: the configured claim, or the e-mail domain."""
    name: str = settings.OIDC_ORGANISATION_CLAIM
    if name == EMAIL_DOMAIN:
        return _claim_text(claims, "email").rpartition("@")[2].lower()
    return _claim_text(claims, name)


def groups_of(claims: dict[str, Any], claim: str | None = None) -> list[str]:
    value = claims.get(claim or settings.OIDC_GROUPS_CLAIM)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def second_factor_asserted(claims: dict[str, Any],
                           trusted: list[str] | None = None) -> bool:
    """Whether the ID token says the person passed multi-factor authentication at the
    provider (RFC 8176 ``amr`` values the provider is trusted for; by default the
    settings')."""
    methods = claims.get("amr")
    if not isinstance(methods, list):
        return False
    wanted = settings.OIDC_MFA_METHODS if trusted is None else trusted
    return bool(set(wanted) & {m for m in methods if isinstance(m, str)})


def team_for(agency: Agency, groups: list[str]) -> Team | None:
    """The agency's team named by the first of the person's groups that names one."""
    if not groups:
        return None
    teams = {
        team.identity_provider_group: team
        for team in Team.objects.filter(agency=agency, is_active=True, is_hub_team=False,
                                        identity_provider_group__in=groups)
    }
    return next((teams[group] for group in groups if group in teams), None)


def _free_username(claims: dict[str, Any], issuer: str, subject: str) -> str:
    """A username nobody holds: the person's e-mail address or preferred username if free,
    otherwise one made from the provider's subject."""
    field = User._meta.get_field("username")
    limit = field.max_length or 150
    for wanted in (_claim_text(claims, "email"), _claim_text(claims, "preferred_username")):
        if wanted and len(wanted) <= limit and not User.objects.filter(
                username__iexact=wanted).exists():
            return wanted
    digest = hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()[:16]
    return f"sso-{digest}"


class HubOIDCBackend(OIDCAuthenticationBackend):
    """Finds or creates the hub user an agency's identity provider has signed in."""

    request: HttpRequest
    provider: IdentityProvider | None = None

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("agency", "team").filter(
            pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """As mozilla-django-oidc's, but a provider that refuses the code or does not
        answer ends the sign-in as failed (audited, the page says it did not finish)
        rather than as a server error. Acts only on single sign-on's callback, with the
        provider the sign-in started with."""
        if request is None or not hasattr(request, SIGN_IN_PROVIDER):
            return None
        provider: IdentityProvider | None = getattr(request, SIGN_IN_PROVIDER)
        failed: dict[str, Any] = {"method": "single sign-on"}
        if provider is None:
            if not settings.OIDC_ENABLED:
                return None
        else:
            failed["provider"] = provider.slug
            secret = provider.client_secret()
            if not provider.is_active or not secret:
                setattr(request, SIGN_IN_DETAIL, {**failed, "refused": PROVIDER_UNAVAILABLE})
                return None
            self.provider = provider
            self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
            self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
            self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_endpoint
            self.OIDC_RP_CLIENT_ID = provider.client_id
            self.OIDC_RP_CLIENT_SECRET = secret
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            logger.warning("Single sign-on: the identity provider failed: %s",
                           type(error).__name__)
            setattr(request, SIGN_IN_DETAIL, {**failed, "refused": PROVIDER_FAILED})
            return None
        return user

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        # The ID token's claims (signed, checked) win over the user info endpoint's.
        claims = {**self.get_userinfo(access_token, id_token, payload), **payload}
        issuer, subject = _claim_text(payload, "iss"), _claim_text(payload, "sub")
        provider = self.provider
        organisation = organisation_of(claims)
        detail: dict[str, Any] = {"method": "single sign-on", "issuer": issuer, "subject": subject,
                                  "organisation": organisation}
        if provider is not None:
            # An agency's provider: the organisation its claims name is recorded, never
            # obeyed; the provider's own agency is the only one it signs people into.
            detail["provider"] = provider.slug
        setattr(self.request, SIGN_IN_DETAIL, detail)
        if not issuer or not subject:
            self._refuse(NO_SUBJECT)
            return None
        if provider is not None and issuer != provider.issuer:
            self._refuse(OTHER_ISSUER)
            return None
        if provider is None:
            agency = Agency.objects.filter(identity_provider_organisation=organisation,
                                           is_active=True).first() if organisation else None
        else:
            agency = provider.agency if provider.agency.is_active else None
        if agency is None:
            self._refuse(UNKNOWN_ORGANISATION)
            return None
        now = timezone.now()
        with transaction.atomic():
            identity = (ExternalIdentity.objects.select_for_update().select_related("user")
                        .filter(issuer=issuer, subject=subject).first())
            if identity is None:
                user = self._create_user(claims, issuer, subject, agency)
                ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject,
                                                first_signed_in=now, last_signed_in=now)
                detail["first_sign_in"] = True
            else:
                user = identity.user
                if not user.is_active:
                    self._refuse(SWITCHED_OFF, user)
                    return None
                if user.agency_id != agency.pk:
                    self._refuse(OTHER_AGENCY, user)
                    return None
                identity.last_signed_in = now
                identity.save(update_fields=["last_signed_in"])
        asserted = second_factor_asserted(
            payload, None if provider is None else provider.mfa_method_list)
        detail["second_factor"] = "identity provider" if asserted else "hub"
        setattr(self.request, SECOND_FACTOR_ASSERTED, asserted)
        return user

    def _create_user(self, claims: dict[str, Any], issuer: str, subject: str,
                     agency: Agency) -> User:
        user = User(
            username=_free_username(claims, issuer, subject),
            email=_claim_text(claims, "email"),
            first_name=_claim_text(claims, "given_name")[:150],
            last_name=_claim_text(claims, "family_name")[:150],
            agency=agency,
            team=team_for(agency, groups_of(
                claims, None if self.provider is None else self.provider.groups_claim)),
        )
        user.set_unusable_password()
        user.save()
        return user

    def _refuse(self, reason: str, user: User | None = None) -> None:
        setattr(self.request, SIGN_IN_REFUSAL, reason)
        detail = getattr(self.request, SIGN_IN_DETAIL)
        detail["refused"] = reason
        if user is not None:
            detail["username"] = user.username
        return None


def usable_identity_providers() -> list[IdentityProvider]:
    """The agencies' providers the sign-in page offers: active, of an active agency, and
    with their client secret in place (a missing secret is shown to administrators as
    not usable, never offered to people signing in)."""
    return [provider for provider in IdentityProvider.objects.select_related("agency")
            .filter(is_active=True, agency__is_active=True) if provider.client_secret()]


def usable_identity_provider(slug: str) -> IdentityProvider | None:
    return next((provider for provider in usable_identity_providers()
                 if provider.slug == slug), None)
