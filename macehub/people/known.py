"""What apps above people know about a person, read by a page that gathers it in one
place: the triage decision page's "what the hub already knows" about the child
(``referrals.selectors.what_we_already_know``).

Referrals and intelligence sit side by side in one layer, so neither imports the other:
intelligence registers its reader here, from its own ``what_we_know.py`` module (found
the first time a reader is asked for, as chronology sources are), and referrals reads
every registered reader. A reader is given the viewing user and the child and returns
only what that user may see, through its own selectors (handling codes enforced there)::

    # macehub/intelligence/what_we_know.py
    @intelligence_reader("intelligence")
    def reports_about_the_child(user: User, child: Person) -> list[KnownIntelligence]: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from macehub.accounts.models import User
from macehub.core.registry import Registry
from macehub.people.models import Person


@dataclass(frozen=True)
class KnownIntelligence:
    """A report about the child the user may see, with only the text they may read."""

    report: Model  # the intelligence report (its app's model, read by the template)
    roles: list[str]  # what the child is in the report ("Victim", "Mentioned"...)
    text: Any  # the report's text as this user may read it (``description``, ``text``)


IntelligenceReader = Callable[[User, Person], list[KnownIntelligence]]
INTELLIGENCE_READERS: Registry[IntelligenceReader] = Registry(
    "intelligence reader", module_name="what_we_know")


def intelligence_reader(name: str) -> Callable[[IntelligenceReader], IntelligenceReader]:
    """Register a reader under ``name`` (a decorator, in the app's ``what_we_know.py``)."""
    return INTELLIGENCE_READERS.register(name)


def registered_readers() -> dict[str, IntelligenceReader]:
    """Every reader, each app's ``what_we_know.py`` found by the one discovery rule."""
    return dict(INTELLIGENCE_READERS.items())


def intelligence_about(user: User, child: Person) -> list[KnownIntelligence]:
    """What every registered reader lets this user see about the child, in order."""
    known: list[KnownIntelligence] = []
    for reader in registered_readers().values():
        known.extend(reader(user, child))
    return known
