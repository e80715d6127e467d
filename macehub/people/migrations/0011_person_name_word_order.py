"""Each person name word carries its person's family and given name, indexed after the
word (``people_name_word_order``), so a search for one whole word reads its first page
of people in order of name from the index. Filled here from the people (one UPDATE on
each engine), the index built once they are in. Going back removes the columns and the
index."""

from django.db import migrations, models

FILL_POSTGRESQL = """
UPDATE people_personnameword AS word
SET person_family_name = person.family_name, person_given_name = person.given_name
FROM people_person AS person
WHERE person.id = word.person_id
"""

FILL_OTHER = """
UPDATE people_personnameword
SET person_family_name = (SELECT family_name FROM people_person
                          WHERE people_person.id = people_personnameword.person_id),
    person_given_name = (SELECT given_name FROM people_person
                         WHERE people_person.id = people_personnameword.person_id)
"""


def fill_name_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_POSTGRESQL)
    else:
        schema_editor.execute(FILL_OTHER)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0010_person_name_words'),
    ]

    operations = [
        migrations.AddField(
            model_name='personnameword',
            name='person_family_name',
            field=models.CharField(default='', editable=False, max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='personnameword',
            name='person_given_name',
            field=models.CharField(default='', editable=False, max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_order, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='personnameword',
            index=models.Index(fields=['word', 'person_family_name', 'person_given_name', 'person'], include=('alias',), name='people_name_word_order'),
        ),
    ]
