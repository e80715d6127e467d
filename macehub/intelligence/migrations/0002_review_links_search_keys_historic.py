"""Reviews get a note of what is to be done; places and businesses get phonetic search
keys; historic 5x5x5 reports get a status of their own; a link records how its report
describes the entity (so a description is seen only with the report)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intelligence', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='reportlink',
            name='description',
            field=models.CharField(blank=True, help_text="How this report describes it, e.g. 'grey Ford Focus, tinted windows'", max_length=300),
        ),
        migrations.AddField(
            model_name='intelligencereport',
            name='review_note',
            field=models.TextField(blank=True, help_text='What the action is: who is tasked, what is to be developed'),
        ),
        migrations.AddField(
            model_name='location',
            name='search_keys',
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.AddField(
            model_name='premises',
            name='search_keys',
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.AlterField(
            model_name='intelligencereport',
            name='status',
            field=models.CharField(choices=[('awaiting_review', 'Awaiting review'), ('reviewed', 'Reviewed'), ('historic', 'Historic (5x5x5, read-only)')], db_index=True, default='awaiting_review', max_length=20),
        ),
    ]
