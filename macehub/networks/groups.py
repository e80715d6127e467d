"""Groups proposed from the link graph, and a person's decision on each.

``propose_groups`` runs Leiden (leidenalg, modularity, a fixed seed) over the link graph
the proposing analyst may see (``graph.whole_graph``) and proposes each community holding
two or more suspected offenders and at least one child (a person a report names as a
victim) as *possible group-based CSE*, with the reports that link them as its evidence.
That is the definition the hub follows (IICSA's organised network, HMICFRS 2023 rec. 1):
it reads the roles the intelligence gives people and the links between them, and nothing
else. No person's ethnicity, nationality, sex, age or any other protected characteristic
is read, so none can set or sway the flag.

A community already proposed (most of its suspects in one group) is not proposed twice:
a group still waiting gets the new run's members and evidence; a group confirmed or
rejected is left as decided (a rejected group is never proposed again).

``decide_group`` confirms or rejects a proposal with a reason: a supervisor, never the
analyst who proposed it. Each step is one transaction, audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

import igraph
import leidenalg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.cases.codes import ExploitationModel
from macehub.core.references import save_with_reference
from macehub.core.versioning import Versioning, plain_words
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import IntelligenceReport
from macehub.networks.codes import GroupStatus, MemberPart, NodeKind
from macehub.networks.graph import Network, NetworkFilters, NodeKey, as_igraph, whole_graph
from macehub.networks.models import Group, GroupEvidence, GroupMember

# Leiden is randomised: one seed, so the same data gives the same groups.
LEIDEN_SEED = 2023
# Modularity's resolution (1 is classic modularity). Communities are cut finer by the
# suspects' associations afterwards (``group_communities``), so a community holding two
# groups that use one place is no harm; ``bench_network`` prints how well the groups
# found recover the demo's planted ones.
LEIDEN_RESOLUTION = 0.5
# The fewest suspected offenders, and children, a community needs to be proposed.
FEWEST_SUSPECTS = 2
FEWEST_CHILDREN = 1
REFERENCE_KIND = "GRP"


@dataclass(frozen=True)
class Community:
    """One community the graph holds that meets the definition."""

    suspects: frozenset[int]
    children: frozenset[int]
    associates: frozenset[int]
    reports: frozenset[int]


def communities(network: Network, *, seed: int = LEIDEN_SEED) -> list[list[NodeKey]]:
    """Leiden communities of the network (modularity at ``LEIDEN_RESOLUTION``, edges
    weighted by grading)."""
    graph = as_igraph(network)
    if graph.vcount() == 0:
        return []
    keys = graph.vs["key"]
    return [[keys[vertex] for vertex in members] for members in leiden(graph, seed=seed)]


def leiden(graph: igraph.Graph, *, seed: int = LEIDEN_SEED) -> list[list[int]]:
    """Leiden on an igraph graph with a ``weight`` edge attribute: its communities, as
    lists of vertex indices."""
    partition = leidenalg.find_partition(
        graph, leidenalg.RBConfigurationVertexPartition, weights="weight", seed=seed,
        n_iterations=-1, resolution_parameter=LEIDEN_RESOLUTION)
    return [list(members) for members in partition]


# What associates two suspects: being named in one report, or using one vehicle, phone,
# online account or premises (each named in a report with them). A place many people pass
# through (a location), or a child each is reported with separately, does not: the
# definition asks for people "known to or associated with one another".
SHARED_MEANS = frozenset({NodeKind.VEHICLE, NodeKind.PHONE, NodeKind.ACCOUNT,
                          NodeKind.PREMISES})


def _chain(nodes: list[int]) -> list[tuple[int, int]]:
    """Edges that join ``nodes`` into one component (fewer than every pair)."""
    return list(pairwise(nodes))


def group_communities(network: Network, *, seed: int = LEIDEN_SEED) -> list[Community]:
    """The groups the communities hold that meet the definition of group-based CSE: two
    or more people the intelligence names as suspects, associated with one another
    (``SHARED_MEANS``), linked around at least one child it names as a victim. Parts come
    from the roles reports give people, nothing else.

    Within each Leiden community, the suspects associated with one another are joined
    (igraph's connected components): two groups a community holds only because they use
    the same place stay two groups."""
    named: dict[int, list[tuple[int, str]]] = defaultdict(list)
    means: dict[int, list[NodeKey]] = defaultdict(list)
    for edge in network.edges:
        report = edge.report_id
        if report is None:
            continue
        if edge.target[0] == NodeKind.PERSON:
            named[report].append((edge.target[1], edge.role))
        elif edge.target[0] in SHARED_MEANS:
            means[report].append(edge.target)
    found = []
    for members in communities(network, seed=seed):
        here = set(members)
        reports = [pk for kind, pk in members if kind == NodeKind.REPORT]
        suspects: dict[int, int] = {}
        links: list[tuple[int, int]] = []
        users: dict[NodeKey, list[int]] = defaultdict(list)
        for report in reports:
            named_suspects = [suspects.setdefault(pk, len(suspects))
                              for pk, role in named[report] if role == EntityRole.SUSPECT
                              and (NodeKind.PERSON, pk) in here]
            links += _chain(named_suspects)
            for entity in means[report]:
                if entity in here:
                    users[entity] += named_suspects
        for used_by in users.values():
            links += _chain(used_by)
        if len(suspects) < FEWEST_SUSPECTS:
            continue
        association = igraph.Graph(n=len(suspects), edges=links, directed=False)
        people = list(suspects)
        for component in association.connected_components():
            if len(component) < FEWEST_SUSPECTS:
                continue
            group_suspects = frozenset(people[vertex] for vertex in component)
            evidence = [report for report in reports
                        if any(pk in group_suspects and role == EntityRole.SUSPECT
                               for pk, role in named[report])]
            children = frozenset(pk for report in evidence for pk, role in named[report]
                                 if role == EntityRole.VICTIM and pk not in group_suspects)
            if len(children) < FEWEST_CHILDREN:
                continue
            associates = frozenset(pk for report in evidence for pk, _role in named[report]
                                   ) - group_suspects - children
            found.append(Community(suspects=group_suspects, children=children,
                                   associates=associates, reports=frozenset(evidence)))
    return found


def _evidence(network: Network, community: Community) -> dict[int, list[dict[str, object]]]:
    """For each report in the community, the members it names and their roles."""
    members = community.suspects | community.children | community.associates
    named: dict[int, list[dict[str, object]]] = defaultdict(list)
    for edge in network.edges:
        report = edge.report_id
        if (report in community.reports and edge.target[0] == NodeKind.PERSON
                and edge.target[1] in members):
            named[report].append({"person": edge.target[1], "role": edge.role})
    return named


def _matching_group(community: Community, groups: list[Group],
                    suspects_of: dict[int, set[int]]) -> Group | None:
    """The group already holding most of the community's suspects, if any."""
    best, overlap = None, 0
    for group in groups:
        shared = len(community.suspects & suspects_of.get(group.pk, set()))
        if shared * 2 > len(community.suspects) and shared > overlap:
            best, overlap = group, shared
    return best


def _write_members(group: Group, community: Community,
                   evidence: dict[int, list[dict[str, object]]]) -> None:
    group.members.all().delete()
    group.evidence.all().delete()
    parts = ((community.suspects, MemberPart.SUSPECT), (community.children, MemberPart.VICTIM),
             (community.associates, MemberPart.ASSOCIATE))
    GroupMember.objects.bulk_create(
        GroupMember(group=group, person_id=pk, part=part)
        for people, part in parts for pk in sorted(people))
    GroupEvidence.objects.bulk_create(
        GroupEvidence(group=group, report_id=report, members_named=evidence.get(report, []))
        for report in sorted(community.reports))


@transaction.atomic
def propose_groups(*, actor: User, filters: NetworkFilters | None = None,
                   seed: int = LEIDEN_SEED) -> list[Group]:
    """Find the communities in the graph the actor may see that meet the definition,
    and propose each one not already proposed. Returns the groups proposed or renewed."""
    policy.require(actor, Action.GROUP_PROPOSE)
    network = whole_graph(actor, filters)
    found = group_communities(network, seed=seed)
    existing = list(Group.objects.select_for_update())
    suspects_of: dict[int, set[int]] = defaultdict(set)
    for group_id, person_id in GroupMember.objects.filter(
            part=MemberPart.SUSPECT).values_list("group_id", "person_id"):
        suspects_of[group_id].add(person_id)
    first_received = dict(IntelligenceReport.objects.filter(
        pk__in={pk for community in found for pk in community.reports}).values_list(
        "pk", "received_at"))
    now = timezone.now()
    changed = []
    for community in found:
        evidence = _evidence(network, community)
        earliest = min((first_received[pk] for pk in community.reports), default=None)
        group = _matching_group(community, existing, suspects_of)
        if group is not None and not group.is_open:
            continue  # decided: confirmed stays so, rejected is never proposed again
        if group is None:
            group = Group(name="", proposed_by=actor, proposed_at=now,
                          proposing_team=actor.team, first_intelligence_at=earliest)
            save_with_reference(group, kind=REFERENCE_KIND, year=now.year)
            group.name = f"Possible group {group.reference}"
            group.save(update_fields=["name"])
            existing.append(group)
            event = EventType.CREATE
        else:
            group.first_intelligence_at = earliest
            group.version += 1
            group.save(update_fields=["first_intelligence_at", "version"])
            event = EventType.CHANGE
        _write_members(group, community, evidence)
        suspects_of[group.pk] = set(community.suspects)
        record_event(event_type=event, actor=actor, record=group, detail={
            "proposed": {"suspects": sorted(community.suspects),
                         "children": sorted(community.children),
                         "associates": sorted(community.associates),
                         "reports": sorted(community.reports)},
            "version": group.version if event == EventType.CHANGE else None,
        })
        changed.append(group)
    record_event(event_type=EventType.SEARCH, actor=actor, record_type="networks.group",
                 detail={"group detection": {"nodes": len(network.nodes),
                                             "edges": len(network.edges),
                                             "communities meeting the definition": len(found),
                                             "groups proposed or renewed": len(changed)}})
    return changed


# --- Reading and deciding ----------------------------------------------------------------


def groups_for(user: User, action: Action = Action.GROUP_VIEW) -> QuerySet[Group]:
    return policy.scope(user, action, Group.objects.select_related(
        "proposed_by", "decided_by"))


def group_for(user: User, pk: int, action: Action = Action.GROUP_VIEW) -> Group:
    return policy.get_or_404(user, action, Group.objects.select_related(
        "proposed_by", "decided_by", "proposing_team"), pk=pk)


GROUP_VERSIONING = Versioning(history=saves_after,
                              labels={"status": "Decision", "reason": "Reason",
                                      "exploitation_model": "Exploitation model"},
                              words=lambda _name, value: plain_words(value))
DECISIONS = (GroupStatus.CONFIRMED, GroupStatus.REJECTED)
REASON_REQUIRED = {
    GroupStatus.CONFIRMED: "Enter what shows these people act together to exploit children",
    GroupStatus.REJECTED: "Enter why this is not a group",
}


@transaction.atomic
def decide_group(*, actor: User, group_pk: int, expected_version: int, decision: str,
                 reason: str, exploitation_model: str = "") -> Group:
    """Confirm or reject a proposed group, unless it changed since the decider read it, with
    the exploitation model the decider sees in it ("" when not recorded)."""
    group = policy.get_or_404(actor, Action.GROUP_DECIDE, Group.objects.select_for_update(),
                              pk=group_pk)
    GROUP_VERSIONING.check(group, expected_version)
    if not group.is_open:
        raise ValidationError({"decision": "This group has already been decided"})
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Select whether to confirm or reject the group"})
    if exploitation_model and exploitation_model not in ExploitationModel.values:
        raise ValidationError({"exploitation_model": "Choose the exploitation model from the list"})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED[GroupStatus(decision)]})
    before = {"status": group.status, "reason": group.reason,
              "exploitation_model": group.exploitation_model}
    group.status = decision
    group.reason = reason[:2000]
    group.exploitation_model = exploitation_model
    group.decided_by = actor
    group.decided_at = timezone.now()
    if decision == GroupStatus.CONFIRMED:
        group.name = f"Group {group.reference}"
    GROUP_VERSIONING.save(group, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=group, detail={
        "changes": changed_values(before, {"status": group.status, "reason": group.reason,
                                           "exploitation_model": group.exploitation_model}),
        "version": group.version,
        "members": list(group.members.values_list("person_id", flat=True)),
    })
    return group



