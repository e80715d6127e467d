"""The hotspots page (``/profile/hotspots/``): where events concentrate, by area (Gi*),
as a density grid, and whether they repeat nearby soon after (Knox).

The counts are aggregates over every record, like the performance dashboard and the
equality pages (which do not audit a view). The map's points are only those of records
the user may see, and carry nothing but where they are; being where children went
missing from or were found, or where offences happened, showing them is audited. The
page says everything in words and tables; the Leaflet map (``macehub/hotspots-map.js``)
draws the same figures when JavaScript runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.people.models import Area
from macehub.people.postcodes import latitude_longitude, wgs84_transformer
from macehub.profile.hotspot_codes import HotspotReading, PlaceMeasure
from macehub.profile.hotspot_forms import HotspotForm, hotspot_form
from macehub.profile.hotspots import DENSITY_SHOWN, hotspot_figures, map_points
from macehub.profile.near_repeats import KnoxSettings

# Points drawn at most; past this the map says how many it left off.
MAP_POINTS_LIMIT = 10_000
# The records whose places the map's points are, by measure (the audit log's names).
POINT_RECORDS = {PlaceMeasure.INTELLIGENCE: "intelligence.intelligencereport",
                 PlaceMeasure.MISSING_FROM: "cases.missingepisode",
                 PlaceMeasure.FOUND: "cases.missingepisode",
                 PlaceMeasure.OFFENCES: "investigations.crime"}
READING_COLOURS = {HotspotReading.HOT: "red", HotspotReading.COLD: "blue",
                   HotspotReading.NOT_SIGNIFICANT: "grey"}


def _map_data(request: HubRequest, form: HotspotForm, figures: dict[str, Any]
              ) -> dict[str, Any]:
    """What the map draws: each analysed area's boundary with its reading and count, the
    points the user may see (latitude and longitude only) and the densest grid squares."""
    data = form.cleaned_data
    rows = {row["code"]: row for row in figures["areas"]}
    boundaries = Area.objects.filter(code__in=list(rows), boundary__isnull=False) \
        .values_list("code", "boundary")
    features = [{"type": "Feature", "geometry": boundary,
                 "properties": {"name": rows[code]["name"], "count": rows[code]["count"],
                                "reading": rows[code]["reading"],
                                "reading_label": rows[code]["reading_label"]}}
                for code, boundary in boundaries]
    points = map_points(request.user, measure=data["measure"],
                        period_start=data["start"], period_end=data["end"],
                        area_kind=data["area_kind"], within=data["within"])
    shown = points[:MAP_POINTS_LIMIT]
    record_event(event_type=EventType.VIEW, actor=request.user, request=request,
                 record_type=POINT_RECORDS[PlaceMeasure(data["measure"])], detail={
                     "list": "hotspot map points", "measure": data["measure"],
                     "period": [data["start"].isoformat(), data["end"].isoformat()],
                     "within": data["within"] or "", "points_shown": len(shown)})
    latitudes: list[float] = []
    longitudes: list[float] = []
    if shown:
        eastings, northings = np.array(shown).T
        lon, lat = wgs84_transformer().transform(eastings, northings)
        longitudes, latitudes = np.round(lon, 5).tolist(), np.round(lat, 5).tolist()
    squares = []
    for cell in figures["density"]["cells"][:DENSITY_SHOWN]:
        south, west = latitude_longitude(cell["west"], cell["south"])
        north, east = latitude_longitude(cell["east"], cell["north"])
        squares.append({"bounds": [[south, west], [north, east]],
                        "expected": cell["expected"]})
    return {
        "areas": {"type": "FeatureCollection", "features": features},
        "points": [list(pair) for pair in zip(latitudes, longitudes, strict=True)],
        "points_left_off": len(points) - len(shown),
        "density": squares,
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }


@requires(Action.PROFILE_VIEW)
def hotspots(request: HubRequest) -> HttpResponse:
    form = hotspot_form(request.GET)
    figures = None
    map_data = None
    if form.is_valid():
        data = form.cleaned_data
        figures = hotspot_figures(
            measure=data["measure"], period_start=data["start"], period_end=data["end"],
            area_kind=data["area_kind"], within=data["within"],
            knox=KnoxSettings(distance_metres=data["distance"], days=data["days"]))
        map_data = _map_data(request, form, figures)
        for row in figures["areas"]:
            row["colour"] = READING_COLOURS[HotspotReading(row["reading"])]
    return render(request, "profile/hotspots.html", {
        "form": form, "figures": figures, "map_data": map_data,
        "density_cells": figures["density"]["cells"][:DENSITY_SHOWN] if figures else [],
    })
