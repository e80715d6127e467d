"""The network page's data: the link graph read outward from where a page starts (a
person, a vehicle, phone, online account, premises or location, or a group's members),
each node named and measured, as the page's graph, its tables and the i2 export show it.

What a user is shown is only what they may see: ``graph.network_around`` reads the
reports and people the access policy allows, and every node is named here through the
same policy (``people_for``, ``reports_for``, ``entities_for``); a node that cannot be
named for the user is left out with its links before anything is counted or measured.
So a code C report and its links neither appear nor alter a figure (a count, a degree,
a betweenness) for a user outside its named teams. A report is named by its reference
and grading, never by its text: the texts are not even read.

The measures for key nominals are igraph's, on the network as shown (parallel links
joined): *degree*, the number of other nodes a node is linked to, and *betweenness*,
the share of the shortest paths between two other nodes that pass through it (0 to 1,
each link one step, whatever its grading).

**The i2 export** (``i2_export``) is one CSV file in the layout of an i2 Analyst's
Notebook link chart import: one row per link, with the columns ``I2_COLUMNS`` —
``Entity1 Type, Entity1 Identity, Entity1 Label, Entity2 Type, Entity2 Identity,
Entity2 Label, Link Type, Link Label, Date, Grading``. The types are the node kinds'
names ("Person", "Vehicle", "Intelligence report"...); an identity is the hub's key for
the record (``person-12``, ``report-3``), the same in every export, so charts imported
twice merge; a link named in a report runs from the report to the entity, its label the
entity's role there, its date the day the report was received and its grading the
report's. A node with no link shown is one row with the Entity2 and link columns empty.
Every export is audited with the nodes it held.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_export import csv_text
from macehub.core.figures import format_figure
from macehub.intelligence.codes import EntityRole, IntelligenceAssessment, SourceEvaluation
from macehub.intelligence.models import Location, OnlineAccount, PhoneNumber, Premises, Vehicle
from macehub.intelligence.selectors import entities_for, reports_for
from macehub.networks.codes import EdgeKind, NodeKind
from macehub.networks.graph import Edge, Network, NetworkFilters, NodeKey, as_igraph, network_around
from macehub.networks.models import Group
from macehub.people.models import Person
from macehub.people.selectors import people_for

# The most nodes a page draws (and an export holds): beyond it the page says the network
# was cut short, and how to narrow it.
MAX_NODES = 400

# What each kind of node is called, counted ("3 people").
PLURALS = {
    NodeKind.PERSON: "people", NodeKind.REPORT: "intelligence reports",
    NodeKind.VEHICLE: "vehicles", NodeKind.PHONE: "phones",
    NodeKind.ACCOUNT: "online accounts", NodeKind.PREMISES: "premises",
    NodeKind.LOCATION: "locations",
}
# The order kinds are counted in: people and the reports that name them, then things.
KIND_ORDER = [NodeKind.PERSON, NodeKind.REPORT, NodeKind.VEHICLE, NodeKind.PHONE,
              NodeKind.ACCOUNT, NodeKind.PREMISES, NodeKind.LOCATION]


@dataclass(frozen=True)
class NodeStyle:
    """How the graph and its key draw a kind of node: a GOV.UK palette colour (each at
    least 3:1 against white) and a Cytoscape.js shape (the key draws the same), so no
    kind is told by colour alone."""

    colour: str
    colour_name: str
    shape: str
    shape_name: str


NODE_STYLES = {
    NodeKind.PERSON: NodeStyle("#1d70b8", "blue", "ellipse", "circle"),
    NodeKind.REPORT: NodeStyle("#484949", "dark grey", "rectangle", "rectangle"),
    NodeKind.VEHICLE: NodeStyle("#0f7a52", "green", "triangle", "triangle"),
    NodeKind.PHONE: NodeStyle("#54319f", "purple", "diamond", "diamond"),
    NodeKind.ACCOUNT: NodeStyle("#ca357c", "magenta", "hexagon", "hexagon"),
    NodeKind.PREMISES: NodeStyle("#99704a", "brown", "octagon", "octagon"),
    NodeKind.LOCATION: NodeStyle("#158187", "teal", "star", "star"),
}


@dataclass(frozen=True)
class EdgeStyle:
    """How the graph and its key draw a kind of link: a Cytoscape.js line style, a
    GOV.UK colour, and a width in pixels (a report's link is drawn 1 to 4 pixels wide
    by its grading: the key shows it at 3)."""

    line: str
    colour: str
    width: int
    description: str


EDGE_STYLES = {
    EdgeKind.INTELLIGENCE: EdgeStyle("solid", "#0b0c0c", 3, "solid black line, thicker "
                                     "the better the report's grading"),
    EdgeKind.SHARED_IDENTIFIER: EdgeStyle("dashed", "#0b0c0c", 2, "dashed black line"),
    EdgeKind.SHARED_ADDRESS: EdgeStyle("dotted", "#0b0c0c", 2, "dotted black line"),
    EdgeKind.PREMISES_AT: EdgeStyle("solid", "#858686", 1, "thin grey line"),
}


def _edge_width(kind: str, weight: float) -> float:
    """A report's link is drawn 1 to 4 pixels wide, the better graded the wider."""
    if kind == EdgeKind.INTELLIGENCE:
        return round(1 + 3 * weight, 1)
    return EDGE_STYLES[EdgeKind(kind)].width


