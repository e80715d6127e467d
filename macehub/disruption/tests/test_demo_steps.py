"""The demo's disruptions, as of the tests' fixed demo day: on the planted groups'
suspects, premises and vehicles, started over the year before, some breached, some
expired, one expiring soon; the effectiveness page has figures before and after; the
same for the same seed."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from macehub.accounts.models import User
from macehub.disruption.models import Disruption
from macehub.disruption.selectors import effectiveness

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple[object, ...]]:
    return list(Disruption.objects.order_by("reference").values_list(
        "reference", "tactic__code", "target_kind", "status", "started_on", "expires_on"))


def test_the_demo_disrupts_the_groups(small_demo: None) -> None:
    today = timezone.localdate()
    disruptions = list(Disruption.objects.select_related("tactic"))
    kinds = Counter(d.target_kind for d in disruptions)
    assert kinds["person"] and kinds["premises"] and kinds["vehicle"], kinds
    statuses = Counter(d.status for d in disruptions)
    assert statuses["breached"] and statuses["expired"], statuses
    assert Counter(d.tactic.code for d in disruptions)["cawn"]
    for d in disruptions:
        assert d.started_on is not None and d.started_on <= today
        assert d.tactic.kinds.count(d.target_kind) == 1
        assert (d.status == "breached") == d.breaches.exists()
        assert all(b.occurred_on <= today for b in d.breaches.all())
    found = effectiveness(User.objects.get(username="analyst.police"), today)
    assert found.rows
    assert any(row.counts.reports_before for row in found.rows), "reports before"
