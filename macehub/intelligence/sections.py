"""Sections other apps add to the end of an entity's page (premises, a vehicle, a
location, an online account: the disruptions aimed at it...), without ``intelligence``
knowing those apps: the pattern of ``macehub.people.sections``.

An app puts an ``entity_sections.py`` module in its package and registers a function
with ``@entity_section(...)``, given the viewing user and the entity (any of the
entity models: the function says None for a kind it has nothing for)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model

from macehub.accounts.models import User
from macehub.core.page_sections import PageSections

SectionContext = Callable[[User, Any], dict[str, Any] | None]

ENTITY_PAGE: PageSections[Model] = PageSections("entity section",
                                                module_name="entity_sections")


def entity_section(name: str, *, template: str, order: int
                   ) -> Callable[[SectionContext], SectionContext]:
    return ENTITY_PAGE.section(name, template=template, order=order)


def sections_for(user: User, entity: Model) -> list[dict[str, Any]]:
    """The sections to show on this entity's page for this user, in order."""
    return ENTITY_PAGE.sections_for(user, entity)
