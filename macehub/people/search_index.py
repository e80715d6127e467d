"""The person name index: one ``PersonNameForm`` row for each way a person is named (their
own names, and each alias), with the folded words and phonetic keys that person search
looks up, so that a search is one indexed query ranked in the database.

The index is kept in step with every write by the model signals below rather than by
calls in each service: people and aliases are written by services, imports, the tests'
factories and the admin alike, and a name form that missed one of them would hide a
person from every search. Each form's words are kept beside it, one ``PersonNameWord``
row each, written with the form, and each word new to the index joins its vocabulary
(``PersonNameVocabularyWord``). An alias's form and words go with the alias (a
cascading foreign key), and a person's with the person. ``bulk_create`` sends no signals, so the
bulk writers (the demo data) finish with ``rebuild_search_index``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from typing import Any

import jellyfish
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Model, QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver

from macehub.core.bulk import copy_rows, indexes_built_after, tidy_after_bulk_load
from macehub.core.registry import Registry
from macehub.people.models import (
    Person,
    PersonAlias,
    PersonNameForm,
    PersonNameVocabularyWord,
    PersonNameWord,
)
from macehub.people.names import fold, name_key

# A name form's words and keys are at most this long (the columns' size).
FORM_LENGTH = 500
REBUILD_BATCH = 5000

# Every search index an app keeps, by what its rows are: a function that builds it
# afresh (``batch_size`` and ``alone`` keywords, see ``rebuild_index``) and returns how
# many rows it holds. Read by ``manage.py rebuild_search_index`` and the demo data's
# last step; apps register from their ``search_index`` module.
SEARCH_INDEXES: Registry[Callable[..., int]] = Registry("search index",
                                                        module_name="search_index")


def _wrapped(values: Iterable[str]) -> str:
    """Distinct values in order, wrapped in spaces (" a b "), cut at a whole value."""
    text = " "
    for value in dict.fromkeys(v for v in values if v):
        if len(text) + len(value) + 1 > FORM_LENGTH:
            break
        text += value + " "
    return text


def name_form_text(*names: str) -> tuple[str, str]:
    """The (words, keys) a name form stores for the given name fields.

    Each field is split at spaces and each word folded, as a search splits and folds
    what is typed; a field of several words is keyed whole as well, as the people
    table's own keys were ("Smith Jones" keys like "smithjones")."""
    words = [fold(word) for name in names for word in name.split()]
    keys = [name_key(word) for word in words if word]
    keys += [name_key(name) for name in names if len(name.split()) > 1]
    return _wrapped(words), _wrapped(keys)


def _own_form(person_pk: int, given: str, middle: str, family: str) -> PersonNameForm | None:
    words, keys = name_form_text(given, middle, family)
    if not words.strip():
        return None
    return PersonNameForm(person_id=person_pk, alias=None, words=words, keys=keys)


def _alias_form(person_pk: int, alias_pk: int, given: str, family: str
                ) -> PersonNameForm | None:
    words, keys = name_form_text(given, family)
    if not words.strip():
        return None
    return PersonNameForm(person_id=person_pk, alias_id=alias_pk, words=words, keys=keys)


# A person's place in the order people are listed in: (family name, given name).
NameOrder = tuple[str, str]


def _name_order(person_pk: int) -> NameOrder:
    family, given = Person.objects.values_list("family_name", "given_name").get(pk=person_pk)
    return family, given


def _form_words(person_pk: int, alias_pk: int | None, words: str, order: NameOrder
                ) -> list[PersonNameWord]:
    family, given = order
    return [PersonNameWord(person_id=person_pk, alias_id=alias_pk, word=word,
                           person_family_name=family, person_given_name=given)
            for word in words.split()]


def _save_words(words: list[PersonNameWord]) -> None:
    """Save a form's words, and any word the index did not hold yet into its
    vocabulary."""
    PersonNameWord.objects.bulk_create(words)
    PersonNameVocabularyWord.objects.bulk_create(
        [PersonNameVocabularyWord(word=word) for word in sorted({w.word for w in words})],
        ignore_conflicts=True)


def _add(form: PersonNameForm, order: NameOrder) -> None:
    """Save a new name form and its words (nothing was held for its names)."""
    form.save()
    _save_words(_form_words(form.person_id, form.alias_id, form.words, order))


