"""Long work asked for from a page, run in the background: publishing a month's report,
drawing a PDF (a published report's, a problem profile's, the published
disproportionality table's, the resourcing report's, a meeting's minutes, a progress
statement), producing a subject access disclosure bundle, a matching run over every
person. Each app registers its kinds
of work in its ``background_jobs.py`` (``REQUESTED_JOB_KINDS``), as it registers the
progress of its own jobs for the list of background jobs.

The page's POST calls ``start_requested_job``, which records a ``RequestedJob`` and
enqueues ``run_requested_job`` (django-tasks; ``manage.py db_worker`` runs the queue,
and ``make demo`` starts one); the requester is taken to the job's page, which follows
its stage as it runs and, when it is done, offers its result: a link to what it made,
or the file it drew.

A job is its requester's alone, and only while they may still do what it did (its
kind's action): to anyone else it does not exist. A file is kept in the database, not
on disk, and only until it is downloaded or ``FILE_LIFETIME`` after it was drawn,
whichever comes first (``purge_expired_files``, run as each job starts and as each file
is downloaded). A finished job's row, which says what was asked for and by whom, goes
``JOB_RECORD_LIFETIME`` after it finished (``purge_finished_jobs``): the audit log keeps
the request, the download and what was exported for as long as the log is kept, and a
job's title can name a person (a subject access bundle's request), so it is not kept
longer than the requester needs to come back for it. Downloading is audited as the file
handed over (on the job) and as the export it is (on what it exports, by the kind's
``downloaded``).
A job that fails says why (in the kind's own words when its error is one the user can
act on); work that writes does so in one transaction, so a failure leaves nothing half
done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django_tasks import task

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.registry import Registry
from macehub.governance.codes import RequestedJobStatus
from macehub.governance.requested_job_models import RequestedJob

FILE_LIFETIME = dt.timedelta(hours=24)
JOB_RECORD_LIFETIME = dt.timedelta(days=30)
FAILED_UNEXPECTEDLY = ("The job stopped with an error. Nothing was changed. Try again, or "
                       "ask the hub's administrators.")


@dataclass(frozen=True)
class DrawnFile:
    content: bytes
    file_name: str
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class JobResult:
    """What a job made: a link to it (``url`` and ``label``), or a file; ``drawn`` says
    what the file holds, as it was drawn, for auditing its download (kept with the job's
    arguments, under ``"drawn"``)."""

    url: str = ""
    label: str = ""
    file: DrawnFile | None = None
    drawn: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class RequestedJobKind:
    """``run`` does the work for the job's requester and arguments, reporting its stage
    and per cent through ``progress``; ``problems`` are the errors whose message is for
    the user (anything else is reported as an unexpected failure); ``downloaded`` audits
    the download of a file the kind draws."""

    label: str
    action: Action
    run: Callable[[User, dict[str, Any], Progress], JobResult]
    problems: tuple[type[Exception], ...] = ()
    downloaded: Callable[[User, RequestedJob, HttpRequest | None], None] | None = None


REQUESTED_JOB_KINDS: Registry[RequestedJobKind] = Registry(
    "requested job kind", module_name="background_jobs")


def start_requested_job(*, actor: User, kind: str, title: str,
                        arguments: dict[str, Any]) -> RequestedJob:
    """Record the job and queue it once the request's transaction commits."""
    policy.require(actor, REQUESTED_JOB_KINDS.get(kind).action)
    job = RequestedJob.objects.create(
        kind=kind, title=title[:200], arguments=arguments, requested_by=actor,
        requested_at=timezone.now(), stage="Waiting for the hub's worker to start it")
    transaction.on_commit(lambda: run_requested_job.enqueue(job.pk))
    return job


def _report(job: RequestedJob, stage: str, per_cent: int, **fields: Any) -> None:
    """Save the stage the job has reached, at once, for its page to show."""
    job.stage, job.progress = stage[:200], max(0, min(per_cent, 100))
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["stage", "progress", *fields])


