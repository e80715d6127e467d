"""Areas as list filters: an area means that area and every area inside it, and a child
is "in" an area when their current address is there.

The record lists (referrals, cases, intelligence) and the performance figures narrow by
area the same way, so a figure for an area and the list behind it name the same records.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from macehub.people.codes import AreaKind
from macehub.people.models import Area, PersonAddress

# The kinds of area a list can be narrowed to (the performance dashboard offers the same).
FILTER_AREA_KINDS = (AreaKind.COUNTY, AreaKind.DISTRICT, AreaKind.WARD, AreaKind.NEIGHBOURHOOD)


def area_ids_within(code: str) -> list[int]:
    """The area's id and the ids of every area inside it: one query per level of the
    area tree, however many areas there are."""
    found = list(Area.objects.filter(code=code).values_list("pk", flat=True))
    frontier = found
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found += frontier
    return found


def people_living_in(code: str) -> QuerySet[PersonAddress, Any]:
    """Ids of people whose current address lies in the area (as a subquery)."""
    return PersonAddress.objects.filter(
        is_current=True, area_id__in=area_ids_within(code)
    ).values("person_id")


def area_filter_choices() -> list[tuple[str, str]]:
    """(code, label) of every area a list can be narrowed to, counties first."""
    order = {kind.value: index for index, kind in enumerate(FILTER_AREA_KINDS)}
    areas = Area.objects.filter(kind__in=FILTER_AREA_KINDS).values_list("code", "name", "kind")
    return [
        (code, f"{name} ({AreaKind(kind).label.split(' (')[0].lower()})")
        for code, name, kind in sorted(areas, key=lambda row: (order[row[2]], row[1], row[0]))
    ]
