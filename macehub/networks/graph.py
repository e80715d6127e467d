"""The link graph: people, vehicles, phones, online accounts, premises, locations and
intelligence reports, joined by what links them, as one user may see it.

Edges:

- a report and each entity it names (``EdgeKind.INTELLIGENCE``), weighted by the
  report's 3x5x2 grading (``GRADING_WEIGHTS``): two entities one report names are two
  steps apart, through the report;
- two people who share an identifier (one NHS number on two records, say) or an address;
- premises and the location they stand at, when the user may know of both.

Scoped by the access policy: only the reports the user may see (handling codes enforced)
and only the people they may know exist. A code C report and its links never enter the
graph of a user outside its named teams, so nothing computed on the graph (communities,
degree, betweenness, groups proposed) can reflect them.

``whole_graph`` reads everything the user may see (for communities and group
proposals); ``network_around`` reads outward from some nodes, a step at a time (for a
page). Both give a ``Network``; ``as_igraph`` makes it an igraph graph.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from itertools import combinations, pairwise
from typing import Any, NamedTuple

import igraph
from django.db.models import Exists, OuterRef, Q, QuerySet

from macehub.access.policy import people_named
from macehub.accounts.models import User
from macehub.intelligence.codes import IntelligenceAssessment, SourceEvaluation
from macehub.intelligence.models import Premises, ReportLink
from macehub.intelligence.selectors import reports_for
from macehub.networks.codes import EdgeKind, NodeKind
from macehub.people.models import PersonAddress, PersonIdentifier

# A node: its kind and its record's pk.
NodeKey = tuple[str, int]

# How much a report's link counts for, by its grading: the source's reliability times
# how the source knows it. A link from a reliable source who saw it directly weighs 1.
SOURCE_WEIGHTS = {SourceEvaluation.RELIABLE: 1.0, SourceEvaluation.UNTESTED: 0.7,
                  SourceEvaluation.NOT_RELIABLE: 0.3}
ASSESSMENT_WEIGHTS = {
    IntelligenceAssessment.KNOWN_DIRECTLY: 1.0,
    IntelligenceAssessment.KNOWN_INDIRECTLY_CORROBORATED: 0.8,
    IntelligenceAssessment.KNOWN_INDIRECTLY: 0.6,
    IntelligenceAssessment.NOT_KNOWN: 0.4,
    IntelligenceAssessment.SUSPECTED_FALSE: 0.1,
}
# Historic 5x5x5 reports have no 3x5x2 grading: they count for half.
UNGRADED_WEIGHT = 0.5
# Shared identifiers and addresses are facts on the records themselves.
RECORD_WEIGHT = 1.0

# A link names one entity: the node kind of each of ReportLink's entity fields.
LINK_FIELDS = {"person": NodeKind.PERSON, "vehicle": NodeKind.VEHICLE,
               "phone": NodeKind.PHONE, "account": NodeKind.ACCOUNT,
               "premises": NodeKind.PREMISES, "location": NodeKind.LOCATION}
# A set of people sharing one identifier or address larger than this is joined in a
# chain, not every pair with every other (the same reachability, far fewer edges).
ALL_PAIRS_UP_TO = 12


def grading_weight(source: str | None, assessment: str | None) -> float:
    if not source or not assessment:
        return UNGRADED_WEIGHT
    return (SOURCE_WEIGHTS.get(SourceEvaluation(source), UNGRADED_WEIGHT)
            * ASSESSMENT_WEIGHTS.get(IntelligenceAssessment(assessment), UNGRADED_WEIGHT))


# Every grading's weight worked out once: the whole graph weighs every link of every
# report, and a look-up is far quicker than reading the codes each time.
GRADING_WEIGHTS = {(source, assessment): grading_weight(source, assessment)
                   for source in (*SourceEvaluation.values, "", None)
                   for assessment in (*IntelligenceAssessment.values, "", None)}


@dataclass(frozen=True)
class NetworkFilters:
    """What a network shows: reports received in a period, the kinds of edge, and the
    weakest grading counted (a source evaluation and an intelligence assessment)."""

    since: dt.date | None = None
    until: dt.date | None = None
    edge_kinds: frozenset[str] = frozenset(EdgeKind.values)
    weakest_source: str = SourceEvaluation.NOT_RELIABLE
    weakest_assessment: str = IntelligenceAssessment.SUSPECTED_FALSE

    def reports(self, user: User) -> QuerySet[Any]:
        """The reports the user may see that these filters keep."""
        reports = reports_for(user)
        if self.since:
            reports = reports.filter(received_at__date__gte=self.since)
        if self.until:
            reports = reports.filter(received_at__date__lte=self.until)
        sources = [code for code in SourceEvaluation.values if code <= self.weakest_source]
        assessments = [code for code in IntelligenceAssessment.values
                       if code <= self.weakest_assessment]
        if (len(sources), len(assessments)) != (len(SourceEvaluation.values),
                                                len(IntelligenceAssessment.values)):
            # Historic reports have no 3x5x2 grading to pass a stricter filter on.
            reports = reports.filter(source_evaluation__in=sources,
                                     intelligence_assessment__in=assessments)
        return reports


class Edge(NamedTuple):
    # A tuple, not a dataclass: the whole graph makes one per link, and a tuple is
    # several times quicker to make.
    source: NodeKey
    target: NodeKey
    kind: str
    weight: float
    role: str = ""  # an intelligence link's role: "suspect", "victim"...

    @property
    def report_id(self) -> int | None:
        return self.source[1] if self.source[0] == NodeKind.REPORT else None


@dataclass
class Network:
    """Nodes (in the order found) and the edges between them."""

    nodes: dict[NodeKey, None] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False

    def add(self, edge: Edge) -> None:
        self.nodes.setdefault(edge.source)
        self.nodes.setdefault(edge.target)
        self.edges.append(edge)

    def add_all(self, edges: Iterable[Edge]) -> None:
        nodes, append = self.nodes.setdefault, self.edges.append
        for edge in edges:
            nodes(edge.source)
            nodes(edge.target)
            append(edge)

    def of_kind(self, kind: str) -> list[int]:
        return [pk for node_kind, pk in self.nodes if node_kind == kind]

    def roles(self) -> dict[NodeKey, set[str]]:
        """Each entity's roles in the reports that name it."""
        roles: dict[NodeKey, set[str]] = defaultdict(set)
        for edge in self.edges:
            if edge.role:
                roles[edge.target].add(edge.role)
        return roles


