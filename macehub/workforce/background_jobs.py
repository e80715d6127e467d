"""Workforce's long work, asked for from its pages and run in the background
(``governance.requested_jobs``): drawing the resourcing evidence report as a PDF (small
numbers always suppressed: it is for sharing), whose download is audited as the export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, QueryDict

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
from macehub.workforce import report
from macehub.workforce.forms import ReportForm

REPORT_PDF = "workforce.report_pdf"
RECORD_TYPE = "workforce.resourcing_report"


def report_for(query: QueryDict, *, today: dt.date,
               suppressed: bool) -> tuple[ReportForm, report.Resourcing]:
    """The report for the choices in a query string (none: the months up to ``today``'s)."""
    form = ReportForm(query or None, today=today)
    start, end = form.months(report.DEFAULT_MONTHS)
    chose_start = form.is_valid() and form.cleaned_data.get("start") is not None
    built = report.resourcing_report(start=start, end=end, safe=form.safe_level(),
                                     suppressed=suppressed, from_first_records=not chose_start)
    return form, built


def file_name(built: report.Resourcing) -> str:
    return f"mace-hub-resourcing-{built.start:%Y-%m}-to-{built.end:%Y-%m}"


def export_detail(built: report.Resourcing, kind: str) -> dict[str, Any]:
    return {"format": kind, "suppressed": True, "start": built.start.isoformat(),
            "end": built.end.isoformat(), "safe_level": str(built.safe),
            "threshold": built.threshold}


def report_pdf(actor: User, arguments: dict[str, Any], progress: Progress) -> JobResult:
    query = QueryDict(mutable=True)
    query.update(arguments["query"])
    progress("Working out demand, capacity and caseloads", 10)
    _, built = report_for(query, today=dt.date.fromisoformat(arguments["today"]),
                          suppressed=True)
    progress("Drawing the PDF", 50)
    return JobResult(file=DrawnFile(report.report_pdf(built), f"{file_name(built)}.pdf"),
                     drawn=export_detail(built, "pdf"))


def report_pdf_downloaded(actor: User, job: RequestedJob, request: HttpRequest | None) -> None:
    record_event(event_type=EventType.EXPORT, actor=actor, record_type=RECORD_TYPE,
                 detail=job.arguments["drawn"], request=request)


REQUESTED_JOB_KINDS.register(REPORT_PDF, RequestedJobKind(
    label="Drawing the resourcing evidence report's PDF",
    action=Action.WORKFORCE_REPORT_VIEW, run=report_pdf, downloaded=report_pdf_downloaded))
