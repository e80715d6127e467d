"""Sections other apps add to the end of a group's page (the disruptions aimed at it...),
without ``networks`` knowing those apps: the pattern of ``macehub.people.sections``.

An app puts a ``group_sections.py`` module in its package and registers a function with
``@group_section(...)``, given the viewing user and the group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from macehub.accounts.models import User
from macehub.core.page_sections import PageSections
from macehub.networks.models import Group

SectionContext = Callable[[User, Group], dict[str, Any] | None]

GROUP_PAGE: PageSections[Group] = PageSections("group section", module_name="group_sections")


def group_section(name: str, *, template: str, order: int
                  ) -> Callable[[SectionContext], SectionContext]:
    return GROUP_PAGE.section(name, template=template, order=order)


def sections_for(user: User, group: Group) -> list[dict[str, Any]]:
    """The sections to show on this group's page for this user, in order."""
    return GROUP_PAGE.sections_for(user, group)
