"""Sections other apps add to the end of an investigation's page (the devices seized
for it...), without ``investigations`` knowing those apps: the pattern of
``macehub.people.sections``.

An app puts an ``investigation_sections.py`` module in its package (found by the
registries' one discovery rule, ``macehub.core.registry``) and registers a function with
``@investigation_section(...)``. The function is given the viewing user and the
investigation and returns the template context for its section, or None to leave the
section out; it must read through its own selectors, which ask ``access``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from macehub.accounts.models import User
from macehub.core.page_sections import PageSections
from macehub.investigations.models import Investigation

SectionContext = Callable[[User, Investigation], dict[str, Any] | None]

INVESTIGATION_PAGE: PageSections[Investigation] = PageSections(
    "investigation section", module_name="investigation_sections")


def investigation_section(name: str, *, template: str, order: int
                          ) -> Callable[[SectionContext], SectionContext]:
    return INVESTIGATION_PAGE.section(name, template=template, order=order)


def sections_for(user: User, investigation: Investigation) -> list[dict[str, Any]]:
    """The sections to show on this investigation's page for this user, in order."""
    return INVESTIGATION_PAGE.sections_for(user, investigation)
