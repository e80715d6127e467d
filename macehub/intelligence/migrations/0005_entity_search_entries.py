"""The entity search index (``EntitySearchEntry``): one row for each link from a report to
a place, vehicle, phone, account or premises, with the entity's normalised text, folded
words and phonetic keys (or registration variants), trigram-indexed on PostgreSQL;
built here for the links already recorded. The folding and display rules are those of
``people.names``, ``core.phones`` and ``intelligence.search_index``, copied so the
migration does not import the apps; the phonetic keys and registration variants are
the ones the entities already store. Entity search ranks with ``name_form_similarity``
(people 0006). Going back removes the table and its rows."""

import re
import unicodedata

import django.db.models.deletion
import phonenumbers
from django.db import migrations, models

FORM_LENGTH = 500
BATCH = 5000
PLATE_LOOKALIKES = (("O", "0"), ("I", "1"), ("S", "5"), ("B", "8"))
WORD_BREAKS = re.compile(r"[\s,./\-]+")
CURRENT_REGISTRATION = re.compile(r"[A-Z]{2}\d{2}[A-Z]{3}")
UK_CALLING_CODE = 44


def _fold(name):
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode().lower())


def _words(*texts):
    text = " "
    words = (_fold(word) for value in texts for word in WORD_BREAKS.split(value))
    for word in dict.fromkeys(w for w in words if w):
        if len(text) + len(word) + 1 > FORM_LENGTH:
            break
        text += word + " "
    return text if text.strip() else ""


def _plate(registration):
    for letter, digit in PLATE_LOOKALIKES:
        registration = registration.replace(letter, digit)
    return registration


def _display_registration(registration):
    if CURRENT_REGISTRATION.fullmatch(registration):
        return f"{registration[:4]} {registration[4:]}"
    return registration


def _display_phone(e164):
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == UK_CALLING_CODE:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _location(entity):
    return {"text": re.sub(r"\s", "", entity.postcode).upper(),
            "words": _words(entity.description, entity.address),
            "keys": entity.search_keys, "label": entity.description[:300]}


def _premises(entity):
    return {"text": entity.licence_reference.strip().lower()[:100],
            "words": _words(entity.name), "keys": entity.search_keys,
            "label": entity.name[:300]}


def _vehicle(entity):
    return {"text": entity.registration, "plate": _plate(entity.registration),
            "keys": entity.registration_keys,
            "label": _display_registration(entity.registration)}


def _phone(entity):
    return {"text": entity.number, "label": _display_phone(entity.number)}


def _account(entity):
    folded = _fold(entity.handle)
    return {"text": entity.handle, "words": f" {folded} " if folded else "",
            "label": f"{entity.get_platform_display()} @{entity.handle}"[:300]}


FORMS = {
    "location": ("Location", _location),
    "vehicle": ("Vehicle", _vehicle),
    "phone": ("PhoneNumber", _phone),
    "account": ("OnlineAccount", _account),
    "premises": ("Premises", _premises),
}


def build_entity_entries(apps, schema_editor):
    ReportLink = apps.get_model("intelligence", "ReportLink")
    EntitySearchEntry = apps.get_model("intelligence", "EntitySearchEntry")
    forms = {}
    for kind, (model_name, form) in FORMS.items():
        model = apps.get_model("intelligence", model_name)
        linked = ReportLink.objects.filter(**{f"{kind}__isnull": False}).values(kind)
        forms[kind] = {entity.pk: form(entity)
                       for entity in model.objects.filter(pk__in=linked).iterator()}
    entries = []
    links = ReportLink.objects.filter(person__isnull=True).values_list(
        "pk", "report_id", *FORMS)
    for row in links.iterator(chunk_size=BATCH):
        for position, kind in enumerate(FORMS, start=2):
            if row[position] is not None:
                entries.append(EntitySearchEntry(
                    link_id=row[0], report_id=row[1], kind=kind, entity_id=row[position],
                    **forms[kind][row[position]]))
        if len(entries) >= BATCH:
            EntitySearchEntry.objects.bulk_create(entries)
            entries.clear()
    EntitySearchEntry.objects.bulk_create(entries)


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


# pg_trgm is enabled by people 0003.
TRIGRAM_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS intel_search_{column}_trgm ON "
    f"intelligence_entitysearchentry USING gin ({column} gin_trgm_ops)"
    for column in ("text", "plate", "words", "keys")
] + [
    # Statistics for the rows just built, so the planner knows the table from the start.
    "ANALYZE intelligence_entitysearchentry",
]
DROP_TRIGRAM_INDEXES = [
    f"DROP INDEX IF EXISTS intel_search_{column}_trgm"
    for column in ("keys", "words", "plate", "text")
]


class Migration(migrations.Migration):
    dependencies = [
        ("intelligence", "0004_vehicle_registration_keys"),
        ("people", "0006_person_name_forms"),
    ]

    operations = [
        migrations.CreateModel(
            name="EntitySearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=10)),
                ("entity_id", models.BigIntegerField()),
                ("text", models.CharField(blank=True, max_length=100)),
                ("plate", models.CharField(blank=True, max_length=20)),
                ("words", models.CharField(blank=True, max_length=500)),
                ("keys", models.CharField(blank=True, max_length=500)),
                ("label", models.CharField(blank=True, max_length=300)),
                ("link", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                    to="intelligence.reportlink")),
                ("report", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                    to="intelligence.intelligencereport")),
            ],
            options={
                "verbose_name": "entity search entry",
                "verbose_name_plural": "entity search entries",
                "indexes": [models.Index(fields=["kind", "entity_id"],
                                         name="intel_search_entity")],
            },
        ),
        migrations.RunPython(build_entity_entries, migrations.RunPython.noop),
        migrations.RunPython(_on_postgresql(TRIGRAM_INDEXES),
                             _on_postgresql(DROP_TRIGRAM_INDEXES)),
    ]