# Each kind's own page, and the network page around one: URL name and its keyword.
RECORD_PAGES = {
    NodeKind.PERSON: ("people:detail", "person_pk"),
    NodeKind.REPORT: ("intelligence:report_detail", "intel_report_pk"),
    NodeKind.VEHICLE: ("intelligence:vehicle_detail", "intel_vehicle_pk"),
    NodeKind.PHONE: ("intelligence:phone_detail", "intel_phone_pk"),
    NodeKind.ACCOUNT: ("intelligence:account_detail", "intel_account_pk"),
    NodeKind.PREMISES: ("intelligence:premises_detail", "intel_premises_pk"),
    NodeKind.LOCATION: ("intelligence:location_detail", "intel_location_pk"),
}
ENTITY_MODELS: dict[str, type[Model]] = {
    NodeKind.VEHICLE: Vehicle, NodeKind.PHONE: PhoneNumber, NodeKind.ACCOUNT: OnlineAccount,
    NodeKind.PREMISES: Premises, NodeKind.LOCATION: Location,
}
NETWORK_PAGES = {
    NodeKind.PERSON: "networks:person_network",
    NodeKind.VEHICLE: "networks:vehicle_network",
    NodeKind.PHONE: "networks:phone_network",
    NodeKind.ACCOUNT: "networks:account_network",
    NodeKind.PREMISES: "networks:premises_network",
    NodeKind.LOCATION: "networks:location_network",
}
GROUP_NETWORK_PAGE = "networks:group_network"
GROUP_PAGE = "networks:group_detail"


def element_id(key: NodeKey) -> str:
    """A node's key as the graph, the export and the audit log name it: ``person-12``."""
    return f"{key[0]}-{key[1]}"


def _record_url(key: NodeKey) -> str:
    name, keyword = RECORD_PAGES[NodeKind(key[0])]
    return reverse(name, kwargs={keyword: key[1]})


def _export_url(page_url: str) -> str:
    return f"{page_url}export.csv"


# --- Where a network starts --------------------------------------------------------------


@dataclass(frozen=True)
class NetworkStart:
    """Where a page reads its network from: the record it is about (audited as viewed),
    the nodes it starts at, what it is called, and the pages around it."""

    record: Model
    keys: tuple[NodeKey, ...]
    title: str
    what: str  # "Person", "Vehicle", "Group"...
    page_url: str
    record_url: str  # the record's own page
    slug: str  # in the export's file name: "person-12"
    # What the steps are counted from, in a sentence: "Dean Rowntree", "the members of
    # Group GRP-2026-0001".
    counted_from: str

    @property
    def export_url(self) -> str:
        return _export_url(self.page_url)


