"""What performance puts in people's work queues (see ``macehub.core.work_queue``): the
last month's report, ready to publish once the month has ended, for those who publish;
and a report published lately by someone else, for those who read published reports."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.core.work_queue import LOW, NORMAL, WorkItem, work_queue_source
from macehub.days import day_starts
from macehub.forms import last_full_month
from macehub.performance.models import MonthlyReport
from macehub.ui.formatting import govuk_datetime

# How long a newly published report is shown to those who read them.
NEW_REPORT_DAYS = 14


@work_queue_source("monthly_report", label="Monthly reports", order=80,
                   everything="performance:reports")
def monthly_reports(user: User, now: dt.datetime) -> list[WorkItem]:
    items = []
    if allows(user, Action.PERFORMANCE_PUBLISH):
        month = last_full_month(timezone.localdate(now))
        if not MonthlyReport.objects.filter(month=month.start).exists():
            ended = month.end + dt.timedelta(days=1)
            items.append(WorkItem(
                kind="Monthly report",
                title=f"{month.label()}: ready to publish",
                link=reverse("performance:reports"),
                action="Publish the report",
                detail=f"{month.label()} ended; its figures can be frozen and published.",
                waiting_since=day_starts(ended),
                urgency=NORMAL,
            ))
    if allows(user, Action.PERFORMANCE_PUBLISHED_VIEW):
        recent = (
            MonthlyReport.objects.filter(
                published_at__gte=now - dt.timedelta(days=NEW_REPORT_DAYS)
            ).exclude(published_by=user).order_by("-month")
        )
        items.extend(
            WorkItem(
                kind="Published report",
                title=f"{report.title}: published",
                link=reverse("performance:report", args=[report.pk]),
                action="Read the report",
                detail=f"Published {govuk_datetime(report.published_at)}.",
                waiting_since=report.published_at,
                urgency=LOW,
            )
            for report in recent
        )
    return items
