"""The table behind the ``api_throttle`` cache (Django's database cache), where the API
counts each partner system's recent calls: in the database so that every web worker
counts against the same limit."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations

THROTTLE_CACHE = "api_throttle"


def create_table(apps, schema_editor):
    if THROTTLE_CACHE in settings.CACHES:
        call_command("createcachetable", THROTTLE_CACHE,
                     database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    location = settings.CACHES.get(THROTTLE_CACHE, {}).get("LOCATION")
    if location:
        schema_editor.execute(
            f"DROP TABLE IF EXISTS {schema_editor.quote_name(location)}")


class Migration(migrations.Migration):

    dependencies = [("accounts", "0006_api_client_token_renewal")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
