"""Census 2021 ethnic group populations (ONS table TS021): the denominators of every rate.

``import_census_ts021`` reads TS021 as Nomis publishes it in bulk (one row per area:
``date``, ``geography``, ``geography code``, then one column per ethnic group category
named by its full heading) and stores each area's total and its population in every
detailed ethnic group. Column headings are matched against the ethnic group code list
in the database, so a group added to the list (with its census heading) is read without
any change here.

An import is all-or-nothing: the whole file is checked first, every problem found (up to
``MAX_PROBLEMS``) is reported with its row and column, and nothing is written unless the
file is valid. The file is read through ``macehub.core.csv_import``, so one that is not
UTF-8, holds a NUL byte or a field too long to read is reported the same way, by row and
column. ``census_breakdown`` reads one area's populations back for display.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.db import transaction

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_import import (
    CsvRecord,
    FileNotImported,
    ProblemList,
    RowProblem,
    UnreadableCsv,
    csv_records,
    read_import_file,
)
from macehub.people.codes import AreaKind
from macehub.people.models import Area, AreaPopulation, EthnicGroup, EthnicGroupFamily

if TYPE_CHECKING:
    from macehub.accounts.models import User

CENSUS_2021_TS021 = "Census 2021 TS021"
DATE_COLUMN = "date"
NAME_COLUMN = "geography"
CODE_COLUMN = "geography code"
TOTAL_HEADING = "Ethnic group: Total: All usual residents"
# Some Nomis downloads add this to every count column's heading.
MEASURE_SUFFIX = "; measures: Value"

MAX_PROBLEMS = 100
# Comfortably under SQLite's limit on parameters in one statement.
_QUERY_CHUNK = 500
_UPDATE_BATCH = 100  # bulk_update's CASE WHEN grows with the batch; small batches are faster
_LARGEST_COUNT = 2_147_483_647  # the largest value every database stores in the column
_NAME_LIMIT = Area._meta.get_field("name").max_length or 200

# ONS area codes: a country letter and eight digits, e.g. E06000016.
AREA_CODE = re.compile(r"^[EWSNK]\d{8}$")

# The kind of a new area, told by the entity part of its ONS code when not given.
KIND_BY_ENTITY: dict[str, AreaKind] = {
    "E92": AreaKind.COUNTRY,
    "W92": AreaKind.COUNTRY,
    "K04": AreaKind.COUNTRY,
    "E12": AreaKind.REGION,
    "E10": AreaKind.COUNTY,
    "E11": AreaKind.COUNTY,
    "E06": AreaKind.DISTRICT,
    "E07": AreaKind.DISTRICT,
    "E08": AreaKind.DISTRICT,
    "E09": AreaKind.DISTRICT,
    "W06": AreaKind.DISTRICT,
    "E05": AreaKind.WARD,
    "W05": AreaKind.WARD,
    "E02": AreaKind.MSOA,
    "W02": AreaKind.MSOA,
    "E01": AreaKind.LSOA,
    "W01": AreaKind.LSOA,
}


# --- Problems -------------------------------------------------------------------------


# A problem with a census file: the core's, as every importer reports them.
CensusProblem = RowProblem


class CensusImportError(FileNotImported):
    """The census file was not imported. ``problems`` lists what was wrong with it."""


class _Problems(ProblemList):
    refusal = CensusImportError


# --- The columns the hub knows ---------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """The TS021 headings in the ethnic group code list, with what each one counts."""

    families: dict[str, EthnicGroupFamily]
    groups: dict[str, EthnicGroup]
    # Each high-level group's heading, with the headings of its detailed groups.
    members: dict[str, list[str]]
    counted: list[str]
    required: list[str]

    @classmethod
    def from_code_list(cls) -> _Columns:
        families = {f.census_heading: f for f in EthnicGroupFamily.objects.all()}
        groups = {g.census_heading: g for g in EthnicGroup.objects.exclude(census_heading="")}
        heading_of = {family.code: heading for heading, family in families.items()}
        members: dict[str, list[str]] = {heading: [] for heading in families}
        for heading, group in groups.items():
            if group.family_id in heading_of:
                members[heading_of[group.family_id]].append(heading)
        counted = [TOTAL_HEADING, *families, *groups]
        return cls(
            families=families,
            groups=groups,
            members=members,
            counted=counted,
            required=[DATE_COLUMN, NAME_COLUMN, CODE_COLUMN, *counted],
        )


@dataclass
class _AreaRow:
    row: int
    code: str
    name: str
    counts: dict[str, int]  # by heading

    @property
    def total(self) -> int:
        return self.counts[TOTAL_HEADING]


# --- Reading the file ------------------------------------------------------------------


def _delimiter(header_line: str) -> str:
    """Nomis files are comma-separated; some copies use "|". No TS021 heading contains a
    pipe, so one in the header line settles it."""
    return "|" if "|" in header_line else ","


def _records(records: Iterable[CsvRecord]) -> Iterator[tuple[int, list[str]]]:
    """Each record's row and its cells, trimmed. Empty cells at the end of a record (a
    trailing delimiter, as spreadsheets may add) go."""
    for record in records:
        cells = [cell.strip() for cell in record.cells]
        while cells and not cells[-1]:
            cells.pop()
        yield record.row, cells


def _heading(cell: str) -> str:
    if cell.endswith(MEASURE_SUFFIX):
        return cell[: -len(MEASURE_SUFFIX)].rstrip()
    return cell


def _read_header(
    row: int, cells: list[str], columns: _Columns, problems: _Problems
) -> dict[str, int]:
    known = set(columns.required)
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        heading = _heading(cell)
        if not heading:
            problems.add(row, f"column {index + 1}", "has no heading")
        elif heading in positions:
            problems.add(
                row, heading,
                f"appears more than once (columns {positions[heading] + 1} and {index + 1})",
            )
        elif heading not in known:
            problems.add(
                row, heading,
                "is not a Census 2021 TS021 heading in the hub's ethnic group code list",
            )
        else:
            positions[heading] = index
    for heading in columns.required:
        if heading not in positions:
            problems.add(row, heading, "is missing: TS021 files have this column")
    return positions


def _read_count(cell: str, row: int, heading: str, problems: _Problems) -> int | None:
    if cell.startswith("-") and cell[1:].isdigit():
        problems.add(row, heading, f"{cell} is negative: a count of people must be 0 or more")
        return None
    if not (cell.isascii() and cell.isdigit()):
        shown = f'"{cell}"' if cell else "(empty)"
        problems.add(row, heading, f"{shown} is not a whole number")
        return None
    value = int(cell)
    if value > _LARGEST_COUNT:
        problems.add(row, heading, f"{cell} is too large to be a count of residents")
        return None
    return value


def _check_sums(area: _AreaRow, columns: _Columns, problems: _Problems) -> None:
    for family, members in columns.members.items():
        detailed_sum = sum(area.counts[heading] for heading in members)
        if area.counts[family] != detailed_sum:
            problems.add(
                area.row, family,
                f"is {area.counts[family]} but its detailed groups add up to {detailed_sum}",
            )
    families_sum = sum(area.counts[heading] for heading in columns.families)
    if area.total != families_sum:
        problems.add(
            area.row, TOTAL_HEADING,
            f"is {area.total} but the high-level ethnic groups add up to {families_sum}",
        )


def _read_areas(data: bytes, columns: _Columns, problems: _Problems) -> list[_AreaRow]:
    records = _records(csv_records(data, delimiter=_delimiter))
    first = next(records, None)
    if first is None:
        problems.add(1, None, "The file is empty")
        return []
    header_row, header = first
    positions = _read_header(header_row, header, columns, problems)
    if problems.found:
        return []  # rows cannot be read against a header that is wrong
    areas: list[_AreaRow] = []
    first_row_of: dict[str, int] = {}
    for row, cells in records:
        if problems.truncated:
            break
        if len(cells) != len(header):
            problems.add(
                row, None, f"has {len(cells)} fields but the header has {len(header)}"
            )
            continue
        code = cells[positions[CODE_COLUMN]].upper()
        name = cells[positions[NAME_COLUMN]]
        row_ok = True
        if not AREA_CODE.match(code):
            shown = f'"{code}"' if code else "(empty)"
            problems.add(
                row, CODE_COLUMN,
                f"{shown} is not an ONS area code (a letter and eight digits, e.g. E06000016)",
            )
            row_ok = False
        elif code in first_row_of:
            problems.add(row, CODE_COLUMN, f"{code} is already on row {first_row_of[code]}")
            row_ok = False
        else:
            first_row_of[code] = row
        if not name:
            problems.add(row, NAME_COLUMN, "is empty: every area needs its name")
            row_ok = False
        elif len(name) > _NAME_LIMIT:
            problems.add(row, NAME_COLUMN, "is longer than an area name can be")
            row_ok = False
        counts: dict[str, int] = {}
        for heading in columns.counted:
            value = _read_count(cells[positions[heading]], row, heading, problems)
            if value is None:
                row_ok = False
            else:
                counts[heading] = value
        if not row_ok:
            continue
        area = _AreaRow(row=row, code=code, name=name, counts=counts)
        _check_sums(area, columns, problems)
        areas.append(area)
    if not areas and not problems.found:
        problems.add(None, None, "The file has a header but no rows of areas")
    return areas


# --- Matching the file's areas to the hub's --------------------------------------------


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _QUERY_CHUNK):
        yield values[start : start + _QUERY_CHUNK]


def _areas_by_code(codes: Iterable[str]) -> dict[str, Area]:
    found: dict[str, Area] = {}
    for chunk in _chunks(list(codes)):
        found.update((a.code, a) for a in Area.objects.filter(code__in=chunk))
    return found


@dataclass
class _Placement:
    """Where the file's areas go: the parent they are placed under (None when none was
    given or it is new and in the file) and the kind of each area new to the hub."""

    parent: Area | None
    new_kinds: dict[str, AreaKind]


def _place_areas(
    areas: list[_AreaRow],
    existing: dict[str, Area],
    *,
    kind: AreaKind | None,
    parent_code: str | None,
    problems: _Problems,
) -> _Placement:
    row_of = {area.code: area.row for area in areas}
    parent: Area | None = None
    if parent_code:
        parent = Area.objects.filter(code=parent_code).first()
        if parent is None and parent_code not in row_of:
            problems.add(
                None, None,
                f"The parent area {parent_code} is neither in the hub nor in this file",
            )
        # Placing an area under its own descendant would make a loop.
        ancestor = parent.parent if parent else None
        while ancestor is not None:
            if ancestor.code in row_of:
                problems.add(
                    row_of[ancestor.code], CODE_COLUMN,
                    f"{ancestor.code} contains the parent area {parent_code}, so it cannot "
                    "also be placed under it",
                )
            ancestor = ancestor.parent
    new_kinds: dict[str, AreaKind] = {}
    for area in areas:
        if area.code in existing:
            continue
        # --kind describes the areas under the parent, not the parent itself.
        area_kind = (kind if area.code != parent_code else None) or KIND_BY_ENTITY.get(
            area.code[:3]
        )
        if area_kind is None:
            problems.add(
                area.row, CODE_COLUMN,
                f"{area.code} is a new area and its kind cannot be told from its code; "
                "give the kind (for example --kind district)",
            )
        else:
            new_kinds[area.code] = area_kind
    return _Placement(parent=parent, new_kinds=new_kinds)


# --- Importing -------------------------------------------------------------------------


@dataclass(frozen=True)
class CensusImportSummary:
    """What an import did. ``people_counted`` counts each resident once, even when the
    file holds a parent area as well as the areas within it."""

    file_name: str
    rows: int
    areas_created: int
    areas_updated: int
    people_counted: int
    populations_written: int

    def __str__(self) -> str:
        return (
            f"Imported {self.file_name}: {self.rows} areas "
            f"({self.areas_created} new, {self.areas_updated} updated), "
            f"{self.people_counted:,} usual residents, "
            f"{self.populations_written:,} ethnic group populations."
        )


def import_census_ts021(
    source: Path | str | IO[bytes],
    *,
    actor: User | None,
    kind: AreaKind | None = None,
    parent_code: str | None = None,
    file_name: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> CensusImportSummary:
    """Import a Census 2021 TS021 file, all or nothing, and audit it.

    ``kind`` and ``parent_code`` describe the areas in the file (the parent itself
    excepted, when the file holds it too). When they are not given, an area already in
    the hub keeps its kind and parent, and a new area's kind is told from its ONS code.
    Each area's populations from TS021 are replaced, never added to.

    Raises ``CensusImportError`` listing every problem found (up to ``max_problems``);
    nothing is written then.
    """
    data, source_name = read_import_file(source)
    file_name = file_name or source_name
    parent_code = parent_code.strip().upper() if parent_code else None
    problems = _Problems(max_problems)
    columns = _Columns.from_code_list()
    try:
        areas = _read_areas(data, columns, problems)
    except UnreadableCsv as unreadable:
        # Reported beside what the rows before it showed; the rest cannot be read.
        problems.add(unreadable.row, unreadable.column, unreadable.message)
        areas = []
    problems.raise_if_any()

    # The file is sound; what remains depends on the areas already in the hub.
    with transaction.atomic():
        existing = _areas_by_code(area.code for area in areas)
        placement = _place_areas(
            areas, existing, kind=kind, parent_code=parent_code, problems=problems
        )
        problems.raise_if_any()
        created, updated = _save_areas(
            areas, existing, placement, kind=kind, parent_code=parent_code
        )
        populations_written = _replace_populations(areas, columns)
        # A parent in the file holds the same people as the areas under it.
        counted = [area for area in areas if area.code != parent_code] or areas
        summary = CensusImportSummary(
            file_name=file_name,
            rows=len(areas),
            areas_created=created,
            areas_updated=updated,
            people_counted=sum(area.total for area in counted),
            populations_written=populations_written,
        )
        record_event(
            event_type=EventType.IMPORT,
            actor=actor,
            record_type="people.area",
            detail={
                "file": file_name,
                "source": CENSUS_2021_TS021,
                "rows": summary.rows,
                "areas": {"created": created, "updated": updated},
                "people_counted": summary.people_counted,
                "kind": kind.value if kind else None,
                "parent": parent_code,
            },
        )
    return summary


def _save_areas(
    areas: list[_AreaRow],
    existing: dict[str, Area],
    placement: _Placement,
    *,
    kind: AreaKind | None,
    parent_code: str | None,
) -> tuple[int, int]:
    """Create the new areas and update the known ones; return how many of each."""
    by_code = {area.code: area for area in areas}
    parent = placement.parent
    created = 0
    if parent_code and parent is None:
        # The parent is new and in the file: create it first so the others can point to it.
        row = by_code[parent_code]
        parent = Area.objects.create(
            code=row.code, name=row.name, kind=placement.new_kinds[row.code],
            census_total=row.total,
        )
        created = 1
    new_areas = [
        Area(
            code=area.code,
            name=area.name,
            kind=placement.new_kinds[area.code],
            parent=parent,
            census_total=area.total,
        )
        for area in areas
        if area.code not in existing and area.code != parent_code
    ]
    Area.objects.bulk_create(new_areas, batch_size=_QUERY_CHUNK)
    created += len(new_areas)

    known = [existing[area.code] for area in areas if area.code in existing]
    changed: list[Area] = []
    fields = {"name", "census_total"}
    for record in known:
        area = by_code[record.code]
        before = (record.name, record.census_total, record.kind, record.parent_id)
        record.name = area.name
        record.census_total = area.total
        if record.code != parent_code:
            if kind is not None:
                record.kind = kind
                fields.add("kind")
            if parent is not None:
                record.parent = parent
                fields.add("parent")
        if (record.name, record.census_total, record.kind, record.parent_id) != before:
            changed.append(record)
    # Only rows that changed: bulk_update is slow on a whole LSOA file re-imported.
    Area.objects.bulk_update(changed, sorted(fields), batch_size=_UPDATE_BATCH)
    return created, len(known)


def _replace_populations(areas: list[_AreaRow], columns: _Columns) -> int:
    # Read the ids back rather than trust bulk_create to set them: not every database does.
    area_ids: dict[str, int] = {}
    for chunk in _chunks([area.code for area in areas]):
        area_ids.update(Area.objects.filter(code__in=chunk).values_list("code", "pk"))
    group_codes = {heading: group.code for heading, group in columns.groups.items()}
    written = 0
    for start in range(0, len(areas), _QUERY_CHUNK):
        batch = areas[start : start + _QUERY_CHUNK]
        AreaPopulation.objects.filter(
            source=CENSUS_2021_TS021, area_id__in=[area_ids[area.code] for area in batch]
        ).delete()
        populations = [
            AreaPopulation(
                area_id=area_ids[area.code],
                ethnic_group_id=group_code,
                population=area.counts[heading],
                source=CENSUS_2021_TS021,
            )
            for area in batch
            for heading, group_code in group_codes.items()
        ]
        AreaPopulation.objects.bulk_create(populations, batch_size=2_000)
        written += len(populations)
    return written


# --- Reading back ----------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationLine:
    name: str
    population: int
    percent: float | None  # of all usual residents of the area


@dataclass(frozen=True)
class GroupPopulations:
    """A high-level ethnic group's population, with its detailed groups'."""

    line: PopulationLine
    detailed: list[PopulationLine]


def census_breakdown(area: Area) -> list[GroupPopulations]:
    """The area's usual residents by high-level and detailed ethnic group, in the order
    of the census question (White, Mixed, Asian, Black, Other)."""
    rows = (
        AreaPopulation.objects.filter(area=area, source=CENSUS_2021_TS021)
        .select_related("ethnic_group__family")
        .order_by("ethnic_group__sort_order")
    )
    total = area.census_total or sum(row.population for row in rows)

    def line(name: str, population: int) -> PopulationLine:
        return PopulationLine(name, population, 100 * population / total if total else None)

    families: dict[str, tuple[str, list[AreaPopulation]]] = {}
    for row in rows:
        group = row.ethnic_group
        # A group outside the five high-level groups stands on its own line.
        key, name = (group.family.code, group.family.name) if group.family else (
            group.code, group.name
        )
        families.setdefault(key, (name, []))[1].append(row)
    return [
        GroupPopulations(
            line=line(name, sum(row.population for row in members)),
            detailed=[line(row.ethnic_group.name, row.population) for row in members]
            if members[0].ethnic_group.family_id
            else [],
        )
        for name, members in families.values()
    ]
