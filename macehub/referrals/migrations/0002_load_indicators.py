"""Load the exploitation indicator catalogue from referrals/data (idempotent)."""

from django.db import migrations

from macehub.referrals.catalogue import load_indicators


def load(apps, schema_editor):
    load_indicators(apps.get_model("referrals", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