def _store(person_pk: int, alias_pk: int | None, form: PersonNameForm | None,
           order: NameOrder) -> None:
    """Put one name form, and its words, in place of those held for the same names. An
    alias's form and words are found by the alias alone, so an alias moved to another
    person takes them with it (and that person's ``order``)."""
    if alias_pk is None:
        existing = PersonNameForm.objects.filter(person_id=person_pk, alias__isnull=True)
        words = PersonNameWord.objects.filter(person_id=person_pk, alias__isnull=True)
    else:
        existing = PersonNameForm.objects.filter(alias_id=alias_pk)
        words = PersonNameWord.objects.filter(alias_id=alias_pk)
    words.delete()
    if form is None:
        existing.delete()
        return
    if not existing.update(person_id=person_pk, words=form.words, keys=form.keys):
        form.save()
    _save_words(_form_words(person_pk, alias_pk, form.words, order))


def index_person_names(person: Person) -> None:
    """Index the person's own names (their aliases are indexed as they are saved), and
    put the words of their aliases in the person's new place in the order of names."""
    order = (person.family_name, person.given_name)
    _store(person.pk, None,
           _own_form(person.pk, person.given_name, person.middle_names, person.family_name),
           order)
    PersonNameWord.objects.filter(person_id=person.pk, alias__isnull=False).exclude(
        person_family_name=order[0], person_given_name=order[1]).update(
        person_family_name=order[0], person_given_name=order[1])


def index_alias(alias: PersonAlias) -> None:
    _store(alias.person_id, alias.pk,
           _alias_form(alias.person_id, alias.pk, alias.given_name, alias.family_name),
           _name_order(alias.person_id))


def index_new_people(people: Iterable[Person]) -> None:
    """Index the names of people just written with ``bulk_create`` (which sends no
    signals), in a few statements: an import of thousands of records."""
    forms, words = [], []
    for person in people:
        form = _own_form(person.pk, person.given_name, person.middle_names,
                         person.family_name)
        if form is None:
            continue
        forms.append(form)
        words += _form_words(person.pk, None, form.words,
                             (person.family_name, person.given_name))
    PersonNameForm.objects.bulk_create(forms, batch_size=REBUILD_BATCH)
    PersonNameWord.objects.bulk_create(words, batch_size=REBUILD_BATCH)
    PersonNameVocabularyWord.objects.bulk_create(
        [PersonNameVocabularyWord(word=word) for word in sorted({w.word for w in words})],
        ignore_conflicts=True, batch_size=REBUILD_BATCH)


