"""The fictional county of Northshire: its districts and neighbourhoods, and invented
census populations by ethnic group written as a Census 2021 TS021 file and loaded
through the hub's own ``import_census`` command.

Nothing here is a real place or a real count:
- ONS-style area codes use "999" where real codes have a running number (E10999901
  county, E07999901... districts, E05999001... wards), a block no real area uses;
- postcodes use outward codes starting with X (``XB3``, ``XS12``...); no UK postcode
  area starts with X, yet they pass the hub's postcode format check;
- each district's ethnic mix is invented: one much larger South Asian population, one
  more Black Caribbean and African, a coastal town with a larger Other White (Eastern
  European) population, and rural districts that are mostly White British. Wards vary
  around their district's mix, so disproportionality has local denominators to use;
- each group's age profile is invented too (``CHILD_SHARE``): the Mixed, Pakistani,
  Bangladeshi and Black African populations are younger, the White British and Black
  Caribbean ones older. Every area's populations are split into age bands and written
  as a Census 2021 ethnic group by age file (the ONS custom dataset format, see
  ``macehub.people.census_by_age``) loaded through ``import_census_by_age``, so rates
  for children divide by children and rates for suspects by adults.
"""

from __future__ import annotations

import csv
import io
import math
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db.models import Q

from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext
from macehub.people.codes import AreaKind
from macehub.people.models import Area, EthnicGroup, EthnicGroupFamily, PersonAddress

COUNTY_CODE = "E10999901"
COUNTY_NAME = "Northshire"
# ONS entity codes of the demo's areas, with "999" where real codes have a number.
DEMO_AREA_CODE_PREFIXES = ("E10999", "E07999", "E05999")
TS021_DATE = "2021"
TOTAL_HEADING = "Ethnic group: Total: All usual residents"

# The share of each group's usual residents aged 0 to 17 (invented, in the range of
# England's); groups not listed have DEFAULT_CHILD_SHARE.
CHILD_SHARE: dict[str, float] = {
    "W1": 0.19, "W2": 0.10, "W3": 0.30, "W4": 0.28, "W9": 0.20,
    "M1": 0.48, "M2": 0.42, "M3": 0.46, "M9": 0.40,
    "A1": 0.22, "A2": 0.33, "A3": 0.33, "A4": 0.13, "A9": 0.24,
    "B1": 0.16, "B2": 0.31, "B9": 0.30, "O2": 0.28, "O9": 0.22,
}
DEFAULT_CHILD_SHARE = 0.21
# Age bands of the synthetic table (labels as ONS writes them) and the share of the
# children's or adults' population each holds.
CHILD_BANDS = (("Aged 4 years and under", 5), ("Aged 5 to 9 years", 5),
               ("Aged 10 to 14 years", 5), ("Aged 15 years", 1), ("Aged 16 to 17 years", 2))
ADULT_BANDS = (("Aged 18 to 24 years", 8), ("Aged 25 to 49 years", 30),
               ("Aged 50 to 64 years", 18), ("Aged 65 years and over", 16))
AGE_CLASSIFICATION = f"Age ({len(CHILD_BANDS) + len(ADULT_BANDS)} categories)"
ETHNIC_CLASSIFICATION = "Ethnic group (20 categories)"
DOES_NOT_APPLY = ("-8", "Does not apply")

# A ward name is its district's name and one of these.
WARD_SUFFIXES = (
    "Central", "North", "South", "East", "West", "Park", "Moor", "Bridge", "Green", "Hill",
    "Vale", "Rise", "Common", "Fields", "Heath", "Castle", "Abbey", "Riverside", "Market",
    "Meadows", "Grange", "Wood", "Brook", "Cross", "Gate", "Mill", "Church", "Priory",
    "Lowfield", "Highfield", "Netherton", "Upperby", "Oakwood", "Ashgrove", "Larkhill",
    "Fernlea", "Marsh", "Quay", "Sands", "Harbour",
)


@dataclass(frozen=True)
class DistrictProfile:
    """One fictional district: where it sits, how many live there, and its ethnic mix
    (relative weights per self-defined ethnic group code; they need not add to 100)."""

    code: str
    name: str
    postcode_area: str
    population_share: float
    character: str
    ethnic_mix: dict[str, float]


