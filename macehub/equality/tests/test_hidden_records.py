"""Disproportionality and recording figures do not point at records a user may not
know exist: a suspect named only in a handling-code C report of another team.

The analysis (which must count everyone to mean anything) is shown to such a user as it
is shared outside the hub, small numbers hidden; recording by agency and month counts
only the people behind records they may open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.equality.completeness import completeness_by_month
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.populations import population
from macehub.testing.factories import make_person, make_team, make_user, verified_login

pytestmark = pytest.mark.django_db

SUSPECTS = "suspects_intelligence"
QUERY = {"population": SUSPECTS, "start_day": "1", "start_month": "3", "start_year": "2026",
         "end_day": "31", "end_month": "3", "end_year": "2026"}


@pytest.fixture(autouse=True)
def _april_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 4, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def covert(hub_agency: Agency) -> Team:
    unit = make_team(hub_agency, "Covert Unit", is_hub_team=False)
    owner = make_user("covert.analyst", Role.ANALYST, agency=hub_agency, team=unit)
    report = make_report(unit, owner, handling_code="C", teams=[unit],
                         received_at=dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC))
    link(report, make_person(hub_agency, given_name="Covert", family_name="Suspect"))
    return unit


def test_the_analysis_is_shown_suppressed_to_an_analyst_outside_the_owning_team(
    client: Client, covert: Team, hub_agency: Agency, hub_team: Team
) -> None:
    analyst = make_user("hub.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    suspects = population(SUSPECTS)
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    assert not suspects.all_open_to(analyst, start, end)
    verified_login(client, analyst)
    response = client.get(reverse("equality:overview"), QUERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("equality:published"))
    # Recording by agency and month leaves the hidden suspect out, and says so.
    counted = completeness_by_month(population=suspects, start=start, end=end, user=analyst)
    assert sum(agency.people for agency in counted) == 0
    page = client.get(reverse("equality:completeness"), QUERY).content.decode()
    assert "not open to you" in page


def test_the_owning_team_sees_the_analysis_and_counts_in_full(
    client: Client, covert: Team, hub_agency: Agency
) -> None:
    from macehub.accounts.models import User

    owner = User.objects.get(username="covert.analyst")
    suspects = population(SUSPECTS)
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    assert suspects.all_open_to(owner, start, end)
    verified_login(client, owner)
    assert client.get(reverse("equality:overview"), QUERY).status_code == 200
    counted = completeness_by_month(population=suspects, start=start, end=end, user=owner)
    assert counted[0].people == 1
    assert "not open to you" not in client.get(
        reverse("equality:completeness"), QUERY).content.decode()
