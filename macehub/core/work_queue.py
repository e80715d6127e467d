"""Each person's work queue: what is due and overdue for them, gathered from every app
that gives people work, without the home page knowing those apps.

The home page (``accounts``) sits below the apps that hold the work (referrals, cases,
performance...), so it cannot ask them. Instead each app puts a ``work_queue.py``
module in its package and registers a *source* with ``@work_queue_source(...)``. A
source is given the signed-in user and the moment the page is drawn, and returns a
``WorkItem`` for each thing waiting for that user, each with its clock and a link to act
on it. The home page asks ``work_queue_for(user, now)`` and shows them all.

How to add a work-queue source
------------------------------
1. In the owning app, create ``work_queue.py`` (found by the registries' one discovery
   rule, ``macehub.core.registry``; no other registration is needed).
2. Write a function ``(user, now) -> list[WorkItem]`` decorated with
   ``@work_queue_source("name", label="Plural heading", order=N)``. ``label`` names the
   tab the items are gathered under on the home page; ``order`` places the tab;
   ``everything="app:list"`` (optional) names the app's own full list, linked from the
   tab.
3. Read through the app's selectors, scoped by the access policy
   (``policy.scope(user, Action.X, ...)``): the source must return only what the user
   may see, and nothing at all to a user whose roles do not take the action (``scope``
   answers ``none()`` then, without a query).
4. Keep it to a fixed number of queries whatever the number of items
   (``select_related`` what the title and detail name); the home page's test counts
   them.
5. A source that may hold thousands (every overdue review a supervisor oversees, at
   national scale) returns a ``WorkSelection`` instead of a list: each item's
   ``Waiting`` place (``place_in_queue``, from its clock), overdue mark and key, read
   cheaply (``values_list``), and a ``draw`` function that makes the items of the keys
   given. The home page draws only the rows it shows; counts come from the places.
   Items due on days take their place and overdue mark from ``day_clocks``, worked
   out once for each day.
6. Give each item its clock: ``due_at`` (a moment) or ``due_on`` (a day), or neither
   for news with no deadline (``waiting_since`` then says how long it has waited).
   ``urgency`` ranks items before their clocks (``URGENT`` first: a Red referral before
   an Amber one); ``names_record`` is the personal record the item names (its audit
   record type and id), so showing the queue is audited as a view of each.

For example, partner checks requested of the user's agency::

    # macehub/referrals/work_queue.py
    @work_queue_source("partner_checks", label="Partner checks", order=20)
    def partner_checks(user: User, now: dt.datetime) -> list[WorkItem]:
        return [
            WorkItem(kind="Partner check", title=f"{check.referral.reference}: ...",
                     link=reverse("referrals:partner_check", args=[check.pk]),
                     action="Record the return", due_at=check.due_at,
                     names_record=("referrals.referral", check.referral_id))
            for check in partner_checks_awaiting(user, now)
        ]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from macehub.core.registry import Registry, qualified_name
from macehub.core.time_left import DaysLeft, TimeLeft

if TYPE_CHECKING:
    from macehub.accounts.models import User

# Urgency, most urgent first: ranks items before their clocks.
URGENT = 0  # e.g. a Red referral: a possible child protection concern
HIGH = 1
NORMAL = 2
LOW = 3


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for a user, with its clock and a link to act on it."""

    kind: str  # what it is, in a word or two: "Referral to triage", "Plan item"
    title: str  # the record it is about, as the link's text
    link: str  # the page where the user acts on it
    action: str = ""  # what to do there, e.g. "Record the decision"
    detail: str = ""
    due_at: dt.datetime | None = None  # due at a moment (counted in elapsed time)
    due_on: dt.date | None = None  # or due on a day (overdue from the day after)
    waiting_since: dt.datetime | None = None  # with no deadline: how long it has waited
    urgency: int = NORMAL
    tag: str = ""  # a GOV.UK tag beside the title (a BRAG rating, a risk tier)
    tag_colour: str = ""
    names_record: tuple[str, int] | None = None  # (audit record type, id) it names

    def clock(self, now: dt.datetime) -> TimeLeft | DaysLeft | None:
        if self.due_at is not None:
            return TimeLeft(due_at=self.due_at, now=now)
        if self.due_on is not None:
            return DaysLeft(due_on=self.due_on, today=timezone.localdate(now))
        return None

    def is_overdue(self, now: dt.datetime) -> bool:
        clock = self.clock(now)
        return clock is not None and clock.is_overdue

    def sort_key(self, now: dt.datetime) -> tuple[Any, ...]:
        """Urgency first, then the least time left (overdue first), then what has waited
        longest; items with no deadline after those with one; then by title."""
        return (*place_in_queue(now, urgency=self.urgency, due_at=self.due_at,
                                due_on=self.due_on, waiting_since=self.waiting_since),
                self.title)


