"""Checkpoints of the audit log's chain, append-only like the log itself (on
PostgreSQL the log's trigger function refuses UPDATE, DELETE and TRUNCATE on them too),
and the event type that records making one."""

from django.db import migrations, models

FORWARD = """
CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_checkpoint_refuses_truncate
    BEFORE TRUNCATE ON audit_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS audit_checkpoint_refuses_truncate ON audit_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_refuse_truncate_on_postgresql'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('made_at', models.DateTimeField()),
                ('entry_id', models.BigIntegerField()),
                ('entry_hash', models.CharField(max_length=64)),
                ('entry_count', models.BigIntegerField()),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='event_type',
            field=models.CharField(choices=[('view', 'Viewed'), ('search', 'Searched'), ('create', 'Created'), ('change', 'Changed'), ('delete', 'Deleted'), ('export', 'Exported'), ('merge', 'Merged'), ('import', 'Imported'), ('login', 'Signed in'), ('logout', 'Signed out'), ('login_failure', 'Failed sign-in'), ('permission_denied', 'Permission denied'), ('two_factor_enrolled', 'Two-factor enrolled'), ('two_factor_failure', 'Failed two-factor check'), ('audit_checkpoint', 'Audit log checkpoint made')], max_length=40),
        ),
        # The table exists from CreateModel above; the reverse drops the triggers first.
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
