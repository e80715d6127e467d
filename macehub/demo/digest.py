"""A fingerprint of the demo data, to prove that a seed reproduces the same data set.

Covers what the generator decides (names, dates, ethnicities, identifiers, addresses,
shares, areas, populations, accounts, planted truth) and leaves out what the database
or the clock decides: primary keys (replaced by each person's position in insertion
order), timestamps and password hashes (salted).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from macehub.accounts.models import Agency, RoleAssignment, Team, User
from macehub.demo.models import PlantedTruth
from macehub.people.models import (
    Area,
    AreaPopulation,
    Person,
    PersonAddress,
    PersonAlias,
    PersonAllocation,
    PersonIdentifier,
    PersonShare,
)

_CHUNK = 5_000


class _Sections:
    def __init__(self) -> None:
        self.hashes: dict[str, str] = {}

    def __call__(self, table: str, rows: Iterable[Iterable[Any]]) -> None:
        digest = hashlib.sha256()
        for row in rows:
            digest.update(json.dumps(list(row), default=str, ensure_ascii=False).encode())
            digest.update(b"\n")
        self.hashes[table] = digest.hexdigest()


def demo_data_digest() -> str:
    """SHA-256 over the demo data's content, independent of ids and timestamps."""
    overall = hashlib.sha256()
    for table, section in section_digests().items():
        overall.update(f"{table}:{section}\n".encode())
    return overall.hexdigest()


def section_digests() -> dict[str, str]:
    """A SHA-256 per table ("people", "identifiers", "planted truth"...)."""
    _feed = _Sections()
    _feed("agencies", Agency.objects.order_by("code").values_list("code", "name", "kind"))
    _feed("teams", Team.objects.order_by("agency__code", "name").values_list(
        "agency__code", "name", "is_hub_team"))
    _feed("users", User.objects.order_by("username").values_list(
        "username", "first_name", "last_name", "email", "agency__code", "team__name",
        "job_title"))
    _feed("roles", RoleAssignment.objects.order_by("user__username", "role").values_list(
        "user__username", "role"))
    _feed("areas", Area.objects.order_by("code").values_list(
        "code", "name", "kind", "parent__code", "census_total"))
    _feed("populations", AreaPopulation.objects.order_by(
        "area__code", "ethnic_group__sort_order", "source").values_list(
        "area__code", "ethnic_group_id", "population", "source"))

    # A person's position in insertion order stands in for their id.
    position = {
        pk: index
        for index, pk in enumerate(Person.objects.order_by("pk").values_list("pk", flat=True))
    }

    def by_position(rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
        return ((position[row[0]], *row[1:]) for row in rows)

    _feed("people", by_position(Person.objects.order_by("pk").values_list(
        "pk", "owning_agency__code", "is_restricted", "given_name", "middle_names",
        "family_name", "given_name_key", "family_name_key", "date_of_birth", "estimated_age",
        "age_estimated_on", "sex", "self_defined_ethnicity_id", "officer_defined_ethnicity",
        "nationality", "created_by__username", "version").iterator(_CHUNK)))
    _feed("aliases", by_position(PersonAlias.objects.order_by("person_id", "pk").values_list(
        "person_id", "kind", "given_name", "family_name", "given_name_key",
        "family_name_key").iterator(_CHUNK)))
    _feed("identifiers", by_position(PersonIdentifier.objects.order_by(
        "person_id", "kind", "value").values_list("person_id", "kind", "value").iterator(_CHUNK)))
    _feed("addresses", by_position(PersonAddress.objects.order_by("person_id", "pk").values_list(
        "person_id", "line_1", "line_2", "town", "postcode", "area__code", "lived_from",
        "lived_until", "is_current").iterator(_CHUNK)))
    _feed("shares", by_position(PersonShare.objects.order_by(
        "person_id", "agency__code").values_list(
        "person_id", "agency__code", "shared_by__username", "reason").iterator(_CHUNK)))
    _feed("allocations", by_position(PersonAllocation.objects.order_by(
        "person_id", "user__username").values_list("person_id", "user__username").iterator(_CHUNK)))

    truths = []
    for kind, seed, data in PlantedTruth.objects.order_by("pk").values_list("kind", "seed", "data"):
        data = dict(data)
        if "person_ids" in data:
            data["person_ids"] = [position.get(pk, f"missing:{pk}") for pk in data["person_ids"]]
        truths.append((kind, seed, json.dumps(data, sort_keys=True)))
    _feed("planted truth", truths)
    return _feed.hashes
