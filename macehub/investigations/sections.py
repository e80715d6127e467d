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
from dataclasses import dataclass
from typing import Any

from macehub.accounts.models import User
from macehub.core.registry import Registry, qualified_name
from macehub.investigations.models import Investigation

SectionContext = Callable[[User, Investigation], dict[str, Any] | None]


@dataclass(frozen=True)
class InvestigationSection:
    name: str
    template: str
    order: int
    context: SectionContext


INVESTIGATION_SECTIONS: Registry[InvestigationSection] = Registry(
    "investigation section", module_name="investigation_sections",
    identity=lambda section: (qualified_name(section.context), section.template,
                              section.order))


def investigation_section(name: str, *, template: str, order: int
                          ) -> Callable[[SectionContext], SectionContext]:
    def register(context: SectionContext) -> SectionContext:
        INVESTIGATION_SECTIONS.register(name, InvestigationSection(name, template, order,
                                                                   context))
        return context

    return register


def sections_for(user: User, investigation: Investigation) -> list[dict[str, Any]]:
    """The sections to show on this investigation's page for this user, in order."""
    shown = []
    for section in sorted(INVESTIGATION_SECTIONS.values(), key=lambda s: s.order):
        context = section.context(user, investigation)
        if context is not None:
            shown.append({"name": section.name, "template": section.template,
                          "data": context})
    return shown
