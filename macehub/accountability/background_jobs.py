"""Accountability's long work, asked for from its pages and run in the background
(``governance.requested_jobs``): drawing a published progress statement as a PDF,
whose download is audited as the statement's export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from macehub.access.actions import Action
from macehub.accountability import selectors, statements
from macehub.accountability.models import ProgressStatement
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

STATEMENT_PDF = "accountability.statement_pdf"


def statement_pdf(actor: User, arguments: dict[str, Any], progress: Progress) -> JobResult:
    progress("Reading the published statement", 10)
    statement = selectors.statement_for(actor, int(arguments["statement_pk"]))
    progress("Drawing the PDF", 30)
    return JobResult(file=DrawnFile(statements.statement_pdf(statement),
                                    f"progress-statement-{statement.pk}.pdf"))


def statement_pdf_downloaded(actor: User, job: RequestedJob,
                             request: HttpRequest | None) -> None:
    statement = ProgressStatement.objects.get(pk=job.arguments["statement_pk"])
    record_event(event_type=EventType.EXPORT, actor=actor, record=statement,
                 detail={"format": "pdf", "threshold": statement.suppression_threshold},
                 request=request)


REQUESTED_JOB_KINDS.register(STATEMENT_PDF, RequestedJobKind(
    label="Drawing a progress statement's PDF", action=Action.PROGRESS_STATEMENT_VIEW,
    run=statement_pdf, downloaded=statement_pdf_downloaded))
