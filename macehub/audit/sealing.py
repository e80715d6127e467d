"""Sealing audit entries into the hash chain, after the work they describe commits.

``record_event`` appends an entry without a lock, inside the caller's transaction, so
no request waits for another to commit. Sealing then gives each committed entry the
next position in the chain, the previous entry's hash and its own hash, one sealer at
a time: on PostgreSQL under an advisory lock held for the sealer's own short
transaction; on SQLite every write transaction is IMMEDIATE (see settings), so
sealers are serial already.

The chain's order is the order of sealing, not of ids. On PostgreSQL an id is taken
when a row is inserted, not when it commits, so a lower id may commit after a higher
one; a sealer chaining by id would have to stop at every gap that might still commit.
Here a sealer sees only committed entries (and its own transaction's), seals whatever
it sees, and an entry whose transaction commits later is sealed by a later round. It
never seals an entry twice: it holds the lock and takes only entries with no position,
and on PostgreSQL a trigger refuses any second sealing.

Every committed entry gets sealed. The transaction that records an event asks for a
sealing round right after it commits (``seal_after_commit``). That round only *tries*
the lock: if another sealer holds it, sealing is left to them, and every sealer, once
it has released the lock, looks again and goes round once more if entries committed
meanwhile. So an entry committed while a sealer held the lock is sealed either by that
sealer's next round or by a sealer that took the lock after the entry committed (and
therefore sees it). ``manage.py audit_seal``, run every minute, is the backstop for a
round that failed or gave up.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction

from macehub.audit.models import GENESIS_HASH, AuditEvent

logger = logging.getLogger(__name__)

# An arbitrary constant naming the PostgreSQL advisory lock that orders the chain.
CHAIN_LOCK_KEY = 4_815_162_342
# Entries sealed per UPDATE; a round seals every batch it finds.
SEAL_BATCH = 500
# Rounds one commit's sealer makes before leaving the rest to others: under constant
# load there is always more, and the request that happened to seal should not pay for it.
_ROUNDS_AFTER_COMMIT = 5


def take_chain_lock(*, wait: bool) -> bool:
    """The sealing lock, until the current transaction ends; False if ``wait`` is False
    and another sealer holds it."""
    if connection.vendor != "postgresql":
        # SQLite's IMMEDIATE transaction already holds the database's only write lock.
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        row = cursor.fetchone()
        return bool(row and row[0])


def _commit_without_waiting_for_disk() -> None:
    """Sealing is the one write that need not wait for the disk at commit: the entries
    were made durable by their own transactions' commits, and a crash can only lose the
    newest seals (PostgreSQL's log is written in order, so never one that a surviving
    seal links to), which leaves those entries unsealed for the next sealer. A
    checkpoint's own commit waits for the disk, and with it every seal before it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def chain_head() -> tuple[int, str]:
    """The position and hash of the last sealed entry (0 and the genesis hash if none)."""
    head = (
        AuditEvent.objects.filter(position__isnull=False)
        .order_by("-position")
        .values_list("position", "entry_hash")
        .first()
    )
    if head is None or head[0] is None or head[1] is None:
        return 0, GENESIS_HASH
    return head[0], head[1]


def _seal_batch(position: int, previous_hash: str) -> tuple[int, str, int]:
    """Seal the next batch of unsealed entries after the chain's head; returns the new
    head and how many were sealed. The caller holds the lock."""
    entries = list(AuditEvent.objects.filter(position__isnull=True).order_by("id")[:SEAL_BATCH])
    for entry in entries:
        position += 1
        entry.position = position
        entry.previous_hash = previous_hash
        entry.entry_hash = entry.compute_hash()
        previous_hash = entry.entry_hash
    if entries:
        AuditEvent.objects.bulk_update(entries, ["position", "previous_hash", "entry_hash"])
    return position, previous_hash, len(entries)


def seal_events(*, wait: bool = True) -> int | None:
    """Seal every committed unsealed entry into the chain, in one transaction under the
    sealing lock. Returns how many were sealed, or None when ``wait`` is False and
    another sealer holds the lock (it will seal them).

    Called inside an outer transaction, the lock is held until that one ends: the
    checkpoint does so to keep the head still while it reads it.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if not take_chain_lock(wait=wait):
            return None
        if outermost:
            # Only a transaction of its own: inside the checkpoint's, SET LOCAL would
            # spare the checkpoint's commit the wait for the disk as well.
            _commit_without_waiting_for_disk()
        position, previous_hash = chain_head()
        sealed = 0
        while True:
            position, previous_hash, count = _seal_batch(position, previous_hash)
            sealed += count
            if count < SEAL_BATCH:
                return sealed


def unsealed_waiting() -> bool:
    return AuditEvent.objects.filter(position__isnull=True).exists()


def seal_rounds(*, wait: bool, rounds: int = _ROUNDS_AFTER_COMMIT) -> int:
    """Seal, and once the lock is released look again and go round while entries
    committed meanwhile (up to ``rounds`` times). Returns how many were sealed."""
    sealed = 0
    for _ in range(rounds):
        count = seal_events(wait=wait)
        if count is None:
            return sealed  # the sealer holding the lock looks again when it lets go
        sealed += count
        if not unsealed_waiting():
            return sealed
    logger.info("Audit entries are still waiting to be sealed; left to the next sealer")
    return sealed


def _seal_round_after_commit() -> None:
    seal_rounds(wait=False)


def seal_after_commit() -> None:
    """Run a sealing round once the current transaction commits (straight away outside
    one); once per transaction however many events it records. A round that fails is
    logged, never raised into the request whose work has already committed."""
    # Django keeps (savepoints, callback, robust) here; its stubs know only two of them.
    if any(entry[1] is _seal_round_after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_seal_round_after_commit, robust=True)
