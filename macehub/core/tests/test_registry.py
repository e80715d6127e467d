"""The one registry: registration by call or decorator, duplicates refused, and the one
discovery rule (every installed app's module imported on the first read, once)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from macehub.core.registry import Registry


def _one() -> str:
    return "one"


def _other() -> str:
    return "other"


def test_an_entry_is_registered_by_a_call_or_as_a_decorator() -> None:
    things: Registry[object] = Registry("thing", module_name="no_such_module_anywhere")
    assert things.register("one", _one) is _one

    @things.register("two")
    def two() -> str:
        return "two"

    assert two() == "two"  # the decorator returns what it decorates
    assert things.items() == [("one", _one), ("two", two)]
    assert things.get("two") is two and "one" in things and len(things) == 2
    things.unregister("one")
    assert things.keys() == ["two"]
    with pytest.raises(KeyError):
        things.get("one")


def test_a_key_taken_by_something_else_is_refused() -> None:
    things: Registry[object] = Registry("thing", module_name="no_such_module_anywhere")
    things.register("one", _one)
    things.register("one", _one)  # the same object again (a module imported twice)
    with pytest.raises(ImproperlyConfigured, match="thing 'one' is registered twice"):
        things.register("one", _other)
    assert things.get("one") is _one


def test_what_makes_two_entries_the_same_can_be_said() -> None:
    things: Registry[tuple[str, int]] = Registry(
        "pair", module_name="no_such_module_anywhere", identity=lambda pair: pair[0])
    things.register("a", ("same", 1))
    things.register("a", ("same", 2))  # the same thing, made again
    with pytest.raises(ImproperlyConfigured):
        things.register("a", ("different", 1))


def test_the_first_read_imports_every_apps_module_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    imported: list[str] = []
    monkeypatch.setattr("macehub.core.registry.autodiscover_modules", imported.append)
    things: Registry[object] = Registry("thing", module_name="things")
    things.register("one", _one)  # registering does not discover
    assert imported == []
    assert things.values() == [_one]
    assert "one" in things and things.keys() == ["one"]
    assert imported == ["things"]


@pytest.mark.django_db
def test_the_apps_registrations_are_found_by_the_one_rule() -> None:
    from macehub.access.opening import REVEALERS
    from macehub.core.metrics import METRICS
    from macehub.people.populations import POPULATIONS

    # Each app's own module registers its own: none is imported by hand.
    assert {"referrals_received", "children_at_risk", "intelligence_submitted"} <= set(
        METRICS.keys())
    assert POPULATIONS.keys() == ["children_referred", "victims", "suspects_intelligence"]
    assert METRICS.get("children_at_risk").compute.__module__ == "macehub.cases.metrics"
    assert POPULATIONS.get("victims").events.__module__ == "macehub.cases.populations"
    # Records that reveal a case are registered from each app's opening.py.
    assert set(REVEALERS.keys()) == {"cases.case", "cases.casedecisionrequest",
                                     "referrals.referral"}
    assert REVEALERS.get("referrals.referral").reason_page == "cases:open_restricted"
