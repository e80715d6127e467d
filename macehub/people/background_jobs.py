"""People's background jobs, for information governance's list of jobs: linking a
partner's list, with the stage and per cent its ``LinkJob`` records as it runs; and a
matching run asked for from the match review page (``governance.requested_jobs``): the
matching model over every person the hub holds, proposing pairs for review (never
merging), one run at a time."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.governance.codes import RequestedJobStatus
from macehub.governance.jobs import JOB_KINDS, JobKind, JobProgress
from macehub.governance.requested_job_models import RequestedJob
from macehub.governance.requested_jobs import (
    REQUESTED_JOB_KINDS,
    JobResult,
    Progress,
    RequestedJobKind,
    start_requested_job,
)
from macehub.people.linkage_engines import LinkageError
from macehub.people.list_linking import run_link_job
from macehub.people.matching import propose_matches
from macehub.people.models import LinkJob, MatchCandidate

FIND_MATCHES = "people.find_matches"
UNDER_WAY = (RequestedJobStatus.QUEUED, RequestedJobStatus.RUNNING)
# A run waiting or under way for longer than this is taken to have died with its worker,
# and no longer holds the next one back.
STALE_AFTER = dt.timedelta(hours=6)
ALREADY_UNDER_WAY = ("Another matching run was already under way. Its pairs are in the "
                     "match review queue when it finishes.")


def link_job_progress(job_pks: Sequence[Any]) -> dict[Any, JobProgress]:
    jobs = LinkJob.objects.filter(pk__in=[pk for pk in job_pks if isinstance(pk, int)])
    return {pk: JobProgress(stage=stage, per_cent=progress)
            for pk, stage, progress in jobs.values_list("pk", "stage", "progress")}


JOB_KINDS.register(run_link_job.module_path, JobKind(label="Linking a list of people",
                                                     progress=link_job_progress))


class MatchingRefused(Exception):
    """The run cannot go ahead, in words for the reviewer."""


def _under_way() -> Any:
    return RequestedJob.objects.defer("content").filter(
        kind=FIND_MATCHES, status__in=UNDER_WAY,
        requested_at__gt=timezone.now() - STALE_AFTER).order_by("pk")


def matching_run_under_way() -> RequestedJob | None:
    """The matching run waiting for the worker or running, if there is one."""
    found: RequestedJob | None = _under_way().first()
    return found


def start_matching_run(*, actor: User) -> tuple[RequestedJob, bool]:
    """Queue a matching run over every person the hub holds, unless one is waiting or
    under way: then that one, and False."""
    with transaction.atomic():
        under_way = matching_run_under_way()
        if under_way is not None:
            return under_way, False
        return start_requested_job(
            actor=actor, kind=FIND_MATCHES,
            title="Looking for records that may be the same person",
            arguments={"run": uuid.uuid4().hex}), True


def find_matches(actor: User, arguments: dict[str, Any], progress: Progress) -> JobResult:
    """Propose pairs for review (nothing merged); a run asked for while another was
    waiting or under way (two asked for at once) stands down for the earlier."""
    mine = RequestedJob.objects.only("pk").get(kind=FIND_MATCHES,
                                               arguments__run=arguments["run"])
    if _under_way().filter(pk__lt=mine.pk).exists():
        raise MatchingRefused(ALREADY_UNDER_WAY)
    newest_before = MatchCandidate.objects.aggregate(newest=Max("pk"))["newest"] or 0
    try:
        run, _ = propose_matches(actor=actor, progress=progress)
    except LinkageError as error:
        raise MatchingRefused(str(error)) from error
    new = MatchCandidate.objects.filter(run=run, pk__gt=newest_before).count()
    return JobResult(
        url=reverse("people:match_queue"),
        label=(f"{new:,} new {'pair' if new == 1 else 'pairs'} proposed "
               f"({run.pairs_proposed:,} from this run waiting for a decision): "
               "review them"))


REQUESTED_JOB_KINDS.register(FIND_MATCHES, RequestedJobKind(
    label="Looking for records that may be the same person",
    action=Action.PERSON_MATCH_REVIEW, run=find_matches, problems=(MatchingRefused,)))