# Shares are percentages of usual residents, invented to be plausible for England.
DISTRICTS: tuple[DistrictProfile, ...] = (
    DistrictProfile(
        "E07999901", "Brackenford", "XB", 0.24,
        "urban, with a large South Asian (mainly Pakistani and Bangladeshi) population",
        {"W1": 56.0, "W2": 0.5, "W3": 0.1, "W4": 0.3, "W9": 3.5, "M1": 0.9, "M2": 0.3,
         "M3": 1.4, "M9": 0.6, "A1": 5.5, "A2": 20.5, "A3": 5.0, "A4": 0.6, "A9": 1.4,
         "B1": 0.6, "B2": 1.2, "B9": 0.3, "O2": 0.6, "O9": 0.7},
    ),
    DistrictProfile(
        "E07999902", "Stennock", "XS", 0.21,
        "urban, with larger Black Caribbean, Black African and Mixed populations",
        {"W1": 64.0, "W2": 0.9, "W3": 0.1, "W4": 0.2, "W9": 4.5, "M1": 3.2, "M2": 1.1,
         "M3": 1.2, "M9": 1.2, "A1": 3.0, "A2": 1.5, "A3": 0.5, "A4": 1.0, "A9": 1.2,
         "B1": 6.5, "B2": 7.0, "B9": 1.8, "O2": 0.5, "O9": 0.6},
    ),
    DistrictProfile(
        "E07999903", "Fellmouth", "XF", 0.16,
        "a coastal town with a larger Other White (Eastern European) population",
        {"W1": 82.0, "W2": 0.6, "W3": 0.4, "W4": 1.0, "W9": 9.5, "M1": 0.6, "M2": 0.3,
         "M3": 0.7, "M9": 0.5, "A1": 0.8, "A2": 0.3, "A3": 0.3, "A4": 0.9, "A9": 0.7,
         "B1": 0.2, "B2": 0.7, "B9": 0.1, "O2": 0.2, "O9": 0.3},
    ),
    DistrictProfile(
        "E07999904", "Norbridge", "XN", 0.19,
        "the county town, with a university: a broad mix including Chinese and Arab",
        {"W1": 76.0, "W2": 0.9, "W3": 0.1, "W4": 0.1, "W9": 6.0, "M1": 1.0, "M2": 0.5,
         "M3": 1.5, "M9": 0.9, "A1": 3.2, "A2": 1.3, "A3": 0.6, "A4": 2.8, "A9": 1.6,
         "B1": 0.6, "B2": 1.6, "B9": 0.3, "O2": 0.9, "O9": 0.9},
    ),
    DistrictProfile(
        "E07999905", "Ashdale", "XA", 0.11,
        "rural, mostly White British",
        {"W1": 94.5, "W2": 0.5, "W3": 0.3, "W4": 0.05, "W9": 2.2, "M1": 0.3, "M2": 0.1,
         "M3": 0.4, "M9": 0.3, "A1": 0.4, "A2": 0.1, "A3": 0.05, "A4": 0.3, "A9": 0.2,
         "B1": 0.05, "B2": 0.1, "B9": 0.05, "O2": 0.05, "O9": 0.1},
    ),
    DistrictProfile(
        "E07999906", "Kestleby", "XK", 0.09,
        "rural, mostly White British, with a Gypsy and Irish Traveller community",
        {"W1": 94.0, "W2": 0.6, "W3": 0.9, "W4": 0.05, "W9": 2.0, "M1": 0.3, "M2": 0.1,
         "M3": 0.3, "M9": 0.3, "A1": 0.3, "A2": 0.1, "A3": 0.05, "A4": 0.3, "A9": 0.2,
         "B1": 0.05, "B2": 0.1, "B9": 0.05, "O2": 0.05, "O9": 0.1},
    ),
)

# How much a ward's share of each group may differ from its district's (log scale):
# minority groups cluster in some wards; the White British share moves less.
WARD_MIX_SPREAD = 0.5
WARD_MIX_SPREAD_LARGEST_GROUP = 0.08


@dataclass(frozen=True)
class Neighbourhood:
    """A ward of the demo county, as later steps need it (no query needed)."""

    area_id: int
    code: str
    name: str
    district_code: str
    town: str
    outward_code: str


@dataclass(frozen=True)
class CensusRow:
    """One area's usual residents by detailed ethnic group code (TS021)."""

    code: str
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def ward_code(district_number: int, ward_number: int, per_district: int) -> str:
    return f"E05999{(district_number - 1) * per_district + ward_number:03d}"


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split a whole number in proportion to weights, by largest remainder, so the parts
    add up exactly to the total."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    parts = [math.floor(x) for x in exact]
    short = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[:short]:
        parts[i] += 1
    return parts


