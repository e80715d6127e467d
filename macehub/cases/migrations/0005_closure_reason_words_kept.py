"""Keep the words of each closed case's reason on the case itself, and take "did not
engage" out of the reasons offered: the cases closed with it keep its code and its words."""

from django.db import migrations, models

# The reasons' words as they stood when this migration was written (frozen here: the code
# list may change again).
REASON_WORDS = {
    "risk_reduced": "Risk reduced – no longer needs a MACE response",
    "stepped_down": "Stepped down to another service",
    "moved_away": "Moved out of the area (transferred)",
    "turned_18": "Turned 18 (transition to adult services)",
    "no_engagement": "Did not engage, risk assessed as manageable",
    "other": "Other",
}


def record_closure_reason_words(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for code, words in REASON_WORDS.items():
        Case.objects.filter(closure_reason=code, closure_reason_words="").update(
            closure_reason_words=words
        )


def forget_closure_reason_words(apps, schema_editor):
    apps.get_model("cases", "Case").objects.update(closure_reason_words="")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_exploitation_types_and_nrm_referrals'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='closure_reason_words',
            field=models.CharField(blank=True, help_text="The reason's words when the case closed, kept as recorded when the code list changes.", max_length=200),
        ),
        migrations.AlterField(
            model_name='case',
            name='closure_reason',
            field=models.CharField(blank=True, choices=[('risk_reduced', 'Risk reduced – no longer needs a MACE response'), ('stepped_down', 'Stepped down to another service'), ('moved_away', 'Moved out of the area (transferred)'), ('turned_18', 'Turned 18 (transition to adult services)'), ('other', 'Other')], max_length=20),
        ),
        migrations.RunPython(record_closure_reason_words, forget_closure_reason_words),
    ]
