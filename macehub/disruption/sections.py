"""What the person, group and entity pages show of the disruption register: the
disruptions on the record the viewer may see, and a link to record one."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.disruption.selectors import disruptions_on


def section_context(user: User, kind: str, pk: int, label: str) -> dict[str, Any] | None:
    may_record = allows(user, Action.DISRUPTION_RECORD)
    if not allows(user, Action.DISRUPTION_VIEW) and not may_record:
        return None
    return {
        "disruptions": disruptions_on(user, kind, pk), "label": label,
        "record_url": (reverse("disruption:record") + f"?kind={kind}&target={pk}"
                       if may_record else ""),
    }
