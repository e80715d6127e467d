"""The exploitation indicator catalogue becomes a cases model (a case's risk assessment
rates its domains, and cases sit below referrals). Only Django's picture of the models
changes: the table keeps its name, ``referrals_indicator``, so no data moves. Referrals
then points its indicator links here (referrals 0011)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_referral_joined"),
        ("referrals", "0010_referral_picked_up"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Indicator",
                    fields=[
                        ("code", models.CharField(max_length=40, primary_key=True,
                                                  serialize=False)),
                        ("domain", models.CharField(choices=[
                            ("health", "Health"), ("behaviour", "Behaviour"),
                            ("grooming", "Grooming"), ("online", "Online"),
                            ("criminal", "Criminal exploitation")], max_length=20)),
                        ("label", models.CharField(max_length=200)),
                        ("weight", models.PositiveSmallIntegerField()),
                        ("sort_order", models.PositiveIntegerField(default=0)),
                        ("is_active", models.BooleanField(default=True)),
                    ],
                    options={
                        "db_table": "referrals_indicator",
                        "ordering": ["sort_order"],
                        "constraints": [models.CheckConstraint(
                            condition=models.Q(("weight__gte", 1), ("weight__lte", 3)),
                            name="indicator_weight_1_to_3")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
