"""The hotspots page and ``hotspot_figures`` on the small demo (seed 7, as of 1 June
2026): the demo's places step loads its postcode directory and ward boundaries through
the hub's import commands, every demo record with a postcode has its place, and the page
shows the same figures in its table that ``hotspot_figures`` returns for the document,
within a fixed number of queries, with the map's points only from records the user may
see."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.models import MissingEpisode
from macehub.conftest import DEMO_AS_OF
from macehub.demo.places import planted_places
from macehub.intelligence.models import Location
from macehub.investigations.models import Crime
from macehub.people.models import Area, PersonAddress, Postcode
from macehub.profile.hotspot_codes import PlaceMeasure
from macehub.profile.hotspots import hotspot_figures, map_points
from macehub.testing.factories import verified_login

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
START = DEMO_AS_OF - dt.timedelta(days=5 * 365)


def test_the_demo_places_every_record_and_plants_its_truth(small_demo_for_module: str) -> None:
    wards = Area.objects.filter(code__startswith="E05999")
    assert wards.count() == 24
    assert not wards.filter(boundary__isnull=True).exists(), "every demo ward has a boundary"
    assert not wards.filter(centroid_easting__isnull=True).exists()
    assert Postcode.objects.filter(postcode__startswith="X").count() > 500
    for model in (Location, PersonAddress, Crime):
        with_postcode = model.objects.exclude(postcode="")
        assert with_postcode.exists()
        assert not with_postcode.filter(easting__isnull=True).exists(), model
    assert not MissingEpisode.objects.filter(missing_from_easting__isnull=True).exists()
    assert not Location.objects.filter(easting__isnull=False, latitude__isnull=True).exists()
    truth = planted_places()
    assert len(truth.hot_wards) == 4 and len(truth.cold_wards) == 4
    assert not set(truth.hot_wards) & set(truth.cold_wards)
    assert truth.near_repeat is not None and truth.near_repeat["events"] >= 5


def test_figures_are_json_with_every_area_and_no_names(small_demo_for_module: str) -> None:
    for measure in PlaceMeasure:
        figures = hotspot_figures(measure=measure, period_start=START,
                                  period_end=DEMO_AS_OF, area_kind="ward")
        text = json.dumps(figures)
        assert len(figures["areas"]) == 24
        assert figures["weights"] == "queen"
        assert figures["events"] == (figures["events_placed"] + figures["events_without_place"]
                                     + figures["events_outside_areas"])
        assert figures["events"] > 0, measure
        # Aggregates only: no person's or premises' name, no record reference.
        assert "Brackenford" in text  # ward names are there ...
        assert "INT-" not in text and "reference" not in text
    # Within one district: its wards alone, and the finer views of its events alone.
    district = hotspot_figures(measure="offences", period_start=START, period_end=DEMO_AS_OF,
                               area_kind="ward", within="E07999901")
    assert district["within_name"] == "Brackenford"
    assert [row["name"].split()[0] for row in district["areas"]] == ["Brackenford"] * 4
    assert district["knox"]["events"] == district["events_placed"] > 0
    assert district["events_outside_areas"] > 0
    truth = planted_places()
    figures = hotspot_figures(measure="missing_from", period_start=START,
                              period_end=DEMO_AS_OF, area_kind="ward")
    assert figures["knox"]["near_repeat"], figures["knox"]
    counts = {row["code"]: row["count"] for row in figures["areas"]}
    hot = sum(counts[c] for c in truth.hot_wards) / 4
    cold = sum(counts[c] for c in truth.cold_wards) / 4
    assert hot > 3 * max(cold, 1), (hot, cold)


def test_the_page_shows_the_table_and_the_map_data(small_demo_for_module: str, client: Client,
                                                    django_assert_max_num_queries: Any
                                                    ) -> None:
    analyst = User.objects.get(username="analyst.police")
    verified_login(client, analyst)
    query = (f"?measure=missing_from&area_kind=ward&start_day={START.day}"
             f"&start_month={START.month}&start_year={START.year}")
    with django_assert_max_num_queries(40):
        response = client.get(f"/profile/hotspots/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    figures = response.context["figures"]
    assert figures["period_start"] == START.isoformat()
    assert figures["period_end"] == DEMO_AS_OF.isoformat()
    for row in figures["areas"]:
        assert row["name"] in html
    assert 'id="hotspot-table"' in html
    assert escape(figures["knox"]["reading"]) in html
    map_data = response.context["map_data"]
    assert len(map_data["areas"]["features"]) == 24
    seen = map_points(analyst, measure="missing_from", period_start=START,
                      period_end=DEMO_AS_OF)
    assert len(map_data["points"]) == len(seen) <= figures["events_placed"]
    shown = AuditEvent.objects.get(actor_id=analyst.pk, event_type=EventType.VIEW,
                                   record_type="cases.missingepisode")
    assert shown.detail["points_shown"] == len(seen) > 0


def test_a_bad_choice_is_shown_and_kept(users: Any) -> None:
    client = users.client(Role.ANALYST)
    response = client.get("/profile/hotspots/?distance=5&days=abc&start_day=31"
                          "&start_month=2&start_year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a distance of 50 metres or more" in html
    assert 'value="abc"' in html
    assert response.context["figures"] is None
