"""The audit log under many writers at once, on PostgreSQL (where writers really run
concurrently; SQLite runs one write transaction at a time).

Fifty threads, each with its own connection, record events in transactions of which
some roll back. Afterwards every committed event is in the chain exactly once, nothing
of the rolled-back work is, the chain has no fork or gap and verifies. A transaction
held open with an unsealed event blocks no other writer, and its event is sealed once
it commits, although its id is lower than theirs. The database lets an unsealed entry
be sealed once, and nothing else.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from macehub.audit.chain import verify_chain
from macehub.audit.events import EventType
from macehub.audit.models import GENESIS_HASH, AuditEvent
from macehub.audit.sealing import seal_events, seal_rounds, take_chain_lock
from macehub.audit.services import record_event

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need "
                       "PostgreSQL; SQLite serialises write transactions"),
    pytest.mark.django_db(transaction=True),
]

WRITERS = 50
TRANSACTIONS_EACH = 4


class _WorkFailed(Exception):
    pass


def _record(writer: int, transaction_number: int, part: int) -> AuditEvent:
    return record_event(
        event_type=EventType.VIEW,
        actor=None,
        actor_username=f"writer.{writer}",
        record_type="people.person",
        record_id=f"{writer}-{transaction_number}",
        detail={"writer": writer, "transaction": transaction_number, "part": part},
    )


def _in_threads(
    count: int, work: Callable[[int], None], *, timeout: float = 120
) -> list[threading.Thread]:
    """Run ``work(n)`` in ``count`` threads started together, each on its own
    connection; returns the threads after waiting up to ``timeout`` seconds for them."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(number: int) -> None:
        try:
            start.wait(timeout=30)
            work(number)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return threads


def _rolls_back(writer: int, transaction_number: int) -> bool:
    return (writer + transaction_number) % 5 == 0


def _assert_one_chain(expected: int) -> None:
    sealed = list(AuditEvent.objects.order_by("position").values_list(
        "position", "previous_hash", "entry_hash"))
    assert [position for position, _, _ in sealed] == list(range(1, expected + 1))
    links = [previous for _, previous, _ in sealed]
    # No fork: each entry is the successor of exactly one, the first of the genesis.
    assert len(set(links)) == len(links)
    assert links[0] == GENESIS_HASH
    assert links[1:] == [entry_hash for _, _, entry_hash in sealed[:-1]]
    report = verify_chain()
    assert report.intact and report.entries_checked == expected and report.unsealed == 0


def test_fifty_writers_leave_one_chain_with_every_committed_event_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def write(writer: int) -> None:
        for number in range(TRANSACTIONS_EACH):
            try:
                with transaction.atomic():
                    _record(writer, number, 0)
                    _record(writer, number, 1)
                    if _rolls_back(writer, number):
                        raise _WorkFailed
            except _WorkFailed:
                pass

    threads = _in_threads(WRITERS, write)
    assert not any(thread.is_alive() for thread in threads)

    committed = {
        (writer, number, part)
        for writer in range(WRITERS)
        for number in range(TRANSACTIONS_EACH)
        for part in (0, 1)
        if not _rolls_back(writer, number)
    }
    assert 0 < len(committed) < WRITERS * TRANSACTIONS_EACH * 2  # some did roll back
    recorded = [
        (detail["writer"], detail["transaction"], detail["part"])
        for detail in AuditEvent.objects.values_list("detail", flat=True)
    ]
    # Every committed event once; nothing of the work that rolled back.
    assert sorted(recorded) == sorted(committed)

    left_after_commits = AuditEvent.objects.filter(position__isnull=True).count()
    call_command("audit_seal", stdout=io.StringIO())  # the per-minute backstop
    _assert_one_chain(len(committed))
    assert "Audit log intact" in _verify_output()
    with capsys.disabled():
        print(f"\n{len(committed)} events from {WRITERS} writers; "
              f"{left_after_commits} left for audit_seal by the rounds after commit")


