"""Test records for digital forensics: a force with an investigator, a supervisor and an
examiner, and an open investigation with a child victim and a suspect. All names are
made up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.forensics import services
from macehub.forensics.models import Exhibit
from macehub.investigations import services as investigation_services
from macehub.investigations.models import Investigation
from macehub.people.models import Person
from macehub.testing.factories import make_person, make_user


@dataclass
class Force:
    agency: Agency
    investigator: User
    supervisor: User
    examiner: User


def make_force(agency: Agency, team: Team) -> Force:
    return Force(
        agency=agency,
        investigator=make_user("ivy.investigator", Role.INVESTIGATOR, agency=agency, team=team),
        supervisor=make_user("sid.supervisor", Role.SUPERVISOR, agency=agency, team=team),
        examiner=make_user("eve.examiner", Role.FORENSICS, agency=agency, team=team))


def make_investigation(force: Force, number: int = 0, *, allocate: bool = True
                       ) -> Investigation:
    child = make_person(force.agency, given_name=f"Poppy{number}", family_name="Testcase",
                        date_of_birth=dt.date(2011, 5, 6))
    other = make_person(force.agency, given_name=f"Rosa{number}", family_name="Othervictim")
    suspect = make_person(force.agency, given_name=f"Dean{number}", family_name="Madeup",
                          date_of_birth=dt.date(1985, 7, 8), sex="male")
    investigation = investigation_services.record_investigation(
        actor=force.investigator, title=f"Operation Hawthorn {number}",
        reported_on=timezone.localdate() - dt.timedelta(days=10),
        crime=investigation_services.CrimeDetails("71"), victim_pks=[child.pk, other.pk],
        suspect_pks=[suspect.pk])
    if allocate:
        investigation = investigation_services.allocate(
            actor=force.supervisor, investigation_pk=investigation.pk,
            expected_version=investigation.version, officer_pk=force.investigator.pk,
            supervisor_pk=force.supervisor.pk)
    return investigation


def victim(investigation: Investigation) -> Person:
    return investigation.victims.order_by("pk").first().person  # type: ignore[union-attr]


def suspect(investigation: Investigation) -> Person:
    return investigation.suspects.get().person


def seize(force: Force, investigation: Investigation, *, priority: str = "immediate_risk",
          hours_ago: float = 2, owner: str = "victim", person: Person | None = None,
          device_type: str = "mobile_phone") -> Exhibit:
    if person is None and owner == "victim":
        person = victim(investigation)
    return services.record_seized_device(
        actor=force.investigator, investigation_pk=investigation.pk,
        device=services.SeizedDevice(
            device_type=device_type, description="Black Samsung Galaxy A15",
            seized_at=timezone.now() - dt.timedelta(hours=hours_ago), owner=owner,
            priority=priority, legal_authority="pace_s19",
            seized_from_pk=person.pk if person else None))
