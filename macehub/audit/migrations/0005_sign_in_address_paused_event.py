"""The event type that records pausing sign-ins from an address (accounts.lockout)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_chain_checkpoints'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='event_type',
            field=models.CharField(choices=[('view', 'Viewed'), ('search', 'Searched'), ('create', 'Created'), ('change', 'Changed'), ('delete', 'Deleted'), ('export', 'Exported'), ('merge', 'Merged'), ('import', 'Imported'), ('login', 'Signed in'), ('logout', 'Signed out'), ('login_failure', 'Failed sign-in'), ('permission_denied', 'Permission denied'), ('two_factor_enrolled', 'Two-factor enrolled'), ('two_factor_failure', 'Failed two-factor check'), ('audit_checkpoint', 'Audit log checkpoint made'), ('sign_in_address_paused', 'Sign-ins from an address paused')], max_length=40),
        ),
    ]
