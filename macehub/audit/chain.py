"""Checking the audit log: its hash chain from the first entry to the last, and that it
still extends its checkpoints.

The chain alone shows an entry altered, inserted or removed among others, but not the
loss of every entry (an empty log is a valid chain) nor of the newest ones. A checkpoint
records the head of the chain at a moment; the log must still hold that entry, with
that hash, with exactly that many entries up to it. The latest checkpoint is kept in the
database; one the operator keeps elsewhere (a line ``audit_checkpoint`` wrote to a file)
survives the loss of both tables.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from macehub.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent

_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ChainHead:
    """The last entry of the log at some moment, and how many entries it held."""

    entry_id: int
    entry_hash: str
    entry_count: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "entry_hash": self.entry_hash,
            "entry_count": self.entry_count,
        }


EMPTY_LOG = ChainHead(entry_id=0, entry_hash=GENESIS_HASH, entry_count=0)


@dataclass(frozen=True)
class Checkpoint:
    """A chain head recorded at ``made_at``; ``source`` says where it was kept, for
    messages ("checkpoint 3", "the checkpoint in /backup/audit-checkpoints.jsonl")."""

    head: ChainHead
    made_at: dt.datetime | None
    source: str

    @classmethod
    def from_record(cls, record: AuditCheckpoint) -> Checkpoint:
        return cls(
            head=ChainHead(record.entry_id, record.entry_hash, record.entry_count),
            made_at=record.made_at,
            source=f"checkpoint {record.pk}",
        )


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


@dataclass(frozen=True)
class CheckpointResult:
    checkpoint: Checkpoint
    problem: str | None

    @property
    def extended(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    first_break: ChainBreak | None
    # The last entry checked: where a later check can carry on from.
    head: ChainHead = EMPTY_LOG
    checkpoints: tuple[CheckpointResult, ...] = field(default=())

    @property
    def links_intact(self) -> bool:
        return self.first_break is None

    @property
    def extends_checkpoints(self) -> bool:
        return all(result.extended for result in self.checkpoints)

    @property
    def intact(self) -> bool:
        return self.links_intact and self.extends_checkpoints


class CheckpointFileError(ValueError):
    """An operator's checkpoint file that cannot be read as one."""


def latest_checkpoint() -> Checkpoint | None:
    record = AuditCheckpoint.objects.order_by("-id").first()
    return Checkpoint.from_record(record) if record is not None else None


def checkpoint_line(record: AuditCheckpoint) -> str:
    """The one-line JSON form of a checkpoint that ``audit_checkpoint`` writes for the
    operator and ``read_checkpoint_file`` reads back."""
    return json.dumps(
        {
            "checkpoint": record.pk,
            "made_at": record.made_at.isoformat(),
            "entry_id": record.entry_id,
            "entry_hash": record.entry_hash,
            "entry_count": record.entry_count,
        },
        separators=(",", ":"),
    )


def read_checkpoint_file(path: Path) -> Checkpoint:
    """The last checkpoint line in ``path`` (a file that checkpoints are appended to)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointFileError(f"Cannot read the checkpoint file {path}: {error}") from error
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise CheckpointFileError(f"The checkpoint file {path} holds no checkpoint")
    number, line = numbered[-1]
    where = f"line {number} of {path}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise CheckpointFileError(f"{where} is not a checkpoint line: {error}") from error
    if not isinstance(data, dict):
        raise CheckpointFileError(f"{where} is not a checkpoint line")
    entry_id, entry_count, entry_hash = (
        data.get("entry_id"), data.get("entry_count"), data.get("entry_hash")
    )
    if not (isinstance(entry_id, int) and not isinstance(entry_id, bool) and entry_id >= 0):
        raise CheckpointFileError(f"{where} has no entry_id (a whole number)")
    if not (
        isinstance(entry_count, int) and not isinstance(entry_count, bool) and entry_count >= 0
    ):
        raise CheckpointFileError(f"{where} has no entry_count (a whole number)")
    if not (isinstance(entry_hash, str) and _HASH.fullmatch(entry_hash)):
        raise CheckpointFileError(f"{where} has no entry_hash (64 hexadecimal characters)")
    made_at = None
    if isinstance(data.get("made_at"), str):
        try:
            made_at = dt.datetime.fromisoformat(data["made_at"])
        except ValueError as error:
            raise CheckpointFileError(f"{where} has a made_at that is not a time") from error
    return Checkpoint(
        head=ChainHead(entry_id, entry_hash, entry_count),
        made_at=made_at,
        source=f"the checkpoint in {path}",
    )


def checkpoint_problem(checkpoint: Checkpoint) -> str | None:
    """Why the log no longer extends ``checkpoint``, or None if it does (worded to
    follow "the log no longer extends <the checkpoint>: ")."""
    head = checkpoint.head
    if head.entry_id == 0:
        # Made when the log was empty: every log extends it.
        return None
    total = AuditEvent.objects.count()
    entry_hash = (
        AuditEvent.objects.filter(pk=head.entry_id).values_list("entry_hash", flat=True).first()
    )
    if entry_hash is None:
        return (
            f"entry {head.entry_id}, the last entry it recorded, is missing; the log "
            f"holds {total} entries where it counted {head.entry_count} (entries were "
            "removed)"
        )
    if entry_hash != head.entry_hash:
        return (
            f"entry {head.entry_id} no longer has the hash it recorded (the log was "
            "rewritten)"
        )
    up_to = AuditEvent.objects.filter(pk__lte=head.entry_id).count()
    if up_to != head.entry_count:
        change = "removed" if up_to < head.entry_count else "inserted"
        return (
            f"the log holds {up_to} entries up to entry {head.entry_id} where it counted "
            f"{head.entry_count} (entries were {change})"
        )
    return None


def _entries(batch_size: int, after_id: int) -> Iterator[AuditEvent]:
    last_id = after_id
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk


def verify_chain(
    checkpoints: Sequence[Checkpoint] = (),
    *,
    start: ChainHead = EMPTY_LOG,
    batch_size: int = 5000,
) -> ChainReport:
    """Walk the chain from ``start`` (the beginning, unless a check already vouched for
    the entries up to some head) and check the log against each of ``checkpoints``."""
    results = tuple(CheckpointResult(c, checkpoint_problem(c)) for c in checkpoints)
    expected_previous = start.entry_hash
    checked = start.entry_count
    head = start
    for entry in _entries(batch_size, start.entry_id):
        checked += 1
        if entry.previous_hash != expected_previous:
            reason = (
                "it does not link to the entry before it (an entry was removed, "
                "inserted or altered)"
            )
            return ChainReport(checked, ChainBreak(entry.pk, reason), head, results)
        if entry.compute_hash() != entry.entry_hash:
            reason = "its content no longer matches its hash (it was altered)"
            return ChainReport(checked, ChainBreak(entry.pk, reason), head, results)
        expected_previous = entry.entry_hash
        head = ChainHead(entry.pk, entry.entry_hash, checked)
    return ChainReport(checked, None, head, results)
