"""Every referral now has a partner-check due time (backfilled by 0005)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0006_backfill_the_two_clocks'),
    ]

    operations = [
        migrations.AlterField(
            model_name='referral',
            name='partner_checks_due_at',
            field=models.DateTimeField(
                help_text='When partner information is due, counted from receipt by the rating'),
        ),
    ]
