"""The migration that gives the name index its vocabulary fills it from the words the
index already holds, each different word once, and goes back cleanly."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from macehub.accounts.models import Agency
from macehub.people.models import PersonAlias, PersonNameWord
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "person_name_vocabulary"


def _migration_and_parent() -> tuple[tuple[str, str], tuple[str, str]]:
    graph = MigrationExecutor(connection).loader.graph
    node = next(key for key in graph.nodes if key[0] == "people" and key[1].endswith(NAME))
    parent = next(key for key in graph.node_map[node].parents if key[0] == "people")
    return node, parent


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection)  # a fresh loader sees the state reached


def test_the_vocabulary_is_filled_from_the_words_held(hub_agency: Agency) -> None:
    for given, family in [("Amelia", "Thorne"), ("Amelia", "Smith"), ("Jon", "Smith")]:
        make_person(hub_agency, given_name=given, family_name=family)
    known_as = make_person(hub_agency, given_name="Xan", family_name="Yule")
    PersonAlias.objects.create(person=known_as, given_name="Johnnie", family_name="Smyth")
    held = set(PersonNameWord.objects.values_list("word", flat=True))
    assert {"amelia", "thorne", "smith", "jon", "johnnie", "smyth"} <= held
    node, parent = _migration_and_parent()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        before = _migrate(parent).loader.project_state(parent).apps
        with pytest.raises(LookupError):
            before.get_model("people", "PersonNameVocabularyWord")
        assert set(before.get_model("people", "PersonNameWord").objects
                   .values_list("word", flat=True)) == held

        after = _migrate(node).loader.project_state(node).apps
        vocabulary = after.get_model("people", "PersonNameVocabularyWord").objects
        words = list(vocabulary.values_list("word", flat=True))
        assert sorted(words) == sorted(held)  # each different word, once
    finally:
        MigrationExecutor(connection).migrate(latest)
