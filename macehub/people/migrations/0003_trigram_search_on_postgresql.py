"""On PostgreSQL, enable pg_trgm and index names for spelling-tolerant search.
SQLite has no trigram support; search there uses the stored phonetic keys instead."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_family_name_trgm ON people_person "
    "USING gin (family_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_given_name_trgm ON people_person "
    "USING gin (given_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS alias_family_name_trgm ON people_personalias "
    "USING gin (family_name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS alias_family_name_trgm",
    "DROP INDEX IF EXISTS person_given_name_trgm",
    "DROP INDEX IF EXISTS person_family_name_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0002_load_ethnic_groups")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