def _verify_output() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_long_transaction_blocks_no_writer_and_is_sealed_once_it_commits() -> None:
    recorded, finish = threading.Event(), threading.Event()
    long_ids: list[int] = []

    def long_work(_: int) -> None:
        with transaction.atomic():
            long_ids.append(_record(999, 0, 0).pk)
            recorded.set()
            if not finish.wait(timeout=60):
                raise AssertionError("the test never let the long transaction finish")

    holder = threading.Thread(target=lambda: _in_threads(1, long_work), daemon=True)
    holder.start()
    assert recorded.wait(timeout=30)

    # While it is open, ten writers commit. Under one lock held to commit they would
    # wait for it, and these threads would still be running at the timeout.
    writers = _in_threads(10, lambda writer: _record(writer, 0, 0).pk and None, timeout=20)
    assert not any(thread.is_alive() for thread in writers)
    assert not AuditEvent.objects.filter(pk=long_ids[0]).exists()  # not committed yet
    seal_events()  # whatever the rounds after their commits left
    assert not AuditEvent.objects.filter(position__isnull=True).exists()
    others = set(AuditEvent.objects.values_list("pk", flat=True))
    assert len(others) == 10 and long_ids[0] < min(others)  # a lower id, committing later

    finish.set()
    holder.join(timeout=30)
    assert not holder.is_alive()
    # Not skipped: the round after its commit sealed it, at the end of the chain.
    long = AuditEvent.objects.get(pk=long_ids[0])
    assert long.position == 11
    _assert_one_chain(11)


def _execute(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_postgresql_lets_an_unsealed_entry_be_sealed_once_and_nothing_else() -> None:
    with transaction.atomic():  # the round after commit would seal it: stop short of that
        event = _record(1, 0, 0)
        connection.run_on_commit.clear()
    assert AuditEvent.objects.get(pk=event.pk).position is None
    refused = [
        ("UPDATE audit_auditevent SET purpose = 'edited' WHERE id = %s", [event.pk]),
        # Sealing that changes the content too.
        ("UPDATE audit_auditevent SET position = 1, previous_hash = %s, entry_hash = %s, "
         "actor_username = 'forger' WHERE id = %s", [GENESIS_HASH, "a" * 64, event.pk]),
        # Half a seal.
        ("UPDATE audit_auditevent SET position = 1 WHERE id = %s", [event.pk]),
        ("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]),
    ]
    for sql, params in refused:
        with pytest.raises(DatabaseError, match="append-only"):
            _execute(sql, params)
    assert seal_events() == 1
    sealed = AuditEvent.objects.get(pk=event.pk)
    assert sealed.entry_hash == sealed.compute_hash()
    for sql, params in [
        ("UPDATE audit_auditevent SET position = 2, previous_hash = %s, entry_hash = %s "
         "WHERE id = %s", [GENESIS_HASH, "b" * 64, event.pk]),
        ("UPDATE audit_auditevent SET position = NULL, previous_hash = NULL, "
         "entry_hash = NULL WHERE id = %s", [event.pk]),
        ("UPDATE audit_auditevent SET purpose = 'edited' WHERE id = %s", [event.pk]),
    ]:
        with pytest.raises(DatabaseError, match="append-only"):
            _execute(sql, params)
    assert AuditEvent.objects.get(pk=event.pk).entry_hash == sealed.entry_hash


def test_only_a_sealing_transaction_of_its_own_skips_the_wait_for_the_disk() -> None:
    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            row = cursor.fetchone()
        return str(row[0]) if row else ""

    with connection.cursor() as cursor:  # as in production (the test settings turn it off)
        cursor.execute("SET synchronous_commit = on")
    try:
        with transaction.atomic():  # as the checkpoint seals: inside its own transaction
            _record(1, 0, 0)
            connection.run_on_commit.clear()
            assert seal_events() == 1
            assert synchronous_commit() == "on"  # the checkpoint's commit still waits
        _record(2, 0, 0)  # sealed in a transaction of its own, after this one commits
        assert synchronous_commit() == "on"  # SET LOCAL ended with the sealing transaction
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
    _assert_one_chain(2)


def test_a_round_that_finds_the_lock_taken_leaves_the_entry_to_the_holder() -> None:
    holding, let_go = threading.Event(), threading.Event()

    def sealer_holding_the_lock(_: int) -> None:
        with transaction.atomic():
            assert take_chain_lock(wait=True)
            holding.set()
            if not let_go.wait(timeout=60):
                raise AssertionError("the test never let the sealer go")
        # What every sealer does once it has let go: look again, seal what committed.
        seal_rounds(wait=False)

    holder = threading.Thread(target=lambda: _in_threads(1, sealer_holding_the_lock),
                              daemon=True)
    holder.start()
    assert holding.wait(timeout=30)
    event = _record(1, 0, 0)  # committed; its round found the lock taken and left it
    assert AuditEvent.objects.get(pk=event.pk).position is None
    assert seal_events(wait=False) is None
    let_go.set()
    holder.join(timeout=30)
    assert not holder.is_alive()
    assert AuditEvent.objects.get(pk=event.pk).position == 1
