"""The child's identity bar (MOJ "identity bar" pattern): who the child is and where
their case stands, at the top of every page of their record and of their case.

``people`` knows the child; the case facts (risk tier, missing now, key worker,
advocate) belong to ``cases``, which sits above it. So the facts are worked out by one
selector that ``cases`` registers with ``@identity_source`` (``cases.selectors.
child_identity``); the person pages ask ``identity_for``. Without a registered source
(``cases`` not installed) the bar shows the child alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet
from django.utils import timezone

from macehub.accounts.models import User
from macehub.core.registry import Registry
from macehub.people.models import Person, PersonAddress


@dataclass(frozen=True)
class CaseIdentity:
    """The case facts on the bar: of a case the viewer may see and has opened (or need
    give no reason to open). A restricted case they have not opened shows none of these:
    only that a restricted case exists (``ChildIdentity.case_hidden``)."""

    reference: str
    url: str
    risk_tier: str
    risk_tier_name: str
    risk_tier_colour: str
    key_worker: str
    advocate: str


@dataclass(frozen=True)
class IdentityFlag:
    """A flag on the bar that another app raises about the child (a confirmed group
    they are linked to, say): a tag, and the page that explains it."""

    text: str
    colour: str
    url: str = ""


@dataclass(frozen=True)
class ChildIdentity:
    person: Person
    today: dt.date
    area: str
    case: CaseIdentity | None = None
    # The child is missing now (an episode the viewer may see has no return).
    missing_now: bool = False
    # The child's open case is restricted and the viewer has not opened it.
    case_hidden: bool = False
    restricted: bool = False
    flags: tuple[IdentityFlag, ...] = ()

    @property
    def name(self) -> str:
        return self.person.full_name

    @property
    def age(self) -> int | None:
        return self.person.age_on(self.today)

    @property
    def age_is_estimated(self) -> bool:
        return self.person.date_of_birth is None and self.age is not None

    @property
    def date_of_birth(self) -> dt.date | None:
        return self.person.date_of_birth

    @property
    def legal_status(self) -> str:
        return self.person.statutory_status_text


# A person's current addresses in order, the one they live at now first: the latest to
# start, those without a date last.
LATEST_FIRST = (F("lived_from").desc(nulls_last=True), "-pk")


def current_addresses(person: str = "pk") -> QuerySet[PersonAddress]:
    """A person's current addresses, the one they live at now first, for a subquery:
    ``person`` is the outer query's path to the person (``"child_id"`` from a case)."""
    return PersonAddress.objects.filter(person=OuterRef(person), is_current=True).order_by(
        *LATEST_FIRST)


def current_area(person: Person) -> str:
    """The area of the child's current address ("Northtown East"), or its town when the
    address has no area; "Not known" without a current address. One query, or none when
    the person was fetched with their addresses (and their areas)."""
    fetched = getattr(person, "_prefetched_objects_cache", {}).get("addresses")
    if fetched is not None:
        current = sorted((address for address in fetched if address.is_current),
                         key=lambda address: address.pk, reverse=True)
        # Latest lived_from first, those without one last (as the query orders them).
        current.sort(key=lambda address: (address.lived_from is None,
                                          -(address.lived_from or dt.date.min).toordinal()))
        address = current[0] if current else None
    else:
        address = (
            PersonAddress.objects.filter(person=person, is_current=True)
            .select_related("area").order_by(*LATEST_FIRST).first()
        )
    if address is None:
        return "Not known"
    return address.area.name if address.area is not None else address.town


IdentitySource = Callable[[User, Person], ChildIdentity]
# One source at most (the bar has one set of case facts), registered from an app's
# ``person_sections.py`` like the person page's sections.
IDENTITY_SOURCES: Registry[IdentitySource] = Registry("identity source",
                                                      module_name="person_sections")
ONLY_SOURCE = "case facts"


def identity_source(source: IdentitySource) -> IdentitySource:
    """Register the selector that works out a child's identity bar for a viewer."""
    return IDENTITY_SOURCES.register(ONLY_SOURCE, source)


# Flags from the apps above people, each for what the viewer may see, registered from an
# app's ``person_sections.py`` with ``@identity_flag(name)``.
FlagSource = Callable[[User, Person], list[IdentityFlag]]
IDENTITY_FLAGS: Registry[FlagSource] = Registry("identity flag", module_name="person_sections")


def identity_flag(name: str) -> Callable[[FlagSource], FlagSource]:
    return IDENTITY_FLAGS.register(name)


def identity_flags(user: User, person: Person) -> tuple[IdentityFlag, ...]:
    """Every registered app's flags on this person for this viewer."""
    return tuple(flag for _name, source in sorted(IDENTITY_FLAGS.items())
                 for flag in source(user, person))


def identity_for(user: User, person: Person) -> ChildIdentity:
    """The identity bar of a person's record as this viewer may see it."""
    if ONLY_SOURCE in IDENTITY_SOURCES:
        return IDENTITY_SOURCES.get(ONLY_SOURCE)(user, person)
    return ChildIdentity(person=person, today=timezone.localdate(), area=current_area(person),
                         restricted=person.is_restricted, flags=identity_flags(user, person))
