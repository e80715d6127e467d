"""The network page and its i2 export: the nodes and links around a person, an entity or
a group's members, named, measured and filtered; scoped by the access policy as
strictly as the intelligence itself.

The leak tests plant a code C report, owned by a covert team and naming only that team,
that links the person to a vehicle and to a second suspect known from it alone, and a
restricted person named in a report everyone may see. For a user outside the covert
team neither the report, its reference, its texts, its vehicle nor its suspect appears
in the graph's data, the tables, the counts, the figures or the export, and the figures
are exactly those of a hub where the report was never recorded; for a member of the
team they all appear. The restricted person appears only to the worker allocated to
them. All names are made up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Vehicle,
)
from macehub.intelligence.tests.factories import link, make_report
from macehub.networks import network_page
from macehub.networks.codes import MemberPart
from macehub.networks.forms import NetworkFilterForm
from macehub.networks.models import Group, GroupEvidence, GroupMember
from macehub.networks.network_page import I2_COLUMNS, person_start, shown_network
from macehub.people.models import Person, PersonAddress, PersonAllocation
from macehub.testing.factories import make_person, make_team, make_user, signed_in_client

pytestmark = pytest.mark.django_db

SECRET_REFERENCE = "INT-COVERT-0042"
SECRET_SOURCE = "Nightjar source words"
SECRET_SANITISED = "Nightjar sanitised words"
OPEN_SOURCE = "Told by informant WREN at the bus station"


@dataclass
class World:
    suspect: Person  # where the network starts
    child: Person
    second_suspect: Person  # known only from the secret report
    restricted: Person  # named in the open report; allocated to ``worker`` alone
    open_report: IntelligenceReport
    secret: IntelligenceReport
    open_vehicle: Vehicle
    secret_vehicle: Vehicle
    analyst: User  # hub team, outside the covert team
    covert_analyst: User  # in the covert team the secret report names
    worker: User  # allocated to the restricted person


def _person(agency: Agency, name: str, **fields: Any) -> Person:
    given, family = name.split()
    return make_person(agency, given_name=given, family_name=family, **fields)


@pytest.fixture
def world(hub_agency: Agency, hub_team: Team) -> World:
    analyst = make_user("an.alyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    # A hub team of its own, so its members read the hub's code P reports too.
    covert_team = make_team(hub_agency, "Covert Intelligence Unit", is_hub_team=True)
    covert_analyst = make_user("covert.analyst", Role.ANALYST, agency=hub_agency,
                               team=covert_team)
    worker = make_user("allocated.worker", Role.TRIAGE, agency=hub_agency, team=hub_team)
    suspect = _person(hub_agency, "Dean Rowntree", sex="male",
                      date_of_birth=dt.date(1990, 1, 9))
    child = _person(hub_agency, "Kayleigh Marsh", date_of_birth=dt.date(2011, 5, 2))
    second = _person(hub_agency, "Silas Quenby", sex="male",
                     date_of_birth=dt.date(1988, 7, 1))
    restricted = _person(hub_agency, "Quillon Marchbanks-Vey", is_restricted=True,
                         date_of_birth=dt.date(2012, 4, 17))
    PersonAllocation.objects.create(person=restricted, user=worker)
    now = timezone.now()
    open_report = make_report(hub_team, analyst, reference="INT-OPEN-0001",
                              source_text=OPEN_SOURCE, sanitised_text="Open sanitised",
                              received_at=now - dt.timedelta(days=3))
    open_vehicle = Vehicle.objects.create(registration="XB01OPN", make="Vauxhall")
    link(open_report, suspect, "suspect")
    link(open_report, child, "victim")
    link(open_report, open_vehicle)
    link(open_report, restricted, "associate")
    secret = make_report(covert_team, covert_analyst, handling_code="C",
                         conditions="Covert unit only", teams=[covert_team],
                         source_text=SECRET_SOURCE, sanitised_text=SECRET_SANITISED,
                         reference=SECRET_REFERENCE, received_at=now - dt.timedelta(days=1))
    secret_vehicle = Vehicle.objects.create(registration="XC99HID", make="Hidden")
    link(secret, suspect, "suspect")
    link(secret, second, "suspect")
    link(secret, secret_vehicle)
    return World(suspect, child, second, restricted, open_report, secret, open_vehicle,
                 secret_vehicle, analyst, covert_analyst, worker)


def page_url(person: Person, **query: Any) -> str:
    url = reverse("networks:person_network", args=[person.pk])
    return f"{url}?{_query(query)}" if query else url


def export_url(person: Person, **query: Any) -> str:
    url = reverse("networks:person_export", args=[person.pk])
    return f"{url}?{_query(query)}" if query else url


def _query(query: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(query, doseq=True)


def graph_data(body: str) -> dict[str, Any]:
    """The graph's elements as the page embeds them for Cytoscape.js."""
    start = body.index('<script id="network-data" type="application/json">')
    start = body.index(">", start) + 1
    end = body.index("</script>", start)
    data: dict[str, Any] = json.loads(body[start:end])
    return data


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def nodes_table(body: str) -> str:
    start = body.index('id="network-nodes"')
    return body[start:body.index("</table>", start)]


