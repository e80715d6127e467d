"""The devices seized for an investigation, on its page (a section registered with
``investigations.sections``): each with its stage and time left, and for those who may
record one, the link to record a seized device."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.time_left import TimeLeft
from macehub.forensics import clocks, selectors
from macehub.investigations.models import Investigation
from macehub.investigations.sections import investigation_section


@investigation_section("exhibits", template="forensics/_investigation_exhibits.html",
                       order=100)
def investigation_exhibits(user: User, investigation: Investigation
                           ) -> dict[str, Any] | None:
    if not policy.allows(user, Action.EXHIBIT_VIEW):
        return None
    now = timezone.now()
    rows = []
    for exhibit in selectors.exhibits_of_investigation(user, investigation):
        due = exhibit.current_due  # type: ignore[attr-defined]
        rows.append({"exhibit": exhibit, "age": clocks.age_days(exhibit.seized_at, now),
                     "time_left": TimeLeft(due_at=due, now=now) if due else None,
                     "old": selectors.is_old(exhibit, now)})
    return {"investigation": investigation, "rows": rows,
            "may_record": policy.can(user, Action.EXHIBIT_RECORD, investigation)}
