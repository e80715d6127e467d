"""On PostgreSQL, index the words of places, businesses and account handles for
spelling-tolerant search (pg_trgm is enabled by people 0003). SQLite has no trigram
support; search there uses the stored phonetic keys instead."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS intel_location_description_trgm ON intelligence_location "
    "USING gin (description gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS intel_location_address_trgm ON intelligence_location "
    "USING gin (address gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS intel_premises_name_trgm ON intelligence_premises "
    "USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS intel_account_handle_trgm ON intelligence_onlineaccount "
    "USING gin (handle gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS intel_account_handle_trgm",
    "DROP INDEX IF EXISTS intel_premises_name_trgm",
    "DROP INDEX IF EXISTS intel_location_address_trgm",
    "DROP INDEX IF EXISTS intel_location_description_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_trigram_search_on_postgresql"),
        ("intelligence", "0002_review_links_search_keys_historic"),
    ]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
