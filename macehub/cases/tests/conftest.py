"""The people a case test needs: hub staff in their roles, a partner agency's worker,
an outsider, information governance, and a child with an open case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case
from macehub.cases.services import open_case
from macehub.people.models import Person
from macehub.testing.factories import (
    make_person,
    make_team,
    make_user,
    signed_in_client,
)

NOW = timezone.now


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def days_from_today(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def client_for(user: User) -> Client:
    client: Client = signed_in_client(user)
    return client


@pytest.fixture
def triage(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)


@pytest.fixture
def supervisor(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("super.visor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)


@pytest.fixture
def advocate(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("advo.cate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)


@pytest.fixture
def analyst(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)


@pytest.fixture
def governance(hub_agency: Agency) -> User:
    team = make_team(hub_agency, "Information Management", is_hub_team=False)
    return make_user("info.gov", Role.INFORMATION_GOVERNANCE, agency=hub_agency, team=team)


@pytest.fixture
def partner_team(partner_agency: Agency) -> Team:
    return make_team(partner_agency, "District social work", is_hub_team=False)


@pytest.fixture
def partner_worker(partner_agency: Agency, partner_team: Team) -> User:
    return make_user("part.ner", Role.INVESTIGATOR, agency=partner_agency, team=partner_team)


@pytest.fixture
def outsider(outsider_agency: Agency) -> User:
    team = make_team(outsider_agency, "Clinic", is_hub_team=False)
    return make_user("out.sider", Role.TRIAGE, agency=outsider_agency, team=team)


@pytest.fixture
def child(hub_agency: Agency) -> Person:
    return make_person(hub_agency, given_name="Amelia", family_name="Thorne")


@pytest.fixture
def case(triage: User, child: Person, hub_agency: Agency) -> Case:
    return open_case(actor=triage, child=child, risk_tier=RiskTier.MEDIUM,
                     lead_agency=hub_agency, reason="Referral screened as medium risk")


@pytest.fixture
def make_case(triage: User, hub_agency: Agency) -> Any:
    def build(given_name: str = "Child", family_name: str = "Example", **kwargs: Any) -> Case:
        person = make_person(hub_agency, given_name=given_name, family_name=family_name)
        options = {"risk_tier": RiskTier.LOW, "lead_agency": hub_agency, "reason": "Test"}
        options.update(kwargs)
        return open_case(actor=triage, child=person, **options)

    return build


def close_with_approval(
    case: Case, *, requested_by: User, approved_by: User,
    closure_reason: str = "risk_reduced", note: str = "",
    cancel_open_plan_items: bool = False,
) -> Case:
    """Close a case the only way there is: one person asks, another approves."""
    from macehub.cases import services

    case.refresh_from_db()
    asked = services.request_case_closure(
        actor=requested_by, case_pk=case.pk, expected_version=case.version,
        closure_reason=closure_reason, note=note,
        cancel_open_plan_items=cancel_open_plan_items,
    )
    services.decide_case_request(actor=approved_by, request_pk=asked.pk,
                                 expected_version=case.version, approve=True,
                                 comment="Agreed: the plan has worked")
    case.refresh_from_db()
    return case
