"""The migration to sealing: entries chained before it (by id, under one lock) become
the first positions of the sealed chain with their hashes untouched, and the way back
refuses while an entry is still unsealed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from macehub.audit.chain import verify_chain
from macehub.audit.events import EventType
from macehub.audit.models import GENESIS_HASH, AuditEvent
from macehub.audit.sealing import seal_events

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("audit", "0006_role_change_event_types")
SEALING = ("audit", "0007_seal_entries_after_commit")


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection)  # a fresh loader sees the state reached


def test_entries_chained_before_become_the_sealed_chain_and_the_way_back_waits() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("audit", "AuditEvent")
        previous = GENESIS_HASH
        ids = []
        for n in range(3):
            # Hashed as the old record_event did: over the previous hash and the content.
            entry = AuditEvent(
                occurred_at=dt.datetime(2026, 11, 2, 9, n, tzinfo=dt.UTC),
                event_type=EventType.VIEW, actor_username="before.sealing",
                record_type="people.person", record_id=str(n), detail={"n": n},
                previous_hash=previous,
            )
            entry_hash = entry.compute_hash()
            ids.append(old.objects.create(
                occurred_at=entry.occurred_at, event_type=entry.event_type,
                actor_username=entry.actor_username, record_type=entry.record_type,
                record_id=entry.record_id, detail=entry.detail, previous_hash=previous,
                entry_hash=entry_hash,
            ).pk)
            previous = entry_hash

        _migrate(SEALING)
        assert list(AuditEvent.objects.order_by("id").values_list("id", "position")) == [
            (pk, n) for n, pk in enumerate(ids, start=1)
        ]
        report = verify_chain()
        assert report.intact and report.entries_checked == 3 and report.head.entry_id == ids[-1]

        # An entry not yet sealed keeps the log from going back...
        AuditEvent(occurred_at=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC),
                   event_type=EventType.VIEW, actor_username="after.sealing").save()
        with pytest.raises(RuntimeError, match=r"not sealed yet: run manage\.py audit_seal"):
            _migrate(BEFORE)
        # ...until it is sealed.
        assert seal_events() == 1
        _migrate(BEFORE)
        _migrate(SEALING)
        assert verify_chain().entries_checked == 4
    finally:
        _migrate_all(latest)


def _migrate_all(targets: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(targets)
