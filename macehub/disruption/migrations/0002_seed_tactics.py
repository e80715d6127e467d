"""Load the tactics a hub starts with from ``disruption/data/tactics.csv`` (those already
there, by code, are left as they are)."""

from typing import Any

from django.db import migrations


def load_tactics(apps: Any, schema_editor: Any) -> None:
    from macehub.disruption.tactics import load_tactics as load

    load(apps.get_model("disruption", "Tactic"))


class Migration(migrations.Migration):
    dependencies = [("disruption", "0001_disruptions")]

    operations = [migrations.RunPython(load_tactics, migrations.RunPython.noop)]
