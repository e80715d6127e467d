"""Changing the audit log behind the application's back, as a database owner could:
on PostgreSQL with the append-only triggers switched off for the one statement (inside
the test's transaction, so they are back on afterwards whatever happens)."""

from __future__ import annotations

from django.db import connection

AUDIT_TABLES = ("audit_auditevent", "audit_auditcheckpoint")


def tamper(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def empty_table(table: str) -> None:
    """Remove every row: TRUNCATE where the engine has it (PostgreSQL, where the log's
    trigger refuses it), DELETE on SQLite, which has no TRUNCATE."""
    if connection.vendor == "postgresql":
        tamper(f"TRUNCATE {table}")
    else:
        tamper(f"DELETE FROM {table}")  # noqa: S608 - a fixed table name
