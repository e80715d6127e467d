"""Northshire on the map: a synthetic postcode directory and ward boundaries, loaded
through the hub's own ``import_postcodes`` and ``import_boundaries`` commands, and the
places of the demo's events, with planted hotspots and a near-repeat pattern.

Nothing here is a real place. The county is a grid of square wards on the British
National Grid (each district a row, each of its wards a square of ``WARD_METRES``),
written as ONS Open Geography GeoJSON in WGS84 (pyproj); every demo postcode (outward
codes starting with X, which no real postcode has) is placed at a random point in its
ward and written as an ONS Postcode Directory CSV.

The planted truth (``demo.PlantedTruth``, read back by ``planted_places``):
- **hotspot wards**: a block of 2 x 2 adjacent wards holding ``HOT_WEIGHT`` times a
  typical ward's share of where children went missing from and were found, where
  offences were committed, and more places named in intelligence (extra places in them,
  each named by an existing report);
- **cold wards**: a block of 2 x 2 wards, far from the hot one, holding ``COLD_WEIGHT``
  times a typical share of the missing-from, found and offence places (their
  intelligence places are left as the intelligence step made them);
- **a near repeat**: a run of missing episodes that began within ``NEAR_REPEAT_DAYS``
  days of each other, all went missing from within ``NEAR_REPEAT_METRES`` metres of one
  spot (three postcodes close together).

``PlacePlan`` is the pure part (grid, directory, weights, picks) that both the demo step
and the force-scale test use, so the test checks the same planting as ``make demo``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from macehub.cases.models import MissingEpisode
from macehub.demo.areas import DISTRICTS, Neighbourhood, ward_code
from macehub.demo.models import PlantedTruth
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    ReportLink,
    location_search_keys,
)
from macehub.intelligence.search_index import index_link
from macehub.investigations.models import Crime
from macehub.people.codes import CoordinateSource
from macehub.people.models import PersonAddress, Postcode
from macehub.people.postcodes import latitude_longitude

# The south-west corner of the county's grid (metres); an arbitrary inland spot.
ORIGIN_EASTING = 440_000
ORIGIN_NORTHING = 300_000
WARD_METRES = 2_000
HOT_WEIGHT = 6.0
COLD_WEIGHT = 0.1
NEAR_REPEAT_METRES = 150
NEAR_REPEAT_DAYS = 14
# At most this many episodes in the near repeat's run: a burst, not the whole fortnight.
NEAR_REPEAT_EVENTS = 40
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
HOTSPOT_WARD = "hotspot_ward"
COLD_WARD = "cold_ward"
NEAR_REPEAT = "near_repeat"
TRUTH_KINDS = (HOTSPOT_WARD, COLD_WARD, NEAR_REPEAT)
PLANTED_PLACES = ("Car park", "Takeaway rear yard", "Park shelter", "Bus station",
                  "Flat above shops", "Hotel car park", "Underpass", "Recreation ground")
DIRECTORY_FILE = "onspd-northshire.csv"
BOUNDARIES_FILE = "wards-northshire.geojson"


@dataclass(frozen=True)
class WardSquare:
    code: str
    row: int  # the district's place, from the south
    column: int  # the ward's place in its district, from the west

    @property
    def west(self) -> int:
        return ORIGIN_EASTING + self.column * WARD_METRES

    @property
    def south(self) -> int:
        return ORIGIN_NORTHING + self.row * WARD_METRES


@dataclass
class PlacePlan:
    """The county's grid and the planted truth, for a number of wards per district."""

    wards_per_district: int
    squares: dict[str, WardSquare] = field(default_factory=dict)
    hot: list[str] = field(default_factory=list)
    cold: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        per = self.wards_per_district
        for row in range(len(DISTRICTS)):
            for column in range(per):
                code = ward_code(row + 1, column + 1, per)
                self.squares[code] = WardSquare(code, row, column)
        # Hot: districts 2-3, wards 2-3; cold: districts 5-6, the last two wards. A
        # district between them keeps each block outside the other's neighbourhood.
        self.hot = [ward_code(r, c, per) for r in (2, 3) for c in (2, 3)]
        self.cold = [ward_code(r, c, per) for r in (5, 6) for c in (per - 1, per)]

    def weight(self, code: str) -> float:
        if code in self.hot:
            return HOT_WEIGHT
        if code in self.cold:
            return COLD_WEIGHT
        return 1.0

    def pick_ward(self, rng: random.Random) -> str:
        codes = list(self.squares)
        return rng.choices(codes, weights=[self.weight(c) for c in codes])[0]

    def point_in(self, rng: random.Random, code: str) -> tuple[int, int]:
        square = self.squares[code]
        return (square.west + rng.randint(50, WARD_METRES - 50),
                square.south + rng.randint(50, WARD_METRES - 50))

    def near_repeat_spot(self) -> tuple[int, int]:
        """The middle of a ward neither hot nor cold (district 4, ward 1)."""
        square = self.squares[ward_code(4, 1, self.wards_per_district)]
        return square.west + WARD_METRES // 2, square.south + WARD_METRES // 2

    def boundaries_geojson(self, names: dict[str, str]) -> str:
        """The wards as an ONS Open Geography FeatureCollection (WD23CD, WD23NM), each
        square's corners in WGS84 longitude and latitude."""
        features = []
        for code, square in self.squares.items():
            corners = [(square.west, square.south), (square.west + WARD_METRES, square.south),
                       (square.west + WARD_METRES, square.south + WARD_METRES),
                       (square.west, square.south + WARD_METRES), (square.west, square.south)]
            ring = []
            for easting, northing in corners:
                latitude, longitude = latitude_longitude(easting, northing)
                ring.append([round(longitude, 7), round(latitude, 7)])
            features.append({
                "type": "Feature",
                "properties": {"WD23CD": code, "WD23NM": names.get(code, code)},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
        return json.dumps({"type": "FeatureCollection", "name": "Wards_December_2023",
                           "features": features})


def onspd_csv(rows: Sequence[tuple[str, int, int, str, str]]) -> str:
    """Postcodes as the ONS Postcode Directory writes them: (postcode, easting,
    northing, ward code, local authority code), with the columns the hub reads and a few
    of the others the directory has."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "oslaua",
                     "osward", "usertype", "oseast1m", "osnrth1m", "osgrdind", "ctry",
                     "lsoa21", "msoa21"])
    for postcode, easting, northing, ward, district in rows:
        outward, inward = postcode.split()
        writer.writerow([f"{outward:<4}{inward}"[:7], f"{outward:<5}{inward}", postcode,
                         "200001", "", "E10999901", district, ward, "0", easting, northing,
                         "1", "E92000001", "", ""])
    return buffer.getvalue()


def _load(command: str, text: str, file_name: str, progress: Progress) -> None:
    """Load a file through one of the hub's import commands, from a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="macehub-demo-places-") as folder:
        path = Path(folder) / file_name
        path.write_text(text, encoding="utf-8")
        output = io.StringIO()
        call_command(command, str(path), stdout=output)
        for line in output.getvalue().splitlines():
            if line.strip():
                progress.write(f"    {line.strip()}")


class _Postcodes:
    """New demo postcodes in a ward, none already used."""

    def __init__(self, rng: random.Random, used: set[str],
                 outward_of: dict[str, str]) -> None:
        self.rng = rng
        self.used = used
        self.outward_of = outward_of

    def new(self, ward: str) -> str:
        while True:
            inward = (f"{self.rng.randrange(10)}{self.rng.choice(INWARD_LETTERS)}"
                      f"{self.rng.choice(INWARD_LETTERS)}")
            postcode = f"{self.outward_of[ward]} {inward}"
            if postcode not in self.used:
                self.used.add(postcode)
                return postcode


def _near_repeat_window(times: list[dt.datetime], days: int) -> tuple[int, int]:
    """The first and last index (of sorted ``times``) of the run of ``days`` days holding
    the most episodes."""
    best = (0, -1)
    end = 0
    for start, first in enumerate(times):
        while end < len(times) and times[end] - first <= dt.timedelta(days=days):
            end += 1
        if end - start > best[1] - best[0] + 1:
            best = (start, end - 1)
    return best


@dataclass
class PlannedDirectory:
    """The demo's postcodes, each at a point in its ward: those earlier steps used, a
    pool per ward for the events' places, and the near repeat's few close together."""

    points: dict[str, tuple[int, int, str]]  # postcode: easting, northing, ward code
    pool: dict[str, list[str]]
    near: list[str]
    postcodes: _Postcodes

    def add(self, plan: PlacePlan, rng: random.Random, ward: str) -> str:
        postcode = self.postcodes.new(ward)
        self.points[postcode] = (*plan.point_in(rng, ward), ward)
        return postcode


def plan_directory(plan: PlacePlan, rng: random.Random, *, used: set[str],
                   outward_of: dict[str, str], per_ward: int) -> PlannedDirectory:
    ward_of_outward = {outward: code for code, outward in outward_of.items()}
    points: dict[str, tuple[int, int, str]] = {}
    for postcode in sorted(used):
        ward = ward_of_outward.get(postcode.split()[0])
        if ward is not None:
            points[postcode] = (*plan.point_in(rng, ward), ward)
    directory = PlannedDirectory(points, {}, [], _Postcodes(rng, set(used), outward_of))
    for ward in plan.squares:
        directory.pool[ward] = [directory.add(plan, rng, ward) for _ in range(per_ward)]
    spot_easting, spot_northing = plan.near_repeat_spot()
    spot_ward = ward_code(4, 1, plan.wards_per_district)
    half = NEAR_REPEAT_METRES // 2
    for _ in range(3):
        postcode = directory.postcodes.new(spot_ward)
        points[postcode] = (spot_easting + rng.randint(-half, half),
                            spot_northing + rng.randint(-half, half), spot_ward)
        directory.near.append(postcode)
    return directory


def near_repeat_run(times: list[dt.datetime]) -> set[int]:
    """The indexes (of ``times``, sorted) of the first ``NEAR_REPEAT_EVENTS`` episodes in
    the run of ``NEAR_REPEAT_DAYS`` days holding the most: the near repeat (none if
    under five)."""
    start, end = _near_repeat_window(times, NEAR_REPEAT_DAYS)
    end = min(end, start + NEAR_REPEAT_EVENTS - 1)
    return set(range(start, end + 1)) if end - start + 1 >= 5 else set()


def episode_postcodes(plan: PlacePlan, rng: random.Random, directory: PlannedDirectory,
                      times: list[dt.datetime]) -> list[tuple[str, str]]:
    """Where each episode (``times`` sorted) went missing from and where the child was
    found: the run's from the near repeat's postcodes, the rest by the wards' weights."""
    run = near_repeat_run(times)
    places = []
    for index in range(len(times)):
        missing_from = (rng.choice(directory.near) if index in run
                        else rng.choice(directory.pool[plan.pick_ward(rng)]))
        places.append((missing_from, rng.choice(directory.pool[plan.pick_ward(rng)])))
    return places


def offence_postcodes(plan: PlacePlan, rng: random.Random, directory: PlannedDirectory,
                      count: int) -> list[str]:
    return [rng.choice(directory.pool[plan.pick_ward(rng)]) for _ in range(count)]


def create_places(ctx: DemoContext) -> None:
    rng = ctx.rng
    plan = PlacePlan(ctx.scale.neighbourhoods_per_district)
    neighbourhoods: list[Neighbourhood] = ctx.neighbourhoods
    by_code = {n.code: n for n in neighbourhoods}
    district_of = {n.code: n.district_code for n in neighbourhoods}
    used: set[str] = set()
    for model in (Location, PersonAddress):
        used.update(model.objects.filter(postcode__startswith="X")
                    .values_list("postcode", flat=True).distinct())
    directory = plan_directory(
        plan, rng, used=used, outward_of={n.code: n.outward_code for n in neighbourhoods},
        per_ward=ctx.scale.pick(small=12, force=40, national=40))

    # Intelligence: extra places in the hot wards, each named by an existing report.
    reports = list(IntelligenceReport.objects.order_by("pk").values_list("pk", flat=True))
    existing_links = ReportLink.objects.filter(location__postcode__startswith="X").count()
    typical = max(1, existing_links // max(1, len(plan.squares)))
    planted_locations: list[Location] = []
    planted_reports: list[int] = []
    for ward in plan.hot if reports else []:
        for _ in range(round(typical * (HOT_WEIGHT - 1))):
            neighbourhood = by_code[ward]
            planted_locations.append(Location(
                description=f"{rng.choice(PLANTED_PLACES)}, {neighbourhood.name}",
                address=neighbourhood.town, postcode=directory.add(plan, rng, ward),
                area_id=neighbourhood.area_id))
            planted_reports.append(rng.choice(reports))

    _load("import_postcodes", onspd_csv([
        (postcode, easting, northing, ward, district_of[ward])
        for postcode, (easting, northing, ward) in sorted(directory.points.items())
    ]), DIRECTORY_FILE, ctx.progress)
    _load("import_boundaries", plan.boundaries_geojson({n.code: n.name for n in neighbourhoods}),
          BOUNDARIES_FILE, ctx.progress)

    for location in planted_locations:
        location.search_keys = location_search_keys(location)
    Location.objects.bulk_create(planted_locations, batch_size=ctx.scale.batch_size)
    links = ReportLink.objects.bulk_create(
        [ReportLink(report_id=report, location=location, role=EntityRole.LOCATION_OF_CONCERN)
         for report, location in zip(planted_reports, planted_locations, strict=True)],
        batch_size=ctx.scale.batch_size)
    # The search index step ran before these links were written (bulk: no signals).
    for link in links:
        index_link(link)

    agency_codes = [agency.code for agency in ctx.agencies.values()]
    episodes = list(MissingEpisode.objects.filter(child__owning_agency__code__in=agency_codes)
                    .order_by("went_missing_at", "pk"))
    times = [episode.went_missing_at for episode in episodes]
    for episode, (missing_from, found) in zip(
            episodes, episode_postcodes(plan, rng, directory, times), strict=True):
        episode.missing_from_postcode, episode.found_postcode = missing_from, found
    crimes = list(Crime.objects.filter(investigation__owning_agency__code__in=agency_codes)
                  .order_by("pk"))
    for crime, postcode in zip(crimes, offence_postcodes(plan, rng, directory, len(crimes)),
                               strict=True):
        crime.postcode = postcode

    _place_from_directory(episodes, crimes, ctx)
    run = [episodes[i] for i in sorted(near_repeat_run(times))]
    PlantedTruth.objects.bulk_create(
        [PlantedTruth(kind=HOTSPOT_WARD, seed=ctx.seed, data={"code": c}) for c in plan.hot]
        + [PlantedTruth(kind=COLD_WARD, seed=ctx.seed, data={"code": c}) for c in plan.cold]
        + ([PlantedTruth(kind=NEAR_REPEAT, seed=ctx.seed, data={
            "measure": "missing_from", "postcodes": directory.near, "events": len(run),
            "first": timezone.localdate(run[0].went_missing_at).isoformat(),
            "last": timezone.localdate(run[-1].went_missing_at).isoformat(),
            "metres": NEAR_REPEAT_METRES, "days": NEAR_REPEAT_DAYS})] if run else []))
    ctx.count("postcodes", len(directory.points))
    ctx.count("planted intelligence places", len(planted_locations))


def _place_from_directory(episodes: list[MissingEpisode], crimes: list[Crime],
                          ctx: DemoContext) -> None:
    """Every demo record with a postcode takes its place from the directory, as the
    services do when a record is saved."""
    grid = {p: (e, n) for p, e, n in Postcode.objects.filter(postcode__startswith="X")
            .values_list("postcode", "easting", "northing") if e is not None and n is not None}
    batch = ctx.scale.batch_size
    directory = CoordinateSource.POSTCODE_DIRECTORY
    for episode in episodes:
        for prefix in ("missing_from_", "found_"):
            found = grid.get(getattr(episode, f"{prefix}postcode"))
            if found:
                setattr(episode, f"{prefix}easting", found[0])
                setattr(episode, f"{prefix}northing", found[1])
                setattr(episode, f"{prefix}source", directory)
    MissingEpisode.objects.bulk_update(episodes, [
        "missing_from_postcode", "missing_from_easting", "missing_from_northing",
        "missing_from_source", "found_postcode", "found_easting", "found_northing",
        "found_source"], batch_size=batch)
    for crime in crimes:
        if found := grid.get(crime.postcode):
            crime.easting, crime.northing = found
            crime.coordinates_source = directory
    Crime.objects.bulk_update(crimes, ["postcode", "easting", "northing",
                                       "coordinates_source"], batch_size=batch)
    locations = list(Location.objects.filter(postcode__in=list(grid)))
    for location in locations:
        location.easting, location.northing = grid[location.postcode]
        location.coordinates_source = directory
        if location.latitude is None and location.longitude is None:
            latitude, longitude = latitude_longitude(*grid[location.postcode])
            location.latitude = Decimal(f"{latitude:.5f}")
            location.longitude = Decimal(f"{longitude:.5f}")
    Location.objects.bulk_update(locations, ["easting", "northing", "coordinates_source",
                                             "latitude", "longitude"], batch_size=batch)
    addresses = list(PersonAddress.objects.filter(postcode__in=list(grid)))
    for address in addresses:
        address.easting, address.northing = grid[address.postcode]
        address.coordinates_source = directory
    PersonAddress.objects.bulk_update(addresses, ["easting", "northing",
                                                  "coordinates_source"], batch_size=batch)


def delete_places(progress: Progress) -> dict[str, int]:
    """The demo directory and the planted truth; the records themselves go with their
    own steps (planted intelligence places with the intelligence step's unlinked ones)."""
    return {
        "postcodes": Postcode.objects.filter(postcode__startswith="X").delete()[0],
        "planted places": PlantedTruth.objects.filter(kind__in=TRUTH_KINDS).delete()[0],
    }


@dataclass(frozen=True)
class PlantedPlaces:
    hot_wards: list[str]
    cold_wards: list[str]
    near_repeat: dict[str, Any] | None


def planted_places() -> PlantedPlaces:
    """The planted truth about places, as the demo stored it."""
    truths = PlantedTruth.objects.filter(kind__in=TRUTH_KINDS)
    near = next((t.data for t in truths if t.kind == NEAR_REPEAT), None)
    return PlantedPlaces(
        hot_wards=sorted(t.data["code"] for t in truths if t.kind == HOTSPOT_WARD),
        cold_wards=sorted(t.data["code"] for t in truths if t.kind == COLD_WARD),
        near_repeat=near)
