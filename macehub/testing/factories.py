"""Test and demo builders for the hub's standard people and staff (synthetic only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from macehub.accounts.api_tokens import issue_token
from macehub.accounts.models import (
    Agency,
    ApiClient,
    IdentityProvider,
    RoleAssignment,
    Team,
    User,
)
from macehub.accounts.roles import AgencyKind, Role
from macehub.people.models import Person


def make_agency(code: str = "police", kind: AgencyKind = AgencyKind.POLICE, **extra: Any) -> Agency:
    agency, _ = Agency.objects.get_or_create(
        code=code, defaults={"name": extra.pop("name", code.replace("-", " ").title()),
                             "kind": kind, **extra}
    )
    return agency


def make_team(agency: Agency, name: str = "MACE Hub", *, is_hub_team: bool = True) -> Team:
    team, _ = Team.objects.get_or_create(
        agency=agency, name=name, defaults={"is_hub_team": is_hub_team}
    )
    return team


def make_user(
    username: str,
    *roles: Role,
    agency: Agency | None = None,
    team: Team | None = None,
    password: str | None = None,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=username.split(".")[0].title(),
        last_name="Tester",
        email=f"{username}@example.invalid",
        agency=agency,
        team=team,
    )
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in roles)
    return user


def make_person(owning_agency: Agency, **fields: Any) -> Person:
    defaults: dict[str, Any] = {
        "given_name": "Jordan",
        "family_name": "Example",
        "date_of_birth": dt.date(2011, 3, 14),
        "sex": "female",
    }
    defaults.update(fields)
    return Person.objects.create(owning_agency=owning_agency, **defaults)


def signed_in_client(user: User) -> Any:
    """A new test client signed in as the user, two-factor check passed."""
    from django.test import Client

    client = Client()
    verified_login(client, user)
    return client


def verified_login(client: Any, user: User) -> None:
    """Sign a test client in as if the user had also passed the two-factor check."""
    client.force_login(user)
    if settings.REQUIRE_TWO_FACTOR:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()


def make_school_referrer(username: str = "dana.school") -> User:
    """A school's designated safeguarding lead who refers children to the hub: a referrer
    in Northtown Academy's safeguarding team (not a hub team)."""
    school = make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")
    team = make_team(school, "Safeguarding", is_hub_team=False)
    return make_user(username, Role.REFERRER, agency=school, team=team)


def make_identity_provider(agency: Agency, slug: str, **fields: Any) -> IdentityProvider:
    """An agency's own identity provider (made-up endpoints unless given), its client
    secret named as ``<SLUG>_OIDC_SECRET`` in the environment (not set here)."""
    base = f"https://{slug}.identity.example"
    values: dict[str, Any] = {
        "name": agency.name, "issuer": base, "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
        "jwks_endpoint": f"{base}/jwks", "client_id": "mace-hub",
        "client_secret_variable": f"{slug.upper().replace('-', '_')}_OIDC_SECRET",
    }
    return IdentityProvider.objects.create(agency=agency, slug=slug, **{**values, **fields})


def make_api_client(name: str, *roles: Role, agency: Agency, team: Team | None = None,
                    valid_days: int = 90) -> tuple[ApiClient, str]:
    """A partner system's API client with its service account holding ``roles``, and
    the token it calls with (``Authorization: Bearer <token>``)."""
    from django.utils import timezone

    account = make_user(f"api.{name}", *roles, agency=agency, team=team)
    token = issue_token()
    now = timezone.now()
    client = ApiClient.objects.create(
        name=name, service_account=account, created_by=account, created_at=now,
        expires_at=now + dt.timedelta(days=valid_days), token_hash=token.hash,
        token_prefix=token.prefix,
    )
    return client, token.token