def links_table(body: str) -> str:
    start = body.index('id="network-links"')
    return body[start:body.index("</table>", start)]


SECRET_MARKERS = (SECRET_REFERENCE, "Nightjar", "XC99HID", "XC99 HID", "Silas", "Quenby",
                  "Covert unit only")
RESTRICTED_MARKERS = ("Quillon", "Marchbanks-Vey")


def assert_no_trace(text: str, markers: tuple[str, ...]) -> None:
    for marker in markers:
        assert marker not in text, marker


# --- The page ---------------------------------------------------------------------------


def test_a_persons_network_lists_its_nodes_and_links_and_draws_them(world: World) -> None:
    client = signed_in_client(world.analyst)
    response = client.get(page_url(world.suspect))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Network around Dean Rowntree" in body
    assert "2 people, 1 intelligence report, 1 vehicle, joined by 3 links" in body
    assert "Only what you may see is shown" in body
    nodes = nodes_table(body)
    for label in ("Dean Rowntree", "Kayleigh Marsh", "XB01 OPN", "INT-OPEN-0001 (2BP)"):
        assert label in nodes
    assert f'href="/people/{world.suspect.pk}/"' in nodes
    assert f'href="/intelligence/vehicles/{world.open_vehicle.pk}/"' in nodes
    assert f'href="/intelligence/reports/{world.open_report.pk}/"' in nodes
    links = links_table(body)
    assert "Named in intelligence: suspect" in links
    assert "Named in intelligence: victim or child at risk" in links
    assert "2BP" in links
    # Never a report's text, as received or sanitised.
    assert OPEN_SOURCE not in body and "Open sanitised" not in body
    data = graph_data(body)
    ids = {node["data"]["id"] for node in data["nodes"]}
    assert ids == {f"person-{world.suspect.pk}", f"person-{world.child.pk}",
                   f"vehicle-{world.open_vehicle.pk}", f"report-{world.open_report.pk}"}
    start = next(node for node in data["nodes"] if node["data"]["start"])
    assert start["data"]["id"] == f"person-{world.suspect.pk}"
    assert start["data"]["shape"] == "ellipse" and start["data"]["colour"] == "#1d70b8"
    assert len(data["edges"]) == 3
    # The graph is named and points to its table alternative.
    assert 'role="img" aria-label="Graph of the network around Dean Rowntree: 4 nodes and ' \
           '3 links" aria-describedby="network-graph-note"' in body
    assert "macehub/network.js" in body
    # The start record's view is audited, with every node shown.
    event = AuditEvent.objects.filter(event_type=EventType.VIEW, record_type="people.person",
                                      record_id=str(world.suspect.pk)).latest("id")
    assert event.detail["page"] == "network"
    assert sorted(event.detail["nodes shown"]) == sorted(ids)


