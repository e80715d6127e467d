"""Samples for the URL x role test: the workforce pages take no record in their URLs;
the sample hub team's last month is recorded, so the establishment page and the
resourcing report draw a recorded month (with two posts added, the team named with how
they were funded) as well as months not recorded."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from macehub.workforce.demand import last_full_month
from macehub.workforce.models import TeamMonth


def build(samples: dict[str, Any]) -> None:
    month = last_full_month()
    samples["team_month"] = TeamMonth.objects.create(
        team=samples["hub_team"], month=month, establishment=12, filled=9,
        posts_added=2, posts_added_funded_on=month,
        posts_added_funding="PCC exploitation grant (sample)", recorded_by=samples["user_pk"],
        recorded_at=timezone.now())
