"""What intelligence puts in people's work queues (see ``macehub.core.work_queue``): the
reports shared with the user's agency that they have not opened since they were shared.

Shown to the agency's staff whose roles read intelligence, and only for reports the
policy lets them see (a handling code C report only where its conditions name them).
An item goes when the user opens the report, or after ``SHARED_NEWS_DAYS``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core.work_queue import HIGH, NORMAL, WorkItem, work_queue_source
from macehub.intelligence.codes import Priority
from macehub.intelligence.models import Dissemination, IntelligenceReport
from macehub.intelligence.selectors import sanitised_summary
from macehub.ui.formatting import govuk_datetime

REPORT_RECORD = "intelligence.intelligencereport"
# How long a report shared with an agency stays in its staff's queues unopened.
SHARED_NEWS_DAYS = 28


def shared_with_agency_unread(user: User, now: dt.datetime) -> list[Dissemination]:
    """Reports shared with the user's agency in the last few weeks, by someone else, that
    the user may read and has not opened since: one dissemination per report (the
    latest)."""
    if user.agency_id is None or not policy.allows(user, Action.INTELLIGENCE_VIEW):
        return []
    opened_since_shared = AuditEvent.objects.filter(
        event_type=EventType.VIEW, actor_id=user.pk, record_type=REPORT_RECORD,
        record_id=Cast(OuterRef("report_id"), CharField()),
        occurred_at__gte=OuterRef("shared_at"),
    )
    visible = policy.scope(user, Action.INTELLIGENCE_VIEW,
                           IntelligenceReport.objects.all())
    shared = (
        Dissemination.objects.filter(
            to_agency_id=user.agency_id, shared_at__gte=now - dt.timedelta(days=SHARED_NEWS_DAYS),
            report__in=visible,
        )
        .exclude(shared_by=user)
        .exclude(Exists(opened_since_shared))
        .select_related("report", "shared_by", "to_agency")
        .order_by("-shared_at", "-pk")
    )
    latest: dict[int, Dissemination] = {}
    for dissemination in shared:
        latest.setdefault(dissemination.report_id, dissemination)
    return list(latest.values())


@work_queue_source("intelligence_shared", label="Intelligence shared with your agency", order=50,
                   everything="intelligence:report_list")
def intelligence_shared(user: User, now: dt.datetime) -> list[WorkItem]:
    """Intelligence shared with the user's agency, until they have read it."""
    return [
        WorkItem(
            kind="Intelligence shared",
            title=f"{shared.report.reference}: {sanitised_summary(shared.report, 60)}",
            link=reverse("intelligence:report_detail", args=[shared.report_id]),
            action="Read the report",
            detail=f"Shared with {shared.to_agency.name} by {shared.shared_by.display_name} "
                   f"on {govuk_datetime(shared.shared_at)}, handling code "
                   f"{shared.handling_code}.",
            waiting_since=shared.shared_at,
            urgency=HIGH if shared.report.priority == Priority.HIGH else NORMAL,
            names_record=(REPORT_RECORD, shared.report_id),
        )
        for shared in shared_with_agency_unread(user, now)
    ]
