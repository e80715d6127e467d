"""What the disruption register puts in people's work queues (see
``macehub.core.work_queue``): each disruption in force that expires within
``DISRUPTION_EXPIRY_NOTICE_DAYS`` (or has passed its expiry date without being marked
expired), least time left first, and each breached one at high urgency, for its lead
officer and for the hub's supervisors (every one they may see). Only disruptions the
policy lets the user see; drawn only when shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.core.work_queue import (
    HIGH,
    NORMAL,
    Waiting,
    WorkItem,
    WorkSelection,
    is_overdue,
    place_in_queue,
    work_queue_source,
)
from macehub.disruption.codes import DisruptionStatus
from macehub.disruption.models import Disruption

DISRUPTION_RECORD = "disruption.disruption"
WATCHED = [DisruptionStatus.GRANTED, DisruptionStatus.SERVED, DisruptionStatus.BREACHED]


def _watched(user: User, today: dt.date) -> QuerySet[Disruption]:
    """The disruptions breached or expiring soon that this user watches."""
    visible = policy.scope(user, Action.DISRUPTION_VIEW, Disruption.objects.all())
    if not (Role.SUPERVISOR in user.role_codes and user.is_hub_member):
        visible = visible.filter(lead_officer=user)
    soon = today + dt.timedelta(days=int(settings.DISRUPTION_EXPIRY_NOTICE_DAYS))
    return visible.filter(status__in=WATCHED).filter(
        Q(status=DisruptionStatus.BREACHED) | Q(expires_on__lte=soon))


def _item(disruption: Disruption) -> WorkItem:
    breached = disruption.status == DisruptionStatus.BREACHED
    expiry = (f"Expires {disruption.expires_on:%d %B %Y}." if disruption.expires_on
              else "No expiry date.")
    return WorkItem(
        kind="Disruption breached" if breached else "Disruption expiring",
        title=f"{disruption.reference}: {disruption.tactic.name}",
        link=reverse("disruption:detail", args=[disruption.pk]),
        action=("Review the breach and what to do next" if breached
                else "Renew it, or record that it expired or ended"),
        detail=expiry, due_on=disruption.expires_on, urgency=HIGH if breached else NORMAL,
        tag="Breached" if breached else "", tag_colour="red" if breached else "",
        names_record=(DISRUPTION_RECORD, disruption.pk))


def _draw(keys: list[Any]) -> list[WorkItem | None]:
    drawn = Disruption.objects.select_related("tactic").in_bulk(keys)
    return [_item(drawn[pk]) if pk in drawn else None for pk in keys]


@work_queue_source("disruptions_to_watch", label="Disruptions breached or expiring",
                   order=50, everything="disruption:register")
def disruptions_to_watch(user: User, now: dt.datetime) -> WorkSelection:
    if not policy.allows(user, Action.DISRUPTION_VIEW):
        return WorkSelection(waiting=[], draw=lambda keys: [])
    waiting = []
    for pk, status, expires_on in _watched(user, timezone.localdate(now)).values_list(
            "pk", "status", "expires_on"):
        urgency = HIGH if status == DisruptionStatus.BREACHED else NORMAL
        waiting.append(Waiting(place=place_in_queue(now, urgency=urgency, due_on=expires_on),
                               overdue=is_overdue(now, due_on=expires_on), key=pk))
    return WorkSelection(waiting=sorted(waiting, key=lambda w: (*w.place, w.key)),
                         draw=_draw)