def person_start(person: Person) -> NetworkStart:
    """A person's network; ``person`` fetched through the policy (``person_for``)."""
    key = (NodeKind.PERSON.value, person.pk)
    return NetworkStart(
        record=person, keys=(key,), title=person.full_name, what=NodeKind.PERSON.label,
        page_url=reverse(NETWORK_PAGES[NodeKind.PERSON], args=[person.pk]),
        record_url=_record_url(key), slug=element_id(key), counted_from=person.full_name)


def entity_start(kind: NodeKind, entity: Model) -> NetworkStart:
    """An entity's network; ``entity`` fetched through the policy (``entity_for``)."""
    key = (kind.value, entity.pk)
    return NetworkStart(
        record=entity, keys=(key,), title=str(entity), what=kind.label,
        page_url=reverse(NETWORK_PAGES[kind], args=[entity.pk]),
        record_url=_record_url(key), slug=element_id(key), counted_from=str(entity))


def group_start(group: Group) -> NetworkStart:
    """A group's network, from every member; ``group`` fetched through the policy
    (``group_for``), whose relation already holds that the user may know every member."""
    members = group.members.order_by("person_id").values_list("person_id", flat=True)
    return NetworkStart(
        record=group, keys=tuple((NodeKind.PERSON.value, pk) for pk in members),
        title=group.name, what="Group",
        page_url=reverse(GROUP_NETWORK_PAGE, args=[group.pk]),
        record_url=reverse(GROUP_PAGE, args=[group.pk]),
        slug=f"group-{group.pk}", counted_from=f"the members of {group.name}")


# --- Naming and measuring the nodes ------------------------------------------------------


@dataclass(frozen=True)
class NodeFacts:
    """What is shown of a node: its label, and a report's grading and day received."""

    label: str
    received: dt.date | None = None
    grading: str = ""


def _report_label(reference: str, grading: str) -> str:
    return f"{reference} ({grading})" if grading else reference


def _facts(user: User, network: Network) -> dict[NodeKey, NodeFacts]:
    """Each node the user may see, named: one query per kind of node shown (people two,
    with their aliases), each through the access policy."""
    facts: dict[NodeKey, NodeFacts] = {}
    people = network.of_kind(NodeKind.PERSON)
    if people:
        for person in people_for(user).filter(pk__in=people).only(
                "given_name", "middle_names", "family_name").prefetch_related("aliases"):
            facts[(NodeKind.PERSON, person.pk)] = NodeFacts(person.full_name)
    reports = network.of_kind(NodeKind.REPORT)
    if reports:
        # Never the texts: a report is its reference and grading here.
        for report in reports_for(user).filter(pk__in=reports).only(
                "reference", "received_at", "source_evaluation", "intelligence_assessment",
                "handling_code", "is_legacy_5x5x5", "legacy_source_evaluation",
                "legacy_intelligence_evaluation", "legacy_handling_code"):
            facts[(NodeKind.REPORT, report.pk)] = NodeFacts(
                _report_label(report.reference, report.grading),
                received=timezone.localdate(report.received_at), grading=report.grading)
    for kind, model in ENTITY_MODELS.items():
        pks = network.of_kind(kind)
        if pks:
            for entity in entities_for(user, model).filter(pk__in=pks):
                facts[(kind, entity.pk)] = NodeFacts(str(entity))
    return facts


def _only_named(network: Network, facts: dict[NodeKey, NodeFacts]) -> Network:
    """The network without any node the user may not see, nor its links."""
    kept = Network(truncated=network.truncated)
    for key in network.nodes:
        if key in facts:
            kept.nodes.setdefault(key)
    kept.edges = [edge for edge in network.edges
                  if edge.source in facts and edge.target in facts]
    return kept


def _measures(network: Network) -> dict[NodeKey, tuple[int, float]]:
    """Each node's degree and betweenness (normalised to 0..1), by igraph, with parallel
    links (one report naming one person twice, in two roles) counted once."""
    graph = as_igraph(network)
    graph.simplify(multiple=True, loops=True, combine_edges="first")
    count = graph.vcount()
    if count == 0:
        return {}
    degrees = graph.degree()
    betweenness = graph.betweenness(directed=False)
    # The number of pairs of other nodes a path can run between.
    pairs = (count - 1) * (count - 2) / 2
    return {key: (degree, (between / pairs) if pairs else 0.0)
            for key, degree, between in zip(graph.vs["key"], degrees, betweenness,
                                            strict=True)}


