"""Drop ``Case.referral``: a case's referrals are those that point at it
(``Referral.case``, filled from it by 0013). Reversible: going back adds the column again
and fills it with the earliest referral received of those that point at each case."""

from django.db import migrations, models

import macehub.cases.codes


def case_referral_from_referrals(apps, schema_editor):
    case_model = apps.get_model("cases", "Case")
    referral_model = apps.get_model("referrals", "Referral")
    first_referral = (referral_model.objects.filter(case=models.OuterRef("pk"))
                      .order_by("received_at", "pk").values("pk")[:1])
    case_model.objects.filter(referral__isnull=True).update(
        referral=models.Subquery(first_referral))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_referrals_point_at_the_case_they_opened"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, case_referral_from_referrals),
        migrations.RemoveField(model_name="case", name="referral"),
        migrations.AlterField(
            model_name="case",
            name="exploitation_types",
            field=models.JSONField(
                default=macehub.cases.codes.default_exploitation_types,
                help_text="The exploitation types (codes.ExploitationType) the case is about: "
                "one or more"),
        ),
    ]
