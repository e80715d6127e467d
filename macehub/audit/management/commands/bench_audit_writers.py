"""Measure audited write throughput with many concurrent writers: the old design (one
advisory lock taken by ``record_event`` and held until the writer's transaction
commits, the entry chained under it) against sealing after commit, and against no
auditing at all.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/audit_bench \\
        manage.py bench_audit_writers --writers 50 --transactions 20 --throwaway-database

Each writer is a thread with its own connection. Each transaction stands for an
audited request: it records one event, then does ``--work-ms`` of other work in the
same transaction (``pg_sleep``, the database time of the rest of the request) and
commits. The entries stay in the log (its triggers refuse their removal), so point
DATABASE_URL at a database made for this and thrown away after.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.audit.sealing import chain_head, seal_rounds, take_chain_lock
from macehub.audit.services import record_event


def _record_under_one_lock(writer: int) -> None:
    """What ``record_event`` did before sealing: lock, chain, insert; the lock is held
    until the caller's transaction commits."""
    take_chain_lock(wait=True)
    position, previous_hash = chain_head()
    event = AuditEvent(
        occurred_at=timezone.now(), event_type=EventType.VIEW,
        actor_username=f"bench.writer.{writer}", record_type="bench", record_id=str(writer),
        position=position + 1, previous_hash=previous_hash,
    )
    event.entry_hash = event.compute_hash()
    event.save(force_insert=True)


def _record_to_seal_after_commit(writer: int) -> None:
    record_event(event_type=EventType.VIEW, actor=None, actor_username=f"bench.writer.{writer}",
                 record_type="bench", record_id=str(writer))


MODES: dict[str, Callable[[int], None]] = {
    "one lock held to commit (before)": _record_under_one_lock,
    "sealed after commit (now)": _record_to_seal_after_commit,
    "audit off": _record_to_seal_after_commit,  # with AUDIT_OFF_FOR_BENCHMARK
}


class Command(BaseCommand):
    help = (
        "Measure audited write throughput of concurrent writers with the old chain lock, "
        "with sealing after commit, and with auditing off (PostgreSQL; a throwaway "
        "database: the entries cannot be removed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--writers", type=int, default=50)
        parser.add_argument("--transactions", type=int, default=20,
                            help="transactions per writer")
        parser.add_argument("--work-ms", type=float, default=5.0,
                            help="other database work in each transaction, in milliseconds")
        parser.add_argument("--throwaway-database", action="store_true",
                            help="confirm that DATABASE_URL names a database made for this")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Concurrent writers need PostgreSQL (SQLite writes one at a time).")
        if not options["throwaway_database"]:
            raise CommandError(
                "The entries written stay in the audit log for good: point DATABASE_URL at a "
                "database made for this and confirm with --throwaway-database."
            )
        call_command("migrate", verbosity=0)
        writers, each, work = options["writers"], options["transactions"], options["work_ms"]
        self.stdout.write(
            f"{writers} writers x {each} transactions, each recording one event and doing "
            f"{work:g} ms of other work before it commits"
        )
        self.stdout.write(f"{'mode':<36} {'tx/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'s':>7}")
        for mode, record in MODES.items():
            with override_settings(AUDIT_OFF_FOR_BENCHMARK=mode == "audit off"):
                seconds, latencies = self._run(record, writers, each, work / 1000)
            latencies.sort()
            p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
            self.stdout.write(
                f"{mode:<36} {len(latencies) / seconds:>8.0f} "
                f"{statistics.median(latencies) * 1000:>8.1f} {p95 * 1000:>8.1f} {seconds:>7.2f}"
            )
        seal_rounds(wait=True)
        unsealed = AuditEvent.objects.filter(position__isnull=True).count()
        self.stdout.write(f"Unsealed entries left after a final audit_seal: {unsealed}")

    @staticmethod
    def _run(
        record: Callable[[int], None], writers: int, each: int, work_seconds: float
    ) -> tuple[float, list[float]]:
        latencies: list[float] = []
        errors: list[BaseException] = []
        start = threading.Barrier(writers + 1)

        def write(writer: int) -> None:
            try:
                start.wait()
                for _ in range(each):
                    began = time.perf_counter()
                    with transaction.atomic():
                        record(writer)
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT pg_sleep(%s)", [work_seconds])
                    latencies.append(time.perf_counter() - began)
            except BaseException as error:  # reported once every writer has stopped
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        if errors:
            raise CommandError(f"{len(errors)} writers failed; the first: {errors[0]!r}")
        return seconds, latencies
