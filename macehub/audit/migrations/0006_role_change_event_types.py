"""The event types that record a change of access asked for, approved and rejected
(accounts: a second administrator approves)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_sign_in_address_paused_event'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='event_type',
            field=models.CharField(choices=[('view', 'Viewed'), ('search', 'Searched'), ('create', 'Created'), ('change', 'Changed'), ('delete', 'Deleted'), ('export', 'Exported'), ('merge', 'Merged'), ('import', 'Imported'), ('login', 'Signed in'), ('logout', 'Signed out'), ('login_failure', 'Failed sign-in'), ('permission_denied', 'Permission denied'), ('two_factor_enrolled', 'Two-factor enrolled'), ('two_factor_failure', 'Failed two-factor check'), ('audit_checkpoint', 'Audit log checkpoint made'), ('sign_in_address_paused', 'Sign-ins from an address paused'), ('role_change_requested', 'Change of access requested'), ('role_change_approved', 'Change of access approved'), ('role_change_rejected', 'Change of access rejected')], max_length=40),
        ),
    ]
