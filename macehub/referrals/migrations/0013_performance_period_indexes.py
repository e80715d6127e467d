"""Indexes for the performance measures that count referrals decided, and partner checks
due, in a period (month by month for the dashboard's trend)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0012_case_reads_its_referrals"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["decided_at"], name="referral_decided_at_idx"),
        ),
        migrations.AddIndex(
            model_name="partnercheck",
            index=models.Index(fields=["due_at"], name="partner_check_due_at_idx"),
        ),
    ]
