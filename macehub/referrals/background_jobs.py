"""Referrals' background jobs, for information governance's list of jobs: importing a
partner system's file, with the rows done of the rows checked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from macehub.governance.jobs import JOB_KINDS, JobKind, JobProgress
from macehub.referrals.models import PartnerImport
from macehub.referrals.partner_imports import run_partner_import


def partner_import_progress(job_pks: Sequence[Any]) -> dict[Any, JobProgress]:
    jobs = PartnerImport.objects.filter(pk__in=[pk for pk in job_pks if isinstance(pk, int)])
    return {job.pk: JobProgress(stage=job.stage, per_cent=job.per_cent)
            for job in jobs.only("pk", "stage", "status", "rows_done", "rows_total")}


JOB_KINDS.register(run_partner_import.module_path, JobKind(
    label="Importing a partner's file", progress=partner_import_progress))
