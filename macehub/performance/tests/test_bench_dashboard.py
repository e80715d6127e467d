"""The dashboard benchmark runs end to end on a small data set and leaves no trace."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from macehub.core.metrics import all_metrics
from macehub.performance.models import MonthlyReport
from macehub.referrals.models import Referral


@pytest.mark.django_db(transaction=True)
def test_bench_dashboard_prints_timings_and_undoes_its_publishing() -> None:
    out = io.StringIO()
    call_command("bench_dashboard", scale="small", seed=3, stdout=out)
    printed = out.getvalue()

    assert Referral.objects.exists()
    measured = re.findall(
        r"^(.+): (\d+\.\d{3}) s, (\d+) queries, peak memory (\d+\.\d) MiB$", printed, re.M)
    assert [name for name, *_ in measured] == [
        "Month's dashboard", "Dashboard with a year's trend", "Publishing the month",
        "Scrutiny view of the published report",
    ]
    assert all(int(queries) > 0 for _, _, queries, _ in measured)
    # The trend adds at most one query per metric, not one per metric per month.
    month, with_trend = int(measured[0][2]), int(measured[1][2])
    assert with_trend - month <= len(all_metrics())
    assert not MonthlyReport.objects.exists()
