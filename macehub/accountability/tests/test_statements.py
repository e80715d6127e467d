"""A published statement's figures leave the hub: counts under the threshold are hidden
(with whatever would give them away), and the statement keeps what it froze."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
import time_machine

from macehub.accountability import services, statements
from macehub.accountability.models import ImprovementAction
from macehub.accountability.tests.factories import (
    make_action,
    make_inspection,
    make_recommendation,
    make_scrutiny_officer,
)
from macehub.accounts.roles import Role

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False)
def test_small_counts_are_hidden_in_a_published_statement(users: StandardUsers) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    recommendation = make_recommendation(make_inspection(leader))
    # Two actions overdue at January's and February's ends; none in December.
    for due in (dt.date(2026, 1, 5), dt.date(2026, 1, 6)):
        make_action(recommendation, owner, leader, due_on=due)
    ImprovementAction.objects.update(created_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    services.link_metric(actor=leader, recommendation_pk=recommendation.pk,
                         metric_code="inspection_actions_overdue")
    statement = statements.publish_statement(
        actor=make_scrutiny_officer(), inspection_pk=recommendation.inspection_id,
        foreword="Foreword")
    figure = statement.content["recommendations"][0]["figures"][0]
    assert figure["code"] == "inspection_actions_overdue"
    assert figure["total"]["value"] == "[c]"
    by_month = {month["label"]: month["value"] for month in figure["trend"]}
    assert by_month["Jan 2026"] == "[c]" and by_month["Feb 2026"] == "[c]"
    assert by_month["Dec 2025"] == "0"
    assert statement.suppression_threshold == 5
