"""A case reads the referrals that opened or joined it as ``case.referrals`` (the only
link left between the two: cases 0014 drops ``Case.referral``). No change to the
table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0014_case_referral_removed"),
        ("referrals", "0011_indicators_from_the_cases_catalogue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="case",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="referrals", to="cases.case"),
        ),
    ]
