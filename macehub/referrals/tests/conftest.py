"""Fixtures for referral tests: a school referrer outside the hub, hub triage staff, and
children held by different agencies (all synthetic)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.testing.factories import (
    make_agency,
    make_team,
    make_user,
    signed_in_client,
)


@pytest.fixture
def school(db: Any) -> Agency:
    return make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")


@pytest.fixture
def referrer(school: Agency) -> User:
    team = make_team(school, "Safeguarding", is_hub_team=False)
    return make_user("dsl.school", Role.REFERRER, agency=school, team=team)


@pytest.fixture
def other_referrer(school: Agency) -> User:
    team = make_team(school, "Safeguarding", is_hub_team=False)
    return make_user("other.dsl", Role.REFERRER, agency=school, team=team)


@pytest.fixture
def triage_officer(hub_user_factory: Any) -> User:
    return hub_user_factory("tri.age", Role.TRIAGE)


@pytest.fixture
def social_care_triage(partner_agency: Agency) -> User:
    """A triage officer seconded to the hub from children's social care."""
    team = make_team(partner_agency, "MACE Hub (Children's Services)", is_hub_team=True)
    return make_user("sw.triage", Role.TRIAGE, agency=partner_agency, team=team)


@pytest.fixture
def client_for() -> Any:
    return signed_in_client


def local(*parts: int) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001
