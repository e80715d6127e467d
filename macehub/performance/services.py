"""Publishing a month's performance report: its figures frozen as published, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.metrics import Period, all_metrics
from macehub.performance.models import MonthlyReport, ReportFigure


class PublishError(ValueError):
    """A month that cannot be published; the message is for the user."""


def suppression_threshold() -> int:
    """Counts under this are hidden in anything that leaves the hub (default 5)."""
    return int(settings.SUPPRESSION_THRESHOLD)


def publishable_period(*, year: int, month: int) -> Period:
    """The month, if it may be published now (it has ended and is not yet published):
    asked before the publisher confirms, and again when they do."""
    period = Period.month(year, month)
    today = timezone.localdate()
    if period.end >= today:
        raise PublishError(
            f"{period.label()} has not ended yet. You can publish it from "
            f"{period.end + dt.timedelta(days=1):%-d %B %Y}."
        )
    if MonthlyReport.objects.filter(month=period.start).exists():
        raise PublishError(_already_published(period))
    return period


def _already_published(period: Period) -> str:
    return (f"{period.label()} has already been published. Published figures are never "
            "changed; corrections show as 'Corrected since publication'.")


def publish_month(
    *, actor: User, year: int, month: int, request: HttpRequest | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> MonthlyReport:
    """Compute every registered metric for the month, for the whole hub, and freeze it:
    all of it or, if anything fails, nothing. ``progress`` hears which measure is being
    worked out and how far along that is (per cent), for a background job's page."""
    period = publishable_period(year=year, month=month)
    metrics = all_metrics()
    computed = []
    for number, metric in enumerate(metrics):
        if progress is not None:
            progress(f"Working out {metric.name}", 5 + 85 * number // max(len(metrics), 1))
        computed.append((metric, metric.figures(period)))
    if progress is not None:
        progress("Freezing the figures", 90)
    with transaction.atomic():
        # Asked again: another publisher's job may have frozen it while this one worked.
        if MonthlyReport.objects.filter(month=period.start).exists():
            raise PublishError(_already_published(period))
        try:
            # Two publishers of one month at once: the second waits on the month's unique
            # index until the first commits, then is told it has been published.
            with transaction.atomic():
                report = MonthlyReport.objects.create(
                    month=period.start, published_at=timezone.now(), published_by=actor,
                    suppression_threshold=suppression_threshold(),
                    # The target is frozen with the month, as the definitions are.
                    definitions={metric.code: {**metric.texts(), "target": None
                                               if metric.target is None
                                               else str(metric.target)}
                                 for metric, _ in computed},
                )
        except IntegrityError:
            raise PublishError(_already_published(period)) from None
        rows: list[ReportFigure] = []
        for metric, figures in computed:
            for figure in figures:
                rows.append(ReportFigure(
                    report=report, metric_code=metric.code, metric_name=metric.name,
                    unit=metric.unit.value, breakdown=figure.breakdown,
                    category=figure.category, label=figure.label,
                    numerator=figure.numerator, denominator=figure.denominator,
                    sort_order=len(rows),
                ))
        ReportFigure.objects.bulk_create(rows)
        record_event(
            event_type=EventType.CREATE, actor=actor, record=report,
            detail={"published": period.label(), "figures": len(rows),
                    "suppression_threshold": report.suppression_threshold},
            request=request,
        )
    return report