def invent_populations(
    rng: random.Random, group_codes: Sequence[str], *, county_population: int,
    wards_per_district: int,
) -> tuple[CensusRow, list[CensusRow], dict[str, list[CensusRow]]]:
    """The county, district and ward rows. Wards are invented first and added up, so
    every level agrees exactly with the level below it."""
    district_totals = apportion(county_population, [d.population_share for d in DISTRICTS])
    districts: list[CensusRow] = []
    wards_of: dict[str, list[CensusRow]] = {}
    for number, (district, district_total) in enumerate(
        zip(DISTRICTS, district_totals, strict=True), start=1
    ):
        ward_sizes = apportion(
            district_total, [rng.uniform(0.6, 1.4) for _ in range(wards_per_district)]
        )
        wards = []
        for ward_number, ward_total in enumerate(ward_sizes, start=1):
            largest = max(district.ethnic_mix, key=lambda code: district.ethnic_mix[code])
            weights = [
                district.ethnic_mix.get(code, 0.0) * math.exp(rng.gauss(
                    0, WARD_MIX_SPREAD_LARGEST_GROUP if code == largest else WARD_MIX_SPREAD
                ))
                for code in group_codes
            ]
            counts = dict(zip(group_codes, apportion(ward_total, weights), strict=True))
            suffix = WARD_SUFFIXES[ward_number - 1]
            wards.append(
                CensusRow(
                    code=ward_code(number, ward_number, wards_per_district),
                    name=f"{district.name} {suffix}",
                    counts=counts,
                )
            )
        wards_of[district.code] = wards
        districts.append(CensusRow(district.code, district.name, _add_up(wards, group_codes)))
    county = CensusRow(COUNTY_CODE, COUNTY_NAME, _add_up(districts, group_codes))
    return county, districts, wards_of


def _add_up(rows: Sequence[CensusRow], group_codes: Sequence[str]) -> dict[str, int]:
    return {code: sum(row.counts[code] for row in rows) for code in group_codes}


def ts021_csv(rows: Sequence[CensusRow]) -> str:
    """Rows as a TS021 file in Nomis's bulk format: ``date``, ``geography``, ``geography
    code``, the total, then each high-level group followed by its detailed groups, every
    heading as in the ethnic group code list."""
    families = list(EthnicGroupFamily.objects.order_by("code"))
    groups = list(EthnicGroup.objects.exclude(census_heading="").order_by("sort_order"))
    by_family: dict[str, list[EthnicGroup]] = {family.code: [] for family in families}
    for group in groups:
        if group.family_id is not None:
            by_family[group.family_id].append(group)
    families.sort(key=lambda f: min((g.sort_order for g in by_family[f.code]), default=0))

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["date", "geography", "geography code", TOTAL_HEADING]
    for family in families:
        header.append(family.census_heading)
        header += [group.census_heading for group in by_family[family.code]]
    writer.writerow(header)
    for row in rows:
        cells: list[object] = [TS021_DATE, row.name, row.code, row.total]
        for family in families:
            members = by_family[family.code]
            cells.append(sum(row.counts.get(group.code, 0) for group in members))
            cells += [row.counts.get(group.code, 0) for group in members]
        writer.writerow(cells)
    return buffer.getvalue()


AgeSplit = dict[str, list[int]]  # by ethnic group code: the count in each age band


def split_by_age(row: CensusRow) -> AgeSplit:
    """Each group's children are ``CHILD_SHARE`` of it, split across the children's
    bands; the rest across the adults' bands; every part a whole number, adding up."""
    split: AgeSplit = {}
    for code, number in row.counts.items():
        children = round(number * CHILD_SHARE.get(code, DEFAULT_CHILD_SHARE))
        split[code] = (apportion(children, [w for _, w in CHILD_BANDS])
                       + apportion(number - children, [w for _, w in ADULT_BANDS]))
    return split


def add_up_splits(splits: Sequence[AgeSplit]) -> AgeSplit:
    return {code: [sum(parts) for parts in zip(*(s[code] for s in splits), strict=True)]
            for code in splits[0]}


def by_age_csv(rows: Sequence[tuple[CensusRow, AgeSplit]]) -> str:
    """Areas by age band and ethnic group, as a Census 2021 ethnic group by age file in
    the ONS custom dataset layout: area code and name, age band code and label, ethnic
    group code and label, Observation."""
    groups = list(EthnicGroup.objects.exclude(census_heading="").order_by("sort_order"))
    bands = [*CHILD_BANDS, *ADULT_BANDS]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([
        "Electoral wards and divisions Code", "Electoral wards and divisions",
        f"{AGE_CLASSIFICATION} Code", AGE_CLASSIFICATION,
        f"{ETHNIC_CLASSIFICATION} Code", ETHNIC_CLASSIFICATION, "Observation",
    ])
    for row, split in rows:
        for band_number, (label, _) in enumerate(bands, start=1):
            for group_number, group in enumerate(groups, start=1):
                writer.writerow([
                    row.code, row.name, band_number, label, group_number,
                    group.census_heading.removeprefix("Ethnic group: "),
                    split.get(group.code, [0] * len(bands))[band_number - 1],
                ])
            writer.writerow([row.code, row.name, band_number, label, *DOES_NOT_APPLY, 0])
    return buffer.getvalue()


