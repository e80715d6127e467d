"""The reports that mention a record, and the premises at a location, come a page at a
time (GOV.UK pagination), and the entity page costs the same queries however many."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Team, User
from macehub.intelligence.models import Location, Premises, Vehicle
from macehub.intelligence.tests.conftest import client_for
from macehub.intelligence.tests.factories import link, make_report
from macehub.ui.templatetags.govuk import ROWS_PER_PAGE

pytestmark = pytest.mark.django_db


def mentioned(vehicle: Vehicle, team: Team, user: User, count: int) -> None:
    now = timezone.now()
    for number in range(1, count + 1):
        report = make_report(team, user, reference=f"INT-PAGE-{vehicle.pk}-{number:03d}",
                             received_at=now - dt.timedelta(days=number))
        link(report, vehicle)


def vehicle_url(vehicle: Vehicle) -> str:
    return reverse("intelligence:vehicle_detail", kwargs={"intel_vehicle_pk": vehicle.pk})


def test_the_reports_mentioning_an_entity_are_paged_newest_first(analyst, hub_team):
    vehicle = Vehicle.objects.create(registration="XB01PGE")
    mentioned(vehicle, hub_team, analyst, ROWS_PER_PAGE + 3)
    client = client_for(analyst)
    first = client.get(vehicle_url(vehicle)).content.decode()
    assert f"{ROWS_PER_PAGE + 3} reports, newest first" in first
    assert f"INT-PAGE-{vehicle.pk}-001" in first
    assert f"INT-PAGE-{vehicle.pk}-{ROWS_PER_PAGE + 1:03d}" not in first
    assert "?intelligence_page=2" in first
    second = client.get(vehicle_url(vehicle) + "?intelligence_page=2").content.decode()
    assert f"INT-PAGE-{vehicle.pk}-{ROWS_PER_PAGE + 1:03d}" in second
    assert f"INT-PAGE-{vehicle.pk}-001<" not in second


def test_an_entity_page_costs_the_same_queries_however_many_reports(analyst, hub_team):
    few, many = Vehicle.objects.create(registration="XB01FEW"), Vehicle.objects.create(
        registration="XB01MNY")
    mentioned(few, hub_team, analyst, 2)
    mentioned(many, hub_team, analyst, ROWS_PER_PAGE * 2)
    client = client_for(analyst)
    counts = []
    for vehicle in (few, many):
        client.get(vehicle_url(vehicle))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(vehicle_url(vehicle)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_premises_at_a_location_are_paged(analyst, hub_team):
    location = Location.objects.create(description="Retail park", postcode="XB1 2AA")
    report = make_report(hub_team, analyst)
    link(report, location)
    for number in range(1, ROWS_PER_PAGE + 2):
        link(report, Premises.objects.create(name=f"Unit {number:02d}", kind="hotel",
                                             location=location))
    url = reverse("intelligence:location_detail", kwargs={"intel_location_pk": location.pk})
    client = client_for(analyst)
    first = client.get(url).content.decode()
    assert "Unit 01" in first and f"Unit {ROWS_PER_PAGE + 1:02d}" not in first
    assert "?premises_page=2" in first
    second = client.get(url + "?premises_page=2").content.decode()
    assert f"Unit {ROWS_PER_PAGE + 1:02d}" in second