def test_each_kind_of_start_has_its_network_and_export(
    world: World, hub_agency: Agency, hub_team: Team
) -> None:
    phone = PhoneNumber.objects.create(number="+447700900123")
    account = OnlineAccount.objects.create(platform="snapchat", handle="dean.r")
    location = Location.objects.create(description="Car park behind the Co-op")
    premises = Premises.objects.create(name="Example Takeaway", kind="takeaway",
                                       location=location)
    for entity in (phone, account, location, premises):
        link(world.open_report, entity)
    group = Group.objects.create(reference="GRP-TEST-0001", name="Possible group GRP-TEST-0001",
                                 proposed_by=world.analyst, proposed_at=timezone.now())
    for person in (world.suspect, world.child):
        GroupMember.objects.create(group=group, person=person, part=MemberPart.SUSPECT)
    GroupEvidence.objects.create(group=group, report=world.open_report)
    client = signed_in_client(world.analyst)
    starts = [("vehicle", "intel_vehicle_pk", world.open_vehicle, "XB01 OPN"),
              ("phone", "intel_phone_pk", phone, "07700 900123"),
              ("account", "intel_account_pk", account, "@dean.r"),
              ("premises", "intel_premises_pk", premises, "Example Takeaway"),
              ("location", "intel_location_pk", location, "Car park behind the Co-op"),
              ("group", "group_pk", group, "Possible group GRP-TEST-0001")]
    for kind, keyword, record, title in starts:
        response = client.get(reverse(f"networks:{kind}_network", kwargs={keyword: record.pk}))
        assert response.status_code == 200, kind
        body = response.content.decode()
        assert "Network around" in body and title in body, kind
        # Every start reaches the report, and through it the suspect.
        assert "Dean Rowntree" in nodes_table(body), kind
        export = client.get(reverse(f"networks:{kind}_export", kwargs={keyword: record.pk}))
        assert export.status_code == 200, kind
        assert export["Content-Type"].startswith("text/csv")
        assert export["Content-Disposition"].startswith('attachment; filename="network-')
        assert csv_rows(export.content)[0] == list(I2_COLUMNS)
        if kind != "group":  # each entity's own page leads to its network
            entity_page = client.get(reverse(f"intelligence:{kind}_detail",
                                             kwargs={keyword: record.pk})).content.decode()
            assert f'href="{response.request["PATH_INFO"]}">See the network around this' \
                in entity_page, kind
    # Premises and the location they stand at are linked when both are shown.
    body = client.get(reverse("networks:premises_network",
                              kwargs={"intel_premises_pk": premises.pk})).content.decode()
    assert "Premises at a location" in links_table(body)
    # A group's network starts from every member.
    body = client.get(reverse("networks:group_network", args=[group.pk])).content.decode()
    starts_drawn = {node["data"]["id"] for node in graph_data(body)["nodes"]
                    if node["data"]["start"]}
    assert starts_drawn == {f"person-{world.suspect.pk}", f"person-{world.child.pk}"}


def test_who_may_see_and_export_a_network(world: World, users: Any) -> None:
    url, export = page_url(world.suspect), export_url(world.suspect)
    # A social worker reads intelligence, so may see the network, but not export it.
    social_worker = users.client(Role.SOCIAL_WORKER)
    assert social_worker.get(url).status_code == 200
    assert "Download for i2" not in social_worker.get(url).content.decode()
    assert social_worker.get(export).status_code == 403
    # Victim advocates read no intelligence; nor do referrers.
    for role in (Role.VICTIM_ADVOCATE, Role.REFERRER, Role.SCRUTINY):
        client = users.client(role)
        assert client.get(url).status_code == 403, role
        assert client.get(export).status_code == 403, role
    supervisor = users.client(Role.SUPERVISOR)
    assert "Download for i2" in supervisor.get(url).content.decode()
    assert supervisor.get(export).status_code == 200


# --- Leaks ------------------------------------------------------------------------------


def test_a_code_c_report_never_shows_outside_its_named_team(world: World) -> None:
    client = signed_in_client(world.analyst)
    for steps in (1, 2, 3):
        response = client.get(page_url(world.suspect, steps=steps))
        assert response.status_code == 200
        body = response.content.decode()
        assert_no_trace(body, SECRET_MARKERS)
        assert f"report-{world.secret.pk}" not in body
        assert f"/intelligence/reports/{world.secret.pk}/" not in body
        export = client.get(export_url(world.suspect, steps=steps))
        assert_no_trace(export.content.decode(), SECRET_MARKERS)
        assert f"report-{world.secret.pk}" not in export.content.decode()
    body = client.get(page_url(world.suspect)).content.decode()
    # The counts and the figures leave it out: the suspect is linked to one report.
    assert "2 people, 1 intelligence report, 1 vehicle, joined by 3 links" in body
    suspect = next(node for node in graph_data(body)["nodes"]
                   if node["data"]["id"] == f"person-{world.suspect.pk}")
    assert suspect["data"]["degree"] == 1
    # Its vehicle's own network is not found, and says nothing.
    for name in ("vehicle_network", "vehicle_export"):
        response = client.get(reverse(f"networks:{name}", args=[world.secret_vehicle.pk]))
        assert response.status_code == 404
        assert_no_trace(response.content.decode(), SECRET_MARKERS)
    # The second suspect's record is one the hub team may open; only the report that
    # names them is hidden, so their network holds them alone.
    response = client.get(page_url(world.second_suspect))
    assert response.status_code == 200
    assert_no_trace(response.content.decode(), SECRET_MARKERS[:4])
    assert "No links found" in response.content.decode()
    # Nor does the audit of what was shown name it.
    for event in AuditEvent.objects.filter(actor_id=world.analyst.pk):
        assert f"report-{world.secret.pk}" not in json.dumps(event.detail)