@receiver(post_save, sender=Person, dispatch_uid="people.search_index.person")
def _person_saved(sender: type[Person], instance: Person, created: bool,
                  update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures: rebuild_search_index indexes them afterwards
    names = {"given_name", "middle_names", "family_name"}
    if update_fields is not None and not names & set(update_fields):
        return
    if created:
        form = _own_form(instance.pk, instance.given_name, instance.middle_names,
                         instance.family_name)
        if form is not None:
            _add(form, (instance.family_name, instance.given_name))
        return
    index_person_names(instance)


@receiver(post_save, sender=PersonAlias, dispatch_uid="people.search_index.alias")
def _alias_saved(sender: type[PersonAlias], instance: PersonAlias, created: bool,
                 **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if created:
        form = _alias_form(instance.person_id, instance.pk, instance.given_name,
                           instance.family_name)
        if form is not None:
            _add(form, _name_order(instance.person_id))
        return
    index_alias(instance)


def name_form_similarity(token: str | None, words: str | None) -> float:
    """Jaro-Winkler similarity of a searched (folded) word and the closest word of a name
    form: what person search ranks by. PostgreSQL has the same function in SQL
    (migration ``people.0006``); SQLite is given this one."""
    if not token or not words:
        return 0.0
    return max((float(jellyfish.jaro_winkler_similarity(token, word))
                for word in words.split()), default=0.0)


@receiver(connection_created, dispatch_uid="people.search_index.sqlite_functions")
def _add_sqlite_functions(sender: object, connection: BaseDatabaseWrapper,
                          **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "name_form_similarity", 2, name_form_similarity, deterministic=True)


NAME_FORM_FIELDS = ("person_id", "alias_id", "words", "keys")


def _forms_for_batch(low: int, high: int) -> Iterator[tuple[int, int | None, str, str]]:
    """The name forms of the people whose pk is in [low, high), as ``NAME_FORM_FIELDS``."""
    people = Person.objects.filter(pk__gte=low, pk__lt=high).order_by("pk").values_list(
        "pk", "given_name", "middle_names", "family_name")
    for pk, given, middle, family in people.iterator(chunk_size=REBUILD_BATCH):
        words, keys = name_form_text(given, middle, family)
        if words.strip():
            yield pk, None, words, keys
    aliases = PersonAlias.objects.filter(person_id__gte=low, person_id__lt=high).order_by(
        "pk").values_list("person_id", "pk", "given_name", "family_name")
    for person_pk, alias_pk, given, family in aliases.iterator(chunk_size=REBUILD_BATCH):
        words, keys = name_form_text(given, family)
        if words.strip():
            yield person_pk, alias_pk, words, keys


def rebuild_index(index: type[Model], fields: Sequence[str], source: QuerySet[Any],
                  rows_for: Callable[[int, int], Iterable[Sequence[Any]]], *,
                  batch_size: int, alone: bool = False) -> int:
    """Build a search index table afresh: ``rows_for(low, high)`` gives the index rows
    (values of ``fields``, every column but the key) of the ``source`` records whose pk
    is in [low, high), a batch at a time; returns how many rows it holds. One
    transaction: a search never sees it half built. On PostgreSQL the table's
    statistics are gathered at once, so the planner knows how selective a word is from
    the start, and, outside a caller's transaction, it is vacuumed
    (``tidy_after_bulk_load``).

    ``alone``: nothing else uses the table meanwhile (the demo data's run, which holds
    its tables until it commits), so on PostgreSQL its search indexes are built once,
    after it is filled, rather than row by row; searches elsewhere would wait for it."""
    pks = source.order_by("pk").values_list("pk", flat=True)
    first, last = pks.first() or 0, pks.last() or -1
    created = 0
    with transaction.atomic():
        index._default_manager.all().delete()
        with indexes_built_after(index) if alone else nullcontext():
            for low in range(first, last + 1, batch_size):
                created += copy_rows(index, fields, rows_for(low, low + batch_size),
                                     batch_size=batch_size)
    tidy_after_bulk_load(index)
    return created


NAME_WORD_FIELDS = ("person_id", "alias_id", "word", "person_family_name",
                    "person_given_name")


def _words_for_batch(low: int, high: int
                     ) -> Iterator[tuple[int, int | None, str, str, str]]:
    """The words of the name forms whose pk is in [low, high), as ``NAME_WORD_FIELDS``."""
    forms = PersonNameForm.objects.filter(pk__gte=low, pk__lt=high).order_by("pk").values_list(
        "person_id", "alias_id", "words", "person__family_name", "person__given_name")
    for person_pk, alias_pk, words, family, given in forms.iterator(chunk_size=REBUILD_BATCH):
        for word in words.split():
            yield person_pk, alias_pk, word, family, given


@SEARCH_INDEXES.register("name forms")
def rebuild_search_index(*, batch_size: int = REBUILD_BATCH, alone: bool = False) -> int:
    """Build the name index afresh from every person and alias, in batches of people,
    then the forms' words from the forms (and any new word into the vocabulary);
    returns the number of name forms
    (``alone``: see ``rebuild_index``)."""
    forms = rebuild_index(PersonNameForm, NAME_FORM_FIELDS, Person.objects.all(),
                          _forms_for_batch, batch_size=batch_size, alone=alone)
    rebuild_index(PersonNameWord, NAME_WORD_FIELDS, PersonNameForm.objects.all(),
                  _words_for_batch, batch_size=batch_size, alone=alone)
    add_words_to_vocabulary()
    return forms


def add_words_to_vocabulary() -> None:
    """Put every word the name index holds into its vocabulary, in the database (a
    national index holds millions of words, tens of thousands of them different). The
    vocabulary is only ever added to (``PersonNameVocabularyWord``)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            # WHERE: SQLite would read ON CONFLICT as the start of a join's condition.
            f"INSERT INTO {quote(PersonNameVocabularyWord._meta.db_table)} ({quote('word')}) "  # noqa: S608 - names quoted
            f"SELECT DISTINCT {quote('word')} FROM {quote(PersonNameWord._meta.db_table)} "
            f"WHERE true ON CONFLICT ({quote('word')}) DO NOTHING")