def _finish(job: RequestedJob, result: JobResult) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"status": RequestedJobStatus.DONE, "finished_at": now,
                              "result_url": result.url, "result_label": result.label[:200]}
    if result.file is not None:
        fields.update(content=result.file.content, file_name=result.file.file_name[:200],
                      content_type=result.file.content_type, expires_at=now + FILE_LIFETIME)
    if result.drawn:
        fields["arguments"] = {**job.arguments, "drawn": result.drawn}
    _report(job, "Done", 100, **fields)


def _fail(job: RequestedJob, problem: str) -> None:
    _report(job, job.stage, job.progress, status=RequestedJobStatus.FAILED,
            finished_at=timezone.now(), problem=problem)


@task()
def run_requested_job(job_pk: int) -> None:
    """Do a queued job's work, reporting each stage; a failure is recorded with its
    reason (and an unexpected one raised again, for the worker's log)."""
    purge_expired_files()
    job = RequestedJob.objects.select_related("requested_by").get(pk=job_pk)
    if job.status != RequestedJobStatus.QUEUED:
        return
    kind = REQUESTED_JOB_KINDS.get(job.kind)
    _report(job, "Starting", 1, status=RequestedJobStatus.RUNNING)
    try:
        result = kind.run(job.requested_by, job.arguments,
                          lambda stage, per_cent: _report(job, stage, per_cent))
    except kind.problems as error:
        _fail(job, str(error))
    except Exception:
        _fail(job, FAILED_UNEXPECTEDLY)
        raise
    else:
        _finish(job, result)


def purge_expired_files(now: dt.datetime | None = None) -> int:
    """Delete the files no one downloaded in time; the job's row stays, saying so."""
    return RequestedJob.objects.filter(
        expires_at__lte=now or timezone.now(), content__isnull=False).update(content=None)


def purge_finished_jobs(now: dt.datetime | None = None) -> int:
    """Delete the jobs that finished ``JOB_RECORD_LIFETIME`` ago (their files long gone);
    a job still queued or running stays, whatever its age, so a stuck one is seen."""
    deleted, _ = RequestedJob.objects.filter(
        finished_at__lte=(now or timezone.now()) - JOB_RECORD_LIFETIME).delete()
    return deleted


# --- Reading jobs --------------------------------------------------------------------------


def job_for(user: User, pk: int) -> RequestedJob:
    """The user's own job, while they may still do what it did; a 404 otherwise."""
    job = policy.get_or_404(user, Action.REQUESTED_JOB_VIEW,
                            RequestedJob.objects.defer("content"), pk=pk)
    if job.kind not in REQUESTED_JOB_KINDS or not policy.allows(
            user, REQUESTED_JOB_KINDS.get(job.kind).action):
        raise Http404("No such job")
    return job


def jobs_for(user: User) -> QuerySet[RequestedJob]:
    return policy.scope(user, Action.REQUESTED_JOB_VIEW, RequestedJob.objects.defer("content"))


def file_available(job: RequestedJob) -> bool:
    """Whether the job drew a file still waiting to be downloaded."""
    return bool(job.file_name) and job.downloaded_at is None and (
        job.expires_at is not None and job.expires_at > timezone.now())


def take_file(*, actor: User, job_pk: int, request: HttpRequest | None = None) -> DrawnFile | None:
    """The job's file, deleted from the hub as it is handed over and its export audited;
    ``None`` once it has been downloaded or has expired."""
    purge_expired_files()
    with transaction.atomic():
        job_for(actor, job_pk)
        job = RequestedJob.objects.select_for_update().get(pk=job_pk)
        if job.content is None or not file_available(job):
            return None
        drawn = DrawnFile(bytes(job.content), job.file_name, job.content_type)
        job.content, job.downloaded_at = None, timezone.now()
        job.save(update_fields=["content", "downloaded_at"])
        record_event(event_type=EventType.EXPORT, actor=actor, record=job,
                     detail={"file": job.file_name, "kind": job.kind}, request=request)
        downloaded = REQUESTED_JOB_KINDS.get(job.kind).downloaded
        if downloaded is not None:
            downloaded(actor, job, request)
    return drawn
