"""Drop the trigram indexes on people's and aliases' own name columns (PostgreSQL).

Person search reads the name index (``PersonNameForm``, people 0006) and no query filters
on these columns by similarity any more, but PostgreSQL still kept the three GIN indexes
up to date on every insert and rename: most of the time taken to load a national-sized
set of people. ``pg_trgm`` stays: the name index and intelligence search use it.
"""

from django.db import migrations

DROP = [
    "DROP INDEX IF EXISTS alias_family_name_trgm",
    "DROP INDEX IF EXISTS person_given_name_trgm",
    "DROP INDEX IF EXISTS person_family_name_trgm",
]
RECREATE = [
    "CREATE INDEX IF NOT EXISTS person_family_name_trgm ON people_person "
    "USING gin (family_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_given_name_trgm ON people_person "
    "USING gin (given_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS alias_family_name_trgm ON people_personalias "
    "USING gin (family_name gin_trgm_ops)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0006_person_name_forms")]
    operations = [migrations.RunPython(_run(DROP), _run(RECREATE))]
