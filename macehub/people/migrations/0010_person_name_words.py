"""The words of each person name form (``PersonNameWord``), B-tree indexed with the
person, so person search reads the people who carry a word whole from an index alone;
filled here from the name forms already held (one INSERT on PostgreSQL, about three
words a form), the index built once they are in. Going back removes the table."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000

FILL_SQL = """
INSERT INTO people_personnameword (person_id, alias_id, word)
SELECT form.person_id, form.alias_id, word
FROM people_personnameform AS form,
     unnest(string_to_array(btrim(form.words), ' ')) AS word
WHERE word <> ''
"""


def fill_name_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_SQL)
        return
    PersonNameForm = apps.get_model("people", "PersonNameForm")
    PersonNameWord = apps.get_model("people", "PersonNameWord")
    words = []
    forms = PersonNameForm.objects.order_by("pk").values_list("person_id", "alias_id", "words")
    for person_id, alias_id, text in forms.iterator(chunk_size=BATCH):
        words += [PersonNameWord(person_id=person_id, alias_id=alias_id, word=word)
                  for word in text.split()]
        if len(words) >= BATCH:
            PersonNameWord.objects.bulk_create(words)
            words.clear()
    PersonNameWord.objects.bulk_create(words)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0009_person_name_order_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='PersonNameWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(editable=False, max_length=500)),
                ('alias', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.personalias')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person')),
            ],
            options={
                'verbose_name': 'person name word',
            },
        ),
        migrations.RunPython(fill_name_words, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='personnameword',
            index=models.Index(fields=['word', 'person'], name='people_name_word_person'),
        ),
    ]
