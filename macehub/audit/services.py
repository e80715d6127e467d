"""Writing to the audit log. Every service that reads or changes personal data calls
``record_event`` inside its own transaction, so the audit row commits or rolls back
with the work it describes. The row is appended without a lock and sealed into the
hash chain just after that transaction commits (``macehub.audit.sealing``), so audited
requests do not queue behind one another. ``make_checkpoint`` records the head of the
chain."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from macehub.audit.chain import ChainReport, latest_checkpoint, verify_chain
from macehub.audit.events import NOT_WRITES, EventType
from macehub.audit.models import AuditCheckpoint, AuditEvent
from macehub.audit.sealing import seal_after_commit, seal_events
from macehub.core import submissions
from macehub.core.client_address import client_address

if TYPE_CHECKING:
    from macehub.accounts.models import User

def _as_json(detail: dict[str, Any] | None) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder))
    return loaded


def record_type_of(record: models.Model) -> str:
    return f"{record._meta.app_label}.{record._meta.model_name}"


def record_event(
    *,
    event_type: EventType,
    actor: User | None,
    record: models.Model | None = None,
    record_type: str = "",
    record_id: str | int = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_username: str = "",
) -> AuditEvent:
    event = _event(event_type=event_type, actor=actor, record=record, record_type=record_type,
                   record_id=record_id, purpose=purpose, detail=detail, request=request,
                   actor_username=actor_username)
    if event_type not in NOT_WRITES:
        # The first write a request makes (the record a form creates, or the change it
        # makes) claims its submission token in this transaction: a duplicate of the
        # request stops here, before its entry is written, and rolls back.
        submissions.claim(user_pk=event.actor_id, record_type=event.record_type,
                          record_id=event.record_id)
    if settings.AUDIT_OFF_FOR_BENCHMARK:
        # Only ever for measuring what auditing costs; the audit.W001 check shouts.
        return event
    # Unsealed: no lock, so it commits or rolls back with the caller's work and waits
    # for no other request. Its position and hash are given once it has committed.
    event.save(force_insert=True)
    seal_after_commit()
    return event


def record_events_for_each(
    *,
    event_type: EventType,
    actor: User | None,
    records: Sequence[models.Model],
    detail: Callable[[models.Model], dict[str, Any]],
    purpose: str = "",
) -> None:
    """One entry per record, as ``record_event`` writes them, in one statement: for the
    bulk writers (an import of thousands of records), each record still audited."""
    events = [_event(event_type=event_type, actor=actor, record=record, purpose=purpose,
                     detail=detail(record)) for record in records]
    if events and event_type not in NOT_WRITES:
        submissions.claim(user_pk=events[0].actor_id, record_type=events[0].record_type,
                          record_id=events[0].record_id)
    if settings.AUDIT_OFF_FOR_BENCHMARK or not events:
        return
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    seal_after_commit()


def _event(
    *,
    event_type: EventType,
    actor: User | None,
    record: models.Model | None = None,
    record_type: str = "",
    record_id: str | int = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_username: str = "",
) -> AuditEvent:
    if record is not None:
        record_type = record_type_of(record)
        record_id = record.pk
    authenticated = actor is not None and actor.is_authenticated
    event = AuditEvent(
        occurred_at=timezone.now(),
        event_type=event_type,
        actor_id=actor.pk if authenticated and actor else None,
        actor_username=(actor.get_username() if authenticated and actor else actor_username)[
            :150
        ],
        actor_agency=(actor.agency.name if authenticated and actor and actor.agency else ""),
        actor_roles=",".join(sorted(actor.role_codes)) if authenticated and actor else "",
        record_type=record_type,
        record_id=str(record_id),
        purpose=purpose,
        detail=_as_json(detail),
        ip_address=client_address(request),
    )
    return event


def changed_values(
    before: dict[str, Any], after: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Old and new values of each field that changed, for a CHANGE event's detail."""
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


class CheckpointRefused(Exception):
    """The log is not intact, so its head must not be vouched for."""

    def __init__(self, report: ChainReport) -> None:
        self.report = report
        if report.first_break is not None:
            why = f"entry {report.first_break.entry_id} is broken: {report.first_break.reason}"
        else:
            why = "; ".join(
                f"it no longer extends {result.checkpoint.source}: {result.problem}"
                for result in report.checkpoints
                if result.problem
            )
        super().__init__(f"The audit log is not intact, so no checkpoint was made: {why}")


def make_checkpoint(
    *, actor: User | None, request: HttpRequest | None = None, via: str = ""
) -> AuditCheckpoint:
    """Record the head of the chain, once the whole log is verified, and audit it
    (``via`` names what made it when no user did, e.g. a scheduled command).

    What has committed so far is sealed first, so that the checkpoint covers it. The
    long walk runs without the sealing lock, so sealing carries on meanwhile; under the
    lock only the entries sealed since are checked, and the head is read.
    """
    seal_events()
    previous = latest_checkpoint()
    report = verify_chain([previous] if previous else [])
    if not report.intact:
        raise CheckpointRefused(report)
    with transaction.atomic():
        # Seals what committed since, and holds the lock to the end of this transaction.
        seal_events()
        report = verify_chain(start=report.head)
        if not report.intact:
            raise CheckpointRefused(report)
        checkpoint = AuditCheckpoint(
            made_at=timezone.now(),
            entry_id=report.head.entry_id,
            entry_hash=report.head.entry_hash,
            entry_count=report.head.entry_count,
        )
        checkpoint.save(force_insert=True)
        record_event(
            event_type=EventType.AUDIT_CHECKPOINT,
            actor=actor,
            record=checkpoint,
            detail={**report.head.as_dict(), **({"via": via} if via else {})},
            request=request,
        )
    return checkpoint