def load_census_by_age(text: str, *, file_name: str, progress: Progress) -> None:
    """Load an ethnic group by age text through ``import_census_by_age``, from a
    temporary file removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="macehub-demo-census-") as folder:
        path = Path(folder) / file_name
        path.write_text(text, encoding="utf-8")
        output = io.StringIO()
        call_command("import_census_by_age", str(path), stdout=output)
        for line in output.getvalue().splitlines():
            if line.strip():
                progress.write(f"    {line.strip()}")


def load_ts021(
    text: str, *, file_name: str, kind: AreaKind, parent: str | None, progress: Progress
) -> None:
    """Load a TS021 text through ``import_census``, from a temporary file that is
    removed afterwards whatever happens."""
    with tempfile.TemporaryDirectory(prefix="macehub-demo-census-") as folder:
        path = Path(folder) / file_name
        path.write_text(text, encoding="utf-8")
        output = io.StringIO()
        options: dict[str, object] = {"kind": kind.value, "stdout": output}
        if parent:
            options["parent"] = parent
        call_command("import_census", str(path), **options)
        for line in output.getvalue().splitlines():
            if line.strip():
                progress.write(f"    {line.strip()}")


def create_areas(ctx: DemoContext) -> None:
    group_codes = list(
        EthnicGroup.objects.exclude(census_heading="")
        .order_by("sort_order")
        .values_list("code", flat=True)
    )
    county, districts, wards_of = invent_populations(
        ctx.rng, group_codes, county_population=ctx.scale.county_population,
        wards_per_district=ctx.scale.neighbourhoods_per_district,
    )
    load_ts021(
        ts021_csv([county, *districts]), file_name="census2021-ts021-northshire-ltla.csv",
        kind=AreaKind.DISTRICT, parent=COUNTY_CODE, progress=ctx.progress,
    )
    for district in DISTRICTS:
        load_ts021(
            ts021_csv(wards_of[district.code]),
            file_name=f"census2021-ts021-{district.name.lower()}-wards.csv",
            kind=AreaKind.WARD, parent=district.code, progress=ctx.progress,
        )
    # Split ward by ward and added up, so each level agrees with the level below it.
    by_age: list[tuple[CensusRow, AgeSplit]] = []
    district_splits: list[tuple[CensusRow, AgeSplit]] = []
    for district_row in districts:
        ward_splits = [(ward, split_by_age(ward)) for ward in wards_of[district_row.code]]
        by_age += ward_splits
        district_splits.append((district_row, add_up_splits([s for _, s in ward_splits])))
    county_split = add_up_splits([s for _, s in district_splits])
    load_census_by_age(
        by_age_csv([(county, county_split), *district_splits, *by_age]),
        file_name="census2021-ethnic-group-by-age-northshire.csv", progress=ctx.progress,
    )
    ctx.neighbourhoods = neighbourhoods()
    ctx.count("areas", 1 + len(districts) + len(ctx.neighbourhoods))


def neighbourhoods() -> list[Neighbourhood]:
    """The demo county's wards as loaded, each with its town and postcode district."""
    districts = {district.code: district for district in DISTRICTS}
    found: list[Neighbourhood] = []
    wards = Area.objects.filter(
        kind=AreaKind.WARD, parent__code__in=list(districts)
    ).select_related("parent").order_by("code")
    for ward in wards:
        assert ward.parent is not None  # noqa: S101 - filtered on the parent above
        district = districts[ward.parent.code]
        siblings_before = sum(1 for n in found if n.district_code == district.code)
        found.append(
            Neighbourhood(
                area_id=ward.pk,
                code=ward.code,
                name=ward.name,
                district_code=district.code,
                town=district.name,
                outward_code=f"{district.postcode_area}{siblings_before + 1}",
            )
        )
    return found


def demo_areas_filter() -> Q:
    query = Q()
    for prefix in DEMO_AREA_CODE_PREFIXES:
        query |= Q(code__startswith=prefix)
    return query


def delete_demo_areas(progress: Progress) -> dict[str, int]:
    """Delete the demo county's areas, smallest first (an area protects its parent)."""
    demo_areas = Area.objects.filter(demo_areas_filter())
    # Addresses outside the demo data that point at a demo area keep the address.
    PersonAddress.objects.filter(area__in=demo_areas).update(area=None)
    deleted = 0
    for kind in (AreaKind.WARD, AreaKind.DISTRICT, AreaKind.COUNTY):
        count, _ = demo_areas.filter(kind=kind).delete()
        deleted += count
    count, _ = demo_areas.delete()  # any other kind a later step may have added
    return {"areas and populations": deleted + count}
