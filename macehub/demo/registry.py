"""The registry of demo data steps, and the context every step is given.

Any app adds synthetic data of its own by putting a ``demo_steps.py`` module in its
package; ``manage.py demo_data`` reads the registry, which imports every installed app's
``demo_steps`` (the registries' one discovery rule, ``macehub.core.registry``), and runs
the registered steps in order::

    # macehub/referrals/demo_steps.py
    from macehub.demo.registry import DemoContext, demo_step

    def delete_demo_referrals(progress: Progress) -> dict[str, int]:
        deleted, _ = Referral.objects.all().delete()
        return {"referrals": deleted}

    @demo_step("referrals", order=1100, description="Referrals for some children",
               reset=delete_demo_referrals)
    def referrals(ctx: DemoContext) -> None:
        for person_id in ctx.rng.sample(ctx.child_ids, k=len(ctx.child_ids) // 3):
            ...

Orders: the foundation runs at 100-500 (agencies, users, areas, people, duplicates);
capabilities use 1000 and above, in steps of 100 (``FIRST_CAPABILITY_ORDER``).

Determinism: each step gets its own ``random.Random`` and Faker, seeded from the run's
seed and the step's *name*, so adding or reordering a step never changes what any
other step generates. A step must draw all randomness from ``ctx.rng`` / ``ctx.faker``,
never iterate a ``set`` of strings (its order changes between runs), and order every
query it draws from.

A step's ``reset`` deletes what the step created; ``demo_data --reset`` runs the resets
in reverse order before the foundation's own clean-up, so a capability whose rows point
at people (with ``PROTECT``) must register one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faker import Faker

from macehub.core.registry import Registry
from macehub.demo.progress import Progress
from macehub.demo.scales import Scale

if TYPE_CHECKING:
    from macehub.accounts.models import Agency, Team, User
    from macehub.demo.areas import Neighbourhood
    from macehub.demo.people import PersonSnapshot

FAKER_LOCALE = "en_GB"
FIRST_CAPABILITY_ORDER = 1000


@dataclass
class DemoContext:
    """What a step is given: seeded randomness, the scale, progress, and what earlier
    steps made. ``rng`` and ``faker`` are re-seeded for each step (see the module doc)."""

    seed: int
    scale: Scale
    as_of: dt.date
    progress: Progress
    rng: random.Random = field(default_factory=random.Random)
    faker: Faker = field(default_factory=lambda: Faker(FAKER_LOCALE))
    # The foundation's results, by code / key / username / ONS code.
    agencies: dict[str, Agency] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    neighbourhoods: list[Neighbourhood] = field(default_factory=list)
    child_ids: list[int] = field(default_factory=list)
    adult_ids: list[int] = field(default_factory=list)
    duplicate_sources: list[PersonSnapshot] = field(default_factory=list)
    # Counts of what each step created, for the summary and the audit entry.
    created: dict[str, int] = field(default_factory=dict)
    # Anything else a step shares with later ones; key it "<app>.<name>".
    results: dict[str, Any] = field(default_factory=dict)

    def reseed_for(self, step_name: str) -> None:
        step_seed = derive_seed(self.seed, step_name)
        self.rng = random.Random(step_seed)
        self.faker.seed_instance(step_seed)

    def count(self, what: str, number: int) -> None:
        self.created[what] = self.created.get(what, 0) + number


StepFunction = Callable[[DemoContext], None]
# Deletes what a step made; may return counts of what it deleted, for the audit entry.
ResetFunction = Callable[[Progress], Mapping[str, int] | None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    function: StepFunction
    description: str = ""
    reset: ResetFunction | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"


# A step registered again by the same function (a re-import) is harmless; a second,
# different step under a name already taken is a mistake.
DEMO_STEPS: Registry[DemoStep] = Registry("demo step", module_name="demo_steps",
                                          identity=lambda step: step.qualified_name)


def derive_seed(seed: int, name: str) -> int:
    """A seed for one named part of a run, stable across processes and Python versions
    (``hash()`` of a string is not)."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def register_step(step: DemoStep) -> DemoStep:
    """Add a step (``ImproperlyConfigured`` for a different step under a name taken)."""
    return DEMO_STEPS.register(step.name, step)


def demo_step(
    name: str, *, order: int, description: str = "", reset: ResetFunction | None = None
) -> Callable[[StepFunction], StepFunction]:
    """Register the decorated function as a demo data step."""

    def register(function: StepFunction) -> StepFunction:
        register_step(
            DemoStep(name=name, order=order, function=function, description=description,
                     reset=reset)
        )
        return function

    return register


def unregister_step(name: str) -> None:
    """Remove a step (for tests that register their own)."""
    DEMO_STEPS.unregister(name)


def registered_steps() -> list[DemoStep]:
    """Every registered step, in the order they run."""
    return sorted(DEMO_STEPS.values(), key=lambda step: (step.order, step.name))
