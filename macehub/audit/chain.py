"""Checking the audit log: its hash chain from the first sealed entry to the last (in
position order, with no position missing or repeated), that it still extends its
checkpoints, and that no entry has waited too long to be sealed.

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

from django.utils import timezone

from macehub.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent

_HASH = re.compile(r"[0-9a-f]{64}")

# Entries are sealed moments after they commit, and by ``audit_seal`` every minute; one
# unsealed for longer means sealing is not running (and the entry is not yet protected
# by the chain).
SEALING_GRACE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ChainHead:
    """The last sealed entry of the log at some moment, and how many sealed entries it
    held (which is also that entry's position in the chain)."""

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
    # Committed entries not yet sealed into the chain: all of them, and those that
    # have waited longer than SEALING_GRACE (a problem: is ``audit_seal`` running?).
    unsealed: int = 0
    unsealed_overdue: int = 0
    oldest_unsealed_at: dt.datetime | None = None

    @property
    def sealing_overdue(self) -> bool:
        return self.unsealed_overdue > 0

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
    sealed = AuditEvent.objects.filter(position__isnull=False)
    found = (
        AuditEvent.objects.filter(pk=head.entry_id)
        .values_list("entry_hash", "position")
        .first()
    )
    if found is None:
        return (
            f"entry {head.entry_id}, the last entry it recorded, is missing; the log "
            f"holds {sealed.count()} entries where it counted {head.entry_count} (entries "
            "were removed)"
        )
    entry_hash, position = found
    if entry_hash != head.entry_hash or position is None:
        return (
            f"entry {head.entry_id} no longer has the hash it recorded (the log was "
            "rewritten)"
        )
    up_to = sealed.filter(position__lte=position).count()
    if up_to != head.entry_count:
        change = "removed" if up_to < head.entry_count else "inserted"
        return (
            f"the log holds {up_to} entries up to entry {head.entry_id} where it counted "
            f"{head.entry_count} (entries were {change})"
        )
    return None


def _sealed_entries(batch_size: int, after_position: int) -> Iterator[AuditEvent]:
    last = after_position
    while True:
        batch = list(
            AuditEvent.objects.filter(position__gt=last).order_by("position")[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].position or last


def _unsealed_report() -> dict[str, Any]:
    unsealed = AuditEvent.objects.filter(position__isnull=True)
    oldest = unsealed.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    return {
        "unsealed": unsealed.count(),
        "unsealed_overdue": unsealed.filter(
            occurred_at__lt=timezone.now() - SEALING_GRACE
        ).count(),
        "oldest_unsealed_at": oldest,
    }


def verify_chain(
    checkpoints: Sequence[Checkpoint] = (),
    *,
    start: ChainHead = EMPTY_LOG,
    batch_size: int = 5000,
) -> ChainReport:
    """Walk the sealed chain from ``start`` (the beginning, unless a check already
    vouched for the entries up to some head), check the log against each of
    ``checkpoints``, and count the entries still waiting to be sealed."""
    results = tuple(CheckpointResult(c, checkpoint_problem(c)) for c in checkpoints)
    unsealed = _unsealed_report()
    expected_previous = start.entry_hash
    checked = start.entry_count
    head = start
    for entry in _sealed_entries(batch_size, start.entry_count):
        checked += 1
        reason = None
        if entry.position != checked:
            reason = (
                f"it is at position {entry.position} where {checked} was expected (an "
                "entry was removed or inserted)"
            )
        elif entry.previous_hash != expected_previous:
            reason = (
                "it does not link to the entry before it (an entry was removed, "
                "inserted or altered)"
            )
        elif entry.compute_hash() != entry.entry_hash:
            reason = "its content no longer matches its hash (it was altered)"
        if reason is not None:
            return ChainReport(checked, ChainBreak(entry.pk, reason), head, results, **unsealed)
        expected_previous = entry.entry_hash or ""
        head = ChainHead(entry.pk, expected_previous, checked)
    return ChainReport(checked, None, head, results, **unsealed)
