"""How many records rely on each sharing agreement, counted by the apps that keep those
records (intelligence's disseminations, people's shares of a record): each registers a
counter in its ``sharing_reliance`` module, since governance sits below them and may
not import them. Counts only, so the register's pages stay free of personal data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from macehub.core.registry import Registry

# Given agreements' pks, how many of the app's records name each (absent: none).
RelianceCount = Callable[[Sequence[int]], dict[int, int]]

RELIANCE: Registry[RelianceCount] = Registry("sharing agreement reliance",
                                             module_name="sharing_reliance")


def relying_on(agreement_pks: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
    """For each agreement, each kind of record with how many of them name it."""
    counted: dict[int, list[tuple[str, int]]] = {pk: [] for pk in agreement_pks}
    for label, count in RELIANCE.items():
        counts = count(agreement_pks)
        for pk in agreement_pks:
            counted[pk].append((label, counts.get(pk, 0)))
    return counted