def place_in_queue(now: dt.datetime, *, urgency: int, due_at: dt.datetime | None = None,
                   due_on: dt.date | None = None, waiting_since: dt.datetime | None = None
                   ) -> tuple[Any, ...]:
    """An item's place in the queue but for its title (``WorkItem.sort_key`` less the
    last part), worked out from its clock alone."""
    moment = due_at
    if moment is None and due_on is not None:
        # The end of the due day in the hub's time zone: when it becomes overdue.
        moment = dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(),
                                     tzinfo=timezone.get_current_timezone())
    return (urgency, moment is None, moment or now, waiting_since or now)


def day_clocks(now: dt.datetime, *, urgency: int
               ) -> Callable[[dt.date], tuple[tuple[Any, ...], bool]]:
    """For a source of items due on days: a day's place in the queue and whether it is
    overdue (``place_in_queue`` and ``is_overdue``), worked out once for each day asked
    rather than for each item (thousands of reviews fall due on a few hundred days)."""
    clocks: dict[dt.date, tuple[tuple[Any, ...], bool]] = {}

    def clock(due_on: dt.date) -> tuple[tuple[Any, ...], bool]:
        found = clocks.get(due_on)
        if found is None:
            found = clocks[due_on] = (place_in_queue(now, urgency=urgency, due_on=due_on),
                                      is_overdue(now, due_on=due_on))
        return found

    return clock


def is_overdue(now: dt.datetime, *, due_at: dt.datetime | None = None,
               due_on: dt.date | None = None) -> bool:
    """Whether a clock has run out (as ``WorkItem.is_overdue``)."""
    if due_at is not None:
        return TimeLeft(due_at=due_at, now=now).is_overdue
    if due_on is not None:
        return DaysLeft(due_on=due_on, today=timezone.localdate(now)).is_overdue
    return False


@dataclass(frozen=True)
class Waiting:
    """One item of a source before it is drawn: its place in the queue but for its title
    (``place_in_queue``), whether it is overdue, and the key the source draws it by."""

    place: tuple[Any, ...]
    overdue: bool
    key: Any


@dataclass(frozen=True)
class WorkSelection:
    """What a source holds when it may hold many (every overdue review of a national
    hub's cases): each item's place read cheaply, and ``draw`` to make the items of the
    keys given, only for those a page shows. ``draw`` returns one item per key, and each
    item's ``sort_key`` starts with its ``Waiting.place``; or None for a key whose record
    has left the source since its place was read (a referral another officer decided
    between the two reads): the queue shows the others rather than fail the page."""

    waiting: list[Waiting]
    draw: Callable[[list[Any]], Sequence[WorkItem | None]]

    def drawn(self) -> list[WorkItem]:
        """Every item still there, drawn, in the source's order."""
        return [item for item in self.draw([waiting.key for waiting in self.waiting])
                if item is not None]


WorkSourceFunction = Callable[["User", dt.datetime], "Iterable[WorkItem] | WorkSelection"]


@dataclass(frozen=True)
class WorkSource:
    name: str
    label: str  # the tab's text: "Referrals to triage"
    order: int
    items: WorkSourceFunction
    everything: str = ""  # the URL name of the app's own full list, if it has one


@dataclass
class WorkList:
    """One source's items for a user, most pressing first; drawn only when asked for."""

    source: WorkSource
    waiting: list[Waiting]
    draw: Callable[[list[Any]], Sequence[WorkItem | None]]
    now: dt.datetime

    @property
    def count(self) -> int:
        return len(self.waiting)

    @property
    def overdue_count(self) -> int:
        return sum(1 for waiting in self.waiting if waiting.overdue)

    def first(self, rows: int, *, overdue: bool = False) -> list[WorkItem]:
        return _first([self], rows, self.now, overdue=overdue)

    @property
    def items(self) -> list[WorkItem]:
        return self.first(self.count)


