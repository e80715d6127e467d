"""The hub's background jobs (django-tasks, run by ``manage.py db_worker``) as
information governance and administrators see them: what each job is, its state, how
far it has got and how it ended, newest first.

A job's arguments, return value and traceback are never shown: they can hold personal
data (a list's rows, a name in an error). A failure shows the kind of error only. How
far a job has got is known to the app whose job it is: an app registers, in its
``background_jobs.py``, the task's path with a label and a function that reads the
progress of a batch of its jobs in one query (``people`` registers its list linking)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from macehub.core.registry import Registry

JOBS_SHOWN = 200


@dataclass(frozen=True)
class JobProgress:
    stage: str
    per_cent: int


@dataclass(frozen=True)
class JobKind:
    """``progress`` takes the jobs' first positional arguments (as enqueued) and gives
    each one's progress, in one query for the batch."""

    label: str
    progress: Callable[[Sequence[Any]], dict[Any, JobProgress]]


JOB_KINDS: Registry[JobKind] = Registry("background job kind", module_name="background_jobs")

STATE_LABELS = {
    TaskResultStatus.READY: "Waiting",
    TaskResultStatus.RUNNING: "Running",
    TaskResultStatus.FAILED: "Failed",
    TaskResultStatus.SUCCESSFUL: "Finished",
}


@dataclass(frozen=True)
class JobRow:
    id: str
    kind: str
    state: str
    enqueued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: JobProgress | None
    outcome: str


def _first_argument(result: DBTaskResult[Any, Any]) -> Any:
    stored = result.args_kwargs if isinstance(result.args_kwargs, dict) else {}
    arguments = stored.get("args") or []
    return arguments[0] if arguments else None


def _outcome(result: DBTaskResult[Any, Any]) -> str:
    if result.status == TaskResultStatus.FAILED:
        kind = result.exception_class_path.rsplit(".", 1)[-1] or "an error"
        return f"Stopped by {kind}"
    if result.status == TaskResultStatus.SUCCESSFUL:
        return "Done"
    return ""


def background_jobs(limit: int = JOBS_SHOWN) -> list[JobRow]:
    """The latest jobs, newest first: one query for the jobs, one per kind of job for
    their progress."""
    results = list(DBTaskResult.objects.defer("traceback", "return_value")
                   .order_by("-enqueued_at")[:limit])
    by_kind: dict[str, list[Any]] = {}
    for result in results:
        by_kind.setdefault(result.task_path, []).append(_first_argument(result))
    progress: dict[str, dict[Any, JobProgress]] = {}
    for path, arguments in by_kind.items():
        if path in JOB_KINDS:
            progress[path] = JOB_KINDS.get(path).progress(arguments)
    rows = []
    for result in results:
        kind = JOB_KINDS.get(result.task_path) if result.task_path in JOB_KINDS else None
        rows.append(JobRow(
            id=str(result.id),
            kind=kind.label if kind else result.task_path.rsplit(".", 1)[-1],
            state=STATE_LABELS.get(TaskResultStatus(result.status), result.status),
            enqueued_at=result.enqueued_at, started_at=result.started_at,
            finished_at=result.finished_at,
            progress=progress.get(result.task_path, {}).get(_first_argument(result)),
            outcome=_outcome(result)))
    return rows
