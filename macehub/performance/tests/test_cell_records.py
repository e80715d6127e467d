"""The records behind a breakdown cell: the dashboard's links from each cell, the list
they lead to (the period and filters kept, only what the access policy lets the user
open, the leaving-out said), and the read audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag
from macehub.core.metrics import Filters, get_metric
from macehub.people.codes import AreaKind
from macehub.people.models import Area, PersonAddress
from macehub.performance.forms import filter_query
from macehub.performance.selectors import dashboard
from macehub.performance.tests.test_performance import (
    MARCH,
    leader,  # noqa: F401 (fixture)
    march_referrals,  # noqa: F401 (fixture)
)
from macehub.referrals.models import Referral
from macehub.testing.factories import make_user, verified_login


@pytest.fixture
def rated(march_referrals: list[Any]) -> list[Referral]:  # noqa: F811 (the fixture)
    """The four decided in March: two Amber on time, one Red on time, one Red late."""
    decided = march_referrals[:4]
    for referral, brag in zip(decided, (Brag.AMBER, Brag.AMBER, Brag.RED, Brag.RED),
                              strict=True):
        Referral.objects.filter(pk=referral.pk).update(brag=brag)
    return decided


@pytest.fixture
def supervisor(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)


def _records(client: Client, filters: Filters | None = None, **cell: str) -> Any:
    query = f"{filter_query(MARCH, filters or Filters())}&{urlencode(cell)}"
    return client.get(f"{reverse('performance:records', args=['referrals_decided_in_time'])}"
                      f"?{query}")


@pytest.mark.django_db
def test_a_cell_lists_the_records_it_counts_and_the_read_is_audited(
    rated: list[Referral], supervisor: User
) -> None:
    client = Client()
    verified_login(client, supervisor)
    late = _records(client, breakdown="brag", category=Brag.RED, counted="no")
    assert late.status_code == 200
    page = late.content.decode()
    assert rated[3].reference in page and rated[2].reference not in page
    assert "BRAG rating: Red, not counted" in page
    assert 'id="records-hidden"' not in page  # a supervisor may open them all
    event = AuditEvent.objects.filter(event_type=EventType.VIEW).latest("pk")
    assert event.actor_id == supervisor.pk
    assert event.record_type == "referrals.referral"
    assert event.detail["shown"] == [rated[3].pk]
    assert event.detail["category"] == Brag.RED

    on_time = _records(client, breakdown="brag", category=Brag.RED, counted="yes")
    assert rated[2].reference in on_time.content.decode()
    assert rated[3].reference not in on_time.content.decode()
    everything = _records(client).content.decode()
    assert all(referral.reference in everything for referral in rated)


@pytest.mark.django_db
def test_the_filters_narrow_the_list(
    rated: list[Referral], supervisor: User, partner_agency: Agency
) -> None:
    client = Client()
    verified_login(client, supervisor)
    other = _records(client, Filters(agency_id=partner_agency.pk), breakdown="brag",
                     category=Brag.RED, counted="no")
    assert other.status_code == 200
    assert rated[3].reference not in other.content.decode()
    assert escape(partner_agency.name) in other.content.decode()  # the filter, said


@pytest.mark.django_db
def test_a_user_who_may_not_open_the_records_is_told_and_shown_none(
    rated: list[Referral], hub_agency: Agency, hub_team: Team
) -> None:
    senior = make_user("lee.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)
    client = Client()
    verified_login(client, senior)
    response = _records(client, breakdown="brag", category=Brag.RED, counted="no")
    assert response.status_code == 200
    page = response.content.decode()
    assert rated[3].reference not in page
    assert 'id="records-hidden"' in page
    # And the dashboard offers them no links to it.
    panels = dashboard(senior, MARCH, Filters(), with_trend=False)
    assert not any(row.links for panel in panels for _, rows in panel.breakdowns
                   for row in rows)


@pytest.mark.django_db
def test_cell_links_keep_the_filters_and_name_their_cell(
    rated: list[Referral], supervisor: User, hub_agency: Agency
) -> None:
    panels = {p.metric.code: p for p in dashboard(
        supervisor, MARCH, Filters(agency_id=hub_agency.pk), with_trend=False)}
    panel = panels["referrals_decided_in_time"]
    assert panel.breakdowns  # the guard: there are cells to link from
    for _, rows in panel.breakdowns:
        for row in rows:
            texts = [text for text, _ in row.links]
            assert texts == ["Counted", "Not counted"]
            for _, href in row.links:
                assert f"agency={hub_agency.pk}" in href
                assert "start_day=1&start_month=3&start_year=2024" in href
    counted = panels["referrals_received"]
    assert all([text for text, _ in row.links] == ["Records"]
               for _, rows in counted.breakdowns for row in rows)


@pytest.mark.django_db
def test_a_breakdown_the_measure_does_not_have_is_not_found(
    rated: list[Referral], supervisor: User
) -> None:
    client = Client()
    verified_login(client, supervisor)
    assert _records(client, breakdown="area", category="E99").status_code == 404
    assert _records(client, breakdown="nonsense").status_code == 404
    assert get_metric("missing_episodes").records is None
    response = client.get(reverse("performance:records", args=["missing_episodes"]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_area_cell_lists_the_children_living_there_and_area_not_known_the_rest(
    rated: list[Referral], supervisor: User
) -> None:
    district = Area.objects.create(code="E07999951", name="Example District",
                                   kind=AreaKind.DISTRICT)
    ward = Area.objects.create(code="E05999951", name="Example Ward", kind=AreaKind.WARD,
                               parent=district)
    PersonAddress.objects.create(person=rated[0].child, line_1="1 Example Row",
                                 town="Exampleton", postcode="EX1 1AA", area=ward)
    # Child A has two March referrals (the first and the fifth).
    there = {r.pk for r in Referral.objects.filter(child=rated[0].child,
                                                   received_at__month=3)}
    metric = get_metric("referrals_received")
    figures = {(f.breakdown, f.category): f.numerator for f in metric.figures(MARCH)}
    assert metric.records is not None
    for category, expected in ((district.code, there),
                               ("", {r.pk for r in Referral.objects.filter(
                                   received_at__month=3)} - there)):
        rows = metric.records.cell(MARCH, Filters(), "area", category, None)
        assert set(rows.values_list("pk", flat=True)) == expected
        assert figures[("area", category)] == len(expected)  # as the figure counts them
