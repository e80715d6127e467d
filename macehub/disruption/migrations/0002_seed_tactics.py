"""Load the tactics a hub starts with from ``disruption/data/tactics.csv`` (those already
there, by code, are left as they are)."""

from typing import Any

from django.db import migrations


def load_tactics(apps: Any, schema_editor: Any) -> None:
    from macehub.disruption.tactics import tactic_rows

    tactic = apps.get_model("disruption", "Tactic")
    for row in tactic_rows():
        tactic.objects.get_or_create(code=row.code, defaults={
            "name": row.name, "legal_basis": row.legal_basis,
            "target_kinds": row.target_kinds, "lead_agency_kind": row.lead_agency_kind,
            "expires": row.expires, "usual_length_days": row.usual_length_days})


class Migration(migrations.Migration):
    dependencies = [("disruption", "0001_disruptions")]

    operations = [migrations.RunPython(load_tactics, migrations.RunPython.noop)]