@dataclass(frozen=True)
class ShownNode:
    key: NodeKey
    label: str
    url: str
    degree: int
    betweenness: float
    is_start: bool
    received: dt.date | None = None
    grading: str = ""

    @property
    def kind(self) -> str:
        return self.key[0]

    @property
    def kind_label(self) -> str:
        return str(NodeKind(self.kind).label)

    @property
    def element_id(self) -> str:
        return element_id(self.key)

    @property
    def betweenness_shown(self) -> str:
        return format_figure(self.betweenness, 3)


@dataclass(frozen=True)
class ShownEdge:
    source: ShownNode
    target: ShownNode
    kind: str
    weight: float
    role: str

    @property
    def kind_label(self) -> str:
        return str(EdgeKind(self.kind).label)

    @property
    def report(self) -> ShownNode | None:
        """The report a link is named in."""
        return self.source if self.source.kind == NodeKind.REPORT else None

    @property
    def label(self) -> str:
        """The link's own name: the entity's role in the report, or the link's kind."""
        if self.role:
            try:
                return str(EntityRole(self.role).label)
            except ValueError:
                return self.role
        return self.kind_label


@dataclass(frozen=True)
class KindCount:
    kind: str
    count: int

    @property
    def words(self) -> str:
        label = str(NodeKind(self.kind).label)
        noun = label.lower() if self.count == 1 else PLURALS[NodeKind(self.kind)]
        if self.kind == NodeKind.PERSON and self.count == 1:
            noun = "person"
        return f"{self.count} {noun}"


@dataclass(frozen=True)
class ShownNetwork:
    """A network as a page shows it: nodes (key nominals first), links, and counts."""

    start: NetworkStart
    nodes: list[ShownNode]
    edges: list[ShownEdge]
    truncated: bool
    steps: int
    filters: NetworkFilters
    limit: int  # the most nodes read: ``truncated`` when there were more

    @property
    def counts(self) -> list[KindCount]:
        found = Counter(node.kind for node in self.nodes)
        return [KindCount(kind, found[kind]) for kind in KIND_ORDER if found[kind]]

    @property
    def node_ids(self) -> list[str]:
        return sorted(node.element_id for node in self.nodes)

    def graph_data(self) -> dict[str, Any]:
        """The graph's elements as Cytoscape.js reads them (the page embeds them with
        ``json_script``); each with the style of its kind, from ``NODE_STYLES`` and
        ``EDGE_STYLES``, the same the key draws."""
        nodes = [{"data": {
            "id": node.element_id, "label": node.label, "kind": node.kind,
            "kindLabel": node.kind_label, "url": node.url, "degree": node.degree,
            "start": node.is_start, "colour": NODE_STYLES[NodeKind(node.kind)].colour,
            "shape": NODE_STYLES[NodeKind(node.kind)].shape,
        }} for node in self.nodes]
        edges = [{"data": {
            "id": f"link-{number}", "source": edge.source.element_id,
            "target": edge.target.element_id, "kind": edge.kind,
            "line": EDGE_STYLES[EdgeKind(edge.kind)].line,
            "colour": EDGE_STYLES[EdgeKind(edge.kind)].colour,
            "width": _edge_width(edge.kind, edge.weight),
        }} for number, edge in enumerate(self.edges)]
        return {"nodes": nodes, "edges": edges}

    def audit_detail(self) -> dict[str, Any]:
        return {"steps": self.steps, "filters": filters_for_audit(self.filters),
                "nodes shown": self.node_ids, "links shown": len(self.edges),
                "cut short": self.truncated}


