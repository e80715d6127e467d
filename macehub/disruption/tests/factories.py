"""Test records for the disruption register: a hub (police) with an investigator, a
supervisor, an analyst and a victim advocate, a council licensing officer, a child, a
suspect seen in a report, premises and a vehicle in the same report. All names are made
up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.disruption import services
from macehub.disruption.models import Disruption, Tactic
from macehub.intelligence.models import IntelligenceReport, Premises, Vehicle
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.models import Person
from macehub.testing.factories import make_agency, make_person, make_team, make_user


@dataclass
class Hub:
    agency: Agency
    team: Team
    investigator: User
    supervisor: User
    analyst: User
    advocate: User
    council: Agency
    licensing: User
    child: Person
    suspect: Person
    premises: Premises
    vehicle: Vehicle
    report: IntelligenceReport


def make_hub(agency: Agency, team: Team) -> Hub:
    council = make_agency("county-council", AgencyKind.LOCAL_AUTHORITY, name="County Council")
    council_team = make_team(council, "Licensing", is_hub_team=False)
    investigator = make_user("ivy.investigator", Role.INVESTIGATOR, agency=agency, team=team)
    child = make_person(agency, given_name="Poppy", family_name="Testcase",
                        date_of_birth=dt.date(2011, 5, 6))
    suspect = make_person(agency, given_name="Dean", family_name="Madeup",
                          date_of_birth=dt.date(1985, 7, 8), sex="male")
    premises = Premises.objects.create(name="Madeup Hotel", kind="hotel")
    vehicle = Vehicle.objects.create(registration="AB12CDE", make="Toyota", model="Prius")
    report = make_report(team, investigator)
    for entity in (suspect, premises, vehicle):
        link(report, entity)
    return Hub(
        agency=agency, team=team, investigator=investigator,
        supervisor=make_user("sid.supervisor", Role.SUPERVISOR, agency=agency, team=team),
        analyst=make_user("ana.analyst", Role.ANALYST, agency=agency, team=team),
        advocate=make_user("val.advocate", Role.VICTIM_ADVOCATE, agency=agency, team=team),
        council=council,
        licensing=make_user("lee.licensing", Role.INVESTIGATOR, agency=council,
                            team=council_team),
        child=child, suspect=suspect, premises=premises, vehicle=vehicle, report=report)


def tactic(code: str) -> Tactic:
    return Tactic.objects.get(code=code)


def cawn(hub: Hub, *, status: str = "served", days_ago: int = 10,
         actor: User | None = None) -> Disruption:
    started = timezone.localdate() - dt.timedelta(days=days_ago)
    return services.record_disruption(actor=actor or hub.investigator, disruption=(
        services.NewDisruption(
            tactic_pk=tactic("cawn").pk, target_kind="person", target_pk=hub.suspect.pk,
            status=status, child_pks=[hub.child.pk],
            started_on=started if status in {"granted", "served"} else None,
            expires_on=started + dt.timedelta(days=365) if status != "planned" else None)))
