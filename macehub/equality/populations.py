"""The populations disproportionality is measured for, as a small registry.

A population is "people with an event of some kind in a period": children referred
(the referral's ``received_at``), children with a case (``opened_at``), suspects named
in intelligence (the report's ``received_at``). Each is described by a queryset of
events, the path from an event to the person, and the event's date, so the analysis can
count people by ethnic group with database aggregates and never load a record.

A later app adds its own without editing this one, e.g. from its ``AppConfig.ready``::

    from macehub.equality.populations import Population, register_population

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
from django.db.models import Model, QuerySet

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.people.models import Person

VICTIMS = "victims"
SUSPECTS = "suspects"
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Population:
    key: str
    label: str  # for a choice: "Children referred (victims)"
    noun: str  # for a sentence: "children referred"
    kind: str  # VICTIMS or SUSPECTS
    events: Callable[[], QuerySet[Any]]
    person_field: str
    date_field: str
    # The record behind each event that the access policy guards, and the action that
    # opens it: the event itself (no path), or the record at ``record_path``.
    opened_by: Action = Action.REFERRAL_VIEW
    record_path: str = ""

    def events_between(self, start: dt.date, end: dt.date) -> QuerySet[Any]:
        """Events from the start of ``start`` to the end of ``end`` (London days)."""
        since = dt.datetime.combine(start, dt.time.min, tzinfo=LONDON)
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
        return self.events().filter(
            **{f"{self.person_field}__isnull": False, f"{self.date_field}__gte": since,
               f"{self.date_field}__lt": until}
        )

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


_POPULATIONS: dict[str, Population] = {}


def register_population(population: Population) -> Population:
    existing = _POPULATIONS.get(population.key)
    # Re-importing the registering module is harmless; a different population under a
    # key already taken is a mistake.
    if existing is not None and (existing.events.__qualname__, existing.person_field) != (
        population.events.__qualname__, population.person_field
    ):
        raise ImproperlyConfigured(f"Population {population.key!r} is registered twice")
    _POPULATIONS[population.key] = population
    return population


def populations() -> list[Population]:
    return list(_POPULATIONS.values())


def population(key: str) -> Population:
    return _POPULATIONS[key]


def _referrals() -> QuerySet[Any]:
    from macehub.referrals.models import Referral

    return Referral.objects.all()


def _cases() -> QuerySet[Any]:
    from macehub.cases.models import Case

    return Case.objects.all()


def _suspect_links() -> QuerySet[Any]:
    from macehub.intelligence.models import ReportLink

    return ReportLink.objects.filter(role="suspect")


register_population(Population(
    key="victims_referred", label="Children referred (victims)", noun="children referred",
    kind=VICTIMS, events=_referrals, person_field="child", date_field="received_at",
))
register_population(Population(
    key="victims_cases", label="Children with a case opened (victims)",
    noun="children with a case opened", kind=VICTIMS, events=_cases, person_field="child",
    date_field="opened_at", opened_by=Action.CASE_VIEW,
))
register_population(Population(
    key="suspects_intelligence", label="Suspects named in intelligence",
    noun="suspects named in intelligence", kind=SUSPECTS, events=_suspect_links,
    person_field="person", date_field="report__received_at",
    opened_by=Action.INTELLIGENCE_VIEW, record_path="report",
))
