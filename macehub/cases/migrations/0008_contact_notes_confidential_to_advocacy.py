"""Contacts recorded by a victim advocate: their notes are confidential to the advocacy
service. Contacts already recorded by someone who holds the victim advocate role become
confidential to that advocate's agency."""

import django.db.models.deletion
from django.db import migrations, models

VICTIM_ADVOCATE = "victim_advocate"  # accounts.roles.Role.VICTIM_ADVOCATE, as stored


def mark_advocates_contacts(apps, schema_editor):
    Contact = apps.get_model("cases", "Contact")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    User = apps.get_model("accounts", "User")
    advocates = RoleAssignment.objects.filter(role=VICTIM_ADVOCATE).values("user_id")
    for user in User.objects.filter(pk__in=advocates, agency__isnull=False).only("agency_id"):
        Contact.objects.filter(recorded_by_id=user.pk, advocacy_service__isnull=True).update(
            advocacy_service_id=user.agency_id)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cases', '0007_risk_assessments'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='advocacy_service',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.agency'),
        ),
        # Backwards the field goes, and its values with it.
        migrations.RunPython(mark_advocates_contacts, migrations.RunPython.noop),
    ]
