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

from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.registry import Registry
from macehub.people.merging import merges_of
from macehub.people.models import Person

MERGE_CATEGORY = "Record"


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


@chronology_source("merges")
def record_merges(user: User, child: Person) -> list[ChronologyEntry]:
    """A merge into or out of the child's record, and its undoing, where the user may
    open both records."""
    url_allowed = policy.allows(user, Action.PERSON_MERGE)
    entries = []
    for merge in merges_of(user, child):
        url = reverse("people:merge_detail", args=[merge.pk]) if url_allowed else ""
        what = (f"{merge.merged.full_name} (record {merge.merged_id}) merged into this record"
                if merge.kept_id == child.pk else
                f"This record merged into {merge.kept.full_name} (record {merge.kept_id})")
        entries.append(ChronologyEntry(
            occurred_at=merge.merged_at, category=MERGE_CATEGORY, title=what,
            text=merge.reason, byline=merge.merged_by.display_name, verb="Merged", url=url))
        if merge.unmerged_at and merge.unmerged_by:
            entries.append(ChronologyEntry(
                occurred_at=merge.unmerged_at, category=MERGE_CATEGORY,
                title=f"Merge of record {merge.merged_id} into record {merge.kept_id} undone",
                text=merge.unmerge_reason, byline=merge.unmerged_by.display_name,
                verb="Undone", url=url))
    return entries