def filters_for_audit(filters: NetworkFilters) -> dict[str, Any]:
    """The filters that narrow anything."""
    narrowed: dict[str, Any] = {}
    if filters.since:
        narrowed["received from"] = filters.since.isoformat()
    if filters.until:
        narrowed["received to"] = filters.until.isoformat()
    if filters.edge_kinds != frozenset(EdgeKind.values):
        narrowed["kinds of link"] = sorted(filters.edge_kinds)
    if filters.weakest_source != SourceEvaluation.NOT_RELIABLE:
        narrowed["weakest source evaluation"] = filters.weakest_source
    if filters.weakest_assessment != IntelligenceAssessment.SUSPECTED_FALSE:
        narrowed["weakest intelligence assessment"] = filters.weakest_assessment
    return narrowed


def _edge_order(edge: ShownEdge) -> tuple[Any, ...]:
    report = edge.report
    newest_first = -(report.received or dt.date.min).toordinal() if report else 0
    return (list(EdgeKind.values).index(edge.kind), newest_first, edge.source.label.lower(),
            edge.target.label.lower())


def shown_network(user: User, start: NetworkStart, *, steps: int,
                  filters: NetworkFilters) -> ShownNetwork:
    """The network around ``start`` as ``user`` may see it, with these filters, named
    and measured."""
    policy.require(user, Action.NETWORK_VIEW)
    limit = MAX_NODES
    found = network_around(user, start.keys, steps=steps, filters=filters, max_nodes=limit)
    facts = _facts(user, found)
    network = _only_named(found, facts)
    measures = _measures(network)
    starts = set(start.keys)
    nodes = {key: ShownNode(key=key, label=facts[key].label, url=_record_url(key),
                            degree=measures[key][0], betweenness=measures[key][1],
                            is_start=key in starts, received=facts[key].received,
                            grading=facts[key].grading)
             for key in network.nodes}
    edges = sorted((_shown_edge(edge, nodes) for edge in network.edges), key=_edge_order)
    # Key nominals first: the most between, then the best linked.
    ordered = sorted(nodes.values(), key=lambda node: (-node.betweenness, -node.degree,
                                                       node.label.lower(), node.key))
    return ShownNetwork(start=start, nodes=ordered, edges=edges, truncated=network.truncated,
                        steps=steps, filters=filters, limit=limit)


def _shown_edge(edge: Edge, nodes: dict[NodeKey, ShownNode]) -> ShownEdge:
    return ShownEdge(source=nodes[edge.source], target=nodes[edge.target], kind=edge.kind,
                     weight=edge.weight, role=edge.role)


# --- The i2 export -----------------------------------------------------------------------

I2_COLUMNS = ("Entity1 Type", "Entity1 Identity", "Entity1 Label", "Entity2 Type",
              "Entity2 Identity", "Entity2 Label", "Link Type", "Link Label", "Date",
              "Grading")


def _entity_cells(node: ShownNode) -> list[object]:
    return [node.kind_label, node.element_id, node.label]


def i2_rows(shown: ShownNetwork) -> Iterable[list[object]]:
    """The export's rows, header first: see the module's docstring."""
    yield list(I2_COLUMNS)
    linked: set[NodeKey] = set()
    for edge in shown.edges:
        report = edge.report
        linked.update((edge.source.key, edge.target.key))
        yield [*_entity_cells(edge.source), *_entity_cells(edge.target), edge.kind_label,
               edge.label, report.received.isoformat() if report and report.received else "",
               report.grading if report else ""]
    for node in shown.nodes:
        if node.key not in linked:
            yield [*_entity_cells(node), "", "", "", "", "", "", ""]


@dataclass(frozen=True)
class NetworkExport:
    filename: str
    content: str


def i2_export(*, actor: User, shown: ShownNetwork, request: HttpRequest | None = None
              ) -> NetworkExport:
    """The network as shown, as an i2 link chart import; audited with every node in it."""
    policy.require(actor, Action.NETWORK_EXPORT)
    # Formulas in names typed by anyone are neutralised by the hub's one CSV writer.
    content = csv_text(i2_rows(shown))
    record_event(event_type=EventType.EXPORT, actor=actor, record=shown.start.record,
                 detail={"format": "i2 link chart CSV", **shown.audit_detail()},
                 request=request)
    now = timezone.localtime()
    return NetworkExport(filename=f"network-{shown.start.slug}-{now:%Y-%m-%d-%H%M}.csv",
                         content=content)
