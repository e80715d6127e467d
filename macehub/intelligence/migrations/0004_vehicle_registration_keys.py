"""Vehicles keep their registration with each character left out in turn, so that a
registration typed with one character changed, added or missed is found by a lookup
rather than by comparing every vehicle; indexed by trigram on PostgreSQL. Existing
vehicles are given their keys (the same rule as ``normalise.registration_keys``, copied
here so the migration does not import the app)."""

from django.db import migrations, models


def _keys(registration):
    variants = [registration]
    for position in range(len(registration)):
        variant = registration[:position] + registration[position + 1:]
        if variant and variant not in variants:
            variants.append(variant)
    return f" {' '.join(variants)} "


def fill_keys(apps, schema_editor):
    Vehicle = apps.get_model("intelligence", "Vehicle")
    vehicles = list(Vehicle.objects.only("pk", "registration"))
    for vehicle in vehicles:
        vehicle.registration_keys = _keys(vehicle.registration)
    Vehicle.objects.bulk_update(vehicles, ["registration_keys"], batch_size=1000)


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("intelligence", "0003_trigram_search_on_postgresql"),
    ]

    operations = [
        migrations.AddField(
            model_name="vehicle",
            name="registration_keys",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(
            _run("CREATE INDEX IF NOT EXISTS intel_vehicle_registration_keys_trgm ON "
                 "intelligence_vehicle USING gin (registration_keys gin_trgm_ops)"),
            _run("DROP INDEX IF EXISTS intel_vehicle_registration_keys_trgm"),
        ),
    ]
