"""What the accounts pages put in people's work queues (see ``macehub.core.work_queue``): the
changes of access waiting for this administrator's approval (never one they asked for,
nor one about their own account)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import RoleChangeRequest, User
from macehub.accounts.roles import RoleChangeStatus
from macehub.core.work_queue import NORMAL, WorkItem, work_queue_source
from macehub.ui.formatting import govuk_datetime


@work_queue_source("role_changes", label="Changes of access", order=60,
                   everything="accounts:role_change_list")
def role_changes_to_decide(user: User, now: dt.datetime) -> list[WorkItem]:
    """Pending requests this administrator may approve or reject, oldest first."""
    pending = RoleChangeRequest.objects.filter(status=RoleChangeStatus.PENDING).select_related(
        "subject", "requested_by"
    )
    requests = policy.scope(user, Action.ROLE_CHANGE_DECIDE, pending).order_by(
        "requested_at", "pk"
    )
    return [
        WorkItem(
            kind="Change of access",
            title=f"{request.subject.display_name} ({request.subject.username})",
            link=reverse("accounts:role_change_decide", args=[request.pk]),
            action="Approve or reject",
            detail=f"Asked by {request.requested_by.display_name} on "
                   f"{govuk_datetime(request.requested_at)}: {request.reason}",
            waiting_since=request.requested_at,
            urgency=NORMAL,
        )
        for request in requests
    ]
