"""The name index's vocabulary: each different word its names hold, once
(``PersonNameVocabularyWord``), filled here from the words already held (one INSERT on
each engine). Going back removes the table."""

from django.db import migrations, models

# WHERE: SQLite would read ON CONFLICT as the start of a join's condition.
FILL = """
INSERT INTO people_personnamevocabularyword (word)
SELECT DISTINCT word FROM people_personnameword WHERE true
ON CONFLICT (word) DO NOTHING
"""


def fill_vocabulary(apps, schema_editor):
    schema_editor.execute(FILL)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0011_person_name_word_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonNameVocabularyWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("word", models.CharField(editable=False, max_length=500, unique=True)),
            ],
            options={
                "verbose_name": "person name vocabulary word",
            },
        ),
        migrations.RunPython(fill_vocabulary, migrations.RunPython.noop, elidable=True),
    ]
