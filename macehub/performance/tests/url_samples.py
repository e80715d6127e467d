"""Samples for the URL-by-role walk: a published report and a metric code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.performance.models import MonthlyReport, ReportFigure
from macehub.testing.factories import make_user


def build(samples: dict[str, Any]) -> None:
    publisher = make_user("sample.publisher", Role.SENIOR_LEADER, agency=samples["hub_agency"],
                          team=samples["hub_team"])
    report = MonthlyReport.objects.create(
        month=dt.date(2024, 1, 1), published_at=timezone.now(), published_by=publisher,
        suppression_threshold=5,
    )
    ReportFigure.objects.create(
        report=report, metric_code="referrals_received", metric_name="Referrals received",
        unit="count", breakdown="total", category="", label="All", numerator=12,
        sort_order=0,
    )
    samples["report_pk"] = report
    samples["metric_code"] = "referrals_received"
