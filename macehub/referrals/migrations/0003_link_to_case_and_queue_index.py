"""Link a referral to the MACE case its decision opened (or the child's open case), and
index the triage queue (undecided referrals by decision due time)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_initial'),
        ('referrals', '0002_load_indicators'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='linked_referrals', to='cases.case'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['status', 'decision_due_at'], name='referral_queue_idx'),
        ),
    ]
