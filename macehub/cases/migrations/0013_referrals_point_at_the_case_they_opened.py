"""Keep one link between a case and its referrals: the referral's (``Referral.case``).
First copy every case's opening referral onto that referral where it has no case yet;
0014 then drops ``Case.referral``."""

from django.db import migrations


def referral_case_from_case_referral(apps, schema_editor):
    case_model = apps.get_model("cases", "Case")
    referral_model = apps.get_model("referrals", "Referral")
    for case_pk, referral_pk in (case_model.objects.filter(referral__isnull=False)
                                 .values_list("pk", "referral_id").iterator()):
        referral_model.objects.filter(pk=referral_pk, case__isnull=True).update(case=case_pk)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0012_indicator_catalogue_moves_to_cases"),
        ("referrals", "0011_indicators_from_the_cases_catalogue"),
    ]

    # Backwards there is nothing to undo: a referral that points at its case is right
    # either way (0014's reversal fills Case.referral again from it).
    operations = [
        migrations.RunPython(referral_case_from_case_referral, migrations.RunPython.noop),
    ]