MODEL_VERSIONING = Versioning(history=saves_after,
                              labels={"exploitation_model": "Exploitation model"},
                              words=lambda _name, value: plain_words(value))


@transaction.atomic
def change_group_exploitation_model(*, actor: User, group_pk: int, expected_version: int,
                                    exploitation_model: str) -> Group:
    """Record or correct how a group exploits children ("" for not recorded), unless the
    group changed since the user read it; the old and new model are audited."""
    group = policy.get_or_404(actor, Action.GROUP_MODEL_CHANGE,
                              Group.objects.select_for_update(), pk=group_pk)
    MODEL_VERSIONING.check(group, expected_version)
    if exploitation_model and exploitation_model not in ExploitationModel.values:
        raise ValidationError({"exploitation_model": "Choose the exploitation model from the list"})
    if exploitation_model == group.exploitation_model:
        raise ValidationError({"exploitation_model": "This is already the group's exploitation "
                                                     "model: choose a different one"})
    before = {"exploitation_model": group.exploitation_model}
    group.exploitation_model = exploitation_model
    MODEL_VERSIONING.save(group, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=group, detail={
        "changes": changed_values(before, {"exploitation_model": group.exploitation_model}),
        "version": group.version,
    })
    return group


def member_counts(group_pks: list[int]) -> dict[int, dict[str, int]]:
    """How many members of each part each group has (one query)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in GroupMember.objects.filter(group__in=group_pks).values(
            "group_id", "part").annotate(n=Count("pk")):
        counts[row["group_id"]][row["part"]] = row["n"]
    return counts
