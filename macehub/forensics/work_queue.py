"""What digital forensics puts in people's work queues (see ``macehub.core.work_queue``):

- for the force's digital forensics examiners: each device waiting for triage or a full
  examination, least time left first, overdue flagged; an old one (still waiting
  ``FORENSICS_OLD_EXHIBIT_DAYS`` after seizure) as high urgency;
- for an investigation's supervisor: the old exhibits of the investigations they
  supervise, so a device left unexamined does not go unseen.

Each only on exhibits the policy lets the user see; drawn only when shown (a force's
backlog may run to hundreds)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
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
from macehub.forensics import clocks
from macehub.forensics.codes import BACKLOG_STAGES, ExhibitStage
from macehub.forensics.models import Exhibit

EXHIBIT_RECORD = "forensics.exhibit"


def _backlog(user: User, action: Action) -> QuerySet[Exhibit]:
    return policy.scope(user, action, Exhibit.objects.all()).filter(
        stage__in=list(BACKLOG_STAGES))


def _due(stage: str, triage_due_at: dt.datetime, full_due_at: dt.datetime | None
         ) -> dt.datetime | None:
    return triage_due_at if stage == ExhibitStage.WAITING_TRIAGE else full_due_at


DUE_FIELDS = ("stage", "triage_due_at", "full_examination_due_at")


def _in_order(waiting: Waiting) -> tuple[Any, ...]:
    """Old first, then least time left (the most overdue first)."""
    return (*waiting.place, waiting.key)


def _item(exhibit: Exhibit, now: dt.datetime) -> WorkItem:
    old = exhibit.seized_at < clocks.old_before(now)
    triage = exhibit.stage == ExhibitStage.WAITING_TRIAGE
    age = clocks.age_days(exhibit.seized_at, now)
    return WorkItem(
        kind="Device to triage" if triage else "Device to examine in full",
        title=f"{exhibit.reference}: {exhibit.get_device_type_display()} "
              f"({exhibit.investigation.reference})",
        link=reverse("forensics:record_triage" if triage else
                     "forensics:record_full_examination", args=[exhibit.pk]),
        action="Record the triage" if triage else "Record the full examination report",
        detail=f"{exhibit.get_priority_display()}. Seized {age} day{'s' if age != 1 else ''} "
               f"ago{' – an old exhibit' if old else ''}.",
        due_at=exhibit.current_due_at, urgency=HIGH if old else NORMAL,
        tag="Old" if old else "", tag_colour="red" if old else "",
        names_record=(EXHIBIT_RECORD, exhibit.pk),
    )


def _draw(now: dt.datetime) -> Any:
    def draw(keys: list[Any]) -> list[WorkItem | None]:
        drawn = Exhibit.objects.select_related("investigation").in_bulk(keys)
        return [_item(drawn[pk], now) if pk in drawn else None for pk in keys]
    return draw


@work_queue_source("exhibits_to_examine", label="Devices to examine", order=48,
                   everything="forensics:queue")
def exhibits_to_examine(user: User, now: dt.datetime) -> WorkSelection:
    """The force's devices waiting for the examiner's triage or full examination."""
    if not policy.allows(user, Action.EXHIBIT_EXAMINE):
        return WorkSelection(waiting=[], draw=lambda keys: [])
    old = clocks.old_before(now)
    waiting = []
    for pk, seized, *due_fields in _backlog(user, Action.EXHIBIT_EXAMINE).values_list(
            "pk", "seized_at", *DUE_FIELDS):
        due = _due(*due_fields)
        waiting.append(Waiting(
            place=place_in_queue(now, urgency=HIGH if seized < old else NORMAL, due_at=due),
            overdue=is_overdue(now, due_at=due), key=pk))
    return WorkSelection(waiting=sorted(waiting, key=_in_order), draw=_draw(now))


@work_queue_source("old_exhibits", label="Old exhibits", order=49,
                   everything="forensics:queue")
def old_exhibits(user: User, now: dt.datetime) -> WorkSelection:
    """Devices still waiting long after seizure, on the investigations the user
    supervises (an examiner has them among the devices to examine)."""
    if (not policy.allows(user, Action.EXHIBIT_VIEW)
            or policy.allows(user, Action.EXHIBIT_EXAMINE)):
        return WorkSelection(waiting=[], draw=lambda keys: [])
    rows = _backlog(user, Action.EXHIBIT_VIEW).filter(
        investigation__supervisor=user, seized_at__lt=clocks.old_before(now))
    waiting = []
    for pk, *due_fields in rows.values_list("pk", *DUE_FIELDS):
        due = _due(*due_fields)
        waiting.append(Waiting(place=place_in_queue(now, urgency=HIGH, due_at=due),
                               overdue=is_overdue(now, due_at=due), key=pk))
    return WorkSelection(waiting=sorted(waiting, key=_in_order),
                         draw=_draw_for_supervisor(now))


def _draw_for_supervisor(now: dt.datetime) -> Any:
    def draw(keys: list[Any]) -> list[WorkItem | None]:
        drawn = Exhibit.objects.select_related("investigation").in_bulk(keys)
        items: list[WorkItem | None] = []
        for pk in keys:
            exhibit = drawn.get(pk)
            if exhibit is None:
                items.append(None)
                continue
            item = _item(exhibit, now)
            items.append(WorkItem(
                kind="Old exhibit", title=item.title,
                link=reverse("forensics:detail", args=[exhibit.pk]),
                action="Ask the digital forensics unit where it stands", detail=item.detail,
                due_at=item.due_at, urgency=HIGH, tag="Old", tag_colour="red",
                names_record=item.names_record))
        return items
    return draw
