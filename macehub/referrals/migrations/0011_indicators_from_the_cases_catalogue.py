"""A referral's indicators point at the catalogue now held by cases (cases 0012), and
referrals stops describing the table itself. The table and its rows stay where they are
(``referrals_indicator``): only Django's picture of the models changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0012_indicator_catalogue_moves_to_cases"),
        ("referrals", "0010_referral_picked_up"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referralindicator",
                    name="indicator",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                            to="cases.indicator"),
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="indicators",
                    field=models.ManyToManyField(through="referrals.ReferralIndicator",
                                                 to="cases.indicator"),
                ),
                migrations.DeleteModel(name="Indicator"),
            ],
            database_operations=[],
        ),
    ]
