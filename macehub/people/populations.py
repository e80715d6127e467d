"""The populations disproportionality is measured for, as a registry every app adds to.

A population is "people with an event of some kind in a period", and says in words who
it counts (``definition``) and which census population its rates divide by
(``denominator``: children aged 0 to 17, or adults aged 18 and over):

- **children referred**: children with a referral received in the period, whatever was
  decided on it. A referral is a concern, not a finding, so these are not called
  victims;
- **victims**: children with a MACE case open at any time in the period (opened before
  its end, not closed before its start), or with an outcome recorded on one of their
  cases in the period: the hub's own record that the child was exploited, or at risk
  of it, and was worked with;
- **suspects named in intelligence**: people linked as suspects to intelligence
  received in the period, compared with adults (most suspects are adults).

Each is described by a queryset of events, the path from an event to the person, and
the event's date (or, for victims, a condition on the period), so the analysis can count
people by ethnic group with database aggregates and never load a record.

The app whose records the events are registers each population, from its own
``populations.py`` module (found by the registries' one discovery rule,
``macehub.core.registry``): referrals the children referred, cases the victims,
intelligence the suspects. The type and the registry live here, with the people and
census populations they count, below every app that registers one; the equality pages
(above them all) only read them. A later app adds its own without editing any of these::

    # macehub/investigations/populations.py
    from macehub.people.populations import Population, register_population

    register_population(Population(
        key="suspects_investigations", label="Suspects in investigations",
        noun="suspects in investigations", kind=SUSPECTS,
        events=lambda: InvestigationSuspect.objects.all(),
        person_field="person", date_field="investigation__opened_at",
    ))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.db.models import DateTimeField, F, Model, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Greatest

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.registry import Registry, qualified_name
from macehub.people.codes import CensusAgeGroup
from macehub.people.models import Person

CHILDREN = "children"  # children referred, victims: compared with children (0 to 17)
SUSPECTS = "suspects"  # compared with adults (18 and over)
LONDON = ZoneInfo("Europe/London")

# A condition on the events for a period: (since, until) as London midnights, and the
# period's first and last days.
Between = Callable[[dt.datetime, dt.datetime, dt.date, dt.date], Q]


@dataclass(frozen=True)
class Population:
    key: str
    label: str  # for a choice: "Children referred"
    noun: str  # for a sentence: "children referred"
    kind: str  # CHILDREN or SUSPECTS
    events: Callable[[], QuerySet[Any]]
    person_field: str
    date_field: str
    # The record behind each event that the access policy guards, and the action that
    # opens it: the event itself (no path), or the record at ``record_path``.
    opened_by: Action = Action.REFERRAL_VIEW
    record_path: str = ""
    definition: str = ""  # who is counted, in a sentence shown on every page and file
    # Which events fall in a period, when it is not "dated within it" (victims: a case
    # open at any time in the period); the event's month is then its date, or the
    # period's first day if it is earlier.
    between: Between | None = None

    @property
    def denominator(self) -> CensusAgeGroup:
        """The census population the rates divide by."""
        return CensusAgeGroup.ADULTS if self.kind == SUSPECTS else CensusAgeGroup.CHILDREN

    def events_between(self, start: dt.date, end: dt.date) -> QuerySet[Any]:
        """Events of the period, from the start of ``start`` to the end of ``end``
        (London days)."""
        since, until = _bounds(start, end)
        events = self.events().filter(**{f"{self.person_field}__isnull": False})
        if self.between is not None:
            return events.filter(self.between(since, until, start, end))
        return events.filter(**{f"{self.date_field}__gte": since,
                                f"{self.date_field}__lt": until})

    def event_date(self, start: dt.date) -> Combinable:
        """The date an event is counted on in a period starting ``start``: its own, or
        the period's first moment for an event that began before the period."""
        if self.between is None:
            return F(self.date_field)
        since = Value(_bounds(start, start)[0], output_field=DateTimeField())
        return Greatest(F(self.date_field), since, output_field=DateTimeField())

    def _guarded(self) -> tuple[type[Model], str]:
        model: type[Model] = self.events().model
        if not self.record_path:
            return model, "pk"
        related = model._meta.get_field(self.record_path).related_model
        if not isinstance(related, type):
            raise ImproperlyConfigured(f"{self.key}: {self.record_path} is not a relation")
        return related, self.record_path

    def _open_to(self, user: User) -> tuple[str, QuerySet[Any]]:
        model, path = self._guarded()
        visible = policy.scope(user, self.opened_by, model._default_manager.all())
        return f"{path}__in", visible.values("pk")

    def all_open_to(self, user: User, start: dt.date, end: dt.date) -> bool:
        """May the user open every record behind the events of the period? A count of
        people otherwise could point at a record hidden from them (a handling-code C
        report naming a suspect)."""
        lookup, visible = self._open_to(user)
        return not self.events_between(start, end).exclude(**{lookup: visible}).exists()

    def events_open_to(self, user: User, start: dt.date, end: dt.date) -> QuerySet[Any]:
        """The period's events whose records the user may open."""
        lookup, visible = self._open_to(user)
        return self.events_between(start, end).filter(**{lookup: visible})

    def people_between(self, start: dt.date, end: dt.date) -> QuerySet[Person]:
        """Each person with an event in the period, once (a subquery, not a list)."""
        return Person.objects.filter(
            pk__in=self.events_between(start, end).values(self.person_field)
        )


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    since = dt.datetime.combine(start, dt.time.min, tzinfo=LONDON)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
    return since, until


# Re-importing the registering module is harmless; a different population under a key
# already taken is a mistake.
POPULATIONS: Registry[Population] = Registry(
    "population", module_name="populations",
    identity=lambda p: (qualified_name(p.events), p.person_field))
# Keys the pages once used, still read (links in published reports and bookmarks).
_FORMER_KEYS = {"victims_referred": "children_referred", "victims_cases": "victims"}


def register_population(population: Population) -> Population:
    return POPULATIONS.register(population.key, population)


def populations() -> list[Population]:
    return POPULATIONS.values()


def current_key(key: str) -> str:
    """The key a population goes by now (a former key gives its successor's)."""
    return _FORMER_KEYS.get(key, key)


def population(key: str) -> Population:
    return POPULATIONS.get(current_key(key))


CHILDREN_DENOMINATOR = "Rates are per 1,000 children aged 0 to 17 of each ethnic group."
