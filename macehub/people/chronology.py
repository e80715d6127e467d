"""One chronology per child, merged from every module that holds events about them.

The timeline is the child's, so it lives with people, and it knows nothing of the
modules that feed it: each app that has events about a child puts a ``chronology.py``
module in its package and registers a source with ``@chronology_source("name")``. A
source is given the viewing user and the child, and must return only what that user may
see (it reads through its own selectors, which ask ``access``)::

    # macehub/meetings/chronology.py
    from macehub.people.chronology import ChronologyEntry, chronology_source

    @chronology_source("meetings")
    def meeting_decisions(user: User, child: Person) -> Iterable[ChronologyEntry]:
        for decision in decisions_about(user, child):  # scoped by the policy
            yield ChronologyEntry(occurred_at=decision.made_at, category="Meeting",
                                  title=f"Decision: {decision.summary}",
                                  byline=decision.made_by.display_name, verb="Made")

Cases (``macehub/cases/chronology.py``), referrals and intelligence register theirs the
same way; the page that shows the timeline reads ``chronology_for``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from macehub.accounts.models import User
from macehub.core.registry import Registry
from macehub.people.models import Person


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: dt.datetime
    category: str  # e.g. "Referral", "Risk", "Contact", "Plan", "Missing"
    title: str
    text: str = ""
    byline: str = ""  # the person who did it
    url: str = ""
    verb: str = "Recorded"  # what they did: "Recorded", "Opened", "Decided"...

    @property
    def byline_text(self) -> str:
        """"Recorded by Sam Jones": who did what, as the timeline shows it."""
        return f"{self.verb} by {self.byline}" if self.byline else ""

    # The names the MOJ timeline component (components/timeline.html) reads.
    @property
    def label(self) -> str:
        return self.title

    @property
    def datetime(self) -> dt.datetime:
        return self.occurred_at


# A source is given the viewing user and the child, and returns what that user may see.
ChronologySource = Callable[[User, Person], Iterable[ChronologyEntry]]
CHRONOLOGY_SOURCES: Registry[ChronologySource] = Registry(
    "chronology source", module_name="chronology")


def chronology_source(name: str) -> Callable[[ChronologySource], ChronologySource]:
    """Register a source under ``name`` (a decorator, in the app's ``chronology.py``)."""
    return CHRONOLOGY_SOURCES.register(name)


def unregister_source(name: str) -> None:
    """Remove a source (for tests that register their own)."""
    CHRONOLOGY_SOURCES.unregister(name)


def registered_sources() -> dict[str, ChronologySource]:
    """Every source, each app's ``chronology.py`` found by the one discovery rule."""
    return dict(CHRONOLOGY_SOURCES.items())


def chronology_for(user: User, child: Person) -> list[ChronologyEntry]:
    """Every event about the child the user may see, newest first."""
    entries: list[ChronologyEntry] = []
    for source in registered_sources().values():
        entries.extend(source(user, child))
    entries.sort(key=lambda entry: entry.occurred_at, reverse=True)
    return entries
