"""Sections other apps add to a person's page (their cases, the intelligence about
them...), and markers they add beside a person in search results (an open case), without
``people`` knowing those apps.

An app puts a ``person_sections.py`` module in its package and registers a function
with ``@person_section(...)``. The function is given the viewing user and the person
and returns the template context for its section, or None to leave the section out;
it must read through its own selectors, which ask ``access``. A marker source is
registered with ``@person_marker(...)`` in the same module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

from macehub.accounts.models import User
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


@dataclass(frozen=True)
class PersonSection:
    name: str
    template: str
    order: int
    context: SectionContext


_SECTIONS: dict[str, PersonSection] = {}
_MARKERS: dict[str, MarkerSource] = {}
_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("person_sections")
        _discovered = True


def person_section(name: str, *, template: str, order: int) -> Callable[[SectionContext],
                                                                         SectionContext]:
    def register(context: SectionContext) -> SectionContext:
        _SECTIONS[name] = PersonSection(name, template, order, context)
        return context

    return register


def sections_for(user: User, person: Person) -> list[dict[str, Any]]:
    """The sections to show on this person's page for this user, in order."""
    _discover()
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        context = section.context(user, person)
        if context is not None:
            shown.append({"name": section.name, "template": section.template,
                          "data": context})
    return shown


def person_marker(name: str) -> Callable[[MarkerSource], MarkerSource]:
    """Register a source of search-result markers (in an app's ``person_sections.py``)."""
    def register(source: MarkerSource) -> MarkerSource:
        _MARKERS[name] = source
        return source

    return register


def markers_for(user: User, people: list[Person]) -> dict[int, list[PersonMarker]]:
    """Each person's markers for this user, by pk: one query per registered source."""
    _discover()
    markers: dict[int, list[PersonMarker]] = {}
    if not people:
        return markers
    for name in sorted(_MARKERS):
        for pk, found in _MARKERS[name](user, people).items():
            markers.setdefault(pk, []).extend(found)
    return markers
