"""A registration may be ten characters, and its keys (it and each one-character-shorter
variant, space-separated) then run to 112: too long for the 100 the keys were given.
Text, of any length; the trigram index on PostgreSQL is kept through the change."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intelligence", "0006_report_handling_access_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="vehicle",
            name="registration_keys",
            field=models.TextField(blank=True, editable=False),
        ),
    ]
