"""Why a child still needs their victim advocate: advocacy continues after the case
closes, through any prosecution, so the page that ends an advocate's allocation says what
is still going on for the child before anyone ends it.

The apps that know (investigations: an investigation still open, a court hearing to
come) register a source in their own ``advocacy_needs.py`` module (found by the
registries' one discovery rule, ``macehub.core.registry``). A source is given the user
ending the advocacy and the child, and returns sentences about what that user may see
(it reads through its own selectors, which ask ``access``): nothing is named to someone
who may not know it."""

from __future__ import annotations

from collections.abc import Callable

from macehub.accounts.models import User
from macehub.core.registry import Registry
from macehub.people.models import Person

AdvocacyNeed = Callable[[User, Person], list[str]]

ADVOCACY_NEEDS: Registry[AdvocacyNeed] = Registry("advocacy need",
                                                  module_name="advocacy_needs")


def advocacy_need(name: str) -> Callable[[AdvocacyNeed], AdvocacyNeed]:
    """Register a source of reasons the child still needs their advocate."""
    return ADVOCACY_NEEDS.register(name)


def reasons_to_keep_advocacy(user: User, child: Person) -> list[str]:
    """What is still going on for the child that this user may know of."""
    return [reason for _, source in sorted(ADVOCACY_NEEDS.items())
            for reason in source(user, child)]
