"""People's background jobs, for information governance's list of jobs: linking a
partner's list, with the stage and per cent its ``LinkJob`` records as it runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from macehub.governance.jobs import JOB_KINDS, JobKind, JobProgress
from macehub.people.list_linking import run_link_job
from macehub.people.models import LinkJob


def link_job_progress(job_pks: Sequence[Any]) -> dict[Any, JobProgress]:
    jobs = LinkJob.objects.filter(pk__in=[pk for pk in job_pks if isinstance(pk, int)])
    return {pk: JobProgress(stage=stage, per_cent=progress)
            for pk, stage, progress in jobs.values_list("pk", "stage", "progress")}


JOB_KINDS.register(run_link_job.module_path, JobKind(label="Linking a list of people",
                                                     progress=link_job_progress))
