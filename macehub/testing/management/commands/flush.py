"""Django's ``flush`` for the test suite, which empties the database between
transactional tests (pytest-django's ``transactional_db`` and ``live_server``).

On PostgreSQL the audit log's tables have triggers that refuse TRUNCATE, as they must in
production, and Django's flush is one TRUNCATE of every table. The test database is the
test run's own, so this does what its owner may: switches those triggers off for the
flush and back on straight after. Installed only by ``macehub/test_settings.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

# pg_trigger.tgtype's bit for TRUNCATE triggers (TRIGGER_TYPE_TRUNCATE in PostgreSQL).
_TRUNCATE = 1 << 5


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            super().handle(**options)
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgtype & %s <> 0 "
                "AND pg_table_is_visible(c.oid)",
                [_TRUNCATE],
            )
            refusing = cursor.fetchall()
        quote = connection.ops.quote_name
        try:
            with connection.cursor() as cursor:
                for table, trigger in refusing:
                    cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(trigger)}")
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for table, trigger in refusing:
                    cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(trigger)}")
