"""Hotspots: where events of one kind concentrate, area by area and as a density surface.

For a measure (``PlaceMeasure``: places named in intelligence, where children went
missing from or were found, where offences were committed) and a period, each event with
British National Grid coordinates is placed in an area of the chosen level (by its
postcode's area in the postcode directory, else by the area boundary it falls in), the
areas are counted, and:

- **Getis-Ord Gi\\*** (``esda.G_Local(..., star=True)``, binary weights, the normal
  approximation) says whether an area and its neighbours together hold more (hot spot)
  or fewer (cold spot) events than chance would give. Neighbours come from the areas'
  boundaries (``libpysal`` Queen contiguity) when every area has one, otherwise from the
  distance between area centroids (``libpysal`` k nearest neighbours); the page says
  which, and names the areas without a boundary.
- With one test per area, some would pass by chance: the p-values are corrected for the
  false discovery rate (Benjamini-Hochberg, ``statsmodels.multipletests``) and only the
  areas that survive are read as hot or cold spots.
- **Kernel density** (``scipy.stats.gaussian_kde``) of the points on a coarse grid, for
  a finer view than areas: expected events per grid square.

Events without coordinates, and those outside every area, are counted and shown, never
dropped silently. ``hotspot_figures`` returns the whole analysis as JSON-serialisable
figures (no names, no references), for the page and for the problem profile document to
freeze. ``map_points`` gives the points a user may see, for the map.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import libpysal
import numpy as np
from django.db.models import Q
from django.utils import timezone
from esda.getisord import G_Local
from scipy.stats import gaussian_kde, norm
from shapely import STRtree, points
from shapely.geometry import shape
from statsmodels.stats.multitest import multipletests

from macehub.access import policy
from macehub.access.actions import Action
from macehub.cases.models import MissingEpisode
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.investigations.models import Crime, Investigation
from macehub.people.codes import AreaKind
from macehub.people.models import Area, Person, Postcode
from macehub.people.postcodes import on_grid
from macehub.profile.hotspot_codes import HotspotReading, PlaceMeasure, WeightsKind
from macehub.profile.near_repeats import KnoxSettings, knox_result

if TYPE_CHECKING:
    from macehub.accounts.models import User

# The false discovery rate allowed among the areas read as hot or cold spots.
FDR_ALPHA = 0.05
# Neighbours per area when they come from centroids (libpysal KNN).
NEAREST_NEIGHBOURS = 6
# The kernel density grid: squares of this side (metres), at most this many a side.
DENSITY_CELL_METRES = 1000
DENSITY_MAX_CELLS = 60
DENSITY_SHOWN = 10
AREA_KINDS = (AreaKind.WARD, AreaKind.DISTRICT, AreaKind.LSOA)
# The postcode directory's code for each area level.
_DIRECTORY_CODE = {AreaKind.WARD: "ward_code", AreaKind.DISTRICT: "local_authority_code",
                   AreaKind.LSOA: "lsoa_code"}

DEFINITIONS: dict[str, str] = {
    PlaceMeasure.INTELLIGENCE: (
        "Each place (a location, or the location of premises) named in an intelligence "
        "report received in the period, once per report naming it, dated by when it "
        "happened (or the report's receipt when that is not known)."),
    PlaceMeasure.MISSING_FROM: (
        "Each missing episode that began in the period, at where the child went missing "
        "from, dated by when they went missing."),
    PlaceMeasure.FOUND: (
        "Each missing episode that began in the period, at where the child was found, "
        "dated by their return (or when they went missing, if not yet returned)."),
    PlaceMeasure.OFFENCES: (
        "Each crime under investigation committed in the period, at where it was "
        "committed, dated by when it was committed; crimes with no date are not in any "
        "period."),
}
METHOD = (
    "Getis-Ord Gi* (esda G_Local, star, binary weights, normal approximation) on the "
    "count of events per area; two-sided p-values corrected for the false discovery rate "
    f"(Benjamini-Hochberg, {FDR_ALPHA:.0%}); an area is a hot spot (or cold spot) when "
    "its corrected result is significant and its z-score positive (or negative). Kernel "
    "density: scipy gaussian_kde (Scott's bandwidth) on the points' grid coordinates.")


@dataclass(frozen=True)
class PlaceEvents:
    """The events of one measure in a period: those with grid coordinates (as arrays,
    with each one's postcode and day number) and how many had none."""

    eastings: np.ndarray
    northings: np.ndarray
    days: np.ndarray
    postcodes: list[str]
    without_place: int

    @property
    def count(self) -> int:
        return len(self.postcodes)


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period's first and last instants (end inclusive), in the current time zone."""
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return first, after


def _events_rows(measure: PlaceMeasure, start: dt.date, end: dt.date,
                 user: User | None) -> Iterable[tuple[Any, Any, Any, Any]]:
    """(easting, northing, date, postcode) of each event; scoped to what ``user`` may
    see when one is given."""
    first, after = _period(start, end)
    if measure == PlaceMeasure.INTELLIGENCE:
        links = ReportLink.objects.filter(
            Q(location__isnull=False) | Q(premises__location__isnull=False),
            report__received_at__gte=first, report__received_at__lt=after)
        if user is not None:
            seen = policy.scope(user, Action.INTELLIGENCE_VIEW, IntelligenceReport.objects.all())
            links = links.filter(report__in=seen.values("pk"))
        rows = links.values_list(
            "location__easting", "location__northing", "premises__location__easting",
            "premises__location__northing", "report__occurred_on", "report__received_at",
            "location__postcode", "premises__location__postcode")
        return ((e if e is not None else pe, n if n is not None else pn,
                 occurred or received.date(), postcode or premises_postcode)
                for e, n, pe, pn, occurred, received, postcode, premises_postcode in rows)
    if measure in (PlaceMeasure.MISSING_FROM, PlaceMeasure.FOUND):
        episodes = MissingEpisode.objects.filter(went_missing_at__gte=first,
                                                 went_missing_at__lt=after)
        if user is not None:
            if not policy.allows(user, Action.MISSING_EPISODE_LIST):
                return []
            seen_people = policy.scope(user, Action.PERSON_VIEW, Person.objects.all())
            episodes = episodes.filter(child__in=seen_people.values("pk"))
        if measure == PlaceMeasure.MISSING_FROM:
            return ((e, n, when.date(), postcode) for e, n, when, postcode in
                    episodes.values_list("missing_from_easting", "missing_from_northing",
                                         "went_missing_at", "missing_from_postcode"))
        return ((e, n, (returned or went).date(), postcode)
                for e, n, returned, went, postcode in episodes.values_list(
                    "found_easting", "found_northing", "returned_at", "went_missing_at",
                    "found_postcode"))
    crimes = Crime.objects.filter(committed_on__gte=start, committed_on__lte=end)
    if user is not None:
        investigations = policy.scope(user, Action.INVESTIGATION_VIEW,
                                      Investigation.objects.all())
        crimes = crimes.filter(investigation__in=investigations.values("pk"))
    return crimes.values_list("easting", "northing", "committed_on", "postcode")


def place_events(measure: PlaceMeasure, start: dt.date, end: dt.date,
                 user: User | None = None) -> PlaceEvents:
    eastings: list[float] = []
    northings: list[float] = []
    days: list[int] = []
    postcodes: list[str] = []
    without = 0
    for easting, northing, day, postcode in _events_rows(measure, start, end, user):
        if easting is None or northing is None:
            without += 1
            continue
        eastings.append(easting)
        northings.append(northing)
        days.append(day.toordinal())
        postcodes.append(postcode or "")
    return PlaceEvents(np.array(eastings, dtype=float), np.array(northings, dtype=float),
                       np.array(days, dtype=float), postcodes, without)


# --- Areas and their neighbours ------------------------------------------------------------


@dataclass
class StudyArea:
    code: str
    name: str
    polygon: Any  # shapely geometry in British National Grid metres, or None
    centroid: tuple[float, float] | None


def _inside(area: Area) -> set[int]:
    """The ids of the areas within ``area`` (its children, theirs...), one query a level."""
    found: set[int] = set()
    level = {area.pk}
    while level:
        level = set(Area.objects.filter(parent__in=level).values_list("pk", flat=True)) - found
        found |= level
    return found


def _study_areas(area_kind: AreaKind, within: Area | None = None
                 ) -> tuple[list[StudyArea], list[str]]:
    """The areas of the level (within ``within``, when given) that can be analysed (a
    boundary, or a centroid from the postcode directory) and the names of those that
    cannot."""
    chosen = Area.objects.filter(kind=area_kind)
    if within is not None:
        chosen = chosen.filter(pk__in=_inside(within))
    areas = list(chosen.order_by("code")
                 .values("code", "name", "boundary", "centroid_easting", "centroid_northing"))
    without_boundary = [a["code"] for a in areas if not a["boundary"]]
    directory_centroids: dict[str, tuple[float, float]] = {}
    if without_boundary:
        field = _DIRECTORY_CODE[area_kind]
        rows = (Postcode.objects.filter(**{f"{field}__in": without_boundary},
                                        easting__isnull=False)
                .values_list(field, "easting", "northing"))
        sums: dict[str, list[float]] = {}
        for code, easting, northing in rows:
            total = sums.setdefault(code, [0.0, 0.0, 0.0])
            total[0] += easting
            total[1] += northing
            total[2] += 1
        directory_centroids = {code: (s[0] / s[2], s[1] / s[2]) for code, s in sums.items()}
    study: list[StudyArea] = []
    cannot: list[str] = []
    for area in areas:
        if area["boundary"]:
            polygon = on_grid(shape(area["boundary"]))
            centroid = (polygon.centroid.x, polygon.centroid.y)
            if area["centroid_easting"] is not None and area["centroid_northing"] is not None:
                centroid = (float(area["centroid_easting"]), float(area["centroid_northing"]))
            study.append(StudyArea(area["code"], area["name"], polygon, centroid))
        elif area["code"] in directory_centroids:
            study.append(StudyArea(area["code"], area["name"], None,
                                    directory_centroids[area["code"]]))
        else:
            cannot.append(area["name"])
    return study, cannot


def area_weights(study: list[StudyArea]) -> tuple[libpysal.weights.W, WeightsKind]:
    if all(area.polygon is not None for area in study):
        weights = libpysal.weights.Queen.from_iterable(
            [area.polygon for area in study], ids=[area.code for area in study],
            silence_warnings=True)
        return weights, WeightsKind.QUEEN
    centroids = np.array([area.centroid for area in study])
    k = min(NEAREST_NEIGHBOURS, len(study) - 1)
    weights = libpysal.weights.KNN.from_array(centroids, k=k, ids=[a.code for a in study])
    return weights, WeightsKind.KNN


def _area_of_each(events: PlaceEvents, study: list[StudyArea],
                  area_kind: AreaKind) -> list[int | None]:
    """The index in ``study`` of each event's area: its postcode's area in the directory
    when that is an area analysed, else the boundary its point falls in."""
    index_of = {area.code: index for index, area in enumerate(study)}
    field = _DIRECTORY_CODE[area_kind]
    wanted = sorted({p for p in events.postcodes if p})
    directory: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        directory.update(Postcode.objects.filter(postcode__in=wanted[start:start + 500])
                         .values_list("postcode", field))
    placed: list[int | None] = [index_of.get(directory.get(p, "")) for p in events.postcodes]
    with_polygon = [i for i, area in enumerate(study) if area.polygon is not None]
    missing = [i for i, found in enumerate(placed) if found is None]
    if missing and with_polygon:
        tree = STRtree([study[i].polygon for i in with_polygon])
        where = points(events.eastings[missing], events.northings[missing])
        point_at, polygon_at = tree.query(where, predicate="intersects")
        for point_index, polygon_index in zip(point_at, polygon_at, strict=True):
            event = missing[int(point_index)]
            if placed[event] is None:
                placed[event] = with_polygon[int(polygon_index)]
    return placed


# --- Kernel density -----------------------------------------------------------------------


def _density(events: PlaceEvents) -> dict[str, Any]:
    """Expected events per grid square from a Gaussian kernel density of the points."""
    if events.count < 3:
        return {"cell_metres": DENSITY_CELL_METRES, "cells": [], "bandwidth": None,
                "reason": "Too few places to estimate a density."}
    if np.ptp(events.eastings) == 0 or np.ptp(events.northings) == 0:
        return {"cell_metres": DENSITY_CELL_METRES, "cells": [], "bandwidth": None,
                "reason": "The places lie on one line, so no density can be estimated."}
    cell = DENSITY_CELL_METRES
    west = math.floor(events.eastings.min() / cell) * cell
    south = math.floor(events.northings.min() / cell) * cell
    columns = min(DENSITY_MAX_CELLS, math.ceil((events.eastings.max() - west) / cell) + 1)
    rows = min(DENSITY_MAX_CELLS, math.ceil((events.northings.max() - south) / cell) + 1)
    size_x = max(cell, (events.eastings.max() - west) / columns + 1)
    size_y = max(cell, (events.northings.max() - south) / rows + 1)
    try:
        kde = gaussian_kde(np.vstack([events.eastings, events.northings]))
    except np.linalg.LinAlgError:
        # The points lie on one line (a single street, say): no density in two dimensions.
        return {"cell_metres": DENSITY_CELL_METRES, "cells": [], "bandwidth": None,
                "reason": "The places lie on one line, so no density can be estimated."}
    centres_x = west + (np.arange(columns) + 0.5) * size_x
    centres_y = south + (np.arange(rows) + 0.5) * size_y
    grid_x, grid_y = np.meshgrid(centres_x, centres_y)
    density = kde(np.vstack([grid_x.ravel(), grid_y.ravel()]))
    expected = density * events.count * size_x * size_y
    cells = [
        {"west": round(float(x - size_x / 2)), "south": round(float(y - size_y / 2)),
         "east": round(float(x + size_x / 2)), "north": round(float(y + size_y / 2)),
         "expected": round(float(value), 2)}
        for x, y, value in zip(grid_x.ravel(), grid_y.ravel(), expected, strict=True)
    ]
    cells.sort(key=lambda c: -c["expected"])
    return {"cell_metres": round(max(size_x, size_y)), "cells": cells,
            "bandwidth": round(float(kde.factor), 4), "reason": ""}


# --- The analysis ---------------------------------------------------------------------------


def _reading(z: float, significant: bool) -> HotspotReading:
    if not significant:
        return HotspotReading.NOT_SIGNIFICANT
    return HotspotReading.HOT if z > 0 else HotspotReading.COLD


@dataclass(frozen=True)
class GiStar:
    """One area's Gi* result: z, its two-sided p, the p adjusted for the false discovery
    rate, and the reading."""

    z: float
    p: float
    p_adjusted: float
    reading: HotspotReading


def gi_star_readings(counts: np.ndarray, weights: libpysal.weights.W) -> list[GiStar]:
    """Gi* of each area's count (in the order of ``weights.id_order``), FDR-corrected."""
    if counts.sum() == 0 or np.ptp(counts) == 0:
        return [GiStar(0.0, 1.0, 1.0, HotspotReading.NOT_SIGNIFICANT) for _ in counts]
    result = G_Local(counts.astype(float), weights, transform="B", star=True,
                     permutations=0)
    z = np.asarray(result.Zs, dtype=float)
    # An area whose neighbourhood holds every count (or none varies) has no variance to
    # test against: esda gives no z for it, and it cannot be a hot or cold spot.
    z[~np.isfinite(z)] = 0.0
    p = 2 * norm.sf(np.abs(z))
    significant, adjusted, _, _ = multipletests(p, alpha=FDR_ALPHA, method="fdr_bh")
    return [GiStar(float(z_value), float(p_value), float(p_adjusted),
                   _reading(float(z_value), bool(is_significant)))
            for z_value, p_value, p_adjusted, is_significant
            in zip(z, p, adjusted, significant, strict=True)]


def _only(events: PlaceEvents, keep: list[bool]) -> PlaceEvents:
    mask = np.array(keep, dtype=bool)
    return PlaceEvents(events.eastings[mask], events.northings[mask], events.days[mask],
                       [p for p, kept in zip(events.postcodes, keep, strict=True) if kept],
                       events.without_place)


def hotspot_figures(*, measure: str, period_start: dt.date, period_end: dt.date,
                    area_kind: str, within: str | None = None,
                    knox: KnoxSettings | None = None) -> dict[str, Any]:
    """The hotspot analysis of ``measure`` in the period, by areas of ``area_kind`` (those
    within the area whose code is ``within``, when given: a district's wards, say): per
    area its count, Gi* z, p, FDR-adjusted p and reading; the areas left out and why;
    the events without a place; the kernel density grid; the Knox test; and the
    definitions used. With ``within``, the density and the Knox test are of the events
    placed in its areas. Aggregates over every record (no names, no references), JSON-
    serialisable, so the problem profile can freeze them."""
    chosen = PlaceMeasure(measure)
    kind = AreaKind(area_kind)
    knox = knox or KnoxSettings()
    inside = Area.objects.get(code=within) if within else None
    events = place_events(chosen, period_start, period_end)
    study, cannot = _study_areas(kind, inside)
    figures: dict[str, Any] = {
        "measure": chosen.value, "measure_label": chosen.label,
        "period_start": period_start.isoformat(), "period_end": period_end.isoformat(),
        "area_kind": kind.value, "area_kind_label": kind.label,
        "definition": DEFINITIONS[chosen], "method": METHOD, "fdr_alpha": FDR_ALPHA,
        "events": events.count + events.without_place, "events_placed": 0,
        "events_without_place": events.without_place, "events_outside_areas": 0,
        "areas_without_boundary": [a.name for a in study if a.polygon is None],
        "areas_not_analysed": cannot, "weights": "", "weights_label": "", "areas": [],
        "hot_spots": 0, "cold_spots": 0, "reason": "",
        "within": inside.code if inside else "", "within_name": inside.name if inside else "",
    }
    placed = _area_of_each(events, study, kind) if study else [None] * events.count
    # Within an area, the finer views are of its events alone.
    local = _only(events, [index is not None for index in placed]) if inside else events
    figures["density"] = _density(local)
    figures["knox"] = knox_result(local.eastings, local.northings, local.days, knox)
    if len(study) < 3:
        where = f" in {inside.name}" if inside else ""
        figures["reason"] = (f"Gi* needs at least three {kind.label.lower()}s{where} with a "
                             f"boundary or a centroid; the hub has {len(study)}.")
        return figures
    counts = np.zeros(len(study), dtype=int)
    for index in placed:
        if index is not None:
            counts[index] += 1
    figures["events_placed"] = int(counts.sum())
    figures["events_outside_areas"] = sum(1 for index in placed if index is None)
    weights, weights_kind = area_weights(study)
    figures["weights"], figures["weights_label"] = weights_kind.value, weights_kind.label
    for area, count, result in zip(study, counts, gi_star_readings(counts, weights),
                                   strict=True):
        figures["areas"].append({
            "code": area.code, "name": area.name, "count": int(count),
            "z": round(result.z, 3), "p": round(result.p, 4),
            "p_adjusted": round(result.p_adjusted, 4), "reading": result.reading.value,
            "reading_label": result.reading.label, "has_boundary": area.polygon is not None,
        })
    figures["hot_spots"] = sum(1 for a in figures["areas"] if a["reading"] == HotspotReading.HOT)
    figures["cold_spots"] = sum(1 for a in figures["areas"]
                                if a["reading"] == HotspotReading.COLD)
    if counts.sum() == 0:
        figures["reason"] = "No events of this kind were placed in any area in the period."
    return figures


def map_points(user: User, *, measure: str, period_start: dt.date, period_end: dt.date,
               area_kind: str = AreaKind.WARD, within: str | None = None
               ) -> list[tuple[float, float]]:
    """The grid coordinates of the events of ``measure`` the user may see (within the
    area whose code is ``within``, when given: those placed in its areas of
    ``area_kind``): nothing else about them."""
    events = place_events(PlaceMeasure(measure), period_start, period_end, user)
    if within:
        kind = AreaKind(area_kind)
        study, _ = _study_areas(kind, Area.objects.get(code=within))
        placed = _area_of_each(events, study, kind) if study else [None] * events.count
        events = _only(events, [index is not None for index in placed])
    return list(zip(events.eastings.tolist(), events.northings.tolist(), strict=True))
