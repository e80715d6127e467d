"""Concurrent-edit detection: the version check, the compare-and-set save that wins a race
on an engine without row locks, the one description of what others changed, and the
form a page shows after a conflict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.db.models import Model
from django.http import QueryDict
from django.template.loader import render_to_string

from macehub.accounts.models import Agency
from macehub.core.versioning import (
    BLANK,
    EditConflict,
    Versioning,
    describe_changes,
    form_after_conflict,
    plain_words,
)
from macehub.people.models import Person
from macehub.testing.factories import make_person


@dataclass(frozen=True)
class Saved:
    by: str
    version: int
    changes: Mapping[str, Mapping[str, Any]]


HISTORY = [
    Saved("first.one", 2, {"family_name": {"old": "Nowak", "new": "Nowak-Smith"},
                           "updated_at": {"old": "a", "new": "b"}}),
    Saved("second.one", 3, {"family_name": {"old": "Nowak-Smith", "new": "Smith"},
                            "looked_after": {"old": False, "new": True}}),
]
LABELS = {"family_name": "Last name", "looked_after": "Looked after"}


def _history(_record: Model, since: int) -> list[Saved]:
    return [save for save in HISTORY if save.version > since]


VERSIONING = Versioning(history=_history, labels=LABELS)


def test_changes_are_merged_per_field_first_old_last_new_and_who_last() -> None:
    described = describe_changes(HISTORY, labels=LABELS)
    assert described == {
        "Last name": {"old": "Nowak", "new": "Smith", "by": "second.one",
                      "text": "Nowak to Smith, by second.one"},
        "Looked after": {"old": "No", "new": "Yes", "by": "second.one",
                         "text": "No to Yes, by second.one"},
    }


def test_a_field_no_page_names_is_left_out_and_words_can_be_the_models() -> None:
    described = describe_changes(HISTORY[:1], labels=LABELS,
                                 words=lambda name, value: f"{name}={value}")
    assert list(described) == ["Last name"]
    assert described["Last name"]["new"] == "family_name=Nowak-Smith"


@pytest.mark.parametrize(("value", "words"), [
    (None, BLANK), ("", BLANK), ([], BLANK), (True, "Yes"), (False, "No"),
    (["a", "b"], "a, b"), (3, "3"), ("Text", "Text"),
])
def test_plain_words(value: Any, words: str) -> None:
    assert plain_words(value) == words


@pytest.fixture
def person(hub_agency: Agency) -> Person:
    return make_person(hub_agency, given_name="Zofia", family_name="Nowak")


@pytest.mark.django_db
def test_the_version_the_user_saw_passes_and_an_older_one_is_refused(person: Person) -> None:
    VERSIONING.check(person, person.version)
    person.version = 3
    with pytest.raises(EditConflict) as refused:
        VERSIONING.check(person, 1, message="Changed while you were away")
    conflict = refused.value
    assert str(conflict) == conflict.message == "Changed while you were away"
    assert conflict.record is person and conflict.current_version == 3
    assert set(conflict.their_changes) == {"Last name", "Looked after"}
    # Every field they changed, by its name, whether a page names it or not.
    assert conflict.changed_fields == {"family_name", "looked_after", "updated_at"}
    # Only what was saved after the version the user saw.
    with pytest.raises(EditConflict) as refused:
        VERSIONING.check(person, 2)
    assert refused.value.their_changes["Last name"]["old"] == "Nowak-Smith"
    assert "person was changed by someone else" in str(refused.value)


@pytest.mark.django_db
def test_a_save_raises_the_version_by_one(person: Person) -> None:
    person.family_name = "Nowak-Smith"
    VERSIONING.save(person, expected_version=1)
    person.refresh_from_db()
    assert (person.family_name, person.version) == ("Nowak-Smith", 2)
    person.given_name = "Zosia"
    person.family_name = "Not saved: outside update_fields"
    VERSIONING.save(person, expected_version=2, update_fields=["given_name"])
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.version) == (
        "Zosia", "Nowak-Smith", 3)


@pytest.mark.django_db
def test_a_save_that_lost_the_race_is_refused_and_writes_nothing(person: Person) -> None:
    # Another save got in after this one checked the version (no row lock on SQLite).
    Person.objects.filter(pk=person.pk).update(version=2, family_name="Smith")
    person.family_name = "Mine"
    with pytest.raises(EditConflict) as refused:
        VERSIONING.save(person, expected_version=1)
    assert refused.value.current_version == 2
    person.refresh_from_db()
    assert (person.family_name, person.version) == ("Smith", 2)


class _NameForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    family_name = forms.CharField()


@pytest.mark.django_db
def test_the_form_after_a_conflict_keeps_what_was_typed_at_the_new_version(
    person: Person,
) -> None:
    person.version = 4
    typed = QueryDict(mutable=True)
    typed.update({"version": "1", "family_name": "What I typed"})
    form = form_after_conflict(_NameForm, typed, EditConflict(person), "Someone else saved")
    assert form.data["family_name"] == "What I typed" and form.data["version"] == "4"
    assert form.non_field_errors() == ["Someone else saved"]
    assert typed["version"] == "1"  # the request's own data is left alone


@pytest.mark.django_db
def test_the_conflict_partial_lists_their_changes_in_words(person: Person) -> None:
    person.version = 3
    conflict = VERSIONING.conflict(person, 1)
    html = render_to_string("components/edit_conflict.html", {"conflict": conflict})
    assert 'id="their-changes"' in html and "What the other person changed" in html
    assert "Last name" in html and "Nowak to Smith, by second.one" in html
    html = render_to_string("components/edit_conflict.html",
                            {"conflict": EditConflict(person), "heading": "Recorded"})
    assert "Recorded" in html and "something this page does not show" in html
    assert render_to_string("components/edit_conflict.html", {"conflict": None}).strip() == ""