def test_a_code_c_report_shows_to_its_named_team(world: World) -> None:
    client = signed_in_client(world.covert_analyst)
    body = client.get(page_url(world.suspect)).content.decode()
    assert "3 people, 2 intelligence reports, 2 vehicles, joined by 6 links" in body
    for marker in (SECRET_REFERENCE, "XC99 HID", "Silas Quenby"):
        assert marker in nodes_table(body)
    # Its reference and grading, never its text.
    assert SECRET_SOURCE not in body and SECRET_SANITISED not in body
    suspect = next(node for node in graph_data(body)["nodes"]
                   if node["data"]["id"] == f"person-{world.suspect.pk}")
    assert suspect["data"]["degree"] == 2
    exported = client.get(export_url(world.suspect)).content.decode()
    assert SECRET_REFERENCE in exported and "Silas Quenby" in exported
    assert SECRET_SOURCE not in exported and SECRET_SANITISED not in exported


def test_what_a_user_may_not_see_alters_no_figure(world: World) -> None:
    """The analyst's network, every figure of it, is the network of a hub where the
    code C report was never recorded."""

    def figures() -> tuple[Any, ...]:
        shown = shown_network(world.analyst, person_start(world.suspect), steps=3,
                              filters=NetworkFilterForm().filters())
        return ([(n.element_id, n.degree, n.betweenness, n.label) for n in shown.nodes],
                [(e.source.element_id, e.target.element_id, e.kind) for e in shown.edges],
                [(c.kind, c.count) for c in shown.counts], shown.truncated)

    with_secret = figures()
    world.secret.links.all().delete()
    world.secret.delete()
    assert figures() == with_secret
    # And the guard that the comparison ran on something.
    assert len(with_secret[0]) == 4 and len(with_secret[1]) == 3


def test_a_restricted_person_shows_only_to_those_allocated(world: World) -> None:
    analyst = signed_in_client(world.analyst)
    body = analyst.get(page_url(world.suspect)).content.decode()
    assert_no_trace(body, RESTRICTED_MARKERS)
    assert f"person-{world.restricted.pk}" not in body
    assert_no_trace(analyst.get(export_url(world.suspect)).content.decode(),
                    RESTRICTED_MARKERS)
    # Their own network is not found, and does not name them.
    for url in (page_url(world.restricted), export_url(world.restricted)):
        response = analyst.get(url)
        assert response.status_code == 404
        assert_no_trace(response.content.decode(), RESTRICTED_MARKERS)
    # The worker allocated to them sees them, in both.
    worker = signed_in_client(world.worker)
    body = worker.get(page_url(world.suspect)).content.decode()
    assert "Quillon Marchbanks-Vey" in nodes_table(body)
    assert worker.get(page_url(world.restricted)).status_code == 200


def test_a_group_with_a_member_the_user_may_not_see_is_not_found(world: World) -> None:
    group = Group.objects.create(reference="GRP-TEST-0002", name="Possible group GRP-TEST-0002",
                                 proposed_by=world.worker, proposed_at=timezone.now())
    for person in (world.suspect, world.restricted):
        GroupMember.objects.create(group=group, person=person, part=MemberPart.SUSPECT)
    analyst = signed_in_client(world.analyst)
    for name in ("group_network", "group_export"):
        response = analyst.get(reverse(f"networks:{name}", args=[group.pk]))
        assert response.status_code == 404
        assert_no_trace(response.content.decode(), RESTRICTED_MARKERS)


