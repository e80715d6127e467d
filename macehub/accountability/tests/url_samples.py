"""Samples for the URL x role test: an inspection with one recommendation, an action on
it owned by the sample user (a referrer: anyone may own one) and a published progress
statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accountability.models import (
    ImprovementAction,
    Inspection,
    ProgressStatement,
    Recommendation,
)


def build(samples: dict[str, Any]) -> None:
    now = timezone.now()
    owner = samples["user_pk"]
    inspection = Inspection.objects.create(
        body="hmicfrs", title="Sample inspection", published_on=dt.date(2025, 1, 15),
        created_by=owner, created_at=now)
    recommendation = Recommendation.objects.create(
        inspection=inspection, kind="recommendation", number=1, text="Supervise well.",
        addressed_to="Chief Constables", theme="supervision", created_at=now)
    samples["inspection_pk"] = inspection
    samples["recommendation_pk"] = recommendation
    samples["improvement_action_pk"] = ImprovementAction.objects.create(
        recommendation=recommendation, description="Write the supervision policy",
        owner=owner, agency=samples["hub_agency"], due_on=dt.date(2025, 6, 30),
        created_by=owner, created_at=now)
    samples["statement_pk"] = ProgressStatement.objects.create(
        inspection=inspection, foreword="A foreword.", figures_month=dt.date(2025, 5, 1),
        suppression_threshold=5, published_by=owner, published_at=now,
        content={"inspection": {"title": "Sample inspection", "body": "HMICFRS",
                                "published_on": "15 January 2025", "reference": ""},
                 "month": "2025-05-01", "recommendations": []})
