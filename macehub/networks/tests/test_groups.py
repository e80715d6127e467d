"""Groups proposed from the link graph and decided by a person: the definition (two or
more suspects linked around a child) and nothing else sets the flag; a code C report
never shows a group, nor moves one, to a user outside its named teams; a proposer never
decides their own group; every step is audited and a confirmed group shows on the
child's record, identity bar and chronology."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import igraph
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core.versioning import EditConflict
from macehub.intelligence.models import Vehicle
from macehub.intelligence.tests.factories import link, make_report
from macehub.networks import groups
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.graph import whole_graph
from macehub.networks.models import Group, GroupMember
from macehub.people.chronology import chronology_for
from macehub.people.identity import identity_for
from macehub.people.models import EthnicGroup, Person
from macehub.testing.factories import make_person, make_team, make_user, signed_in_client

pytestmark = pytest.mark.django_db


@dataclass
class Linked:
    suspects: list[Person]
    child: Person
    lone: Person
    lone_child: Person
    vehicle: Vehicle


def _person(agency: Agency, name: str, **fields: Any) -> Person:
    given, family = name.split()
    return make_person(agency, given_name=given, family_name=family, **fields)


def plant(team: Team, author: User, agency: Agency, *, handling_code: str = "P",
          teams: tuple[Team, ...] = ()) -> Linked:
    """Two suspects sharing a car, each named with one child; and a lone offender with
    another child, linked to nobody else."""
    one, two = _person(agency, "Dale Corrin"), _person(agency, "Jed Hollis")
    child = _person(agency, "Mia Farrow", date_of_birth=dt.date(2011, 5, 2))
    lone, lone_child = _person(agency, "Ray Tull"), _person(agency, "Zoe Pike")
    vehicle = Vehicle.objects.create(registration="ZX11ABC", make="Ford", model="Focus")
    for suspect in (one, two):
        report = make_report(team, author, handling_code=handling_code, teams=teams)
        link(report, suspect, role="suspect")
        link(report, child, role="victim")
        link(report, vehicle)
    report = make_report(team, author, handling_code=handling_code, teams=teams)
    link(report, lone, role="suspect")
    link(report, lone_child, role="victim")
    return Linked([one, two], child, lone, lone_child, vehicle)


@pytest.fixture
def analyst(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("an.alyst", Role.ANALYST, agency=hub_agency, team=hub_team)


@pytest.fixture
def supervisor(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("su.pervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)


def parts(group: Group) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for member in group.members.all():
        found.setdefault(member.part, set()).add(member.person_id)
    return found


def test_two_suspects_around_a_child_are_proposed_and_a_lone_offender_is_not(
        analyst: User, hub_team: Team, hub_agency: Agency) -> None:
    linked = plant(hub_team, analyst, hub_agency)
    proposed = groups.propose_groups(actor=analyst)
    assert len(proposed) == 1
    group = proposed[0]
    assert group.status == GroupStatus.PROPOSED
    assert parts(group) == {MemberPart.SUSPECT: {p.pk for p in linked.suspects},
                            MemberPart.VICTIM: {linked.child.pk}}
    assert group.evidence.count() == 2
    assert AuditEvent.objects.filter(event_type=EventType.CREATE, record_type="networks.group",
                                     record_id=str(group.pk)).exists()
    # Run again: the same group is renewed, not proposed twice.
    again = groups.propose_groups(actor=analyst)
    assert [g.pk for g in again] == [group.pk]
    assert Group.objects.count() == 1


def test_the_flag_reads_no_protected_characteristic(
        analyst: User, hub_team: Team, hub_agency: Agency) -> None:
    """Whatever the members' ethnicity, nationality, sex or age, the same groups."""
    plant(hub_team, analyst, hub_agency)
    first = [parts(group) for group in groups.propose_groups(actor=analyst)]
    Group.objects.all().delete()
    codes = list(EthnicGroup.objects.values_list("code", flat=True)) or [None]
    for position, person in enumerate(Person.objects.order_by("pk")):
        person.self_defined_ethnicity_id = codes[position % len(codes)]
        person.officer_defined_ethnicity = ["IC1", "IC3", "IC4", "IC6"][position % 4]
        person.nationality = ["GB", "PK", "RO", "NG"][position % 4]
        person.sex = ["male", "female"][position % 2]
        person.date_of_birth = dt.date(1970 + position, 1, 1)
        person.save()
    assert [parts(group) for group in groups.propose_groups(actor=analyst)] == first