# --- Measures ---------------------------------------------------------------------------


def test_degree_and_betweenness_counted_by_hand(world: World, hub_agency: Agency,
                                                hub_team: Team) -> None:
    """A path: Ann - report 1 - Ben - report 2 - Cal. Five nodes, six pairs of other
    nodes for each; by hand, Ben lies on four shortest paths (Ann or report 1 to report 2
    or Cal), each report on three, Ann and Cal on none. Ann is named twice in report 1
    (two roles): still one link."""
    ann, ben, cal = (_person(hub_agency, name) for name in ("Ann Path", "Ben Path",
                                                              "Cal Path"))
    first = make_report(hub_team, world.analyst, reference="INT-PATH-0001")
    second = make_report(hub_team, world.analyst, reference="INT-PATH-0002")
    link(first, ann, "suspect")
    link(first, ann, "associate")
    link(first, ben, "suspect")
    link(second, ben, "suspect")
    link(second, cal, "victim")
    shown = shown_network(world.analyst, person_start(ann), steps=2,
                          filters=NetworkFilterForm().filters())
    figures = {node.label: (node.degree, node.betweenness_shown) for node in shown.nodes}
    assert figures == {
        "Ann Path": (1, "0.000"), "INT-PATH-0001 (2BP)": (2, "0.500"),
        "Ben Path": (2, "0.667"), "INT-PATH-0002 (2BP)": (2, "0.500"),
        "Cal Path": (1, "0.000"),
    }
    # Key nominals first.
    assert shown.nodes[0].label == "Ben Path"


# --- Filters ----------------------------------------------------------------------------


def test_filters_narrow_the_network(world: World, hub_team: Team) -> None:
    old = make_report(hub_team, world.analyst, reference="INT-OLD-0001",
                      received_at=timezone.now() - dt.timedelta(days=400),
                      source_evaluation="3", intelligence_assessment="D")
    link(old, world.suspect, "suspect")
    PersonAddress.objects.create(person=world.suspect, line_1="4 Example Road",
                                 postcode="XB2 2BB")
    PersonAddress.objects.create(person=world.child, line_1="4 Example Road",
                                 postcode="XB2 2BB")
    client = signed_in_client(world.analyst)

    def labels(**query: Any) -> str:
        response = client.get(page_url(world.suspect, **query))
        assert response.status_code == 200
        return nodes_table(response.content.decode())

    everything = labels()
    assert "INT-OLD-0001" in everything and "INT-OPEN-0001" in everything
    assert "Shared address" in links_table(client.get(page_url(world.suspect)).content.decode())
    # Received since a month ago: the old report goes.
    since = timezone.localdate() - dt.timedelta(days=30)
    recent = labels(received_from_day=since.day, received_from_month=since.month,
                    received_from_year=since.year)
    assert "INT-OLD-0001" not in recent and "INT-OPEN-0001" in recent
    # Reliable sources only: both reports are graded 2 or 3.
    assert "INT-" not in labels(weakest_source="1")
    # Known indirectly, or better: the old report (D) goes.
    better = labels(weakest_assessment="C")
    assert "INT-OLD-0001" not in better and "INT-OPEN-0001" in better
    # Shared addresses only: no report, and the child through the address alone.
    address = labels(edge_kinds="shared_address")
    assert "INT-" not in address and "Kayleigh Marsh" in address
    # One step out.
    one = labels(steps=1, edge_kinds="intelligence")
    assert "Kayleigh Marsh" in one


