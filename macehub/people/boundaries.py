"""Area boundaries from ONS Open Geography GeoJSON (``manage.py import_boundaries``).

ONS publishes boundaries as a GeoJSON FeatureCollection: each feature's properties carry
the area's code and name as ``<PREFIX><YY>CD`` and ``<PREFIX><YY>NM`` (``WD23CD`` and
``WD23NM`` for wards in 2023, ``LAD23CD`` for local authorities, ``LSOA21CD``...), its
geometry a Polygon or MultiPolygon in WGS84 longitude and latitude. The import stores
each boundary on the area with that code, with its centroid on the British National
Grid (shapely, projected with pyproj), for distances between areas.

All or nothing: a file that is not such a collection, or a feature without a code or
with a geometry that is not a valid polygon, stops the import with every problem listed
and nothing written. Features whose code is no area in the hub are not a fault (ONS
files cover the whole country): they are reported, by code, and skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_import import RowProblem
from macehub.people.models import Area
from macehub.people.postcodes import on_grid

if TYPE_CHECKING:
    from macehub.accounts.models import User

MAX_PROBLEMS = 100
_CODE_PROPERTY = re.compile(r"^([A-Z]+)(\d{2})CD$", re.IGNORECASE)
_POLYGONS = {"Polygon", "MultiPolygon"}


class BoundaryImportError(Exception):
    """The file was not imported. ``problems`` lists what was wrong; a problem's row is
    the feature's number in the collection (the first is 1)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"Nothing was imported: {len(self.problems)} problem(s) found."]
        lines += [f"  {str(problem).replace('Row', 'Feature', 1)}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class BoundaryImportSummary:
    file_name: str
    features: int
    areas_updated: int
    unmatched_codes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (f"Imported {self.file_name}: {self.features} boundaries, "
                f"{self.areas_updated} areas given theirs.")
        if self.unmatched_codes:
            shown = ", ".join(self.unmatched_codes[:20])
            more = f" and {len(self.unmatched_codes) - 20} more" \
                if len(self.unmatched_codes) > 20 else ""
            text += (f"\n{len(self.unmatched_codes)} feature(s) match no area in the hub "
                     f"and were skipped: {shown}{more}.")
        return text


def _code_of(properties: dict[str, Any]) -> str | None:
    for key, value in properties.items():
        if _CODE_PROPERTY.match(key) and isinstance(value, str) and value.strip():
            return value.strip().upper()
    return None


def _centroid_on_grid(geometry: BaseGeometry) -> tuple[int, int]:
    projected = on_grid(geometry)
    centroid = projected.centroid
    return round(centroid.x), round(centroid.y)


def _read(data: bytes, problems: list[RowProblem]) -> list[tuple[str, dict[str, Any],
                                                                    tuple[int, int]]]:
    try:
        collection = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(RowProblem(None, None, f"The file is not GeoJSON text: {error}"))
        return []
    except RecursionError:
        problems.append(RowProblem(None, None, "The file is not GeoJSON text: its lists "
                                               "and objects are nested too deeply to read"))
        return []
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        problems.append(RowProblem(None, None, "The file is not a GeoJSON FeatureCollection"))
        return []
    read: list[tuple[str, dict[str, Any], tuple[int, int]]] = []
    first_of: dict[str, int] = {}
    for number, feature in enumerate(collection["features"], start=1):
        if len(problems) >= MAX_PROBLEMS:
            break
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = _code_of(properties) if isinstance(properties, dict) else None
        if code is None:
            problems.append(RowProblem(number, "properties",
                                       "has no area code (a property such as WD23CD)"))
            continue
        if code in first_of:
            problems.append(RowProblem(number, code, f"is already feature {first_of[code]}"))
            continue
        first_of[code] = number
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str) \
                or geometry["type"] not in _POLYGONS:
            problems.append(RowProblem(number, code, "has no Polygon or MultiPolygon geometry"))
            continue
        try:
            polygon = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            problems.append(RowProblem(number, code, f"has a geometry that cannot be read: "
                                                     f"{error}"))
            continue
        if polygon.is_empty or not polygon.is_valid:
            problems.append(RowProblem(number, code, "has an empty or invalid polygon"))
            continue
        minx, miny, maxx, maxy = polygon.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            problems.append(RowProblem(
                number, code, "is not in WGS84 longitude and latitude (degrees)"))
            continue
        # The polygon as read, not the feature's other members (GeoJSON allows any,
        # and a database may refuse what they hold: NaN, a NUL character).
        read.append((code, json.loads(json.dumps(mapping(polygon))),
                     _centroid_on_grid(polygon)))
    if not read and not problems:
        problems.append(RowProblem(None, None, "The collection has no features"))
    return read


def import_boundaries(source: Path | str | IO[bytes], *, actor: User | None,
                      file_name: str | None = None) -> BoundaryImportSummary:
    """Store each feature's boundary and centroid on its area, all or nothing; audit it.
    Raises ``BoundaryImportError`` listing every problem found."""
    if isinstance(source, str | Path):
        data, file_name = Path(source).read_bytes(), file_name or Path(source).name
    else:
        data, file_name = source.read(), file_name or str(getattr(source, "name", "upload"))
    problems: list[RowProblem] = []
    features = _read(data, problems)
    if problems:
        raise BoundaryImportError(problems)
    with transaction.atomic():
        areas = Area.objects.in_bulk([code for code, _, _ in features], field_name="code")
        updated: list[Area] = []
        unmatched: list[str] = []
        for code, geometry, (easting, northing) in features:
            area = areas.get(code)
            if area is None:
                unmatched.append(code)
                continue
            area.boundary = geometry
            area.centroid_easting, area.centroid_northing = easting, northing
            updated.append(area)
        Area.objects.bulk_update(updated, ["boundary", "centroid_easting",
                                           "centroid_northing"], batch_size=100)
        summary = BoundaryImportSummary(file_name=file_name, features=len(features),
                                        areas_updated=len(updated),
                                        unmatched_codes=sorted(unmatched))
        record_event(event_type=EventType.IMPORT, actor=actor, record_type="people.area",
                     detail={"file": file_name, "source": "ONS Open Geography boundaries",
                             "features": len(features), "areas_updated": len(updated),
                             "unmatched": len(unmatched)})
    return summary
