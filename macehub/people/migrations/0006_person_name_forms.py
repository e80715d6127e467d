"""The person name index (``PersonNameForm``): one row per way a person is named, with
folded words and phonetic keys, trigram-indexed on PostgreSQL; built here for the people
and aliases already recorded. The folding and keying rules are those of
``people.names`` and ``people.search_index``, copied so the migration does not import
the app. Going back removes the table and its rows."""

import re
import unicodedata

import django.db.models.deletion
import jellyfish
from django.db import migrations, models

FORM_LENGTH = 500
BATCH = 5000


def _fold(name):
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode().lower())


def _key(name):
    folded = _fold(name)
    return jellyfish.metaphone(folded)[:40] if folded else ""


def _wrapped(values):
    text = " "
    for value in dict.fromkeys(v for v in values if v):
        if len(text) + len(value) + 1 > FORM_LENGTH:
            break
        text += value + " "
    return text


def _text(*names):
    words = [_fold(word) for name in names for word in name.split()]
    keys = [_key(word) for word in words if word]
    keys += [_key(name) for name in names if len(name.split()) > 1]
    return _wrapped(words), _wrapped(keys)


def build_name_forms(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    PersonAlias = apps.get_model("people", "PersonAlias")
    PersonNameForm = apps.get_model("people", "PersonNameForm")
    forms = []

    def add(person_id, alias_id, *names):
        words, keys = _text(*names)
        if words.strip():
            forms.append(PersonNameForm(person_id=person_id, alias_id=alias_id, words=words,
                                        keys=keys))
        if len(forms) >= BATCH:
            PersonNameForm.objects.bulk_create(forms)
            forms.clear()

    people = Person.objects.values_list("pk", "given_name", "middle_names", "family_name")
    for pk, given, middle, family in people.iterator(chunk_size=BATCH):
        add(pk, None, given, middle, family)
    aliases = PersonAlias.objects.values_list("person_id", "pk", "given_name", "family_name")
    for person_id, pk, given, family in aliases.iterator(chunk_size=BATCH):
        add(person_id, pk, given, family)
    PersonNameForm.objects.bulk_create(forms)


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


TRIGRAM_INDEXES = [
    "CREATE INDEX IF NOT EXISTS person_name_form_words_trgm ON people_personnameform "
    "USING gin (words gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_name_form_keys_trgm ON people_personnameform "
    "USING gin (keys gin_trgm_ops)",
]
# Jaro-Winkler similarity of a searched word and the closest word of a name form, as
# ``jellyfish.jaro_winkler_similarity`` computes it (the same steps in the same order, so
# the same figure), for ranking in the database. SQLite is given the same function from
# Python when it connects (``people.search_index``).
NAME_FORM_SIMILARITY = r"""
CREATE OR REPLACE FUNCTION name_form_similarity(token text, words text)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    word text;
    best double precision := 0;
    weight double precision;
    a_len int; b_len int; search_range int; low int; hi int;
    a_flags boolean[]; b_flags boolean[];
    common int; trans int; k int; i int; j int; prefix int;
BEGIN
    a_len := length(token);
    IF a_len = 0 THEN RETURN 0; END IF;
    FOREACH word IN ARRAY string_to_array(btrim(words), ' ') LOOP
        b_len := length(word);
        CONTINUE WHEN b_len = 0;
        IF word = token THEN RETURN 1; END IF;
        search_range := greatest(greatest(a_len, b_len) / 2 - 1, 0);
        a_flags := array_fill(false, ARRAY[a_len]);
        b_flags := array_fill(false, ARRAY[b_len]);
        common := 0;
        FOR i IN 1..a_len LOOP
            low := greatest(1, i - search_range);
            hi := least(i + search_range, b_len);
            FOR j IN low..hi LOOP
                IF NOT b_flags[j] AND substr(word, j, 1) = substr(token, i, 1) THEN
                    a_flags[i] := true; b_flags[j] := true; common := common + 1;
                    EXIT;
                END IF;
            END LOOP;
        END LOOP;
        CONTINUE WHEN common = 0;
        k := 1; trans := 0;
        FOR i IN 1..a_len LOOP
            IF a_flags[i] THEN
                j := k;
                WHILE j <= b_len LOOP
                    IF b_flags[j] THEN k := j + 1; EXIT; END IF;
                    j := j + 1;
                END LOOP;
                IF substr(token, i, 1) <> substr(word, j, 1) THEN trans := trans + 1; END IF;
            END IF;
        END LOOP;
        trans := trans / 2;
        weight := (common::double precision / a_len + common::double precision / b_len
                   + (common - trans)::double precision / common) / 3;
        IF weight > 0.7 THEN
            prefix := 0;
            WHILE prefix < least(least(a_len, b_len), 4)
                  AND substr(token, prefix + 1, 1) = substr(word, prefix + 1, 1) LOOP
                prefix := prefix + 1;
            END LOOP;
            IF prefix > 0 THEN weight := weight + prefix * 0.1 * (1.0 - weight); END IF;
        END IF;
        best := greatest(best, weight);
    END LOOP;
    RETURN best;
END
$$
"""
DROP_NAME_FORM_SIMILARITY = "DROP FUNCTION IF EXISTS name_form_similarity(text, text)"
DROP_TRIGRAM_INDEXES = [
    "DROP INDEX IF EXISTS person_name_form_keys_trgm",
    "DROP INDEX IF EXISTS person_name_form_words_trgm",
]


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_statutory_status_and_language"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonNameForm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("words", models.CharField(editable=False, max_length=500)),
                ("keys", models.CharField(editable=False, max_length=500)),
                ("alias", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                    related_name="+", to="people.personalias")),
                ("person", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="name_forms",
                    to="people.person")),
            ],
            options={"verbose_name": "person name form"},
        ),
        migrations.RunPython(build_name_forms, migrations.RunPython.noop),
        migrations.RunPython(_on_postgresql(TRIGRAM_INDEXES),
                             _on_postgresql(DROP_TRIGRAM_INDEXES)),
        migrations.RunPython(_on_postgresql([NAME_FORM_SIMILARITY]),
                             _on_postgresql([DROP_NAME_FORM_SIMILARITY])),
    ]
