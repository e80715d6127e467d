"""The append-only, hash-chained audit log and its checkpoints.

An entry is written in two steps. It is appended, unsealed, inside the transaction of
the work it describes (so it commits or rolls back with that work, and no writer waits
for another). Once committed, the sealer (``macehub.audit.sealing``) gives it the next
position in the chain, the previous entry's hash and a SHA-256 hash over its own content
and that previous hash; altering or removing a sealed entry breaks the chain from that
point on, and ``audit_verify`` walks it in position order. Entries snapshot who acted
(username, agency, roles) rather than pointing at rows that might change. On PostgreSQL
triggers refuse DELETE and TRUNCATE, and every UPDATE except the one that seals an
unsealed entry.

A chain proves nothing about entries that are all gone: an empty log is a valid chain.
So ``audit_checkpoint`` records the head of the chain (its last entry's id and hash and
the number of entries) in a checkpoint, kept in its own append-only table and in a file
the operator keeps elsewhere; ``audit_verify`` then also checks that the log still
extends the last checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models

from macehub.audit.events import EventType

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(db_index=True)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency = models.CharField(max_length=200, blank=True)
    actor_roles = models.CharField(max_length=400, blank=True)
    record_type = models.CharField(max_length=80, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    purpose = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    # Set once, by the sealer: NULL (not "") while the entry waits to be sealed, so that
    # the unique hash admits many unsealed entries and the PostgreSQL trigger can tell
    # the one sealing update from any other.
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    previous_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    entry_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["record_type", "record_id", "occurred_at"]),
            # The sealer's queue: small, because entries leave it moments after commit.
            models.Index(
                fields=["id"], condition=models.Q(position__isnull=True), name="audit_unsealed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.event_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The audit log is append-only: entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only: entries cannot be removed")

    def hashed_content(self) -> dict[str, Any]:
        return {
            "occurred_at": self.occurred_at.isoformat(),
            "event_type": self.event_type,
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_agency": self.actor_agency,
            "actor_roles": self.actor_roles,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "purpose": self.purpose,
            "detail": self.detail,
            "ip_address": self.ip_address,
        }

    @property
    def sealed(self) -> bool:
        return self.position is not None

    def compute_hash(self) -> str:
        """The entry's hash over ``previous_hash`` and its content. The position is not
        hashed (entries sealed before positions existed were not): the link to the
        previous hash already fixes each entry's place in the chain."""
        canonical = json.dumps(
            self.hashed_content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(((self.previous_hash or "") + canonical).encode("utf-8")).hexdigest()


class AuditCheckpoint(models.Model):
    """The head of the chain at a moment: anything the log lost before it shows.

    ``entry_id`` is a plain number, not a foreign key, because the point is to notice
    when that entry has gone. An empty log's checkpoint has entry 0 and the genesis hash.
    """

    made_at = models.DateTimeField()
    entry_id = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    entry_count = models.BigIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Checkpoint {self.pk} at entry {self.entry_id} ({self.entry_count} entries)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit log checkpoints are append-only: they cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit log checkpoints are append-only: they cannot be removed")
