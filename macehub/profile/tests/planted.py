"""A small planted data set for the problem profile's tests (synthetic, made-up names):
children with cases, missing episodes either side of the clocks going forward and of the
period's London edges, intelligence naming suspects, premises and online accounts,
offender groups and disruptions, across two districts of a made-up county, with unknowns
of every kind (no address, no date of birth, ethnicity not stated and not recorded, no
exploitation model, a report without the date of what happened, a disruption protecting
no child)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import ExploitationModel, RiskTier
from macehub.cases.models import Case, MissingEpisode
from macehub.core.metrics import Period
from macehub.disruption.models import Disruption, DisruptionChild, Tactic
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import OnlineAccount, Premises
from macehub.intelligence.tests.factories import link, make_report
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.models import Group, GroupMember
from macehub.people.models import Area, EthnicGroup, Person, PersonAddress
from macehub.testing.factories import make_person, make_user

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
# March 2025: the clocks went forward at 01:00 UTC on Sunday 30 March.
PERIOD = Period.month(2025, 3)
PLANTED_PREMISES = ("Planted Hotel", "Planted Takeaway")
PLANTED_SUSPECTS = ("Darren Plantedsuspect", "Gary Otherplanted")


@dataclass
class Planted:
    analyst: User
    leader: User
    northtown: Area
    southvale: Area
    children: list[Person]
    suspects: list[Person]


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def _lives(person: Person, area: Area | None) -> None:
    PersonAddress.objects.create(person=person, line_1="1 Made Up Street", town="Testtown",
                                 postcode="ZZ1 1ZZ", area=area)


def plant(agency: Agency, team: Team) -> Planted:
    analyst = make_user("pat.analyst", Role.ANALYST, agency=agency, team=team)
    leader = make_user("sam.leader", Role.SENIOR_LEADER, agency=agency, team=team)
    county = Area.objects.create(code="E10000099", name="Testshire", kind="county")
    northtown = Area.objects.create(code="E07000901", name="Northtown", kind="district",
                                    parent=county)
    southvale = Area.objects.create(code="E07000902", name="Southvale", kind="district",
                                    parent=county)
    north_ward = Area.objects.create(code="E05000901", name="North Ward", kind="ward",
                                     parent=northtown)
    white_british = EthnicGroup.objects.get(code="W1")
    pakistani = EthnicGroup.objects.get(code="A2")
    not_stated = EthnicGroup.objects.get(code=EthnicGroup.NOT_STATED)
    children = [
        make_person(agency, given_name="Amy", family_name="Plantedchild", sex="female",
                    date_of_birth=dt.date(2012, 6, 1), self_defined_ethnicity=white_british),
        # Sixteen on the period's last day.
        make_person(agency, given_name="Bea", family_name="Plantedchild", sex="female",
                    date_of_birth=dt.date(2009, 3, 31), self_defined_ethnicity=not_stated),
        make_person(agency, given_name="Cal", family_name="Plantedchild", sex="male"),
        make_person(agency, given_name="Dee", family_name="Plantedchild", sex="",
                    date_of_birth=dt.date(2016, 1, 1), self_defined_ethnicity=pakistani),
    ]
    _lives(children[0], north_ward)
    _lives(children[1], southvale)
    _lives(children[3], northtown)
    cases = [
        (children[0], _at(2025, 1, 10), None, ExploitationModel.GROUP_BASED),
        (children[1], _at(2024, 12, 1), None, ""),
        # Closed before the period: not counted.
        (children[2], _at(2024, 11, 1), _at(2025, 2, 1), ExploitationModel.ONLINE),
        (children[3], _at(2025, 3, 15), None, ExploitationModel.PARTY),
    ]
    for number, (child, opened, closed, model) in enumerate(cases):
        Case.objects.create(reference=f"CASE-P{number}", child=child, opened_at=opened,
                            opened_by=analyst, lead_agency=agency, risk_tier=RiskTier.HIGH,
                            closed_at=closed, status="closed" if closed else "open",
                            closure_reason="risk_reduced" if closed else "",
                            exploitation_model=model)
    for child, went in [
        (children[0], _at(2025, 3, 3, 22, 30)),   # Monday 22:30 (GMT)
        (children[0], _at(2025, 3, 30, 23, 30)),  # Monday 31 March 00:30 (BST)
        (children[1], _at(2025, 3, 8, 10, 0)),    # Saturday 10:00
        (children[3], _at(2025, 2, 28, 23, 59)),  # February: not counted
        (children[2], _at(2025, 3, 31, 23, 30)),  # 1 April 00:30 London: not counted
        (children[2], _at(2025, 3, 1, 0, 0)),     # Saturday 1 March 00:00: counted
    ]:
        MissingEpisode.objects.create(child=child, went_missing_at=went, recorded_by=analyst)
    suspects = [
        make_person(agency, given_name="Darren", family_name="Plantedsuspect", sex="male",
                    date_of_birth=dt.date(1990, 1, 1), self_defined_ethnicity=white_british),
        make_person(agency, given_name="Gary", family_name="Otherplanted", sex="",
                    date_of_birth=None),
    ]
    _lives(suspects[0], southvale)
    hotel = Premises.objects.create(name=PLANTED_PREMISES[0], kind="hotel")
    takeaway = Premises.objects.create(name=PLANTED_PREMISES[1], kind="takeaway")
    snap = OnlineAccount.objects.create(platform="snapchat", handle="planted.one")
    insta = OnlineAccount.objects.create(platform="instagram", handle="planted.two")
    first = make_report(team, analyst, received_at=_at(2025, 3, 5, 12),
                        occurred_on=dt.date(2025, 3, 1))
    for entity in (suspects[0], hotel, snap):
        link(first, entity)
    second = make_report(team, analyst, received_at=_at(2025, 3, 10, 12))
    for entity in (suspects[0], suspects[1], takeaway, insta, snap):
        link(second, entity)
    link(second, children[1], role=EntityRole.VICTIM)
    before = make_report(team, analyst, received_at=_at(2025, 2, 20, 12),
                         occurred_on=dt.date(2025, 2, 19))
    link(before, hotel)
    for number, (status, model) in enumerate([
            (GroupStatus.CONFIRMED, ExploitationModel.GROUP_BASED),
            (GroupStatus.CONFIRMED, ""), (GroupStatus.PROPOSED, "")]):
        group = Group.objects.create(
            reference=f"GRP-P{number}", name=f"Group P{number}", status=status,
            proposed_by=analyst, proposed_at=_at(2025, 3, 1),
            decided_by=leader if status == GroupStatus.CONFIRMED else None,
            decided_at=_at(2025, 3, 2) if status == GroupStatus.CONFIRMED else None,
            exploitation_model=model)
        GroupMember.objects.create(group=group, person=suspects[number % 2],
                                   part=MemberPart.SUSPECT)
    tactics = list(Tactic.objects.order_by("code")[:2])
    for number, (tactic, created, protected) in enumerate([
            (tactics[0], _at(2025, 3, 12), [children[0], children[1]]),
            (tactics[1], _at(2025, 3, 20), []),
            (tactics[0], _at(2025, 2, 1), [children[0]])]):
        disruption = Disruption.objects.create(
            reference=f"DIS-P{number}", tactic=tactic, target_kind="person",
            target_person=suspects[0], lead_officer=analyst, lead_agency=agency,
            created_by=analyst, created_at=created)
        for child in protected:
            DisruptionChild.objects.create(disruption=disruption, person=child)
    return Planted(analyst=analyst, leader=leader, northtown=northtown, southvale=southvale,
                   children=children, suspects=suspects)
