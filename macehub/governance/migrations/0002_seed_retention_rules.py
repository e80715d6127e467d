"""Load the retention rules a hub starts with from ``governance/data/retention_rules.csv``
(those already there, by code, are left as they are)."""

from typing import Any

from django.db import migrations


def load_rules(apps: Any, schema_editor: Any) -> None:
    from macehub.governance.retention_rules import load_retention_rules

    load_retention_rules(apps.get_model("governance", "RetentionRule"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_retention")]

    operations = [migrations.RunPython(load_rules, migrations.RunPython.noop)]