LINK_COLUMNS = ("report_id", "role", *(f"{name}_id" for name in LINK_FIELDS),
                "report__source_evaluation", "report__intelligence_assessment")


def _visible_links(user: User, filters: NetworkFilters) -> QuerySet[ReportLink]:
    """The links of the reports the user may see (and filters keep), naming only people
    the user may know exist."""
    return ReportLink.objects.filter(report__in=filters.reports(user)).filter(
        Q(person__isnull=True) | people_named(user, "person"))


# Where each entity's id is in a row of LINK_COLUMNS, and the node kind at each place.
ENTITY_KINDS = dict(enumerate(LINK_FIELDS.values(), start=2))


def _link_edges(rows: Iterable[tuple[Any, ...]]) -> Iterator[Edge]:
    report, intelligence = NodeKind.REPORT, EdgeKind.INTELLIGENCE
    for row in rows:
        for position in ENTITY_KINDS:  # a link names exactly one entity
            if row[position] is not None:
                break
        grading = row[-2], row[-1]
        weight = GRADING_WEIGHTS.get(grading)
        yield Edge((report, row[0]), (ENTITY_KINDS[position], row[position]), intelligence,
                   grading_weight(*grading) if weight is None else weight, row[1])


def _pairs(people: list[int]) -> Iterator[tuple[int, int]]:
    people = sorted(set(people))
    if len(people) <= ALL_PAIRS_UP_TO:
        yield from combinations(people, 2)
    else:
        yield from pairwise(people)


def _shared(user: User, model: Any, columns: tuple[str, ...], people: list[int] | None
            ) -> Iterator[tuple[int, int]]:
    """Pairs of people the user may know who hold the same ``columns`` (an identifier's
    value and kind; an address's postcode and first line). ``people`` limits the pairs
    to those with one of these people in them (a network read outward from them): their
    own values are read first, then who else holds each, from the columns' index."""
    visible = model.objects.filter(people_named(user, "person"))
    if people is None:
        same = visible.filter(**{name: OuterRef(name) for name in columns}).exclude(
            person=OuterRef("person"))
        rows = visible.filter(Exists(same))
    else:
        held = set(model.objects.filter(person__in=people).values_list(*columns))
        if not held:
            return
        rows = visible.filter(reduce(operator.or_, (
            Q(**dict(zip(columns, values, strict=True))) for values in sorted(held))))
    holders: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for person_id, *values in rows.order_by("person_id", "pk").values_list(
            "person_id", *columns).iterator(chunk_size=5_000):
        holders[tuple(values)].append(person_id)
    for holding in holders.values():
        if people is not None and not set(holding) & set(people):
            continue
        yield from _pairs(holding)


