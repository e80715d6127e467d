"""The problem profile's long work, asked for from its pages and run in the background
(``governance.requested_jobs``): drawing a published profile's PDF, in its restricted
or its partnership version, whose download is audited as an export."""

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
from macehub.profile import document
from macehub.profile.models import ProblemProfile

PDF_KINDS = {document.RESTRICTED: "profile.restricted_pdf",
             document.PARTNERSHIP: "profile.partnership_pdf"}


def pdf_file_name(profile: ProblemProfile, version: str) -> str:
    return f"mace-hub-problem-profile-{profile.pk}-{version}.pdf"


def profile_pdf(actor: User, arguments: dict[str, Any], progress: Progress) -> JobResult:
    progress("Reading the published profile", 10)
    profile = document.published_or_404(int(arguments["profile_pk"]))
    version = str(arguments["version"])
    progress("Drawing the PDF", 30)
    return JobResult(file=DrawnFile(document.profile_pdf(profile, version),
                                    pdf_file_name(profile, version)))


def profile_pdf_downloaded(actor: User, job: RequestedJob, request: HttpRequest | None) -> None:
    profile = ProblemProfile.objects.get(pk=job.arguments["profile_pk"])
    record_event(event_type=EventType.EXPORT, actor=actor, record=profile,
                 detail={"format": "pdf", "version": job.arguments["version"],
                         "threshold": profile.suppression_threshold}, request=request)


REQUESTED_JOB_KINDS.register(PDF_KINDS[document.RESTRICTED], RequestedJobKind(
    label="Drawing a problem profile's restricted PDF",
    action=Action.PROFILE_RESTRICTED_VIEW, run=profile_pdf,
    downloaded=profile_pdf_downloaded))
REQUESTED_JOB_KINDS.register(PDF_KINDS[document.PARTNERSHIP], RequestedJobKind(
    label="Drawing a problem profile's partnership PDF",
    action=Action.PROFILE_PARTNERSHIP_VIEW, run=profile_pdf,
    downloaded=profile_pdf_downloaded))
