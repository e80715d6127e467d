"""The agenda that writes itself: a registry of agenda sources.

Each source proposes items from what changed since the series' last meeting, each linked
to its record and to the access policy's action that reads it. Apps register sources in
their own ``agenda_sources.py`` (discovered by ``macehub.core.registry``'s rule)::

    @agenda_source("reviews_overdue", label="Supervisory reviews overdue", order=40)
    def reviews_overdue(context: AgendaContext) -> Iterable[Proposed]: ...

The sources for cases, groups, intelligence and the meetings' own actions live in
``meetings.agenda_sources``; investigations and forensics each register their own.
Sources run in ``order``; a later one sees the people and entities the earlier ones (and
the series' earlier agendas) put on the agenda (``AgendaContext.on_agenda``), which is
how new intelligence about someone already on the agenda is found.

Sources read every record: the agenda is the hub's. Who sees which item is decided when
it is read (``meetings.selectors``), through each item's record and action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from macehub.access.actions import Action
from macehub.core.registry import Registry, qualified_name


@dataclass(frozen=True)
class Proposed:
    """One item a source puts on the agenda: linked to a record (its content type and
    pk, read through ``view_action``), or free text (none of the three)."""

    title: str
    link: str = ""
    record_type_id: int | None = None
    record_id: int | None = None
    view_action: str = ""
    person_id: int | None = None


def proposed(record: Model, *, title: str, view_action: Action, link: str,
             person_id: int | None = None) -> Proposed:
    """An item linked to ``record``, read through ``view_action``."""
    return Proposed(title=title, link=link,
                    record_type_id=ContentType.objects.get_for_model(record).pk,
                    record_id=int(record.pk), view_action=str(view_action),
                    person_id=person_id)


@dataclass
class AgendaContext:
    """What a source needs: the meeting, the window since the series' last meeting
    (``since`` is None for a series' first meeting) and what is already on the agenda."""

    meeting: Model
    since: dt.datetime | None
    until: dt.datetime
    previous_meeting: Model | None
    # (content type pk, record pk) of each record on this or an earlier agenda of the
    # series, and the people the items are about.
    on_agenda: set[tuple[int, int]] = field(default_factory=set)
    people: set[int] = field(default_factory=set)

    def in_window(self, moment: dt.datetime | None) -> bool:
        return moment is not None and moment <= self.until and (
            self.since is None or moment > self.since)

    def note(self, item: Proposed) -> None:
        if item.record_type_id is not None and item.record_id is not None:
            self.on_agenda.add((item.record_type_id, item.record_id))
        if item.person_id is not None:
            self.people.add(item.person_id)

    def has(self, model: type[Model], pk: int | None) -> bool:
        return pk is not None and (
            ContentType.objects.get_for_model(model).pk, pk) in self.on_agenda


ProposeFunction = Callable[[AgendaContext], Iterable[Proposed]]


@dataclass(frozen=True)
class AgendaSource:
    key: str
    label: str
    order: int
    propose: ProposeFunction


AGENDA_SOURCES: Registry[AgendaSource] = Registry(
    "agenda source", module_name="agenda_sources",
    identity=lambda source: (qualified_name(source.propose), source.label, source.order))


def agenda_source(key: str, *, label: str, order: int = 100
                  ) -> Callable[[ProposeFunction], ProposeFunction]:
    """Register a source of agenda items (see the module's docstring)."""

    def register(propose: ProposeFunction) -> ProposeFunction:
        AGENDA_SOURCES.register(key, AgendaSource(key=key, label=label, order=order,
                                                  propose=propose))
        return propose

    return register


def registered_sources() -> list[AgendaSource]:
    return sorted(AGENDA_SOURCES.values(), key=lambda source: (source.order, source.key))


def source_label(key: str) -> str:
    if key == CHAIR_SOURCE:
        return "Added by the chair"
    return AGENDA_SOURCES.get(key).label if key in AGENDA_SOURCES else key


CHAIR_SOURCE = "chair"
