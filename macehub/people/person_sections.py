"""What people itself adds beside a person in search results: "Merged" on a record merged
into another, so a search that finds it leads to the record that now holds everything."""

from __future__ import annotations

from macehub.accounts.models import User
from macehub.people.models import Person
from macehub.people.sections import PersonMarker, person_marker


@person_marker("merged")
def merged_markers(user: User, people: list[Person]) -> dict[int, list[PersonMarker]]:
    # Read off the people found: no query, and nothing about the record merged into.
    return {person.pk: [PersonMarker("Merged into another record", "grey")]
            for person in people if person.merged_into_id is not None}
