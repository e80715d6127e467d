"""Performance's long work, asked for from its pages and run in the background
(``governance.requested_jobs``): publishing a month's report, and drawing a published
report's PDF (small numbers always suppressed), whose download is audited as an export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.governance.requested_job_models import RequestedJob
from macehub.governance.requested_jobs import (
    REQUESTED_JOB_KINDS,
    DrawnFile,
    JobResult,
    Progress,
    RequestedJobKind,
)
from macehub.performance import exports, selectors, services
from macehub.performance.models import MonthlyReport

PUBLISH = "performance.publish"
REPORT_PDF = "performance.report_pdf"


def publish(actor: User, arguments: dict[str, Any], progress: Progress) -> JobResult:
    report = services.publish_month(actor=actor, year=int(arguments["year"]),
                                    month=int(arguments["month"]), progress=progress)
    return JobResult(url=reverse("performance:report", kwargs={"report_pk": report.pk}),
                     label=f"Read the published report for {report.title}")


def pdf_file_name(report: MonthlyReport) -> str:
    return f"mace-hub-performance-{report.month:%Y-%m}.pdf"


def report_pdf(actor: User, arguments: dict[str, Any], progress: Progress) -> JobResult:
    """Exports leave the hub: always suppressed."""
    progress("Reading the published figures", 10)
    report = selectors.report_or_404(int(arguments["report_pk"]))
    published = selectors.published_report(report, suppressed=True)
    before = selectors.previous_report(report)
    previous = None if before is None else selectors.published_report(
        before, suppressed=True, with_restatements=False)
    progress("Drawing the PDF", 40)
    content = exports.report_pdf(published, selectors.report_summary(published, previous))
    return JobResult(file=DrawnFile(content, pdf_file_name(report)))


def report_pdf_downloaded(actor: User, job: RequestedJob, request: HttpRequest | None) -> None:
    report = MonthlyReport.objects.get(pk=job.arguments["report_pk"])
    record_event(event_type=EventType.EXPORT, actor=actor, record=report,
                 detail={"format": "pdf", "suppressed": True,
                         "threshold": report.suppression_threshold},
                 request=request)


REQUESTED_JOB_KINDS.register(PUBLISH, RequestedJobKind(
    label="Publishing a month's report", action=Action.PERFORMANCE_PUBLISH, run=publish,
    problems=(services.PublishError,)))
REQUESTED_JOB_KINDS.register(REPORT_PDF, RequestedJobKind(
    label="Drawing a published report's PDF", action=Action.PERFORMANCE_PUBLISHED_VIEW,
    run=report_pdf, downloaded=report_pdf_downloaded))