def test_refused_filters_are_shown_and_kept(world: World) -> None:
    client = signed_in_client(world.analyst)
    response = client.get(page_url(world.suspect, received_from_day="32",
                                   received_from_month="13", received_from_year="2026",
                                   steps="9", edge_kinds="made_up"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error: Network around Dean Rowntree" in body
    assert "govuk-error-summary" in body
    assert "Reports received from must be a real date" in body
    assert "Select 1, 2 or 3 steps out" in body
    assert "Select kinds of link from the list" in body
    assert 'value="32"' in body and 'value="13"' in body
    assert "Correct the filters to see the network" in body
    assert "network-data" not in body
    # The dates the wrong way round.
    response = client.get(page_url(world.suspect, received_from_day="2",
                                   received_from_month="3", received_from_year="2026",
                                   received_to_day="1", received_to_month="3",
                                   received_to_year="2026"))
    assert response.status_code == 400
    assert ("Reports received to must be the same as or after reports received from"
            in response.content.decode())
    # An export with refused filters exports nothing.
    response = client.get(export_url(world.suspect, steps="9"))
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(event_type=EventType.EXPORT).exists()


def test_a_network_too_large_is_cut_short_and_says_how_to_narrow_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network_page, "MAX_NODES", 3)
    body = signed_in_client(world.analyst).get(page_url(world.suspect)).content.decode()
    assert "The network is larger than 3 nodes" in body
    assert "fewer steps out, a shorter period, fewer kinds of link or a stricter grading" in body
    assert len(graph_data(body)["nodes"]) <= 3


# --- The i2 export ----------------------------------------------------------------------


def test_the_export_is_an_i2_link_chart_and_is_audited(world: World) -> None:
    client = signed_in_client(world.analyst)
    response = client.get(export_url(world.suspect, steps=2))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    rows = csv_rows(response.content)
    assert rows[0] == list(I2_COLUMNS)
    received = timezone.localdate(world.open_report.received_at).isoformat()
    report = ["Intelligence report", f"report-{world.open_report.pk}", "INT-OPEN-0001 (2BP)"]
    assert [*report, "Person", f"person-{world.suspect.pk}", "Dean Rowntree",
            "Named in intelligence", "Suspect", received, "2BP"] in rows
    assert [*report, "Vehicle", f"vehicle-{world.open_vehicle.pk}", "XB01 OPN",
            "Named in intelligence", "Vehicle used", received, "2BP"] in rows
    assert len(rows) == 4
    event = AuditEvent.objects.get(event_type=EventType.EXPORT)
    assert event.actor_id == world.analyst.pk
    assert (event.record_type, event.record_id) == ("people.person", str(world.suspect.pk))
    assert event.detail["format"] == "i2 link chart CSV"
    assert sorted(event.detail["nodes shown"]) == sorted(
        [f"person-{world.suspect.pk}", f"person-{world.child.pk}",
         f"vehicle-{world.open_vehicle.pk}", f"report-{world.open_report.pk}"])
    assert event.detail["steps"] == 2


def test_a_node_with_no_links_is_exported_alone_and_formulas_are_neutralised(
    world: World, hub_agency: Agency
) -> None:
    alone = make_person(hub_agency, given_name="=HYPERLINK(\"http://example.invalid\")",
                        family_name="Alone")
    rows = csv_rows(signed_in_client(world.analyst).get(export_url(alone)).content)
    assert rows == [list(I2_COLUMNS), [
        "Person", f"person-{alone.pk}", "'=HYPERLINK(\"http://example.invalid\") Alone",
        "", "", "", "", "", "", ""]]


# --- Queries ----------------------------------------------------------------------------


def _star(agency: Agency, team: Team, author: User, centre: Person, reports: int) -> None:
    """``reports`` reports about ``centre``, each with a child, a vehicle and a phone of
    its own."""
    for number in range(reports):
        report = make_report(team, author, reference=f"INT-STAR-{centre.pk}-{number}")
        link(report, centre, "suspect")
        link(report, make_person(agency, given_name="Child", family_name=f"Star{number}"),
             "victim")
        link(report, Vehicle.objects.create(registration=f"XS{centre.pk:02d}{number:03d}"))
        link(report, PhoneNumber.objects.create(number=f"+4477009{centre.pk:02d}{number:03d}"))


def test_the_page_reads_each_kind_once_however_large_the_network(
    world: World, hub_agency: Agency, hub_team: Team, django_assert_max_num_queries: Any
) -> None:
    small, large = (_person(hub_agency, name) for name in ("Sam Small", "Lara Large"))
    _star(hub_agency, hub_team, world.analyst, small, 2)
    _star(hub_agency, hub_team, world.analyst, large, 12)
    client = signed_in_client(world.analyst)
    client.get(page_url(small))  # sessions and the like settled

    def queries(person: Person, export: bool = False) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(export_url(person) if export else page_url(person))
        assert response.status_code == 200
        return len(captured)

    assert queries(large) == queries(small)
    assert queries(large, export=True) == queries(small, export=True)
    with django_assert_max_num_queries(30):
        client.get(page_url(large, steps=3))
