"""What the disruption register puts on the hub's meeting agendas: disruptions breached
since the series' last meeting, and those in force that expire before the next one is
likely to have acted on them (within ``DISRUPTION_EXPIRY_NOTICE_DAYS`` of the meeting)
and were not on an earlier agenda for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from macehub.access.actions import Action
from macehub.disruption.codes import IN_FORCE_STATUSES
from macehub.disruption.models import Breach, Disruption
from macehub.meetings.agenda import AgendaContext, Proposed, agenda_source, proposed


def _item(disruption: Disruption, what: str) -> Proposed:
    return proposed(disruption, title=f"{disruption.tactic.name} {disruption.reference} "
                                      f"{what}",
                    view_action=Action.DISRUPTION_VIEW,
                    link=reverse("disruption:detail", args=[disruption.pk]),
                    person_id=disruption.target_person_id)


@agenda_source("disruptions", label="Disruptions breached or expiring", order=45)
def disruptions_breached_or_expiring(context: AgendaContext) -> Iterable[Proposed]:
    breaches = Breach.objects.filter(recorded_at__lte=context.until)
    if context.since is not None:
        breaches = breaches.filter(recorded_at__gt=context.since)
    breached: dict[int, dt.date] = {}
    for disruption_id, occurred_on in breaches.order_by("occurred_on", "pk").values_list(
            "disruption_id", "occurred_on"):
        breached.setdefault(disruption_id, occurred_on)
    meeting_day = timezone.localdate(context.until)
    soon = meeting_day + dt.timedelta(days=int(settings.DISRUPTION_EXPIRY_NOTICE_DAYS))
    expiring = Disruption.objects.filter(
        status__in=list(IN_FORCE_STATUSES), expires_on__gte=meeting_day,
        expires_on__lte=soon).values_list("pk", flat=True)
    wanted = set(breached) | set(expiring)
    for disruption in Disruption.objects.filter(pk__in=wanted).select_related(
            "tactic").order_by("expires_on", "pk"):
        if disruption.pk in breached:
            yield _item(disruption, f"breached on {breached[disruption.pk]:%d %B %Y}")
        elif not context.has(Disruption, disruption.pk):
            yield _item(disruption, f"expires on {disruption.expires_on:%d %B %Y}")
