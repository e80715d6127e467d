"""Information governance's background jobs, for its own list of jobs: the long work
staff ask for from a page (``requested_jobs``), each with its kind, stage and per cent;
and its own kind of requested job: producing a subject access request's disclosure
bundle, kept on the request (its download is audited there, as it always was)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.service_errors import refusal_text
from macehub.governance import subject_access_services
from macehub.governance.jobs import JOB_KINDS, JobKind, JobProgress
from macehub.governance.requested_job_models import RequestedJob
from macehub.governance.requested_jobs import (
    REQUESTED_JOB_KINDS,
    JobResult,
    Progress,
    RequestedJobKind,
    run_requested_job,
)

SUBJECT_ACCESS_BUNDLE = "governance.subject_access_bundle"


def requested_job_progress(job_pks: Sequence[Any]) -> dict[Any, JobProgress]:
    jobs = RequestedJob.objects.filter(pk__in=[pk for pk in job_pks if isinstance(pk, int)])
    progress = {}
    for pk, kind, stage, per_cent in jobs.values_list("pk", "kind", "stage", "progress"):
        label = REQUESTED_JOB_KINDS.get(kind).label if kind in REQUESTED_JOB_KINDS else kind
        progress[pk] = JobProgress(stage=f"{label}: {stage}" if stage else label,
                                   per_cent=per_cent)
    return progress


JOB_KINDS.register(run_requested_job.module_path, JobKind(
    label="Asked for from a page", progress=requested_job_progress))


class BundleRefused(Exception):
    """The bundle cannot be produced as the request stands, in the service's words."""


def subject_access_bundle(actor: User, arguments: dict[str, Any],
                          progress: Progress) -> JobResult:
    progress("Drawing the bundle with the redactions applied", 20)
    try:
        found = subject_access_services.produce_bundle(
            actor=actor, request_pk=int(arguments["sar_pk"]))
    except ValidationError as error:
        raise BundleRefused(refusal_text(error)) from error
    return JobResult(url=reverse("audit:subject_access_request", kwargs={"sar_pk": found.pk}),
                     label=f"Download the bundle from request {found.reference}")


REQUESTED_JOB_KINDS.register(SUBJECT_ACCESS_BUNDLE, RequestedJobKind(
    label="Producing a subject access disclosure bundle",
    action=Action.SUBJECT_ACCESS_MANAGE, run=subject_access_bundle,
    problems=(BundleRefused,)))
