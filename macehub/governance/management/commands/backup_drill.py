"""The backup and restore drill: dump, restore into a scratch database, compare every
table, verify the restored audit log, drop the scratch database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.governance.backups import backup_drill


class Command(BaseCommand):
    help = (
        "Dump the hub's PostgreSQL database with pg_dump, restore it into a new empty "
        "database with pg_restore, compare every table's row count and content digest, "
        "run audit_verify on the restored copy, print the figures and drop the copy; "
        "exits non-zero on any difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint", metavar="FILE",
            help="also check the restored audit log against the last checkpoint line in "
            "FILE (one that audit_checkpoint --output wrote, kept outside the database)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = backup_drill(checkpoint_file=options["checkpoint"])
        width = max((len(table.table) for table in report.tables), default=5)
        self.stdout.write(f"{'table':<{width}}  {'rows':>10}  {'restored':>10}  contents")
        for table in report.tables:
            hub = table.hub.rows if table.hub else "missing"
            restored = table.restored.rows if table.restored else "missing"
            contents = "same" if table.same else "DIFFERENT"
            self.stdout.write(f"{table.table:<{width}}  {hub:>10}  {restored:>10}  {contents}")
        rows = sum(table.hub.rows for table in report.tables if table.hub)
        self.stdout.write(
            f"\n{len(report.tables)} tables, {rows:,} rows; dump {report.dump_bytes:,} bytes "
            f"in {report.dump_seconds:.1f} s, restored in {report.restore_seconds:.1f} s.")
        self.stdout.write(f"Restored audit log: {report.audit_report}")
        if not report.passed:
            problems = [f"{len(report.differences)} tables differ after the restore "
                        f"({', '.join(t.table for t in report.differences)})"
                        ] if report.differences else []
            if not report.audit_verified:
                problems.append("audit_verify failed on the restored database")
            if not report.tables:
                problems.append("no tables were compared")
            raise CommandError("; ".join(problems) + ".")
        self.stdout.write(self.style.SUCCESS(
            "Backup drill passed: every table restored identical and the audit log verifies."))
