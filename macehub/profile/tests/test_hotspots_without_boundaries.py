"""Areas without a boundary are handled in words: when any area of the level lacks one,
neighbours come from the distance between area centres (from their postcodes in the
directory; libpysal k nearest neighbours), the figures name those areas, and an area with
neither a boundary nor a postcode is named as not analysed. Events without a place are
counted apart, never dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.cases.models import MissingEpisode
from macehub.people.models import Area, Postcode
from macehub.profile.hotspots import hotspot_figures
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def test_without_boundaries_neighbours_come_from_centres(hub_agency: Any) -> None:
    recorder = make_user("rae.recorder", Role.SOCIAL_WORKER, agency=hub_agency)
    child = make_person(hub_agency)
    when = timezone.make_aware(dt.datetime.combine(DAY, dt.time(21)))
    for number in range(1, 9):
        code = f"E05999{number:03d}"
        Area.objects.create(code=code, name=f"Ward {number}", kind="ward")
        postcode = f"XB{number} 1AA"
        Postcode.objects.create(postcode=postcode, easting=440000 + 2000 * number,
                                northing=300000, ward_code=code)
        for _ in range(number):
            MissingEpisode.objects.create(
                child=child, went_missing_at=when, recorded_by=recorder,
                missing_from_postcode=postcode, missing_from_easting=440000 + 2000 * number,
                missing_from_northing=300000)
    Area.objects.create(code="E05999009", name="Ward 9", kind="ward")  # nothing known
    MissingEpisode.objects.create(child=child, went_missing_at=when, recorded_by=recorder)
    figures = hotspot_figures(measure="missing_from", period_start=DAY, period_end=DAY,
                              area_kind="ward")
    assert figures["weights"] == "knn"
    assert figures["areas_without_boundary"] == [f"Ward {n}" for n in range(1, 9)]
    assert figures["areas_not_analysed"] == ["Ward 9"]
    assert [row["count"] for row in figures["areas"]] == list(range(1, 9))
    assert figures["events"] == 37 and figures["events_without_place"] == 1
    assert figures["events_placed"] == 36
    # The west end holds the fewest: its Gi* z is the lowest.
    assert min(figures["areas"], key=lambda row: row["z"])["name"] == "Ward 1"


def test_too_few_areas_is_said_in_words(hub_agency: Any) -> None:
    Area.objects.create(code="E05999001", name="Ward 1", kind="ward")
    figures = hotspot_figures(measure="offences", period_start=DAY, period_end=DAY,
                              area_kind="ward")
    assert figures["areas"] == []
    assert "Gi* needs at least three wards" in figures["reason"]
    assert figures["knox"]["reading"].startswith("Too few events")


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
def test_an_area_whose_neighbourhood_is_everything_is_read_as_no_spot() -> None:
    import json

    import libpysal
    import numpy as np

    from macehub.profile.hotspot_codes import HotspotReading
    from macehub.profile.hotspots import gi_star_readings

    # Four areas, each the neighbour of all the others: every Gi* neighbourhood holds the
    # whole count, so there is nothing to compare with (esda gives no z at all).
    weights = libpysal.weights.W({0: [1, 2, 3], 1: [0, 2, 3], 2: [0, 1, 3], 3: [0, 1, 2]},
                                 silence_warnings=True)
    readings = gi_star_readings(np.array([5, 1, 0, 2]), weights)
    assert [r.reading for r in readings] == [HotspotReading.NOT_SIGNIFICANT] * 4
    # Stored as JSON when a profile is published: no NaN may reach it.
    json.dumps([[r.z, r.p, r.p_adjusted] for r in readings], allow_nan=False)
