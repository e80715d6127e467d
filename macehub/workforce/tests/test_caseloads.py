"""Live caseloads: each kind of work counted for the worker who holds it, weighted by
the hub's weighting, in a fixed number of queries; the page names only the staff the
viewer may see, compares each with the safe level chosen, and is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.testing.factories import make_team, make_user, signed_in_client
from macehub.workforce import caseloads
from macehub.workforce.models import DEFAULT_WEIGHTS
from macehub.workforce.tests.factories import Workers, hold_case, make_workers

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers(hub_agency: Agency, hub_team: Team) -> Workers:
    return make_workers(hub_agency, hub_team)


def test_each_kind_of_work_is_counted_and_weighted(
        workers: Workers, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(5):
        loads = caseloads.live_caseloads(staff=caseloads.everyone(), weights=DEFAULT_WEIGHTS)
    by_worker = {load.worker: load for load in loads}
    social = by_worker[workers.social_worker]
    assert social.counts_in_order == [2, 1, 1, 0, 0, 0]
    assert social.weighted == Decimal(9)
    investigator = by_worker[workers.force.investigator]
    assert investigator.counts_in_order == [0, 0, 0, 1, 1, 1]
    assert investigator.weighted == Decimal("2.75")
    assert [load.worker for load in loads] == [workers.social_worker,
                                               workers.force.investigator]
    assert workers.chair not in by_worker  # holds nothing


def test_the_queries_do_not_grow_with_the_workers(
        workers: Workers, hub_agency: Agency, hub_team: Team,
        django_assert_num_queries: Any) -> None:
    for number in range(5):
        hold_case(make_user(f"extra.{number}", Role.SOCIAL_WORKER, agency=hub_agency,
                            team=hub_team), "medium")
    with django_assert_num_queries(5):
        loads = caseloads.live_caseloads(staff=caseloads.everyone(), weights=DEFAULT_WEIGHTS)
    assert len(loads) == 7


def test_a_senior_leader_sees_their_agency_and_a_supervisor_their_team(
        workers: Workers, users: StandardUsers, hub_agency: Agency,
        partner_agency: Agency) -> None:
    other_team = make_team(hub_agency, "Neighbourhood team", is_hub_team=False)
    elsewhere = make_user("nat.elsewhere", Role.SOCIAL_WORKER, agency=hub_agency,
                          team=other_team)
    hold_case(elsewhere, "low")
    partner = make_user("pat.partner", Role.SOCIAL_WORKER, agency=partner_agency)
    hold_case(partner, "high")

    def seen(role: Role) -> set[str]:
        return {load.worker.username for load in caseloads.live_caseloads(
            staff=caseloads.staff_seen_by(users[role]), weights=DEFAULT_WEIGHTS)}

    assert seen(Role.SENIOR_LEADER) == {"sam.socialworker", "ivy.investigator",
                                        "nat.elsewhere"}
    assert seen(Role.SUPERVISOR) == {"sam.socialworker", "ivy.investigator"}
    assert seen(Role.ANALYST) == set()


def test_the_page_compares_each_worker_with_the_safe_level_and_is_audited(
        workers: Workers, users: StandardUsers, django_assert_max_num_queries: Any) -> None:
    client = signed_in_client(users[Role.SENIOR_LEADER])
    with django_assert_max_num_queries(25):
        page = client.get(reverse("workforce:caseloads"))
    html = page.content.decode()
    assert page.status_code == 200
    assert workers.social_worker.display_name in html
    assert "<strong>0</strong> of 2 workers" in html  # both within the default of 12
    event = AuditEvent.objects.get(event_type="view", detail__list="caseloads")
    assert set(event.detail["shown"]) == {workers.social_worker.pk,
                                          workers.force.investigator.pk}
    lower = client.get(reverse("workforce:caseloads") + "?safe=3").content.decode()
    assert "<strong>1</strong> of 2 workers" in lower
    refused = client.get(reverse("workforce:caseloads") + "?safe=nine")
    assert refused.status_code == 400
    assert "Enter the safe caseload as a number" in refused.content.decode()


def test_those_who_may_not_see_caseloads_are_refused(users: StandardUsers) -> None:
    for role in (Role.ANALYST, Role.SCRUTINY, Role.INVESTIGATOR):
        assert users.client(role).get(reverse("workforce:caseloads")).status_code == 403
