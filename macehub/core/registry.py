"""One registry for every "apps add their own X" extension point, with one discovery rule.

An app that adds something to a page or process it does not own (a work-queue source,
a metric, a population, a section of a person's page, a demo data step...) registers it
in a registry that a lower layer owns. Every such registry is a ``Registry``: named, with
a module name; an app puts that module in its package (``metrics.py``,
``work_queue.py``...) and registers from it::

    METRICS: Registry[Metric] = Registry("metric", module_name="metrics")

    METRICS.register("referrals_received", metric)        # as a call

    @NEXT_ACTION_KINDS.register("plan_items")              # or as a decorator
    def plan_items(context: NextActionContext) -> Iterable[NextAction]: ...

**The one discovery rule.** Nothing is imported at start-up and no module imports its
registrations by hand: the first time a registry is read, it imports the module named
``module_name`` in every installed app (Django's ``autodiscover_modules``), once. Reading
happens on requests and in commands, after the app registry is ready, so an app's module
may import its own models freely.

A key registered twice is a mistake (two apps claiming one metric code), refused with
``ImproperlyConfigured``, unless it is the same object again (a module imported twice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, cast, overload

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

T = TypeVar("T")
F = TypeVar("F")


class Registry(Generic[T]):
    """Things of one kind registered by key, in the order they were registered."""

    def __init__(
        self, name: str, *, module_name: str, identity: Callable[[T], object] | None = None
    ) -> None:
        self.name = name
        self.module_name = module_name
        # What makes two entries the same thing registered again (a module imported a
        # second time): by default the same object, or a function or class of the same
        # qualified name.
        self._identity = identity
        self._entries: dict[str, T] = {}
        self._discovered = False

    def __repr__(self) -> str:
        return f"<Registry {self.name!r} from {self.module_name}.py>"

    @overload
    def register(self, key: str) -> Callable[[F], F]: ...

    @overload
    def register(self, key: str, entry: T) -> T: ...

    def register(self, key: str, entry: object = None) -> object:
        """Register ``entry`` under ``key``; without ``entry``, a decorator registering
        what it decorates (returned unchanged)."""
        if entry is None:
            def decorate(decorated: F) -> F:
                self._add(key, cast(T, decorated))
                return decorated

            return decorate
        self._add(key, cast(T, entry))
        return entry

    def _add(self, key: str, entry: T) -> None:
        existing = self._entries.get(key)
        if existing is not None and existing is not entry and not self._same(existing, entry):
            raise ImproperlyConfigured(
                f"The {self.name} {key!r} is registered twice: {existing!r} and {entry!r}")
        self._entries[key] = entry

    def _same(self, existing: T, entry: T) -> bool:
        if self._identity is not None:
            return self._identity(existing) == self._identity(entry)
        return _same_name(existing, entry)

    def unregister(self, key: str) -> None:
        """Remove an entry (tests register throwaway ones)."""
        self._entries.pop(key, None)

    def discover(self) -> None:
        """Import every installed app's ``module_name`` module, once."""
        if not self._discovered:
            # Set first: a module being discovered may read the registry itself.
            self._discovered = True
            autodiscover_modules(self.module_name)

    def get(self, key: str) -> T:
        """The entry under ``key``; ``KeyError`` if there is none."""
        self.discover()
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        self.discover()
        return key in self._entries

    def items(self) -> list[tuple[str, T]]:
        self.discover()
        return list(self._entries.items())

    def values(self) -> list[T]:
        self.discover()
        return list(self._entries.values())

    def keys(self) -> list[str]:
        self.discover()
        return list(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        self.discover()
        return len(self._entries)


def qualified_name(thing: object) -> str | None:
    """``module.QualifiedName`` of a function or class (None for other things): what
    stays the same when the module defining it is imported a second time."""
    module = getattr(thing, "__module__", None)
    qualname = getattr(thing, "__qualname__", None)
    return None if module is None or qualname is None else f"{module}.{qualname}"


def _same_name(existing: object, entry: object) -> bool:
    found = qualified_name(existing)
    return found is not None and found == qualified_name(entry)
