"""Sections other apps add to a record's page without the record's app knowing them (a
person's cases and intelligence, the devices seized for an investigation...).

The record's app makes one ``PageSections`` for its page, naming the module other apps
register from (found by the registries' one discovery rule, ``macehub.core.registry``).
A registered function is given the viewing user and the record and returns its
section's template context, or None to leave the section out; it reads through its own
app's selectors, which ask ``access``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from macehub.core.registry import Registry, qualified_name

R = TypeVar("R")
# Given the viewing user and the record: the section's context, or None.
SectionContext = Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class PageSection:
    name: str
    template: str
    order: int
    context: SectionContext


class PageSections(Generic[R]):
    """The sections of one kind of record's page, in ``order``."""

    def __init__(self, kind: str, *, module_name: str) -> None:
        self.registry: Registry[PageSection] = Registry(
            kind, module_name=module_name,
            identity=lambda section: (qualified_name(section.context), section.template,
                                      section.order))

    def section(self, name: str, *, template: str, order: int
                ) -> Callable[[SectionContext], SectionContext]:
        """Register a section (in an app's module of the name this page gave)."""
        def register(context: SectionContext) -> SectionContext:
            self.registry.register(name, PageSection(name, template, order, context))
            return context

        return register

    def sections_for(self, user: Any, record: R) -> list[dict[str, Any]]:
        """The sections to show on this record's page for this user, in order: each
        its name, template and context (``data``)."""
        shown = []
        for section in sorted(self.registry.values(), key=lambda s: s.order):
            context = section.context(user, record)
            if context is not None:
                shown.append({"name": section.name, "template": section.template,
                              "data": context})
        return shown
