"""The network page in a real browser, as an analyst uses it: a person's network drawn
as a graph (Cytoscape.js, under the content security policy) beside its table
alternative, narrowed by the filters, refused with an impossible date (what was typed
kept), and downloaded for i2 Analyst's Notebook; then the network of each kind of entity
and of a group, each page scanned and each export fetched.

Every state is scanned with axe-core against WCAG 2.2 AA and loads without asset,
console or script errors (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names
the test here that scans each page). All names are made up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Vehicle,
)
from macehub.intelligence.tests.factories import link, make_report
from macehub.networks.codes import MemberPart
from macehub.networks.models import Group, GroupEvidence, GroupMember
from macehub.networks.network_page import I2_COLUMNS
from macehub.people.models import Person
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

EXPLORING = "test_an_analyst_explores_a_persons_network"
EVERY_START = "test_the_network_of_each_kind_of_record"
ENTITY_KINDS = ("vehicle", "phone", "account", "premises", "location")

# The tests that scan each page, by URL name; an export is listed with the test that
# downloads it.
SCANNED_BY: dict[str, tuple[str, ...]] = {
    "networks:person_network": (EXPLORING,),
    "networks:person_export": (EXPLORING,),
    "networks:group_network": (EVERY_START,),
    "networks:group_export": (EVERY_START,),
    **{f"networks:{kind}_network": (EVERY_START,) for kind in ENTITY_KINDS},
    **{f"networks:{kind}_export": (EVERY_START,) for kind in ENTITY_KINDS},
}

DOWNLOAD = "Download for i2 Analyst's Notebook (CSV)"


@dataclass
class Planted:
    suspect: Person
    child: Person
    associate: Person
    recent: IntelligenceReport
    older: IntelligenceReport
    entities: dict[str, Any]


def plant(agency: Agency, team: Team, author: User) -> Planted:
    """Dean Rowntree and a child in a recent report with a car, a phone, an account and
    a takeaway at a car park; the child again, with Jed Hollis, in a report a year old."""
    suspect = make_person(agency, given_name="Dean", family_name="Rowntree", sex="male",
                          date_of_birth=dt.date(1990, 1, 9))
    child = make_person(agency, given_name="Kayleigh", family_name="Marsh",
                        date_of_birth=dt.date(2011, 5, 2))
    associate = make_person(agency, given_name="Jed", family_name="Hollis", sex="male",
                            date_of_birth=dt.date(1985, 3, 3))
    now = timezone.now()
    recent = make_report(team, author, reference="INT-2026-000501",
                         received_at=now - dt.timedelta(days=3))
    older = make_report(team, author, reference="INT-2025-000077",
                        received_at=now - dt.timedelta(days=380))
    car_park = Location.objects.create(description="Car park behind the Co-op")
    entities = {
        "vehicle": Vehicle.objects.create(registration="XB01NET", make="Vauxhall"),
        "phone": PhoneNumber.objects.create(number="+447700900456"),
        "account": OnlineAccount.objects.create(platform="snapchat", handle="dean.r"),
        "premises": Premises.objects.create(name="Example Takeaway", kind="takeaway",
                                            location=car_park),
        "location": car_park,
    }
    link(recent, suspect, "suspect")
    link(recent, child, "victim")
    for entity in entities.values():
        link(recent, entity)
    link(older, child, "victim")
    link(older, associate, "suspect")
    return Planted(suspect, child, associate, recent, older, entities)


def nodes_table(page: Page) -> Locator:
    return page.locator("#network-nodes")


def links_table(page: Page) -> Locator:
    return page.locator("#network-links")


def expect_graph_drawn(page: Page) -> None:
    """Cytoscape.js drew into the graph's box: a canvas, and every node in the table."""
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("role", "img")
    expect(graph.locator("canvas").first).to_be_attached()
    rows = nodes_table(page).locator("tbody tr").count()
    expect(graph).to_have_attribute("data-drawn", str(rows))


