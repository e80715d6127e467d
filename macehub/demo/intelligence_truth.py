"""The intelligence truth the demo plants, read back with database ids.

It lives in ``demo`` (which may read every app) because it reads ``demo.PlantedTruth``:
product code never imports ``demo``; intelligence's ``demo_steps.py`` and analytics
tests do.

The demo stores it in ``demo.PlantedTruth`` without ids other than people's (which the
demo's fingerprint maps to positions), so that the same seed fingerprints the same after
a reset: entities by natural key, reports by reference. These functions give analytics
tests what they need to check themselves against:

    for group in planted_offender_groups():
        group.suspect_ids, group.child_ids, group.shared_entity_ids["vehicle"], ...

Kinds: ``offender_group`` (2-8 suspects around 2-6 children, sharing vehicles, phones,
accounts, premises and places), ``hotspot`` (a location several groups use) and
``lone_offender``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from macehub.demo.models import PlantedTruth
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Vehicle,
)

OFFENDER_GROUP = "offender_group"
HOTSPOT = "hotspot"
LONE_OFFENDER = "lone_offender"
TRUTH_KINDS = (OFFENDER_GROUP, HOTSPOT, LONE_OFFENDER)


def natural_key(kind: str, entity: Any) -> Any:
    """What identifies a demo entity without its id. Demo postcodes are unique to one
    location, and a premises has a location of its own."""
    if kind == "vehicle":
        return entity.registration
    if kind == "phone":
        return entity.number
    if kind == "account":
        return f"{entity.platform}:{entity.handle}"
    if kind == "location":
        return entity.postcode
    if kind == "premises":
        return entity.location.postcode
    raise ValueError(f"Not an entity kind: {kind}")


def _ids(kind: str, keys: Sequence[Any]) -> list[int]:
    if not keys:
        return []
    queryset: Any
    if kind == "vehicle":
        queryset = Vehicle.objects.filter(registration__in=keys)
    elif kind == "phone":
        queryset = PhoneNumber.objects.filter(number__in=keys)
    elif kind == "account":
        ids = []
        for key in keys:
            platform, handle = key.split(":", 1)
            ids += list(OnlineAccount.objects.filter(platform=platform, handle=handle)
                        .values_list("pk", flat=True))
        return sorted(ids)
    elif kind == "location":
        queryset = Location.objects.filter(postcode__in=keys, premises__isnull=True)
    elif kind == "premises":
        queryset = Premises.objects.filter(location__postcode__in=keys)
    else:
        raise ValueError(f"Not an entity kind: {kind}")
    return sorted(queryset.values_list("pk", flat=True))


def _entity_ids(keys: dict[str, list[Any]]) -> dict[str, list[int]]:
    return {kind: _ids(kind, values) for kind, values in keys.items()}


def _report_ids(references: Sequence[str]) -> list[int]:
    return sorted(IntelligenceReport.objects.filter(reference__in=references)
                  .values_list("pk", flat=True))


@dataclass(frozen=True)
class PlantedGroup:
    number: int
    suspect_ids: list[int]
    child_ids: list[int]
    shared_entity_ids: dict[str, list[int]]
    hotspot_location_ids: list[int]
    report_ids: list[int]


@dataclass(frozen=True)
class PlantedHotspot:
    location_id: int
    area_code: str
    groups: list[int]
    report_ids: list[int]


@dataclass(frozen=True)
class PlantedLoneOffender:
    suspect_id: int
    child_ids: list[int]
    entity_ids: dict[str, list[int]] = field(default_factory=dict)
    report_ids: list[int] = field(default_factory=list)


def _truths(kind: str, seed: int | None) -> list[dict[str, Any]]:
    truths = PlantedTruth.objects.filter(kind=kind).order_by("pk")
    if seed is not None:
        truths = truths.filter(seed=seed)
    return [truth.data for truth in truths]


def planted_offender_groups(seed: int | None = None) -> list[PlantedGroup]:
    groups = []
    for data in _truths(OFFENDER_GROUP, seed):
        people, count = data["person_ids"], data["suspect_count"]
        groups.append(PlantedGroup(
            number=data["group"], suspect_ids=people[:count], child_ids=people[count:],
            shared_entity_ids=_entity_ids(data["shared_entities"]),
            hotspot_location_ids=_ids("location", data["hotspots"]),
            report_ids=_report_ids(data["report_references"]),
        ))
    return groups


def planted_hotspots(seed: int | None = None) -> list[PlantedHotspot]:
    return [
        PlantedHotspot(location_id=_ids("location", [data["location"]])[0],
                       area_code=data["area_code"], groups=data["groups"],
                       report_ids=_report_ids(data["report_references"]))
        for data in _truths(HOTSPOT, seed)
    ]


def planted_lone_offenders(seed: int | None = None) -> list[PlantedLoneOffender]:
    return [
        PlantedLoneOffender(suspect_id=data["person_ids"][0], child_ids=data["person_ids"][1:],
                            entity_ids=_entity_ids(data["entities"]),
                            report_ids=_report_ids(data["report_references"]))
        for data in _truths(LONE_OFFENDER, seed)
    ]


def entity_model(kind: str) -> type[Model]:
    return {"vehicle": Vehicle, "phone": PhoneNumber, "account": OnlineAccount,
            "location": Location, "premises": Premises}[kind]