def test_a_code_c_group_is_seen_only_inside_its_named_teams(
        analyst: User, hub_team: Team, hub_agency: Agency, supervisor: User) -> None:
    secret_team = make_team(hub_agency, "Operation Kestrel", is_hub_team=True)
    insider = make_user("in.sider", Role.ANALYST, agency=hub_agency, team=secret_team)
    linked = plant(secret_team, insider, hub_agency, handling_code="C", teams=(secret_team,))
    # Outside the named team: the graph holds none of it, so nothing is proposed.
    assert groups.propose_groups(actor=analyst) == []
    group = groups.propose_groups(actor=insider)[0]
    for outsider in (analyst, supervisor):
        assert not groups.groups_for(outsider).exists()
        client = signed_in_client(outsider)
        assert client.get(reverse("networks:group_detail", args=[group.pk])).status_code == 404
        listing = client.get(reverse("networks:group_list")).content.decode()
        assert group.reference not in listing
        assert not identity_for(outsider, linked.child).flags
    assert groups.groups_for(insider).get() == group


def test_a_supervisor_confirms_and_the_child_record_shows_it(
        analyst: User, supervisor: User, hub_team: Team, hub_agency: Agency) -> None:
    linked = plant(hub_team, analyst, hub_agency)
    group = groups.propose_groups(actor=analyst)[0]
    # The analyst who proposed it may see it but not decide it.
    page = signed_in_client(analyst).post(reverse("networks:group_detail", args=[group.pk]),
                                          {"decision": "confirmed", "reason": "Mine",
                                           "version": group.version})
    assert page.status_code == 200 and "a supervisor other than you" in page.content.decode()
    with pytest.raises(Exception) as refused:
        groups.decide_group(actor=analyst, group_pk=group.pk, expected_version=group.version,
                            decision="confirmed", reason="Mine")
    assert refused.type.__name__ == "PermissionDenied"
    with pytest.raises(ValidationError):
        groups.decide_group(actor=supervisor, group_pk=group.pk,
                            expected_version=group.version, decision="confirmed", reason=" ")
    with pytest.raises(EditConflict):
        groups.decide_group(actor=supervisor, group_pk=group.pk,
                            expected_version=group.version - 1, decision="confirmed",
                            reason="Shared car, both named by a reliable source")
    client = signed_in_client(supervisor)
    response = client.post(reverse("networks:group_detail", args=[group.pk]),
                           {"decision": "confirmed", "version": group.version,
                            "reason": "Shared car, both named by a reliable source"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == GroupStatus.CONFIRMED and group.decided_by == supervisor
    assert AuditEvent.objects.filter(event_type=EventType.CHANGE, record_type="networks.group",
                                     record_id=str(group.pk)).exists()
    flags = identity_for(supervisor, linked.child).flags
    assert [flag.text for flag in flags] == [f"Group-based CSE ({group.reference})"]
    person_page = client.get(reverse("people:detail", args=[linked.child.pk])).content.decode()
    assert f"Group-based CSE ({group.reference})" in person_page
    titles = [entry.title for entry in chronology_for(supervisor, linked.child)]
    assert f"Linked to {group.reference}, confirmed as group-based CSE" in titles
    # Decided: a later run leaves it as it is.
    assert groups.propose_groups(actor=analyst) == []


def test_the_decision_records_the_exploitation_model_shown_on_the_group(
        analyst: User, supervisor: User, hub_team: Team, hub_agency: Agency) -> None:
    plant(hub_team, analyst, hub_agency)
    group = groups.propose_groups(actor=analyst)[0]
    client = signed_in_client(supervisor)
    refused = client.post(reverse("networks:group_detail", args=[group.pk]), {
        "decision": "confirmed", "version": group.version, "exploitation_model": "arson",
        "reason": "Shared car"})
    assert refused.status_code == 400
    assert "Choose the exploitation model from the list" in refused.content.decode()
    response = client.post(reverse("networks:group_detail", args=[group.pk]), {
        "decision": "confirmed", "version": group.version, "exploitation_model": "party",
        "reason": "Shared car, both named by a reliable source"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.exploitation_model == "party"
    event = AuditEvent.objects.filter(event_type=EventType.CHANGE, record_type="networks.group",
                                      record_id=str(group.pk)).latest("id")
    assert event.detail["changes"]["exploitation_model"] == {"old": "", "new": "party"}
    page = client.get(reverse("networks:group_detail", args=[group.pk])).content.decode()
    assert "Taken or invited to parties where children are abused" in page


def test_a_decided_groups_exploitation_model_is_set_versioned_and_audited(
        analyst: User, supervisor: User, hub_team: Team, hub_agency: Agency) -> None:
    plant(hub_team, analyst, hub_agency)
    group = groups.propose_groups(actor=analyst)[0]
    groups.decide_group(actor=supervisor, group_pk=group.pk, expected_version=group.version,
                        decision="confirmed", reason="Shared car, both named")
    group.refresh_from_db()
    client = signed_in_client(analyst)
    url = reverse("networks:group_exploitation_model", args=[group.pk])
    detail = client.get(reverse("networks:group_detail", args=[group.pk])).content.decode()
    assert url in detail and "Not recorded" in detail
    assert client.get(url).status_code == 200
    refused = client.post(url, {"version": group.version, "exploitation_model": ""})
    assert refused.status_code == 400 and "already the group" in refused.content.decode()
    saved = client.post(url, {"version": group.version, "exploitation_model": "group_based"})
    assert saved.status_code == 302
    stale = client.post(url, {"version": group.version, "exploitation_model": "party"})
    assert stale.status_code == 400 and "Someone else changed" in stale.content.decode()
    group.refresh_from_db()
    assert group.exploitation_model == "group_based"
    event = AuditEvent.objects.filter(event_type=EventType.CHANGE, record_type="networks.group",
                                      record_id=str(group.pk)).latest("id")
    assert event.detail["changes"]["exploitation_model"] == {"old": "", "new": "group_based"}


def test_a_rejected_group_is_never_proposed_again(
        analyst: User, supervisor: User, hub_team: Team, hub_agency: Agency) -> None:
    plant(hub_team, analyst, hub_agency)
    group = groups.propose_groups(actor=analyst)[0]
    groups.decide_group(actor=supervisor, group_pk=group.pk, expected_version=group.version,
                        decision="rejected", reason="The car is a taxi they both used")
    assert groups.propose_groups(actor=analyst) == []
    assert Group.objects.get().status == GroupStatus.REJECTED


def test_planted_groups_are_recovered_in_the_small_demo(small_demo: None) -> None:
    """The demo's planted offender groups, as its analyst sees them: the proposals
    recover them (adjusted Rand index over their members) and no planted lone offender
    is proposed."""
    from macehub.demo.intelligence_truth import planted_lone_offenders, planted_offender_groups

    analyst = User.objects.get(username="analyst.police")
    groups.propose_groups(actor=analyst)
    found = dict(GroupMember.objects.values_list("person_id", "group_id"))
    truth = {pk: planted.number for planted in planted_offender_groups()
             for pk in planted.suspect_ids + planted.child_ids}
    assert len(truth) > 20, "the comparison ran on the planted groups"
    people = sorted(truth)

    def labels(values: list[int]) -> list[int]:
        seen: dict[int, int] = {}
        return [seen.setdefault(value, len(seen)) for value in values]

    ari = igraph.compare_communities(labels([truth[pk] for pk in people]),
                                     labels([found.get(pk, -pk) for pk in people]),
                                     method="adjusted_rand")
    print(f"adjusted Rand index {ari:.3f} over {len(people)} planted members")
    assert ari >= 0.85
    lone = [offender.suspect_id for offender in planted_lone_offenders()]
    assert lone and not set(lone) & set(found)


def test_the_graph_is_read_in_a_fixed_order_so_the_same_records_give_the_same_groups(
        analyst: User, hub_team: Team, hub_agency: Agency) -> None:
    """Leiden's answer depends on the order vertices are numbered in, which is the order
    the graph's rows are read: every query the graph reads its edges with is ordered, so
    the database's own row order (on PostgreSQL, wherever a row happens to sit) cannot
    change which groups are found."""
    plant(hub_team, analyst, hub_agency)
    with CaptureQueriesContext(connection) as queries:
        network = whole_graph(analyst)
    assert network.edges
    # (On PostgreSQL the graph's rows come through a server-side cursor: DECLARE ... FOR
    # SELECT.)
    reads = [query["sql"] for query in queries.captured_queries
             if "SELECT" in query["sql"] and any(
                 f'FROM "{table}"' in query["sql"] for table in (
                     "intelligence_reportlink", "people_personidentifier",
                     "people_personaddress", "intelligence_premises"))]
    assert reads, "the graph read none of its edges"
    assert all(" ORDER BY " in sql for sql in reads), reads
