"""Indexes for the performance measures that count missing episodes begun, and returns
from them, in a period (month by month for the dashboard's trend)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0014_case_referral_removed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="missingepisode",
            index=models.Index(fields=["went_missing_at"], name="missing_went_missing_at_idx"),
        ),
        migrations.AddIndex(
            model_name="missingepisode",
            index=models.Index(fields=["returned_at"], name="missing_returned_at_idx"),
        ),
    ]
