"""Information governance's background jobs, for its own list of jobs: the long work
staff ask for from a page (``requested_jobs``), each with its kind, stage and per cent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from macehub.governance.jobs import JOB_KINDS, JobKind, JobProgress
from macehub.governance.requested_job_models import RequestedJob
from macehub.governance.requested_jobs import REQUESTED_JOB_KINDS, run_requested_job


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
