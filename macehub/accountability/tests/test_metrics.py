"""The tracker's measures against records counted by hand: recommendations completed on
time (closed by the London day their last action fell due) and actions overdue at a
period's end, each month as the trend gives it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
import time_machine

from macehub.accountability.models import StatusChange
from macehub.accountability.tests.factories import (
    make_action,
    make_inspection,
    make_recommendation,
)
from macehub.accounts.roles import Role
from macehub.core.metrics import Filters, Period, get_metric
from macehub.performance.selectors import trend_periods

if TYPE_CHECKING:
    from macehub.accounts.models import User
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _closed(recommendation_pk: int, by: User, at: dt.datetime, to: str = "completed") -> None:
    StatusChange.objects.create(recommendation_id=recommendation_pk, changed_by=by,
                                changed_at=at, from_status="in_progress", to_status=to,
                                commentary="Closed")


@time_machine.travel(dt.datetime(2026, 8, 15, 12, tzinfo=dt.UTC), tick=False)
def test_recommendations_completed_on_time(users: StandardUsers) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    inspection = make_inspection(leader)
    on_time, late, never, reopened, other_month = (
        make_recommendation(inspection, number=n) for n in range(1, 6))
    make_recommendation(inspection, number=6)  # no actions: never falls due
    for rec in (on_time, late, never, reopened):
        make_action(rec, owner, leader, due_on=dt.date(2026, 6, 2))
        make_action(rec, owner, leader, due_on=dt.date(2026, 6, 30))  # the last due
    make_action(other_month, owner, leader, due_on=dt.date(2026, 7, 1))
    # 23:30 in London on the due day is on time; 00:30 the next day (23:30 UTC) is not.
    _closed(on_time.pk, leader, dt.datetime(2026, 6, 30, 23, 30, tzinfo=LONDON))
    _closed(late.pk, leader, dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC))
    # The first closing counts, whatever happened afterwards.
    _closed(reopened.pk, leader, dt.datetime(2026, 6, 1, 9, tzinfo=LONDON), to="evidenced")
    _closed(reopened.pk, leader, dt.datetime(2026, 7, 9, 9, tzinfo=LONDON))
    _closed(other_month.pk, leader, dt.datetime(2026, 6, 20, 9, tzinfo=LONDON))
    measure = get_metric("recommendations_completed_on_time")
    june = measure.total(measure.figures(Period.month(2026, 6)))
    assert (june.numerator, june.denominator) == (2, 4)
    july = measure.total(measure.figures(Period.month(2026, 7)))
    assert (july.numerator, july.denominator) == (1, 1)
    trend = measure.trend(trend_periods(Period.month(2026, 7)))
    assert [(f.numerator, f.denominator) for f in trend][-2:] == [(2, 4), (1, 1)]


@time_machine.travel(dt.datetime(2026, 8, 15, 12, tzinfo=dt.UTC), tick=False)
def test_actions_overdue_at_the_period_end(users: StandardUsers) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    rec = make_recommendation(make_inspection(leader))
    still_open = make_action(rec, owner, leader, due_on=dt.date(2026, 6, 10))
    make_action(rec, owner, leader, due_on=dt.date(2026, 6, 10), status="done",
                done_on=dt.date(2026, 7, 5))  # overdue at June's end, not July's
    make_action(rec, owner, leader, due_on=dt.date(2026, 6, 10), status="dropped",
                done_on=dt.date(2026, 6, 9), evidence="Not needed")
    make_action(rec, owner, leader, due_on=dt.date(2026, 6, 30))  # due on the last day
    type(still_open).objects.update(created_at=dt.datetime(2026, 5, 1, tzinfo=LONDON))
    late_recorded = make_action(rec, owner, leader, due_on=dt.date(2026, 5, 1))
    type(late_recorded).objects.filter(pk=late_recorded.pk).update(
        created_at=dt.datetime(2026, 7, 2, 9, tzinfo=LONDON))
    measure = get_metric("inspection_actions_overdue")
    figures = {(p.start.month): measure.total(measure.figures(p)).numerator
               for p in (Period.month(2026, 6), Period.month(2026, 7),
                         Period.month(2026, 8))}
    assert figures == {6: 2, 7: 3, 8: 3}
    trend = measure.trend(trend_periods(Period.month(2026, 8)))
    assert [f.numerator for f in trend][-3:] == [2, 3, 3]
    assert owner.agency is not None
    by_agency = measure.figures(Period.month(2026, 6), Filters(agency_id=owner.agency.pk))
    assert measure.total(by_agency).numerator == 2
    assert measure.total(measure.figures(Period.month(2026, 6), Filters(
        agency_id=owner.agency.pk + 999))).numerator == 0
    assert still_open.status == "open"