def _first(lists: list[WorkList], rows: int, now: dt.datetime, *, overdue: bool = False
           ) -> list[WorkItem]:
    """The first ``rows`` items of these lists together, in ``WorkItem.sort_key`` order
    (and, between equal keys, as the sources gave them): the items are put in order by
    their places, every item up to the last place shown is drawn (ties there are put
    in order by title only once drawn), and the drawn are cut to ``rows``."""
    found = [(waiting.place, number, work, waiting)
             for number, work in enumerate(lists) for waiting in work.waiting
             if waiting.overdue or not overdue]
    found.sort(key=lambda entry: (entry[0], entry[1]))
    if rows <= 0 or not found:
        return []
    last_place = found[min(rows, len(found)) - 1][0]
    chosen = [entry for entry in found if entry[0] <= last_place]
    drawn: dict[int, list[WorkItem | None]] = {}
    for number, work in enumerate(lists):
        keys = [waiting.key for _place, n, _work, waiting in chosen if n == number]
        if keys:
            drawn[number] = list(work.draw(keys))
    positions = dict.fromkeys(drawn, 0)
    items = []
    for _place, number, _work, _waiting in chosen:
        item = drawn[number][positions[number]]
        positions[number] += 1
        if item is not None:  # gone since its place was read
            items.append(item)
    return sorted(items, key=lambda item: item.sort_key(now))[:rows]


@dataclass
class WorkQueue:
    """Everything waiting for one user at one moment, most urgent first."""

    now: dt.datetime
    lists: list[WorkList] = field(default_factory=list)

    def first(self, rows: int, *, overdue: bool = False) -> list[WorkItem]:
        """The most pressing ``rows`` items of every list (``overdue``: of those overdue)."""
        return _first(self.lists, rows, self.now, overdue=overdue)

    @property
    def items(self) -> list[WorkItem]:
        return self.first(self.count)

    @property
    def overdue(self) -> list[WorkItem]:
        return self.first(self.overdue_count, overdue=True)

    @property
    def count(self) -> int:
        return sum(work.count for work in self.lists)

    @property
    def overdue_count(self) -> int:
        return sum(work.overdue_count for work in self.lists)

    def list_named(self, name: str) -> WorkList | None:
        return next((work for work in self.lists if work.source.name == name), None)


WORK_QUEUE_SOURCES: Registry[WorkSource] = Registry(
    "work-queue source", module_name="work_queue",
    identity=lambda source: (qualified_name(source.items), source.label, source.order))


def work_queue_source(
    name: str, *, label: str, order: int = 100, everything: str = ""
) -> Callable[[WorkSourceFunction], WorkSourceFunction]:
    """Register a source of work items (see the module's docstring)."""

    def register(items: WorkSourceFunction) -> WorkSourceFunction:
        WORK_QUEUE_SOURCES.register(name, WorkSource(
            name=name, label=label, order=order, items=items, everything=everything))
        return items

    return register


def unregister_source(name: str) -> None:
    """Remove a source (for tests that register their own)."""
    WORK_QUEUE_SOURCES.unregister(name)


def registered_sources() -> list[WorkSource]:
    return sorted(WORK_QUEUE_SOURCES.values(), key=lambda source: (source.order, source.name))


def work_queue_for(user: User, now: dt.datetime | None = None) -> WorkQueue:
    """What every registered source holds for this user at ``now``; sources with
    nothing for them are left out."""
    now = now or timezone.now()
    queue = WorkQueue(now=now)
    for source in registered_sources():
        held = source.items(user, now)
        if not isinstance(held, WorkSelection):
            items = list(held)
            held = WorkSelection(
                waiting=[Waiting(place=item.sort_key(now)[:-1], overdue=item.is_overdue(now),
                                 key=item) for item in items],
                draw=lambda keys: keys)
        if held.waiting:
            queue.lists.append(WorkList(source=source, waiting=held.waiting, draw=held.draw,
                                        now=now))
    return queue
