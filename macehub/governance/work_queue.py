"""Information governance's work: disposals another officer asked for, waiting for
approval; the records due for retention review; and each sharing agreement in force
whose review date falls within the next ``REVIEW_WARNING_DAYS`` days or has passed, the
most overdue first; and the open subject access requests, the soonest due first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.work_queue import (
    HIGH,
    NORMAL,
    Waiting,
    WorkItem,
    WorkSelection,
    day_clocks,
    work_queue_source,
)
from macehub.governance.retention import RECORD_KINDS, ReviewItem, due_for_review
from macehub.governance.retention_selectors import disposals_to_decide
from macehub.governance.sharing_selectors import agreements_to_review
from macehub.governance.subject_access_selectors import requests_for


@work_queue_source("disposals_to_approve", label="Disposals to approve", order=90,
                   everything="audit:retention")
def disposals_to_approve(user: User, now: dt.datetime) -> list[WorkItem]:
    """Requests to dispose of a record that another officer made: a second pair of eyes."""
    if not policy.allows(user, Action.DISPOSAL_DECIDE):
        return []
    kinds = dict(RECORD_KINDS.items())
    return [
        WorkItem(
            kind="Disposal to approve", title=request.reference,
            link=reverse("audit:retention_disposal", args=[request.pk]),
            action="Approve or reject the disposal",
            detail=f"Asked for by {request.requested_by.get_full_name()}: {request.reason}",
            waiting_since=request.requested_at, urgency=HIGH,
            names_record=((kinds[request.record_kind].record_type, request.record_id)
                          if request.record_kind in kinds else None))
        for request in disposals_to_decide(user)
    ]


def _item(item: ReviewItem) -> WorkItem:
    return WorkItem(
        kind="Retention review", title=f"{item.reference} ({item.kind_label.lower()})",
        link=reverse("audit:retention_review", args=[item.kind, item.pk]),
        action="Keep it, or ask for its disposal", detail=item.rule.label,
        due_on=item.next_review_on, urgency=NORMAL,
        tag="Child under 10" if item.extra_care else "",
        tag_colour="orange" if item.extra_care else "",
        names_record=(RECORD_KINDS.get(item.kind).record_type, item.pk))


@work_queue_source("retention_reviews", label="Retention reviews", order=91,
                   everything="audit:retention")
def retention_reviews(user: User, now: dt.datetime) -> WorkSelection:
    """Records due for retention review."""
    if not policy.allows(user, Action.RETENTION_REVIEW):
        return WorkSelection(waiting=[], draw=lambda keys: [])
    due = {(item.kind, item.pk): item
           for item in due_for_review(today=timezone.localdate(now))}
    clock = day_clocks(now, urgency=NORMAL)
    waiting = []
    for key, item in due.items():
        place, overdue = clock(item.next_review_on)
        waiting.append(Waiting(place=place, overdue=overdue, key=key))

    def draw(keys: list[Any]) -> list[WorkItem]:
        return [_item(due[key]) for key in keys]

    return WorkSelection(waiting=sorted(waiting, key=lambda w: (*w.place, w.key)), draw=draw)


@work_queue_source("sharing_agreement_reviews", label="Sharing agreements to review",
                   order=96, everything="audit:agreements")
def sharing_agreement_reviews(user: User, now: dt.datetime) -> list[WorkItem]:
    return [
        WorkItem(kind="Sharing agreement review", title=f"{agreement.reference} {agreement.title}",
                 link=reverse("audit:agreement_change", args=[agreement.pk]),
                 action="Review the agreement", due_on=agreement.review_on)
        for agreement in agreements_to_review(user, timezone.localdate(now))
    ]


@work_queue_source("subject_access_requests", label="Subject access requests", order=97,
                   everything="audit:subject_access")
def subject_access_requests(user: User, now: dt.datetime) -> list[WorkItem]:
    """Open subject access requests, each due one calendar month from receipt (or its
    extension): the statutory clock."""
    return [
        WorkItem(kind="Subject access request", title=request.reference,
                 link=reverse("audit:subject_access_request", args=[request.pk]),
                 action="Gather, review and disclose", due_on=request.due_on,
                 detail=f"{request.get_status_display()}, received "
                        f"{request.received_on:%-d %B %Y}",
                 names_record=("governance.subjectaccessrequest", request.pk))
        for request in requests_for(user)
    ]
