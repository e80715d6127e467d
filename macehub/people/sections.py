"""Sections other apps add to a person's page (their cases, the intelligence about
them...), without ``people`` knowing those apps.

An app puts a ``person_sections.py`` module in its package and registers a function
with ``@person_section(...)``. The function is given the viewing user and the person
and returns the template context for its section, or None to leave the section out;
it must read through its own selectors, which ask ``access``.
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
class PersonSection:
    name: str
    template: str
    order: int
    context: SectionContext


_SECTIONS: dict[str, PersonSection] = {}
_discovered = False


def person_section(name: str, *, template: str, order: int) -> Callable[[SectionContext],
                                                                         SectionContext]:
    def register(context: SectionContext) -> SectionContext:
        _SECTIONS[name] = PersonSection(name, template, order, context)
        return context

    return register


def sections_for(user: User, person: Person) -> list[dict[str, Any]]:
    """The sections to show on this person's page for this user, in order."""
    global _discovered
    if not _discovered:
        autodiscover_modules("person_sections")
        _discovered = True
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        context = section.context(user, person)
        if context is not None:
            shown.append({"name": section.name, "template": section.template,
                          "data": context})
    return shown
