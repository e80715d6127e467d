"""The entity search index: one ``EntitySearchEntry`` for each link from a report to a
place, vehicle, phone, account or premises, holding the entity's searchable forms
(normalised text, folded words, phonetic keys) and the report, so that entity search
is one indexed query that filters by access and ranks in the database.

The index is kept in step by the model signals below rather than by calls in each
service: links and entities are written by services, the legacy import, the API, the
tests' factories and the admin alike, and an entry that missed one of them would hide
an entity from every search, or show it under an old name. An entry goes with its link
(a cascading foreign key), and a link with its report. ``bulk_create`` and
``QuerySet.update`` send no signals, so the bulk writers (the demo data) finish with
``rebuild_search_index``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_save
from django.dispatch import receiver

from macehub.intelligence.codes import EntityKind
from macehub.intelligence.models import (
    EntitySearchEntry,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Vehicle,
    location_search_keys,
    premises_search_keys,
)
from macehub.intelligence.normalise import registration_keys
from macehub.people.names import fold
from macehub.people.search_index import SEARCH_INDEXES, rebuild_index

# Words and keys are at most this long (the columns' size).
FORM_LENGTH = 500
REBUILD_BATCH = 5000
# Characters read alike on number plates, each read as the second.
PLATE_LOOKALIKES = (("O", "0"), ("I", "1"), ("S", "5"), ("B", "8"))
# Where a place's or business's words are split (as a search splits what is typed).
WORD_BREAKS = re.compile(r"[\s,./\-]+")

# The entity models in the index, by kind (the link's field naming them).
INDEXED_MODELS: dict[str, type[Model]] = {
    EntityKind.LOCATION.value: Location,
    EntityKind.VEHICLE.value: Vehicle,
    EntityKind.PHONE.value: PhoneNumber,
    EntityKind.ACCOUNT.value: OnlineAccount,
    EntityKind.PREMISES.value: Premises,
}
FORM_FIELDS = ("text", "plate", "words", "keys", "label")


def plate_canonical(registration: str) -> str:
    """The registration with look-alike characters read alike (``B8OSTN`` -> ``88051N``)."""
    for letter, digit in PLATE_LOOKALIKES:
        registration = registration.replace(letter, digit)
    return registration


def folded_words(*texts: str) -> str:
    """Every word of the texts folded, distinct, wrapped in spaces and cut at a whole
    word: " brackenford bus station road "."""
    text = " "
    words = (fold(word) for value in texts for word in WORD_BREAKS.split(value))
    for word in dict.fromkeys(w for w in words if w):
        if len(text) + len(word) + 1 > FORM_LENGTH:
            break
        text += word + " "
    return text if text.strip() else ""


def postcode_compact(postcode: str) -> str:
    return re.sub(r"\s", "", postcode).upper()


def entity_form(entity: Model) -> dict[str, str]:
    """What an entry stores for the entity (the same for every link to it)."""
    form = dict.fromkeys(FORM_FIELDS, "")
    form["label"] = str(entity)[:300]
    if isinstance(entity, Location):
        form.update(text=postcode_compact(entity.postcode),
                    words=folded_words(entity.description, entity.address),
                    keys=location_search_keys(entity))
    elif isinstance(entity, Premises):
        form.update(text=entity.licence_reference.strip().lower()[:100],
                    words=folded_words(entity.name), keys=premises_search_keys(entity))
    elif isinstance(entity, Vehicle):
        form.update(text=entity.registration, plate=plate_canonical(entity.registration),
                    keys=registration_keys(entity.registration))
    elif isinstance(entity, PhoneNumber):
        form.update(text=entity.number)
    elif isinstance(entity, OnlineAccount):
        # A handle is compared whole, folded (``kebab.king99`` as ``kebabking``).
        folded = fold(entity.handle)
        form.update(text=entity.handle, words=f" {folded} " if folded else "")
    return form


def _entry(link: ReportLink, entity: Model) -> EntitySearchEntry:
    return EntitySearchEntry(link_id=link.pk, report_id=link.report_id, kind=link.kind,
                             entity_id=entity.pk, **entity_form(entity))


def index_link(link: ReportLink) -> None:
    """Index one link (a link to a person is not indexed: people are searched by the
    people rules), replacing what was held for it."""
    entity = link.entity
    if link.kind not in INDEXED_MODELS or entity is None:
        EntitySearchEntry.objects.filter(link_id=link.pk).delete()
        return
    entry = _entry(link, entity)
    fields = {name: getattr(entry, name) for name in ("report_id", "kind", "entity_id",
                                                        *FORM_FIELDS)}
    if not EntitySearchEntry.objects.filter(link_id=link.pk).update(**fields):
        entry.save()


def index_entity(entity: Model) -> int:
    """Bring every entry of the entity up to date with it (one query); returns how many."""
    kind = next(k for k, model in INDEXED_MODELS.items() if isinstance(entity, model))
    return EntitySearchEntry.objects.filter(kind=kind, entity_id=entity.pk).update(
        **entity_form(entity))


@receiver(post_save, sender=ReportLink, dispatch_uid="intelligence.search_index.link")
def _link_saved(sender: type[ReportLink], instance: ReportLink, created: bool,
                **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures: rebuild_search_index indexes them afterwards
    if created:
        entity = instance.entity
        if instance.kind in INDEXED_MODELS and entity is not None:
            _entry(instance, entity).save()
        return
    index_link(instance)


def _entity_saved(sender: type[Model], instance: Model, created: bool,
                  **kwargs: Any) -> None:
    # A new entity has no links yet, so nothing to index until one is made.
    if created or kwargs.get("raw"):
        return
    index_entity(instance)


for _kind, _model in INDEXED_MODELS.items():
    post_save.connect(_entity_saved, sender=_model,
                      dispatch_uid=f"intelligence.search_index.{_kind}")


ENTRY_FIELDS = ("link_id", "report_id", "kind", "entity_id", *FORM_FIELDS)


def _entries_for_batch(low: int, high: int) -> Iterator[tuple[Any, ...]]:
    """The entries of the links whose pk is in [low, high), as ``ENTRY_FIELDS``."""
    links = list(
        ReportLink.objects.filter(pk__gte=low, pk__lt=high, person__isnull=True)
        .order_by("pk").values_list("pk", "report_id", *INDEXED_MODELS)
    )
    forms: dict[str, dict[int, tuple[str, ...]]] = {}
    for position, (kind, model) in enumerate(INDEXED_MODELS.items(), start=2):
        ids = {row[position] for row in links if row[position] is not None}
        queryset = model._default_manager.filter(pk__in=ids)
        forms[kind] = {entity.pk: tuple(entity_form(entity).values()) for entity in queryset}
    for row in links:
        for position, kind in enumerate(INDEXED_MODELS, start=2):
            entity_pk = row[position]
            if entity_pk is not None:
                yield (row[0], row[1], kind, entity_pk, *forms[kind][entity_pk])


@SEARCH_INDEXES.register("entity search entries")
def rebuild_entity_index(*, batch_size: int = REBUILD_BATCH, alone: bool = False) -> int:
    """Build the entity index afresh from every link to a place, vehicle, phone, account
    or premises, in batches of links; returns the number of entries (``alone``: see
    ``people.search_index.rebuild_index``)."""
    return rebuild_index(EntitySearchEntry, ENTRY_FIELDS, ReportLink.objects.all(),
                         _entries_for_batch, batch_size=batch_size, alone=alone)
