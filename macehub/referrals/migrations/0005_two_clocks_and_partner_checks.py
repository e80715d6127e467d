"""A referral's two clocks and partner checks.

The BRAG-based clock stops being the decision clock: it becomes the partner-check clock
(``clock_brag`` is renamed ``partner_check_brag``, and its due time is kept as
``partner_checks_due_at``). The decision clock is then one working day from receipt for
every referral (the backfill is the next migration). Partner checks are new.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_role_change_requests_for_a_second_administrator'),
        ('referrals', '0004_exploitation_types_and_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name='referral',
            old_name='clock_brag',
            new_name='partner_check_brag',
        ),
        migrations.AddField(
            model_name='referral',
            name='partner_checks_due_at',
            field=models.DateTimeField(
                null=True,
                help_text='When partner information is due, counted from receipt by the rating'),
        ),
        migrations.CreateModel(
            name='PartnerCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question', models.TextField(blank=True, help_text='What triage would like the agency to look for, if anything')),
                ('requested_at', models.DateTimeField()),
                ('brag', models.CharField(choices=[('red', 'Red – possible child protection concern'), ('amber', 'Amber'), ('green', 'Green'), ('blue', 'Blue – no MASH response')], max_length=10)),
                ('due_at', models.DateTimeField()),
                ('returned_at', models.DateTimeField(blank=True, null=True)),
                ('result', models.CharField(blank=True, choices=[('information_held', 'Information held'), ('nothing_held', 'Nothing held')], max_length=20)),
                ('summary', models.TextField(blank=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='partner_checks', to='accounts.agency')),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='partner_checks', to='referrals.referral')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='partner_checks_requested', to=settings.AUTH_USER_MODEL)),
                ('returned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='partner_checks_returned', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['due_at', 'pk'],
                'indexes': [models.Index(fields=['agency', 'returned_at', 'due_at'], name='partner_check_queue_idx')],
                'constraints': [
                    models.UniqueConstraint(condition=models.Q(('returned_at__isnull', True)), fields=('referral', 'agency'), name='one_outstanding_check_per_agency'),
                    models.CheckConstraint(condition=models.Q(models.Q(('returned_at__isnull', True), ('result', ''), ('returned_by__isnull', True)), models.Q(('returned_at__isnull', False), models.Q(('result', ''), _negated=True), ('returned_by__isnull', False)), _connector='OR'), name='returned_check_has_result'),
                    models.CheckConstraint(condition=models.Q(models.Q(('result', 'information_held'), _negated=True), models.Q(('summary', ''), _negated=True), _connector='OR'), name='information_held_has_summary'),
                ],
            },
        ),
    ]
