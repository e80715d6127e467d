"""The meetings' long work, asked for from their pages and run in the background
(``governance.requested_jobs``): drawing a meeting's minutes as a PDF, holding only
what the requester may see, whose download is audited as the export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

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
from macehub.meetings import exports, selectors
from macehub.meetings.models import Meeting

MINUTES_PDF = "meetings.minutes_pdf"


def minutes_pdf(actor: User, arguments: dict[str, Any], progress: Progress) -> JobResult:
    progress("Reading the items you may see", 10)
    meeting = selectors.meeting_for(actor, int(arguments["meeting_pk"]))
    progress("Drawing the PDF", 30)
    return JobResult(file=DrawnFile(exports.minutes_pdf(actor, meeting),
                                    f"{meeting.reference}-minutes.pdf"),
                     drawn={"format": "pdf", "minutes_approved": meeting.is_frozen})


def minutes_pdf_downloaded(actor: User, job: RequestedJob, request: HttpRequest | None) -> None:
    meeting = Meeting.objects.get(pk=job.arguments["meeting_pk"])
    record_event(event_type=EventType.EXPORT, actor=actor, record=meeting,
                 detail=job.arguments["drawn"], request=request)


REQUESTED_JOB_KINDS.register(MINUTES_PDF, RequestedJobKind(
    label="Drawing a meeting's minutes as a PDF", action=Action.MEETING_VIEW,
    run=minutes_pdf, downloaded=minutes_pdf_downloaded))
