"""Reading the audit log (information governance only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.models import AuditEvent


def audit_events_for(user: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    policy.require(user, Action.AUDIT_LOG_VIEW)
    events = AuditEvent.objects.order_by("-id")
    if filters.get("username"):
        events = events.filter(actor_username__iexact=filters["username"])
    if filters.get("event_type"):
        events = events.filter(event_type=filters["event_type"])
    if filters.get("record_type"):
        events = events.filter(record_type=filters["record_type"])
    if filters.get("record_id"):
        events = events.filter(record_id=filters["record_id"])
    zone = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=zone)
        events = events.filter(occurred_at__gte=start)
    if filters.get("date_to"):
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min,
                                  tzinfo=zone)
        events = events.filter(occurred_at__lt=end)
    return events
