"""Checking the audit log's hash chain from the first entry to the last."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from macehub.audit.models import GENESIS_HASH, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _entries(batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk


def verify_chain(batch_size: int = 5000) -> ChainReport:
    expected_previous = GENESIS_HASH
    checked = 0
    for entry in _entries(batch_size):
        checked += 1
        if entry.previous_hash != expected_previous:
            return ChainReport(
                checked,
                ChainBreak(
                    entry.pk,
                    "it does not link to the entry before it (an entry was removed, "
                    "inserted or altered)",
                ),
            )
        if entry.compute_hash() != entry.entry_hash:
            return ChainReport(
                checked,
                ChainBreak(entry.pk, "its content no longer matches its hash (it was altered)"),
            )
        expected_previous = entry.entry_hash
    return ChainReport(checked, None)
