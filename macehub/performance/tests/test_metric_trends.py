"""Trends in one query per metric, tiers as they were at the end of a period, and the
area breakdown by district of the child's current address."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import ClosureReason, RiskTier
from macehub.cases.models import Case, RiskTierChange
from macehub.core import metrics as registry
from macehub.core.metrics import TOTAL, Breakdown, Filters, Period
from macehub.people.codes import AreaKind
from macehub.people.measures import AREA_NOT_KNOWN
from macehub.people.models import Area, Person, PersonAddress
from macehub.performance.selectors import metric_panel, trend_periods
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_user

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def moment(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=LONDON)


@pytest.fixture
def worker(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("case.worker", Role.TRIAGE, agency=hub_agency, team=hub_team)


def open_case(child: Person, worker: User, opened: dt.datetime, tiers: list[tuple[
        dt.datetime, str]], closed: dt.datetime | None = None) -> Case:
    case = Case.objects.create(
        reference=f"MACE-{child.pk}", child=child, opened_at=opened, opened_by=worker,
        lead_agency=worker.agency, risk_tier=tiers[-1][1], closed_at=closed,
        status="closed" if closed else "open",
        closure_reason=ClosureReason.RISK_REDUCED if closed else "",
    )
    previous = ""
    for when, tier in tiers:
        RiskTierChange.objects.create(case=case, from_tier=previous, to_tier=tier,
                                      changed_at=when, changed_by=worker, reason="Review")
        previous = tier
    return case


def test_children_at_risk_counts_the_tier_held_at_the_end_of_the_period(
    hub_agency: Agency, worker: User
) -> None:
    """Hand count: at the end of March 2024 one child is medium (raised to high in
    April), one high (since February); the third child's case closed in March."""
    first, second, third = (make_person(hub_agency, given_name=n) for n in "ABC")
    open_case(first, worker, moment(2024, 1, 10), [
        (moment(2024, 1, 10), RiskTier.MEDIUM), (moment(2024, 4, 3), RiskTier.HIGH)])
    open_case(second, worker, moment(2024, 1, 20), [
        (moment(2024, 1, 20), RiskTier.LOW), (moment(2024, 2, 5), RiskTier.HIGH)])
    open_case(third, worker, moment(2024, 1, 5), [(moment(2024, 1, 5), RiskTier.HIGH)],
              closed=moment(2024, 3, 15))

    children = registry.get_metric("children_at_risk")
    tiers = {f.category: f.numerator for f in children.figures(Period.month(2024, 3))
             if f.breakdown == Breakdown.TIER}
    assert tiers == {RiskTier.MEDIUM: 1, RiskTier.HIGH: 1}
    january = {f.category: f.numerator for f in children.figures(Period.month(2024, 1))
               if f.breakdown == Breakdown.TIER}
    assert january == {RiskTier.MEDIUM: 1, RiskTier.LOW: 1, RiskTier.HIGH: 1}

    months = [Period.month(2024, m) for m in (1, 2, 3, 4)]
    assert [f.numerator for f in children.trend(months)] == [3, 3, 2, 2]


def test_every_trend_is_one_query_and_equals_the_months_one_by_one(
    hub_agency: Agency, worker: User
) -> None:
    child = make_person(hub_agency, given_name="D", nationality="GB")
    for month in (2, 3, 3, 5):
        make_referral(child, worker, received_at=moment(2024, month, 4))
    open_case(child, worker, moment(2024, 2, 1), [(moment(2024, 2, 1), RiskTier.HIGH)])
    months = trend_periods(Period.month(2024, 6))
    assert len(months) == 12

    for metric in registry.all_metrics():
        with CaptureQueriesContext(connection) as queries:
            trend = metric.trend(months)
        assert len(queries) == 1, metric.code
        one_by_one = [metric.total(metric.figures(month)) for month in months]
        assert [(f.numerator, f.denominator) for f in trend] == [
            (f.numerator, f.denominator) for f in one_by_one], metric.code
        assert [f.category for f in trend][-3:] == ["2024-04", "2024-05", "2024-06"]

    received = registry.get_metric("referrals_received").trend(months)
    assert [f.numerator for f in received][-5:] == [1, 2, 0, 1, 0]


def test_area_breakdown_counts_each_child_in_their_district(
    hub_agency: Agency, worker: User
) -> None:
    county = Area.objects.create(code="X1", name="Testshire", kind=AreaKind.COUNTY)
    north = Area.objects.create(code="X11", name="North District", kind=AreaKind.DISTRICT,
                                parent=county)
    south = Area.objects.create(code="X12", name="South District", kind=AreaKind.DISTRICT,
                                parent=county)
    ward = Area.objects.create(code="X111", name="Harbour Ward", kind=AreaKind.WARD,
                               parent=north)
    homes: list[tuple[str, Area | None]] = [
        ("E", ward), ("F", ward), ("G", south), ("H", None), ("I", county)]
    for name, area in homes:
        child = make_person(hub_agency, given_name=name)
        if area is not None or name == "H":
            PersonAddress.objects.create(person=child, line_1="1 Test Street",
                                         town="Testville", postcode="TE1 1ST", area=area)
        make_referral(child, worker, received_at=moment(2024, 3, 6))
    moved = Person.objects.get(given_name="G")
    PersonAddress.objects.filter(person=moved).update(is_current=False)
    PersonAddress.objects.create(person=moved, line_1="2 New Road", town="Testville",
                                 postcode="TE1 2ST", area=ward, lived_from=dt.date(2024, 1, 1))

    received = registry.get_metric("referrals_received")
    by_area = [(f.category, f.label, f.numerator) for f in received.figures(Period.month(2024, 3))
               if f.breakdown == Breakdown.AREA]
    assert by_area == [("X11", "North District", 3), ("", AREA_NOT_KNOWN, 2)]

    in_north: Any = received.figures(Period.month(2024, 3), Filters(area_code="X11"))
    assert next(f for f in in_north if f.breakdown == TOTAL).numerator == 3


def test_a_measure_that_cannot_be_narrowed_by_area_says_so(worker: User) -> None:
    @registry.metric(code="hub_wide_only", name="Hub-wide only", definition="Test.",
                     numerator="Things", unit=registry.Unit.COUNT,
                     better=registry.Better.NEITHER, filters=("agency",))
    def hub_wide(period: Period, filters: Filters) -> list[registry.Figure]:
        return [registry.Figure(TOTAL, "", "All", 7)]

    try:
        metric = registry.get_metric("hub_wide_only")
        panel = metric_panel(worker, metric, Period.month(2024, 3), Filters(area_code="X1"),
                             with_trend=False)
        assert panel.filtered == ["area"]
        assert [f.numerator for f in metric.trend([Period.month(2024, 3)] * 2)] == [7, 7]
    finally:
        registry.unregister("hub_wide_only")
