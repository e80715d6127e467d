"""The postcode directory: where each postcode is on the British National Grid, and the
areas it lies in, from the ONS Postcode Directory (ONSPD).

``import_postcode_directory`` reads the ONSPD's published CSV (one row per postcode; the
columns the hub reads are ``pcds``, or ``pcd2`` / ``pcd`` when it is absent, ``doterm``,
``oseast1m``, ``osnrth1m``, ``osward``, ``lsoa21`` and ``oslaua``; every other column is
ignored) all or nothing, exactly as the census import does: the whole file is checked
first and every problem is reported by row and column; nothing is written unless the
file is valid. A postcode already in the directory is replaced by the file's row.

``fill_coordinates`` is what the services that save a postcode call: a record whose
postcode is in the directory, and whose coordinates were not entered, takes the
postcode's. ``latitude_longitude`` turns grid coordinates into WGS84 for the map
(pyproj).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_import import (
    FileNotImported,
    ProblemList,
    UnreadableCsv,
    csv_records,
    read_import_file,
)
from macehub.people.codes import CoordinateSource
from macehub.people.identifiers import normalise_postcode
from macehub.people.models import Area, Postcode

if TYPE_CHECKING:
    from macehub.accounts.models import User

ONSPD = "ONS Postcode Directory"
MAX_PROBLEMS = 100
_BATCH = 500
# The columns the hub reads. The postcode is in one of ``POSTCODE_COLUMNS`` (the first
# present is read: ``pcds`` has one space, ``pcd2`` pads to eight characters, ``pcd``
# to seven); the others are required.
POSTCODE_COLUMNS = ("pcds", "pcd2", "pcd")
TERMINATED = "doterm"
EASTING = "oseast1m"
NORTHING = "osnrth1m"
WARD = "osward"
LSOA = "lsoa21"
LOCAL_AUTHORITY = "oslaua"
REQUIRED = (TERMINATED, EASTING, NORTHING, WARD, LSOA, LOCAL_AUTHORITY)
# The grid covers Great Britain: eastings 0 to 700 km, northings 0 to 1,300 km.
# Northern Ireland's postcodes are on the Irish grid in the ONSPD; they are read too.
_LARGEST_EASTING = 800_000
_LARGEST_NORTHING = 1_300_000
# An ONS area code: a letter and eight digits (the columns hold up to nine characters).
_AREA_CODE = re.compile(r"^[A-Z]\d{8}$")
# ONS writes "pseudo" codes for a postcode with no area of a kind (e.g. E99999999).
_NO_AREA_CODES = {"", "E99999999", "W99999999", "S99999999", "N99999999", "L99999999",
                  "M99999999"}


class PostcodeImportError(FileNotImported):
    """The postcode directory was not imported. ``problems`` lists what was wrong with it."""


class _Problems(ProblemList):
    refusal = PostcodeImportError


@dataclass(frozen=True)
class _PostcodeRow:
    postcode: str
    easting: int | None
    northing: int | None
    ward_code: str
    lsoa_code: str
    local_authority_code: str
    terminated_on: dt.date | None


@dataclass(frozen=True)
class PostcodeImportSummary:
    file_name: str
    rows: int
    created: int
    replaced: int
    without_coordinates: int
    areas_matched: int

    def __str__(self) -> str:
        return (
            f"Imported {self.file_name}: {self.rows} postcodes ({self.created} new, "
            f"{self.replaced} replaced), {self.without_coordinates} without coordinates; "
            f"{self.areas_matched} of their area codes are areas the hub holds."
        )


def _grid_value(cell: str, row: int, column: str, largest: int,
                problems: _Problems) -> int | None:
    """A coordinate in whole metres; empty when the ONSPD has none."""
    if not cell:
        return None
    if not (cell.isascii() and cell.isdigit()) or int(cell) > largest:
        problems.add(row, column, f'"{cell}" is not a grid coordinate in metres '
                     f"(a whole number from 0 to {largest:,})")
        return None
    return int(cell)


def _terminated(cell: str, row: int, problems: _Problems) -> dt.date | None:
    """``doterm`` is the year and month the postcode was terminated (YYYYMM)."""
    if not cell:
        return None
    if len(cell) == 6 and cell.isdigit() and 1 <= int(cell[4:]) <= 12:
        return dt.date(int(cell[:4]), int(cell[4:]), 1)
    problems.add(row, TERMINATED, f'"{cell}" is not a year and month written YYYYMM')
    return None


def _area_code(cell: str, row: int, column: str, problems: _Problems) -> str:
    code = cell.strip().upper()
    if code in _NO_AREA_CODES:
        return ""
    if not _AREA_CODE.match(code):
        problems.add(row, column, f'"{cell}" is not an ONS area code (a letter and eight '
                                  "digits, e.g. E05012345)")
        return ""
    return code


def _read_rows(data: bytes, problems: _Problems) -> list[_PostcodeRow]:
    records = csv_records(data)
    first = next(records, None)
    if first is None:
        problems.add(1, None, "The file is empty")
        return []
    header = [cell.strip().lower() for cell in first.cells]
    positions = {name: index for index, name in reversed(list(enumerate(header)))}
    postcode_column = next((name for name in POSTCODE_COLUMNS if name in positions), None)
    if postcode_column is None:
        problems.add(first.row, "pcds", "is missing: the ONSPD has pcds, pcd2 or pcd")
    for name in REQUIRED:
        if name not in positions:
            problems.add(first.row, name, "is missing: the ONSPD has this column")
    if problems.found or postcode_column is None:
        return []
    found: list[_PostcodeRow] = []
    first_row_of: dict[str, int] = {}
    for record in records:
        if problems.truncated:
            break
        cells = [cell.strip() for cell in record.cells]
        row = record.row
        if len(cells) != len(header):
            problems.add(row, None, f"has {len(cells)} fields but the header has {len(header)}")
            continue
        before = len(problems.found)
        raw = cells[positions[postcode_column]]
        try:
            postcode = normalise_postcode(raw)
        except ValidationError:
            shown = f'"{raw}"' if raw else "(empty)"
            problems.add(row, postcode_column, f"{shown} is not a UK postcode")
            continue
        if postcode in first_row_of:
            problems.add(row, postcode_column,
                         f"{postcode} is already on row {first_row_of[postcode]}")
            continue
        first_row_of[postcode] = row
        easting = _grid_value(cells[positions[EASTING]], row, EASTING, _LARGEST_EASTING,
                              problems)
        northing = _grid_value(cells[positions[NORTHING]], row, NORTHING, _LARGEST_NORTHING,
                               problems)
        if (easting is None) != (northing is None) and len(problems.found) == before:
            problems.add(row, EASTING if easting is None else NORTHING,
                         "is empty but the other coordinate is not: give both or neither")
        terminated_on = _terminated(cells[positions[TERMINATED]], row, problems)
        ward_code, lsoa_code, local_authority_code = (
            _area_code(cells[positions[column]], row, column, problems)
            for column in (WARD, LSOA, LOCAL_AUTHORITY))
        if len(problems.found) > before:
            continue
        found.append(_PostcodeRow(
            postcode=postcode, easting=easting, northing=northing, ward_code=ward_code,
            lsoa_code=lsoa_code, local_authority_code=local_authority_code,
            terminated_on=terminated_on,
        ))
    if not found and not problems.found:
        problems.add(None, None, "The file has a header but no rows of postcodes")
    return found


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def import_postcode_directory(
    source: Path | str | IO[bytes], *, actor: User | None, file_name: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> PostcodeImportSummary:
    """Import an ONSPD file, all or nothing, and audit it. Raises
    ``PostcodeImportError`` listing every problem found; nothing is written then."""
    data, source_name = read_import_file(source)
    file_name = file_name or source_name
    problems = _Problems(max_problems)
    try:
        rows = _read_rows(data, problems)
    except UnreadableCsv as unreadable:
        problems.add(unreadable.row, unreadable.column, unreadable.message)
        rows = []
    if problems.found:
        problems.raise_if_any()

    codes = {code for row in rows
             for code in (row.ward_code, row.lsoa_code, row.local_authority_code) if code}
    with transaction.atomic():
        areas: dict[str, int] = {}
        for chunk in _chunks(sorted(codes)):
            areas.update(Area.objects.filter(code__in=chunk).values_list("code", "pk"))
        known: set[str] = set()
        for chunk in _chunks([row.postcode for row in rows]):
            known.update(Postcode.objects.filter(postcode__in=chunk)
                         .values_list("postcode", flat=True))
        records = [
            Postcode(
                postcode=row.postcode, easting=row.easting, northing=row.northing,
                ward_id=areas.get(row.ward_code), ward_code=row.ward_code,
                lsoa_id=areas.get(row.lsoa_code), lsoa_code=row.lsoa_code,
                local_authority_id=areas.get(row.local_authority_code),
                local_authority_code=row.local_authority_code,
                terminated_on=row.terminated_on,
            )
            for row in rows
        ]
        Postcode.objects.bulk_create(
            records, batch_size=_BATCH, update_conflicts=True, unique_fields=["postcode"],
            update_fields=["easting", "northing", "ward", "ward_code", "lsoa", "lsoa_code",
                           "local_authority", "local_authority_code", "terminated_on"],
        )
        summary = PostcodeImportSummary(
            file_name=file_name, rows=len(rows), created=len(rows) - len(known),
            replaced=len(known),
            without_coordinates=sum(1 for row in rows if row.easting is None),
            areas_matched=len(areas),
        )
        record_event(
            event_type=EventType.IMPORT, actor=actor, record_type="people.postcode",
            detail={"file": file_name, "source": ONSPD, "rows": summary.rows,
                    "created": summary.created, "replaced": summary.replaced},
        )
    return summary


# --- Coordinates for records -------------------------------------------------------------


def grid_references(postcodes: list[str]) -> dict[str, tuple[int, int]]:
    """The directory's coordinates of those of ``postcodes`` it holds with coordinates,
    by postcode (as given, normalised or not)."""
    wanted: dict[str, list[str]] = {}
    for given in postcodes:
        try:
            wanted.setdefault(normalise_postcode(given), []).append(given)
        except ValidationError:
            continue
    found: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(sorted(wanted)):
        rows = Postcode.objects.filter(postcode__in=chunk, easting__isnull=False,
                                       northing__isnull=False)
        for postcode, easting, northing in rows.values_list("postcode", "easting",
                                                            "northing"):
            if easting is None or northing is None:  # filtered out above
                continue
            for given in wanted[postcode]:
                found[given] = (easting, northing)
    return found


def fill_coordinates(record: Any, *, prefix: str = "", postcode_field: str = "postcode",
                     source_field: str = "coordinates_source") -> None:
    """Give ``record`` its postcode's coordinates from the directory when none were
    entered; mark entered ones as entered. ``prefix`` names the fields of one of several
    places on a record (``missing_from_`` gives ``missing_from_easting`` ...). Does not
    save."""
    easting_field, northing_field = f"{prefix}easting", f"{prefix}northing"
    easting = getattr(record, easting_field)
    northing = getattr(record, northing_field)
    source = getattr(record, source_field)
    if easting is not None and northing is not None and source != \
            CoordinateSource.POSTCODE_DIRECTORY:
        setattr(record, source_field, CoordinateSource.ENTERED)
        return
    postcode = getattr(record, postcode_field) or ""
    found = grid_references([postcode]).get(postcode) if postcode else None
    if found is None:
        if source == CoordinateSource.POSTCODE_DIRECTORY:
            # The postcode changed to one the directory lacks: its old place is wrong now.
            setattr(record, easting_field, None)
            setattr(record, northing_field, None)
            setattr(record, source_field, "")
        return
    setattr(record, easting_field, found[0])
    setattr(record, northing_field, found[1])
    setattr(record, source_field, CoordinateSource.POSTCODE_DIRECTORY)


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


@cache
def grid_transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def latitude_longitude(easting: float, northing: float) -> tuple[float, float]:
    """A British National Grid point as WGS84 latitude and longitude (degrees)."""
    longitude, latitude = _to_wgs84().transform(easting, northing)
    return float(latitude), float(longitude)


def grid_point(longitude: float, latitude: float) -> tuple[float, float]:
    """A WGS84 point as British National Grid easting and northing (metres)."""
    easting, northing = grid_transformer().transform(longitude, latitude)
    return float(easting), float(northing)


def on_grid(geometry: BaseGeometry) -> BaseGeometry:
    """A WGS84 longitude and latitude geometry projected onto the British National Grid."""
    def project(lon_lat: np.ndarray) -> np.ndarray:
        eastings, northings = grid_transformer().transform(lon_lat[:, 0], lon_lat[:, 1])
        return np.column_stack([eastings, northings])

    return shapely.transform(geometry, project)


@cache
def wgs84_transformer() -> Transformer:
    """British National Grid to WGS84 longitude and latitude (``always_xy``)."""
    return _to_wgs84()