def _record_edges(user: User, filters: NetworkFilters, people: list[int] | None
                  ) -> Iterator[Edge]:
    for kind, model, columns in (
            (EdgeKind.SHARED_IDENTIFIER, PersonIdentifier, ("value", "kind")),
            (EdgeKind.SHARED_ADDRESS, PersonAddress, ("postcode", "line_1"))):
        if kind not in filters.edge_kinds:
            continue
        for one, other in _shared(user, model, columns, people):
            yield Edge((NodeKind.PERSON, one), (NodeKind.PERSON, other), kind, RECORD_WEIGHT)


def _premises_edges(network: Network, filters: NetworkFilters) -> Iterator[Edge]:
    """Premises and their location, when both are already known through reports."""
    if EdgeKind.PREMISES_AT not in filters.edge_kinds:
        return
    premises = network.of_kind(NodeKind.PREMISES)
    for premises_id, location_id in Premises.objects.filter(
            pk__in=premises, location__isnull=False).order_by("pk").values_list(
            "pk", "location_id"):
        if (NodeKind.LOCATION, location_id) in network.nodes:
            yield Edge((NodeKind.PREMISES, premises_id), (NodeKind.LOCATION, location_id),
                       EdgeKind.PREMISES_AT, RECORD_WEIGHT)


def whole_graph(user: User, filters: NetworkFilters | None = None) -> Network:
    """Everything the user may see, as one network."""
    filters = filters or NetworkFilters()
    network = Network()
    if EdgeKind.INTELLIGENCE in filters.edge_kinds:
        # In a fixed order: the graph's vertices are numbered in the order they are met,
        # and Leiden's answer (seeded) depends on that numbering, so the same records must
        # give the same graph whatever order the database happens to return them in.
        rows = _visible_links(user, filters).order_by("report_id", "pk").values_list(
            *LINK_COLUMNS).iterator(chunk_size=20_000)
        network.add_all(_link_edges(rows))
    network.add_all(_record_edges(user, filters, None))
    network.add_all(list(_premises_edges(network, filters)))
    return network


def network_around(user: User, start: Iterable[NodeKey], *, steps: int,
                   filters: NetworkFilters | None = None, max_nodes: int = 400) -> Network:
    """The nodes within ``steps`` of ``start``, a step being from an entity to each
    report that names it and on to everything that report names (and from a person to
    the people who share an identifier or address with them). Stops adding nodes at
    ``max_nodes`` and says so (``truncated``)."""
    filters = filters or NetworkFilters()
    network = Network()
    frontier = list(dict.fromkeys(start))
    for node in frontier:
        network.nodes.setdefault(node)
    seen_reports: set[int] = set()
    for _step in range(steps):
        if not frontier:
            break
        found: list[Edge] = []
        if EdgeKind.INTELLIGENCE in filters.edge_kinds:
            by_kind: dict[str, list[int]] = defaultdict(list)
            for kind, pk in frontier:
                by_kind[kind].append(pk)
            naming = Q()
            for name, kind in LINK_FIELDS.items():
                if by_kind.get(kind):
                    naming |= Q(**{f"{name}__in": by_kind[kind]})
            reports = set()
            if by_kind.get(NodeKind.REPORT):
                reports.update(by_kind[NodeKind.REPORT])
            if naming:
                reports.update(_visible_links(user, filters).filter(naming).values_list(
                    "report_id", flat=True))
            reports -= seen_reports
            seen_reports |= reports
            if reports:
                found.extend(_link_edges(_visible_links(user, filters).filter(
                    report_id__in=sorted(reports)).order_by("report_id", "pk").values_list(
                    *LINK_COLUMNS)))
        people = [pk for kind, pk in frontier if kind == NodeKind.PERSON]
        if people:
            found.extend(_record_edges(user, filters, people))
        next_frontier: list[NodeKey] = []
        for edge in found:
            new = [node for node in (edge.source, edge.target) if node not in network.nodes]
            if len(network.nodes) + len(new) > max_nodes:
                network.truncated = True
                continue
            network.add(edge)
            next_frontier.extend(node for node in new if node[0] != NodeKind.REPORT)
        frontier = list(dict.fromkeys(next_frontier))
    for edge in list(_premises_edges(network, filters)):
        network.add(edge)
    # Each edge once (a report found from two of its entities adds its links once, but
    # a shared address is found from both people).
    network.edges = list(dict.fromkeys(network.edges))
    return network


def as_igraph(network: Network) -> igraph.Graph:
    """The network as an undirected igraph graph: vertex attribute ``key`` (the node),
    edge attributes ``weight`` and ``kind``."""
    keys = list(network.nodes)
    index = {key: position for position, key in enumerate(keys)}
    graph = igraph.Graph(n=len(keys), directed=False,
                         edges=[(index[edge.source], index[edge.target])
                                for edge in network.edges])
    graph.vs["key"] = keys
    graph.es["weight"] = [edge.weight for edge in network.edges]
    graph.es["kind"] = [edge.kind for edge in network.edges]
    return graph
