"""One chronology per child, merged from every module that holds events about them.

``cases`` owns the timeline but knows nothing of the modules that feed it: each app
that has events about a child puts a ``chronology.py`` module in its package and
registers a source with ``@chronology_source("name")``. A source is given the viewing
user and the child, and must return only what that user may see (it reads through its
own selectors, which ask ``access``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

from macehub.accounts.models import User
from macehub.people.models import Person


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: dt.datetime
    category: str  # e.g. "Referral", "Risk", "Contact", "Plan", "Missing"
    title: str
    text: str = ""
    byline: str = ""
    url: str = ""


ChronologySource = Callable[[User, Person], Iterable[ChronologyEntry]]
_SOURCES: dict[str, ChronologySource] = {}
_discovered = False


def chronology_source(name: str) -> Callable[[ChronologySource], ChronologySource]:
    def register(source: ChronologySource) -> ChronologySource:
        _SOURCES[name] = source
        return source

    return register


def registered_sources() -> dict[str, ChronologySource]:
    global _discovered
    if not _discovered:
        autodiscover_modules("chronology")
        _discovered = True
    return dict(_SOURCES)


def chronology_for(user: User, child: Person) -> list[ChronologyEntry]:
    """Every event about the child the user may see, newest first."""
    entries: list[ChronologyEntry] = []
    for source in registered_sources().values():
        entries.extend(source(user, child))
    entries.sort(key=lambda entry: entry.occurred_at, reverse=True)
    return entries
