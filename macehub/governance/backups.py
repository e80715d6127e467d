"""Backups of the hub's PostgreSQL database, and the drill that proves one restores.

``backup`` writes a ``pg_dump`` in PostgreSQL's custom format. ``backup_drill`` does the
whole round trip: it dumps the database, restores the dump into a new, empty scratch
database with ``pg_restore``, compares every table's row count and a digest of its
contents, runs ``audit_verify`` against the restored copy, and drops the copy. The hub's
figures are read in the very snapshot ``pg_dump`` writes (an exported snapshot), so a hub
in use while the drill runs does not show up as a difference.
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from psycopg import sql

# Per row, the md5 of the row as text; per table, the md5 of those in byte order.
TABLE_DIGEST = (
    "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' "
    "ORDER BY md5(t::text) COLLATE \"C\"), '')) FROM {} AS t"
)
TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


@dataclass(frozen=True)
class Server:
    """How to reach the database server, from the hub's ``default`` database."""

    host: str
    port: str
    user: str
    password: str
    name: str

    @classmethod
    def of_hub(cls) -> Server:
        settings = connections["default"].settings_dict
        if settings["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError(
                "Backups and the restore drill need PostgreSQL (the engine a hub runs on). "
                "A SQLite demo database is one file: copy it while the hub is stopped."
            )
        return cls(host=str(settings["HOST"] or ""), port=str(settings["PORT"] or ""),
                   user=str(settings["USER"] or ""), password=str(settings["PASSWORD"] or ""),
                   name=str(settings["NAME"]))

    def tool(self, program: str, *arguments: str, database: str | None = None,
             options: str = "") -> None:
        """Run one of PostgreSQL's command-line tools against this server."""
        command = [program, "--no-password"]
        for option, value in (("--host", self.host), ("--port", self.port),
                              ("--username", self.user)):
            if value:
                command.append(f"{option}={value}")
        if database is not None:
            command.append(f"--dbname={database}")
        environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if self.password:
            environment["PGPASSWORD"] = self.password
        if options:
            environment["PGOPTIONS"] = options
        finished = subprocess.run(  # noqa: S603 - fixed programs, no shell
            [*command, *arguments], env=environment, capture_output=True, text=True,
            check=False)
        if finished.returncode != 0:
            raise CommandError(f"{program} failed: {finished.stderr.strip()}")

    def connect(self, database: str) -> psycopg.Connection[Any]:
        return psycopg.connect(host=self.host or None, port=self.port or None,
                               user=self.user or None, password=self.password or None,
                               dbname=database, connect_timeout=10)


def dump(server: Server, path: Path, *, snapshot: str = "") -> None:
    """``pg_dump`` of the hub's database to ``path``, in the custom format."""
    server.tool("pg_dump", "--format=custom", f"--file={path}",
                *([f"--snapshot={snapshot}"] if snapshot else []), database=server.name)


@dataclass(frozen=True)
class TableFigures:
    rows: int
    digest: str


def table_figures(db: psycopg.Connection[Any]) -> dict[str, TableFigures]:
    figures = {}
    for (table,) in db.execute(TABLES).fetchall():
        # An aggregate: always one row.
        rows, digest = db.execute(sql.SQL(TABLE_DIGEST).format(sql.Identifier(table))
                                  ).fetchall()[0]
        figures[table] = TableFigures(rows=rows, digest=digest)
    return figures


@dataclass(frozen=True)
class TableComparison:
    table: str
    hub: TableFigures | None
    restored: TableFigures | None

    @property
    def same(self) -> bool:
        return self.hub == self.restored


@dataclass
class DrillReport:
    tables: list[TableComparison] = field(default_factory=list)
    dump_bytes: int = 0
    dump_seconds: float = 0.0
    restore_seconds: float = 0.0
    audit_verified: bool = False
    audit_report: str = ""

    @property
    def differences(self) -> list[TableComparison]:
        return [table for table in self.tables if not table.same]

    @property
    def passed(self) -> bool:
        return not self.differences and self.audit_verified and bool(self.tables)


def backup_drill(*, checkpoint_file: str | None = None) -> DrillReport:
    """Dump, restore into a scratch database, compare, verify the audit log, clean up."""
    server = Server.of_hub()
    report = DrillReport()
    scratch = f"{server.name[:40]}_drill_{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory(prefix="macehub-drill-") as folder:
        path = Path(folder) / "hub.dump"
        with server.connect(server.name) as hub:
            hub.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            hub.read_only = True
            (snapshot,) = hub.execute("SELECT pg_export_snapshot()").fetchall()[0]
            started = time.monotonic()
            dump(server, path, snapshot=snapshot)
            report.dump_seconds = time.monotonic() - started
            report.dump_bytes = path.stat().st_size
            hub_figures = table_figures(hub)
        server.tool("createdb", "--template=template0", scratch)
        try:
            started = time.monotonic()
            # One transaction, not waiting for the disk at each commit: the copy is
            # thrown away, and a restore that fails leaves it empty.
            server.tool("pg_restore", "--exit-on-error", "--single-transaction",
                        "--no-owner", "--no-privileges", str(path), database=scratch,
                        options="-c synchronous_commit=off")
            report.restore_seconds = time.monotonic() - started
            with server.connect(scratch) as restored:
                restored_figures = table_figures(restored)
            report.audit_verified, report.audit_report = _verify_audit_log(
                scratch, checkpoint_file)
        finally:
            server.tool("dropdb", "--if-exists", scratch)
    report.tables = [
        TableComparison(table, hub_figures.get(table), restored_figures.get(table))
        for table in sorted(set(hub_figures) | set(restored_figures))
    ]
    return report


def _verify_audit_log(database: str, checkpoint_file: str | None) -> tuple[bool, str]:
    """``audit_verify`` with the hub's own code, reading the restored database."""
    out, err = io.StringIO(), io.StringIO()
    with _default_database_is(database):
        try:
            call_command("audit_verify", *(["--checkpoint", checkpoint_file]
                                           if checkpoint_file else []), stdout=out, stderr=err)
        except CommandError as error:
            return False, str(error)
    return True, (out.getvalue() + err.getvalue()).strip()


@contextmanager
def _default_database_is(database: str) -> Iterator[None]:
    hub = connections["default"]
    restored = hub.__class__({**hub.settings_dict, "NAME": database}, "default")
    connections["default"] = restored
    try:
        yield
    finally:
        restored.close()
        connections["default"] = hub