def exported_rows(scanner: Scanner, page: Page) -> list[list[str]]:
    body = scanner.download(page.get_by_role("button", name=DOWNLOAD), "text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == list(I2_COLUMNS)
    return rows


def test_an_analyst_explores_a_persons_network(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    planted = plant(hub_agency, hub_team, analyst)
    sign_in_as(page, live_server, analyst)

    # Two steps out: the recent report and all it names, and through the child the
    # older report and its suspect.
    scanner.open(f"/networks/people/{planted.suspect.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network around Dean Rowntree")
    expect(page.locator("#network-summary")).to_contain_text(
        "3 people, 2 intelligence reports, 1 vehicle, 1 phone, 1 online account, "
        "1 premises, 1 location, joined by 10 links")
    expect(nodes_table(page).locator("tbody tr")).to_have_count(10)
    expect(nodes_table(page)).to_contain_text("Jed Hollis")
    expect(nodes_table(page)).to_contain_text("INT-2025-000077 (2BP)")
    expect(links_table(page).locator("tbody tr")).to_have_count(10)
    expect(links_table(page)).to_contain_text("Named in intelligence: victim or child at risk")
    expect(links_table(page)).to_contain_text("Premises at a location")
    expect_graph_drawn(page)
    # Key nominals first: the recent report, through which most paths run, then the
    # child, who joins the two reports.
    expect(nodes_table(page).locator("tbody tr").nth(0)).to_contain_text("INT-2026-000501")
    expect(nodes_table(page).locator("tbody tr").nth(1)).to_contain_text("Kayleigh Marsh")
    scanner.scan("two steps out")
    rows = exported_rows(scanner, page)
    assert len(rows) == 11
    assert any(row[5] == "Jed Hollis" for row in rows)

    # Reports received in the last month: the older report and Jed Hollis go.
    since = timezone.localdate() - dt.timedelta(days=30)
    received_from = page.get_by_role("group", name="Reports received from")
    received_from.get_by_label("Day").fill(str(since.day))
    received_from.get_by_label("Month").fill(str(since.month))
    received_from.get_by_label("Year").fill(str(since.year))
    click_and_wait(page, "button", "Apply filters")
    expect(nodes_table(page).locator("tbody tr")).to_have_count(8)
    expect(nodes_table(page)).not_to_contain_text("Jed Hollis")
    expect(received_from.get_by_label("Year")).to_have_value(str(since.year))
    expect_graph_drawn(page)
    scanner.scan("reports received in the last month")
    # The export is of the network as shown.
    rows = exported_rows(scanner, page)
    assert len(rows) == 9
    assert not any("Jed Hollis" in row for row in rows)

    # Shared addresses only: nobody shares one, so Dean Rowntree stands alone.
    page.get_by_role("group", name="Kinds of link").get_by_label("Shared address").check()
    click_and_wait(page, "button", "Apply filters")
    expect(nodes_table(page).locator("tbody tr")).to_have_count(1)
    expect(page.get_by_text("No links found.")).to_be_visible()
    expect(page.get_by_role("group", name="Kinds of link").get_by_label(
        "Shared address")).to_be_checked()
    expect_graph_drawn(page)
    scanner.scan("shared addresses only")

    # A day that does not exist: refused, what was typed kept.
    page.get_by_role("group", name="Kinds of link").get_by_label("Shared address").uncheck()
    received_from.get_by_label("Day").fill("31")
    received_from.get_by_label("Month").fill("2")
    click_and_wait(page, "button", "Apply filters")
    assert_errors_shown(page, "Reports received from must be a real date")
    expect(received_from.get_by_label("Day")).to_have_value("31")
    expect(page.locator("#network-graph")).to_have_count(0)
    expect(page.get_by_text("Correct the filters to see the network.")).to_be_visible()
    scanner.scan("a day that does not exist")

    # Clearing the filters brings the whole network back.
    click_and_wait(page, "link", "Clear filters")
    expect(nodes_table(page).locator("tbody tr")).to_have_count(10)
    scanner.assert_scanned_every_page_listed()


def test_the_network_of_each_kind_of_record(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    planted = plant(hub_agency, hub_team, analyst)
    group = Group.objects.create(reference="GRP-2026-0001", name="Possible group GRP-2026-0001",
                                 proposed_by=analyst, proposed_at=timezone.now())
    GroupMember.objects.create(group=group, person=planted.suspect, part=MemberPart.SUSPECT)
    GroupMember.objects.create(group=group, person=planted.child, part=MemberPart.VICTIM)
    GroupEvidence.objects.create(group=group, report=planted.recent)
    sign_in_as(page, live_server, analyst)

    for kind in ENTITY_KINDS:
        entity = planted.entities[kind]
        scanner.open(f"/networks/{_folder(kind)}/{entity.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Network around {entity}")
        expect(nodes_table(page)).to_contain_text("Dean Rowntree")
        expect_graph_drawn(page)
        scanner.scan(f"a {kind}'s network")
        rows = exported_rows(scanner, page)
        assert any(row[5] == str(entity) for row in rows), kind

    scanner.open(f"/networks/groups/{group.pk}/network/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Network around Possible group GRP-2026-0001")
    expect(page.locator("#network-summary")).to_contain_text(
        "Within 2 steps of the members of Possible group GRP-2026-0001")
    expect(nodes_table(page).locator("tbody tr").filter(has_text="(start)")).to_have_count(2)
    expect_graph_drawn(page)
    scanner.scan("a group's network")
    rows = exported_rows(scanner, page)
    assert any(row[5] == "Kayleigh Marsh" for row in rows)
    scanner.assert_scanned_every_page_listed()


def _folder(kind: str) -> str:
    return {"vehicle": "vehicles", "phone": "phones", "account": "accounts",
            "premises": "premises", "location": "locations"}[kind]
