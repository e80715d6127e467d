"""The forensics measures on the dashboard: the old exhibits (the alert), the backlog and
its oldest device at the period's end, triage in time and turnaround, counted as the
definitions say (the demo's figures are hand counted in
``performance/tests/test_demo_hand_count.py``). All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.core.metrics import Period, get_metric
from macehub.forensics import services
from macehub.forensics.tests.factories import make_force, make_investigation, seize

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db


def total(code: str, period: Period) -> tuple[object, object]:
    figure = get_metric(code).total(get_metric(code).figures(period))
    return figure.numerator, figure.denominator


def test_the_backlog_and_its_old_exhibits_on_the_dashboard(
        hub_agency: Agency, hub_team: Team, users: StandardUsers) -> None:
    force = make_force(hub_agency, hub_team)
    investigation = make_investigation(force)
    seize(force, investigation, priority="group_based", hours_ago=24 * 100)
    seize(force, investigation, priority="immediate_risk", hours_ago=60)
    quick = seize(force, investigation, priority="other", hours_ago=5)
    services.record_triage(actor=force.examiner, exhibit_pk=quick.pk, expected_version=1,
                           findings="Messages", full_examination_needed=True)
    services.record_full_examination(actor=force.examiner, exhibit_pk=quick.pk,
                                     expected_version=2, report_on=timezone.localdate(),
                                     summary="Report")
    today = timezone.localdate()
    # Long enough to hold every due time above, ending a month ahead (the backlog is
    # taken now, for a period not yet over).
    month = Period(today - dt.timedelta(days=200), today + dt.timedelta(days=30))
    assert total("forensic_backlog", month) == (2, None)
    assert total("forensic_old_exhibits", month) == (1, None)
    assert total("forensic_oldest_waiting_days", month) == (100, None)
    # Triage fell due for the two untriaged, past their time; the third was in time.
    assert total("forensic_triage_in_time", month) == (1, 3)
    median, reports = total("forensic_turnaround", month)
    # Five hours, in days (published to a tenth): 0.2.
    assert reports == 1 and median is not None and 0.2 <= float(median) <= 0.3

    client = users.client(Role.SENIOR_LEADER)
    page = client.get(reverse("performance:dashboard")).content.decode()
    for code in ("forensic_old_exhibits", "forensic_backlog", "forensic_oldest_waiting_days",
                 "forensic_triage_in_time", "forensic_turnaround"):
        assert f'id="metric-{code}"' in page, code
    assert "Old exhibits: devices waiting longer than the limit" in page
