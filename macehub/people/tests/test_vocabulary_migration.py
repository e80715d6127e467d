"""The migration that gives the name index its vocabulary fills it from the words the
index already holds, each different word once, and goes back cleanly."""

from __future__ import annotations

import pytest

from macehub.accounts.models import Agency
from macehub.people.models import PersonAlias, PersonNameWord
from macehub.testing.factories import make_person
from macehub.testing.migrations import (
    back_to_latest_migrations,
    migrate_to,
    migration_and_parent,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migration_history]


def test_the_vocabulary_is_filled_from_the_words_held(hub_agency: Agency) -> None:
    for given, family in [("Amelia", "Thorne"), ("Amelia", "Smith"), ("Jon", "Smith")]:
        make_person(hub_agency, given_name=given, family_name=family)
    known_as = make_person(hub_agency, given_name="Xan", family_name="Yule")
    PersonAlias.objects.create(person=known_as, given_name="Johnnie", family_name="Smyth")
    held = set(PersonNameWord.objects.values_list("word", flat=True))
    assert {"amelia", "thorne", "smith", "jon", "johnnie", "smyth"} <= held
    node, parent = migration_and_parent("people", "person_name_vocabulary")
    with back_to_latest_migrations():
        before = migrate_to(parent)
        with pytest.raises(LookupError):
            before.get_model("people", "PersonNameVocabularyWord")
        assert set(before.get_model("people", "PersonNameWord").objects
                   .values_list("word", flat=True)) == held

        after = migrate_to(node)
        vocabulary = after.get_model("people", "PersonNameVocabularyWord").objects
        words = list(vocabulary.values_list("word", flat=True))
        assert sorted(words) == sorted(held)  # each different word, once
