"""The people an intelligence test needs, and a condition-C report with everything
around it.

Staff:
- ``analyst`` and ``supervisor``: researchers in the hub team that owns the reports;
  ``investigator``: records reports in the same team;
- ``named_member``: in a partner team that handling code C names;
- ``named_agency_member``: a social worker in an agency that handling code C names (a
  neighbouring council's children's services);
- and those who must not see a condition-C report: ``other_hub_member`` (a hub team of
  another agency), ``partner_worker`` (a partner agency the conditions do not name),
  ``outsider``, ``governance`` (information governance) and ``scrutiny``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Vehicle,
)
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.models import Person, PersonShare
from macehub.testing.factories import (
    make_agency,
    make_person,
    make_team,
    make_user,
    signed_in_client,
)

SECRET_SOURCE = "Told to DC Sample by informant FALCON-7 at the hostel on Mill Street"
SECRET_SANITISED = "Intelligence indicates a grey van collects girls from Mill Street"
SECRET_VEHICLE_DESCRIPTION = "grey Transit, cracked windscreen, FALCON sticker"


def client_for(user: User) -> Client:
    client: Client = signed_in_client(user)
    return client


@pytest.fixture
def analyst(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("an.alyst", Role.ANALYST, agency=hub_agency, team=hub_team)


@pytest.fixture
def supervisor(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("super.visor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)


@pytest.fixture
def investigator(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("in.vestigator", Role.INVESTIGATOR, agency=hub_agency, team=hub_team)


@pytest.fixture
def named_team(partner_agency: Agency) -> Team:
    return make_team(partner_agency, "Exploitation Team", is_hub_team=False)


@pytest.fixture
def named_member(partner_agency: Agency, named_team: Team) -> User:
    return make_user("named.member", Role.INVESTIGATOR, Role.ANALYST, agency=partner_agency,
                     team=named_team)


@pytest.fixture
def named_agency(db: Any) -> Agency:
    return make_agency("westmoor", AgencyKind.CHILDRENS_SOCIAL_CARE,
                       name="Westmoor Council Social Care")


@pytest.fixture
def named_agency_member(named_agency: Agency) -> User:
    team = make_team(named_agency, "Exploitation social work", is_hub_team=False)
    return make_user("named.social.worker", Role.SOCIAL_WORKER, agency=named_agency, team=team)


@pytest.fixture
def other_hub_team(db: Any) -> Team:
    agency = make_agency("county-health", AgencyKind.HEALTH, name="County Health")
    return make_team(agency, "MACE Hub (Health)", is_hub_team=True)


@pytest.fixture
def other_hub_member(other_hub_team: Team) -> User:
    return make_user("other.hub", Role.ANALYST, Role.TRIAGE, agency=other_hub_team.agency,
                     team=other_hub_team)


@pytest.fixture
def partner_worker(partner_agency: Agency) -> User:
    team = make_team(partner_agency, "District Social Work", is_hub_team=False)
    return make_user("partner.worker", Role.ANALYST, Role.INVESTIGATOR, agency=partner_agency,
                     team=team)


@pytest.fixture
def outsider(outsider_agency: Agency) -> User:
    team = make_team(outsider_agency, "Safeguarding", is_hub_team=False)
    return make_user("out.sider", Role.ANALYST, Role.TRIAGE, agency=outsider_agency, team=team)


@pytest.fixture
def governance(hub_agency: Agency) -> User:
    team = make_team(hub_agency, "Information Management", is_hub_team=False)
    return make_user("gov.ernance", Role.INFORMATION_GOVERNANCE, agency=hub_agency, team=team)


@pytest.fixture
def scrutiny(db: Any) -> User:
    agency = make_agency("pcc", AgencyKind.PCC_OFFICE, name="PCC Office")
    team = make_team(agency, "Scrutiny", is_hub_team=False)
    return make_user("scru.tiny", Role.SCRUTINY, agency=agency, team=team)


@dataclass
class Scenario:
    """A condition-C report and two P reports about the same child.

    The C report names ``named_team`` and ``named_agency``. Its vehicle, phone, account,
    premises and location appear in no other report; the ``shared_vehicle`` and the
    child and suspect appear in a P report too.
    """

    child: Person
    suspect: Person
    secret: IntelligenceReport
    open_reports: list[IntelligenceReport]
    secret_vehicle: Vehicle
    secret_phone: PhoneNumber
    secret_account: OnlineAccount
    secret_premises: Premises
    secret_location: Location
    shared_vehicle: Vehicle

    @property
    def secret_entities(self) -> list[Any]:
        return [self.secret_vehicle, self.secret_phone, self.secret_account,
                self.secret_premises, self.secret_location]


@pytest.fixture
def scenario(
    hub_agency: Agency, hub_team: Team, analyst: User, named_team: Team,
    named_agency: Agency, partner_agency: Agency, outsider_agency: Agency,
) -> Scenario:
    child = make_person(hub_agency, given_name="Kayleigh", family_name="Marsh",
                        date_of_birth=dt.date(2011, 5, 2))
    suspect = make_person(hub_agency, given_name="Dean", family_name="Rowntree",
                          date_of_birth=dt.date(1990, 1, 9), sex="male")
    # Partners may see both people's records, so person pages are tested for them too.
    for person in (child, suspect):
        for agency in (partner_agency, outsider_agency, named_agency):
            PersonShare.objects.create(person=person, agency=agency, shared_by=analyst)
    now = timezone.now()
    secret = make_report(
        hub_team, analyst, handling_code="C", reference="INT-2026-009999",
        conditions="Not to be shared beyond the Exploitation Team and Westmoor social care",
        teams=[named_team], agencies=[named_agency],
        source_text=SECRET_SOURCE, sanitised_text=SECRET_SANITISED,
        received_at=now - dt.timedelta(days=1), priority="high",
    )
    open_reports = [
        make_report(hub_team, analyst, handling_code="P", reference="INT-2026-000101",
                    source_text="Open source text one", sanitised_text="Open one",
                    received_at=now - dt.timedelta(days=3)),
        make_report(hub_team, analyst, handling_code="P", reference="INT-2026-000102",
                    source_text="Open source text two", sanitised_text="Open two",
                    received_at=now - dt.timedelta(days=4)),
    ]
    secret_location = Location.objects.create(description="Hostel yard, Mill Street",
                                              address="9 Mill Street", postcode="XB9 9ZZ")
    secret_vehicle = Vehicle.objects.create(registration="XB01SEC")
    secret_phone = PhoneNumber.objects.create(number="+447700900777")
    secret_account = OnlineAccount.objects.create(platform="snapchat", handle="falcon.seven")
    secret_premises = Premises.objects.create(name="Millstone Kebab House", kind="takeaway")
    shared_vehicle = Vehicle.objects.create(registration="XB01SHR", make="Vauxhall")
    link(secret, child, "victim")
    link(secret, suspect, "suspect")
    for entity in (secret_location, secret_phone, secret_account, secret_premises):
        link(secret, entity)
    link(secret, secret_vehicle, description=SECRET_VEHICLE_DESCRIPTION)
    link(secret, shared_vehicle, description=SECRET_VEHICLE_DESCRIPTION)
    link(open_reports[0], child, "victim")
    link(open_reports[0], suspect, "suspect")
    link(open_reports[0], shared_vehicle)
    link(open_reports[1], child, "victim")
    return Scenario(
        child=child, suspect=suspect, secret=secret, open_reports=open_reports,
        secret_vehicle=secret_vehicle, secret_phone=secret_phone,
        secret_account=secret_account, secret_premises=secret_premises,
        secret_location=secret_location, shared_vehicle=shared_vehicle,
    )
