"""Census 2021 ethnic group by age: the children's (0 to 17) and adults' (18 and over)
populations of each ethnic group, the denominators of the disproportionality rates.

Children are compared with the children of their ethnic group and suspects with its
adults: age profiles differ sharply between ethnic groups, so an all-ages denominator
can make or hide a disproportionality.

The file format is the one the ONS "Create a custom dataset" service downloads for a
Census 2021 table of ethnic group by age (long format, one row per area, age band and
ethnic group; the header, then a row, each shown here over two lines)::

    Lower tier local authorities Code,Lower tier local authorities,Age (23 categories) Code,
      Age (23 categories),Ethnic group (20 categories) Code,Ethnic group (20 categories),Observation
    E06999901,Fictional Borough,1,Aged 2 years and under,
      1,"Asian, Asian British or Asian Welsh: Bangladeshi",123

- the area: a column whose heading ends in ``" Code"`` (the ONS area code) and the
  column with the same heading without it (the area's name), whatever the geography
  ("Lower tier local authorities", "Electoral wards and divisions"...);
- the age band: ``Age (N categories) Code`` and ``Age (N categories)`` (also the
  lettered variants, ``Age (B) (N categories)``); bands are read from their labels
  ("Aged 2 years and under", "Aged 16 to 17 years", "Aged 15 years", "Aged 85 years
  and over"), never from their codes;
- the ethnic group: ``Ethnic group (20 categories) Code`` and ``Ethnic group (20
  categories)``; each label is a detailed group's Census 2021 heading without its
  "Ethnic group: " prefix (so a group added to the code list with its heading is read
  with no change here); "Does not apply" (code -8) must count no one;
- ``Observation``: the number of usual residents.

Every area must have every age band with every detailed ethnic group of the code list,
once. The bands must cover every age from 0 with no gap or overlap and **split at 18**:
a band that holds both 17- and 18-year-olds ("Aged 16 to 24 years", in the six-category
age classification) cannot be divided between children and adults, and the file is
refused (download the table with a finer age classification, e.g. 23 categories).
Areas must already be in the hub (import their TS021 table first): this table adds
populations to known areas, it does not create them.

As with TS021, an import is all-or-nothing: the whole file is checked first, every
problem found (up to ``MAX_PROBLEMS``) is reported by row and column, and nothing is
written unless the file is valid. An area's populations by age from this source are
replaced, never added to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.db import transaction

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_import import UnreadableCsv, csv_records, read_import_file
from macehub.people.census import (
    AREA_CODE,
    MAX_PROBLEMS,
    _areas_by_code,
    _chunks,
    _delimiter,
    _Problems,
    _read_count,
    _records,
)
from macehub.people.codes import CensusAgeGroup
from macehub.people.models import Area, AreaPopulationByAge, EthnicGroup

if TYPE_CHECKING:
    from macehub.accounts.models import User

CENSUS_2021_BY_AGE = "Census 2021 ethnic group by age"
OBSERVATION = "Observation"
CODE_SUFFIX = " Code"
HEADING_PREFIX = "Ethnic group: "
DOES_NOT_APPLY = "Does not apply"
ADULT_AGE = 18

AGE_COLUMN = re.compile(r"^Age (\([A-Z]\) )?\(\d+ categor(y|ies)\)$")
ETHNIC_COLUMN = re.compile(r"^Ethnic group (\([A-Z]\) )?\(\d+ categor(y|ies)\)$")

# Age band labels as the ONS writes them; a band is (youngest, oldest) in whole years,
# the oldest None for "and over".
_AGE_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Aged (\d+) years? and under$"), "under_or"),
    (re.compile(r"^Aged under (\d+) years?$"), "under"),
    (re.compile(r"^Aged (\d+) to (\d+) years?$"), "range"),
    (re.compile(r"^Aged (\d+) years? and over$"), "over"),
    (re.compile(r"^Aged (\d+) years?$"), "single"),
)

Band = tuple[int, int | None]


def age_band(label: str) -> Band | None:
    """The ages a band label covers, or None for a label that is not an age band."""
    for pattern, kind in _AGE_LABELS:
        found = pattern.match(label.strip())
        if not found:
            continue
        first = int(found.group(1))
        if kind == "under_or":
            return 0, first
        if kind == "under":
            return (0, first - 1) if first > 0 else None
        if kind == "range":
            last = int(found.group(2))
            return (first, last) if last >= first else None
        if kind == "over":
            return first, None
        return first, first
    return None


def age_group_of(band: Band) -> CensusAgeGroup | None:
    """Children or adults, or None for a band holding both (it does not split at 18)."""
    first, last = band
    if last is not None and last < ADULT_AGE:
        return CensusAgeGroup.CHILDREN
    if first >= ADULT_AGE:
        return CensusAgeGroup.ADULTS
    return None


def _describe(band: Band) -> str:
    first, last = band
    return f"{first} and over" if last is None else f"{first} to {last}"


@dataclass(frozen=True)
class _Header:
    code: int
    name: int
    age: int
    ethnic_group: int
    observation: int
    width: int
    age_heading: str
    ethnic_heading: str
    code_heading: str


def _read_header(row: int, cells: list[str], problems: _Problems) -> _Header | None:
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if not cell:
            problems.add(row, f"column {index + 1}", "has no heading")
        elif cell in positions:
            problems.add(row, cell, f"appears more than once (columns {positions[cell] + 1} "
                                    f"and {index + 1})")
        else:
            positions[cell] = index
    ages = [h for h in positions if AGE_COLUMN.match(h)]
    ethnic = [h for h in positions if ETHNIC_COLUMN.match(h)]
    areas = [h for h in positions if h.endswith(CODE_SUFFIX)
             and not AGE_COLUMN.match(h[: -len(CODE_SUFFIX)])
             and not ETHNIC_COLUMN.match(h[: -len(CODE_SUFFIX)])]
    if len(ages) != 1:
        problems.add(row, None, "The header needs one age column, e.g. \"Age (23 categories)\", "
                                f"with its \"Age (23 categories){CODE_SUFFIX}\" column; "
                                f"found {len(ages)}")
    if len(ethnic) != 1:
        problems.add(row, None, "The header needs one ethnic group column, \"Ethnic group (20 "
                                f"categories)\", with its code column; found {len(ethnic)}")
    if len(areas) != 1 or areas[0][: -len(CODE_SUFFIX)] not in positions:
        problems.add(row, None, "The header needs the area's code and name, e.g. \"Lower tier "
                                "local authorities Code\" and \"Lower tier local authorities\"")
    if OBSERVATION not in positions:
        problems.add(row, OBSERVATION, "is missing: it holds the number of usual residents")
    if problems.found:
        return None
    age, group, area = ages[0], ethnic[0], areas[0]
    known = {area, area[: -len(CODE_SUFFIX)], age, age + CODE_SUFFIX, group,
             group + CODE_SUFFIX, OBSERVATION}
    for heading in (age + CODE_SUFFIX, group + CODE_SUFFIX):
        if heading not in positions:
            problems.add(row, heading, "is missing: ONS tables give each category's code")
    for heading in positions:
        if heading not in known:
            problems.add(row, heading, "is not a column of a Census 2021 ethnic group by age "
                                       "table (area, age, ethnic group, Observation)")
    if problems.found:
        return None
    return _Header(code=positions[area], name=positions[area[: -len(CODE_SUFFIX)]],
                   age=positions[age], ethnic_group=positions[group],
                   observation=positions[OBSERVATION], width=len(cells), age_heading=age,
                   ethnic_heading=group, code_heading=area)


@dataclass
class _AreaCounts:
    row: int  # the first row of the area in the file
    name: str
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (band label, group)


@dataclass
class _File:
    areas: dict[str, _AreaCounts] = field(default_factory=dict)
    bands: dict[str, Band] = field(default_factory=dict)  # label -> band


def _read_rows(data: bytes, groups: dict[str, EthnicGroup], problems: _Problems) -> _File:
    records = _records(csv_records(data, delimiter=_delimiter))
    found = _File()
    first = next(records, None)
    if first is None:
        problems.add(1, None, "The file is empty")
        return found
    header = _read_header(first[0], first[1], problems)
    if header is None:
        return found
    unreadable: set[str] = set()
    seen: dict[tuple[str, str, str], int] = {}
    for row, cells in records:
        if problems.truncated:
            break
        if len(cells) != header.width:
            problems.add(row, None, f"has {len(cells)} fields but the header has {header.width}")
            continue
        code = cells[header.code].upper()
        name = cells[header.name]
        label = cells[header.age]
        group_label = cells[header.ethnic_group]
        row_ok = True
        if not AREA_CODE.match(code):
            shown = f'"{code}"' if code else "(empty)"
            problems.add(row, header.code_heading, f"{shown} is not an ONS area code (a letter "
                                                   "and eight digits, e.g. E06000016)")
            row_ok = False
        band = found.bands.get(label) or age_band(label)
        if band is None:
            if label not in unreadable:
                problems.add(row, header.age_heading, f'"{label}" is not an age band the hub '
                                                      'can read (e.g. "Aged 16 to 17 years")')
                unreadable.add(label)
            row_ok = False
        elif label not in found.bands:
            found.bands[label] = band
            if age_group_of(band) is None:
                problems.add(row, header.age_heading, (
                    f'"{label}" holds ages {_describe(band)}, so it does not split at 18: '
                    "children (0 to 17) and adults (18 and over) cannot be told apart. "
                    "Download the table with a finer age classification (e.g. Age (23 "
                    "categories))"))
        value = _read_count(cells[header.observation], row, OBSERVATION, problems)
        if value is None:
            row_ok = False
        if group_label == DOES_NOT_APPLY:
            if value:
                problems.add(row, OBSERVATION, f"{value} usual residents are counted under "
                                               f'"{DOES_NOT_APPLY}": every resident should '
                                               "have an ethnic group")
            continue
        if group_label not in groups:
            problems.add(row, header.ethnic_heading, f'"{group_label}" is not a detailed ethnic '
                                                     "group of Census 2021 in the hub's code list")
            row_ok = False
        if not row_ok or value is None:
            continue
        key = (code, label, group_label)
        if key in seen:
            problems.add(row, None, f"{code}, {label}, {group_label} is already on row "
                                    f"{seen[key]}")
            continue
        seen[key] = row
        area = found.areas.setdefault(code, _AreaCounts(row=row, name=name))
        area.counts[(label, group_label)] = value
    if not found.areas and not problems.found:
        problems.add(None, None, "The file has a header but no rows of areas")
    return found


def _check_bands(bands: dict[str, Band], problems: _Problems) -> None:
    """The bands cover every age from 0, once each, the last open-ended."""
    if not bands:
        return
    expected: int | None = 0  # the youngest age not yet covered; None once all are
    for label, (first, last) in sorted(bands.items(), key=lambda item: item[1][0]):
        if expected is None or first < expected:
            problems.add(None, None, f'"{label}" overlaps the age band before it')
        elif first > expected:
            problems.add(None, None, f"No age band covers ages {expected} to {first - 1}")
        expected = None if last is None else last + 1
    if expected is not None:
        problems.add(None, None, f"No age band covers ages {expected} and over")


def _check_complete(found: _File, groups: dict[str, EthnicGroup], problems: _Problems) -> None:
    """Every area has every age band with every ethnic group."""
    for code, area in found.areas.items():
        missing = [(label, group) for label in found.bands for group in groups
                   if (label, group) not in area.counts]
        if missing:
            label, group = missing[0]
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            problems.add(area.row, None, f"{code} has no row for {label}, {group}{more}: every "
                                         "area needs every age band and ethnic group")


@dataclass(frozen=True)
class CensusByAgeSummary:
    file_name: str
    areas: int
    children: int
    adults: int
    populations_written: int

    def __str__(self) -> str:
        return (
            f"Imported {self.file_name}: {self.areas} areas, {self.children:,} children "
            f"(0 to 17) and {self.adults:,} adults (18 and over), "
            f"{self.populations_written:,} populations by ethnic group and age."
        )


def _detailed_groups() -> dict[str, EthnicGroup]:
    """Each detailed group by its label in an ONS custom dataset."""
    return {
        group.census_heading.removeprefix(HEADING_PREFIX): group
        for group in EthnicGroup.objects.exclude(census_heading="")
    }


def import_census_by_age(
    source: Path | str | IO[bytes],
    *,
    actor: User | None,
    file_name: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> CensusByAgeSummary:
    """Import a Census 2021 ethnic group by age file (see the module), all or nothing,
    and audit it. Raises ``CensusImportError`` listing every problem found; nothing is
    written then."""
    data, source_name = read_import_file(source)
    file_name = file_name or source_name
    problems = _Problems(max_problems)
    groups = _detailed_groups()
    try:
        found = _read_rows(data, groups, problems)
    except UnreadableCsv as unreadable:
        problems.add(unreadable.row, unreadable.column, unreadable.message)
        found = _File()
    _check_bands(found.bands, problems)
    _check_complete(found, groups, problems)
    problems.raise_if_any()

    with transaction.atomic():
        known = _areas_by_code(found.areas)
        for code, area in found.areas.items():
            if code not in known:
                problems.add(area.row, None, f"{code} ({area.name}) is not an area in the hub: "
                                             "import its TS021 table first (import_census)")
        problems.raise_if_any()
        totals = {CensusAgeGroup.CHILDREN: 0, CensusAgeGroup.ADULTS: 0}
        rows: list[AreaPopulationByAge] = []
        for code, area in found.areas.items():
            summed: dict[tuple[str, CensusAgeGroup], int] = {}
            for (label, group_label), value in area.counts.items():
                age_group = age_group_of(found.bands[label])
                assert age_group is not None  # noqa: S101 - refused above otherwise
                key = (groups[group_label].code, age_group)
                summed[key] = summed.get(key, 0) + value
            for (group_code, age_group), value in summed.items():
                totals[age_group] += value
                rows.append(AreaPopulationByAge(area=known[code], ethnic_group_id=group_code,
                                                age_group=age_group, population=value,
                                                source=CENSUS_2021_BY_AGE))
        for chunk in _chunks([area.code for area in known.values()]):
            AreaPopulationByAge.objects.filter(
                source=CENSUS_2021_BY_AGE, area__code__in=chunk).delete()
        AreaPopulationByAge.objects.bulk_create(rows, batch_size=2_000)
        summary = CensusByAgeSummary(
            file_name=file_name, areas=len(found.areas),
            children=totals[CensusAgeGroup.CHILDREN], adults=totals[CensusAgeGroup.ADULTS],
            populations_written=len(rows),
        )
        record_event(
            event_type=EventType.IMPORT, actor=actor, record_type="people.area",
            detail={"file": file_name, "source": CENSUS_2021_BY_AGE, "areas": summary.areas,
                    "age_bands": sorted(found.bands, key=lambda lb: found.bands[lb][0]),
                    "children": summary.children, "adults": summary.adults},
        )
    return summary


@dataclass(frozen=True)
class AgeGroupLine:
    """A high-level ethnic group's children (0 to 17) and adults (18 and over)."""

    name: str
    children: int
    adults: int


def census_by_age_breakdown(area: Area) -> list[AgeGroupLine]:
    """The area's children and adults by high-level ethnic group, in the order of the
    census question (empty when no ethnic group by age table is loaded for it)."""
    rows = (AreaPopulationByAge.objects.filter(area=area, source=CENSUS_2021_BY_AGE)
            .select_related("ethnic_group__family").order_by("ethnic_group__sort_order"))
    lines: dict[str, dict[str, int]] = {}
    for row in rows:
        group = row.ethnic_group
        name = group.family.name if group.family else group.name
        line = lines.setdefault(name, {CensusAgeGroup.CHILDREN: 0, CensusAgeGroup.ADULTS: 0})
        line[row.age_group] += row.population
    return [AgeGroupLine(name, line[CensusAgeGroup.CHILDREN], line[CensusAgeGroup.ADULTS])
            for name, line in lines.items()]

