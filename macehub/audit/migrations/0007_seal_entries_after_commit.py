"""Audit entries are appended unsealed and sealed into the chain after they commit.

Position, previous hash and hash become empty until sealing. The entries already in the
log are chained (by id, when every writer took one lock), so they are backfilled as
sealed at positions 1, 2, ... in id order; their hashes stay valid, as the position is
not hashed. On PostgreSQL the trigger that refused every UPDATE is replaced by one that
allows exactly the sealing of an unsealed entry (position, previous hash and hash set
from empty, nothing else changed); DELETE and TRUNCATE are still refused.

Going back needs every entry sealed first (``manage.py audit_seal``).
"""

from django.db import migrations, models

NUMBER_EXISTING_ENTRIES = """
UPDATE audit_auditevent SET position = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM audit_auditevent) AS numbered
WHERE audit_auditevent.id = numbered.id
"""

SEAL_ONCE = """
CREATE OR REPLACE FUNCTION audit_event_is_sealed_once() RETURNS trigger AS $$
BEGIN
    IF OLD.position IS NULL AND OLD.previous_hash IS NULL AND OLD.entry_hash IS NULL
       AND NEW.position IS NOT NULL AND NEW.previous_hash IS NOT NULL
       AND NEW.entry_hash IS NOT NULL
       AND (to_jsonb(NEW) - 'position' - 'previous_hash' - 'entry_hash')
           = (to_jsonb(OLD) - 'position' - 'previous_hash' - 'entry_hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION
        'The audit log is append-only: % is not allowed (an unsealed entry may only be sealed, once)',
        TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_refuses_delete
    BEFORE DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_seals_once
    BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_sealed_once();
"""

REFUSE_EVERY_UPDATE = """
DROP TRIGGER IF EXISTS audit_log_seals_once ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_log_refuses_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_is_sealed_once();
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
"""


def number_existing_entries_and_seal_once(apps, schema_editor):
    # Numbered before the new trigger exists: the old one is dropped in the same
    # transaction, so no other writer ever sees the table unguarded.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER audit_log_append_only ON audit_auditevent")
        schema_editor.execute(NUMBER_EXISTING_ENTRIES, params=None)
        schema_editor.execute(SEAL_ONCE, params=None)
    else:
        schema_editor.execute(NUMBER_EXISTING_ENTRIES, params=None)


def refuse_every_update_again(apps, schema_editor):
    event = apps.get_model("audit", "AuditEvent")
    if event.objects.filter(position__isnull=True).exists():
        raise RuntimeError(
            "Some audit entries are not sealed yet: run manage.py audit_seal (with the hub "
            "stopped) before going back past audit 0007."
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_EVERY_UPDATE, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0006_role_change_event_types'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='position',
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='entry_hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='previous_hash',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(number_existing_entries_and_seal_once, refuse_every_update_again),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('position__isnull', True)), fields=['id'], name='audit_unsealed_idx'),
        ),
    ]
