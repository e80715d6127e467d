"""Load the self-defined ethnic group code list from people/data (idempotent)."""

from django.db import migrations

from macehub.people.codelists import load_ethnic_groups


def load(apps, schema_editor):
    load_ethnic_groups(apps.get_model("people", "EthnicGroupFamily"),
                       apps.get_model("people", "EthnicGroup"))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
