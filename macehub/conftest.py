"""Shared fixtures: the hub's standard test users (healthchecks-style).

- ``hub_agency`` / ``hub_team``: the police force hosting the MACE hub team;
- ``partner_agency``: children's social care, a partner outside the hub team;
- ``outsider_agency``: an agency with no relation to the records under test.
"""

from __future__ import annotations

from typing import Any

import pytest

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.people.codelists import load_ethnic_groups
from macehub.people.models import EthnicGroup, EthnicGroupFamily
from macehub.referrals.catalogue import load_indicators
from macehub.referrals.models import Indicator
from macehub.testing.factories import make_agency, make_team, make_user, verified_login

pytest_plugins = ["macehub.testing.pytest_browser"]


@pytest.fixture(autouse=True)
def _code_lists(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush tables between tests; put the code lists back."""
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    if not EthnicGroup.objects.exists():
        load_ethnic_groups(EthnicGroupFamily, EthnicGroup)
    if not Indicator.objects.exists():
        load_indicators(Indicator)


@pytest.fixture
def hub_agency(db: Any) -> Agency:
    return make_agency("county-police", AgencyKind.POLICE, name="County Police")


@pytest.fixture
def hub_team(hub_agency: Agency) -> Team:
    return make_team(hub_agency, "MACE Hub", is_hub_team=True)


@pytest.fixture
def partner_agency(db: Any) -> Agency:
    return make_agency(
        "county-childrens-services", AgencyKind.CHILDRENS_SOCIAL_CARE,
        name="County Children's Services",
    )


@pytest.fixture
def outsider_agency(db: Any) -> Agency:
    return make_agency("city-health", AgencyKind.HEALTH, name="City Health Trust")


@pytest.fixture
def hub_user_factory(hub_agency: Agency, hub_team: Team) -> Any:
    def build(username: str, *roles: Role) -> User:
        return make_user(username, *roles, agency=hub_agency, team=hub_team)

    return build


@pytest.fixture
def signed_in(client: Any) -> Any:
    """Sign the test client in as a user (two-factor verified)."""

    def sign_in(user: User) -> Any:
        verified_login(client, user)
        return client

    return sign_in
