"""Sections other apps add to a person's page (their cases, the intelligence about
them...), and markers they add beside a person in search results (an open case), without
``people`` knowing those apps.

An app puts a ``person_sections.py`` module in its package (found by the registries'
one discovery rule, ``macehub.core.registry``) and registers a function with
``@person_section(...)``. The function is given the viewing user and the person
and returns the template context for its section, or None to leave the section out;
it must read through its own selectors, which ask ``access``. A marker source is
registered with ``@person_marker(...)`` in the same module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from macehub.accounts.models import User
from macehub.core.page_sections import PageSections
from macehub.core.registry import Registry
from macehub.people.models import Person

SectionContext = Callable[[User, Person], dict[str, Any] | None]


@dataclass(frozen=True)
class PersonMarker:
    """A tag beside a person in search results (an open case, say), so the right person
    is chosen without opening each. ``colour`` is a GOV.UK tag colour."""

    text: str
    colour: str = ""


# Given the viewing user and the people found, the markers for each person's pk: one
# query for them all, through the app's own selectors (which ask ``access``).
MarkerSource = Callable[[User, list[Person]], dict[int, list[PersonMarker]]]


PERSON_PAGE: PageSections[Person] = PageSections("person section",
                                                 module_name="person_sections")
PERSON_MARKERS: Registry[MarkerSource] = Registry("person marker",
                                                  module_name="person_sections")


def person_section(name: str, *, template: str, order: int) -> Callable[[SectionContext],
                                                                         SectionContext]:
    return PERSON_PAGE.section(name, template=template, order=order)


def sections_for(user: User, person: Person) -> list[dict[str, Any]]:
    """The sections to show on this person's page for this user, in order."""
    return PERSON_PAGE.sections_for(user, person)


def person_marker(name: str) -> Callable[[MarkerSource], MarkerSource]:
    """Register a source of search-result markers (in an app's ``person_sections.py``)."""
    return PERSON_MARKERS.register(name)


def markers_for(user: User, people: list[Person]) -> dict[int, list[PersonMarker]]:
    """Each person's markers for this user, by pk: one query per registered source."""
    markers: dict[int, list[PersonMarker]] = {}
    if not people:
        return markers
    for _, source in sorted(PERSON_MARKERS.items()):
        for pk, found in source(user, people).items():
            markers.setdefault(pk, []).extend(found)
    return markers
