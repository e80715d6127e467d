"""Linking a partner's list of people, from the analysts' page or ``manage.py
link_records``: against another list, or against the hub's people the analyst may see.

On the page, the lists are read as they are uploaded (``outside_lists``: a list that
cannot be read is refused there and then, every problem with its row and column, and no
job starts), then linked in the background: ``start_link_job`` records a ``LinkJob`` and
enqueues ``run_link_job`` (django-tasks; ``manage.py db_worker`` runs the queue, and
``make demo`` starts one), which reports each stage as it reaches it, so the job's page
can show how far it has got. The lists are emptied from the job as soon as it ends: only
the pairs (ids and probabilities) are kept, for the analyst who asked.

Linking against the hub's people is audited as an export of the people named in the
pairs, when they are downloaded (or written, from the command).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_export import csv_text
from macehub.core.csv_import import csv_records
from macehub.people.codes import LinkJobStatus
from macehub.people.linkage import LinkageResult, link_records
from macehub.people.linkage_engines import LinkageError
from macehub.people.linkage_records import people_records
from macehub.people.models import LinkJob, Person
from macehub.people.outside_lists import ListRefused, read_outside_list

PAIRS_HEADER = ("left_id", "right_id", "match_probability")

# The stages a job reports, with how far along each starts (per cent).
READING = ("Reading the lists", 5)
LINKING = ("Estimating the model on the records and scoring the pairs", 25)
WRITING = ("Writing the pairs", 90)


def hub_people_records(user: User) -> list[dict[str, Any]]:
    """The hub's people the user may see, as linkage records with text ids (a list's ids
    are text)."""
    people: QuerySet[Person] = policy.scope(user, Action.PERSON_VIEW, Person.objects.filter(
        merged_into__isnull=True))
    return [{**record, "unique_id": str(record["unique_id"])}
            for record in people_records(people)]


@dataclass(frozen=True)
class LinkedLists:
    left_records: int
    right_records: int
    result: LinkageResult

    @property
    def pairs_csv(self) -> str:
        return csv_text([PAIRS_HEADER, *((pair.left_id, pair.right_id,
                                          f"{pair.probability:.6f}")
                                         for pair in self.result.pairs)])

    def people_named(self) -> list[int]:
        """The hub's people in the pairs (linked against the hub)."""
        return sorted({int(pair.right_id) for pair in self.result.pairs})


def link_lists(left: list[dict[str, Any]], right: list[dict[str, Any]], *,
               threshold: float | None, engine: str | None = None,
               threads: int | None = None) -> LinkedLists:
    """Link two lists already read (raises ``LinkageError`` when they cannot be)."""
    options: dict[str, Any] = {"threshold": threshold, "threads": threads}
    if engine is not None:
        options["engine"] = engine
    result = link_records(left, right=right, **options)
    return LinkedLists(len(left), len(right), result)


def audit_linked_against_hub(*, user: User, list_name: str, linked: LinkedLists) -> None:
    record_event(event_type=EventType.EXPORT, actor=user, record_type="people.person",
                 detail={"export": "linked list", "list": list_name,
                         "pairs": len(linked.result.pairs),
                         "threshold": linked.result.threshold,
                         "people": linked.people_named()})


def _read(name: str, data: bytes) -> list[dict[str, Any]]:
    upload = io.BytesIO(data)
    upload.name = name
    return read_outside_list(upload)


def start_link_job(*, actor: User, left_name: str, left: bytes, right_name: str = "",
                   right: bytes | None = None, threshold: float | None = None) -> LinkJob:
    """Check both lists can be read (``ListRefused`` if not: no job is made) and queue
    the job. The lists are kept, as text, only until it ends."""
    policy.require(actor, Action.PERSON_LIST_LINK)
    _read(left_name, left)
    if right is not None:
        _read(right_name, right)
    job = LinkJob.objects.create(
        requested_by=actor, requested_at=timezone.now(), left_name=left_name[:200],
        right_name=right_name[:200] if right is not None else "",
        left_list=left.decode("utf-8-sig"),
        right_list=right.decode("utf-8-sig") if right is not None else "",
        threshold=threshold, stage="Waiting for the linking service to start it")
    record_event(event_type=EventType.IMPORT, actor=actor, record=job,
                 detail={"linking": {"left": job.left_name, "right": job.against,
                                     "threshold": threshold}})
    transaction.on_commit(lambda: run_link_job.enqueue(job.pk))
    return job


def _report(job: LinkJob, stage: tuple[str, int], **fields: Any) -> None:
    """Save the stage the job has reached, at once, for its page to show."""
    job.stage, job.progress = stage
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["stage", "progress", *fields])


def _finish(job: LinkJob, status: str, **fields: Any) -> None:
    _report(job, (job.stage if status == LinkJobStatus.FAILED else "Done",
                  job.progress if status == LinkJobStatus.FAILED else 100),
            status=status, finished_at=timezone.now(), left_list="", right_list="",
            **fields)


@task()
def run_link_job(job_pk: int) -> None:
    """Link a queued job's lists, reporting each stage; the lists are emptied at the end
    whatever happens."""
    job = LinkJob.objects.select_related("requested_by").get(pk=job_pk)
    if job.status != LinkJobStatus.QUEUED:
        return
    try:
        _report(job, READING, status=LinkJobStatus.RUNNING)
        left = _read(job.left_name, job.left_list.encode())
        if job.right_name:
            right = _read(job.right_name, job.right_list.encode())
        else:
            right = hub_people_records(job.requested_by)
        _report(job, LINKING, left_records=len(left), right_records=len(right))
        linked = link_lists(left, right, threshold=job.threshold)
        _report(job, WRITING)
        _finish(job, LinkJobStatus.DONE, pairs=linked.pairs_csv,
                pairs_found=len(linked.result.pairs),
                threshold_used=linked.result.threshold,
                training_notes=list(linked.result.training_adjusted))
    except (ListRefused, LinkageError) as error:
        _finish(job, LinkJobStatus.FAILED, problem=str(error))
    except Exception:
        _finish(job, LinkJobStatus.FAILED,
                problem="The linking service stopped with an error. Try again, or ask "
                        "the hub's administrators.")
        raise


# --- Reading jobs --------------------------------------------------------------------------


def jobs_for(user: User) -> QuerySet[LinkJob]:
    """The user's own jobs, newest first."""
    return policy.scope(user, Action.PERSON_LIST_LINK, LinkJob.objects.all())


def job_for(user: User, pk: int) -> LinkJob:
    return policy.get_or_404(user, Action.PERSON_LIST_LINK, LinkJob.objects.all(), pk=pk)


def pairs_downloaded(*, user: User, job: LinkJob, request: Any = None) -> None:
    """Downloading the pairs is an export: of the hub's people named, when linked
    against them."""
    detail: dict[str, Any] = {"export": "linked list", "list": job.left_name,
                              "against": job.against, "pairs": job.pairs_found}
    if not job.right_name:
        rows = list(csv_records(job.pairs.encode()))[1:]
        detail["people"] = sorted({int(row.cells[1]) for row in rows if len(row.cells) > 1})
    record_event(event_type=EventType.EXPORT, actor=user, record=job, detail=detail,
                 request=request)

