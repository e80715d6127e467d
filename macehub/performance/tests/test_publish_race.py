"""Two people publishing the same month at once: the second, who was told the month
could be published before the first committed, is refused with "already published"
(the month's unique index), never a server error, and the first's report stands."""

from __future__ import annotations

import pytest

from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.core.metrics import Period
from macehub.performance import services
from macehub.performance.models import MonthlyReport

pytestmark = pytest.mark.django_db


def test_a_month_published_meanwhile_is_refused(users: StandardUsers,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = services.publish_month(actor=users[Role.SENIOR_LEADER], year=2026, month=3)
    # The second publisher's check ran before the first committed.
    monkeypatch.setattr(services, "publishable_period",
                        lambda *, year, month: Period.month(year, month))
    with pytest.raises(services.PublishError, match="March 2026 has already been published"):
        services.publish_month(actor=users[Role.SENIOR_LEADER], year=2026, month=3)
    assert list(MonthlyReport.objects.values_list("pk", flat=True)) == [first.pk]
