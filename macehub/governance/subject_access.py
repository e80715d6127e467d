"""Subject access requests (UK GDPR Art. 15; DPA 2018 s.45 for the police's law
enforcement processing): the statutory clock, and the registry of sources through which
every app that holds data about a person hands over what it holds.

**The clock.** A request is answered within one calendar month of receipt (Art. 12(3)):
the same day number in the next month, or that month's last day when it has no such day
(31 January is due 28 February, or 29 in a leap year). A complex request may be extended
by up to two further months, counted the same way from receipt, with the reason recorded.

**The sources.** Governance sits below the apps that hold people's records, so it cannot
read them; each app registers a ``SubjectSource`` from its own ``subject_access.py``
(found by discovery, as ``core/registry.py`` describes). A source is given a person's pk
and returns what it holds about them as plain ``HeldItem``s: where it came from, the
record's reference and date, a heading, and its fields as text. A source gathers
everything the hub holds, whoever's agency holds it and whatever its handling: a subject
access request is answered for the hub as a whole, and what must not be disclosed is
marked for the officer (``HeldField.withhold``), never left out of the review. The
people app also registers how a person is named (``SUBJECT_NAMES``), so the register can
show whom a request is about without reading the people app."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from macehub.core.registry import Registry

if TYPE_CHECKING:
    from macehub.accounts.models import User

# Art. 12(3): one month, extendable by two further months for complex requests.
RESPONSE_MONTHS = 1
MOST_EXTENSION_MONTHS = 2


def add_calendar_months(day: dt.date, months: int) -> dt.date:
    """The same day number ``months`` later; the last day of that month when it is
    shorter (31 January plus one month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def due_on(received_on: dt.date, extension_months: int = 0) -> dt.date:
    """When the answer is due: one calendar month from receipt, plus any extension."""
    return add_calendar_months(received_on, RESPONSE_MONTHS + extension_months)


@dataclass(frozen=True)
class HeldField:
    """One field of an item as text. ``withhold``, when set, is the reason code
    (``RedactionReason``) under which the field is withheld until an officer decides
    otherwise, and ``why`` says why in words: intelligence source details, a handling
    code's conditions."""

    name: str
    label: str
    text: str
    withhold: str = ""
    why: str = ""


@dataclass(frozen=True)
class HeldItem:
    """One record (or one part of one) the hub holds about the person."""

    record_type: str  # ``app_label.model_name``, as the audit log names records
    record_id: int
    reference: str
    date: dt.date | None
    heading: str
    fields: list[HeldField]
    # Other people the record names: their data is third-party data for the review.
    others_named: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SubjectSource:
    label: str
    items: Callable[[int], list[HeldItem]]


SUBJECT_SOURCES: Registry[SubjectSource] = Registry(
    "subject access source", module_name="subject_access")
# How a person is named on the register ("Jordan Sample, born 1 May 2010"), or None when
# there is no such person: registered by the people app under "person".
SUBJECT_NAMES: Registry[Callable[[int], str | None]] = Registry(
    "subject access subject", module_name="subject_access")


def subject_name(person_pk: int) -> str | None:
    if "person" not in SUBJECT_NAMES:
        return None
    return SUBJECT_NAMES.get("person")(person_pk)


def gather_held(person_pk: int) -> list[tuple[str, HeldItem]]:
    """Everything every source holds about the person, source by source in the order
    they registered, each source's items by date."""
    found: list[tuple[str, HeldItem]] = []
    for code, source in SUBJECT_SOURCES.items():
        items = sorted(source.items(person_pk),
                       key=lambda item: (item.date or dt.date.min, item.reference))
        found.extend((code, item) for item in items)
    return found


def recorded(*entries: HeldField) -> list[HeldField]:
    """The fields that hold something: a blank field is not disclosed as a blank."""
    return [entry for entry in entries if entry.text.strip()]


def staff_member(user: User) -> str:
    """A member of staff as a disclosure names them: their name and their agency."""
    return ", ".join(part for part in (
        user.display_name, user.agency.name if user.agency else "") if part)


def local_day(moment: dt.datetime | None) -> dt.date | None:
    """The day (in the hub's time zone) of a stored moment."""
    return timezone.localdate(moment) if moment is not None else None
