"""Load the exploitation indicator catalogue (idempotent); its file is now cases/data."""

from django.db import migrations

from macehub.cases.catalogue import load_indicators


def load(apps, schema_editor):
    load_indicators(apps.get_model("referrals", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
