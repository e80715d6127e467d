"""Samples for the URL x role test: the workforce pages take no record in their URLs;
the sample hub team's last month is recorded, so the establishment page and the
resourcing report draw a recorded month as well as months not recorded."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from macehub.workforce.demand import last_full_month
from macehub.workforce.models import TeamMonth


def build(samples: dict[str, Any]) -> None:
    samples["team_month"] = TeamMonth.objects.create(
        team=samples["hub_team"], month=last_full_month(), establishment=12, filled=9,
        recorded_by=samples["user_pk"], recorded_at=timezone.now())
