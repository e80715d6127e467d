"""On PostgreSQL the database also refuses TRUNCATE on the audit log.

TRUNCATE fires no row triggers, so the UPDATE and DELETE trigger of 0002 let it empty
the log, and an empty log is a valid chain. A statement-level trigger refuses it, with
the same function and message.
"""

from django.db import migrations

FORWARD = """
CREATE TRIGGER audit_log_refuses_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS audit_log_refuses_truncate ON audit_auditevent;
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_on_postgresql")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
