"""The hub's caseload weighting, at its defaults (each field's default in the model),
so there is always one to read; a senior leader changes it from the weighting page."""

from typing import Any

from django.db import migrations


def default_weighting(apps: Any, schema_editor: Any) -> None:
    weighting = apps.get_model("workforce", "CaseloadWeighting")
    if not weighting.objects.exists():
        weighting.objects.create()


def remove_weighting(apps: Any, schema_editor: Any) -> None:
    apps.get_model("workforce", "CaseloadWeighting").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_establishment_and_weighting")]

    operations = [migrations.RunPython(default_weighting, remove_weighting)]
