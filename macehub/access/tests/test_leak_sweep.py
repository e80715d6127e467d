"""The adversarial sweep: every role, hub and partner, opens every routed page, list,
search, export and API endpoint, and no record the policy hides from them shows any
identifying field anywhere.

Three kinds of hidden record are planted beside the URL samples:
- a *restricted person* (a child allocated to one worker, with a case, a referral, an
  address in their own ward and a link from an intelligence report): only that worker
  and information governance may know the child exists;
- a *restricted case* of another child, with a contact note and a referral about it:
  nobody who does not work on it sees its content before saying why;
- a handling-code *C intelligence report* of another team: none of the sweep's users
  may know it exists;
- a *victim advocate's contact* on the sample case: its notes are confidential to the
  advocacy service that recorded it (information governance reads them too).

Each page is read as every user, with the samples and, where a URL takes a person, case
or referral, with each hidden record; searches look for the hidden names, the case list
filters by the hidden child's ward. A page leaks when its body holds any identifying
field (name, date of birth in each format the hub prints, reference, free text) of a
record the policy hides from that user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.access.tests.routes import ROUTES, Route, build_samples, url_for
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case, Contact
from macehub.cases.services import open_case, set_restricted
from macehub.intelligence.models import IntelligenceReport, Vehicle
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.models import Area, Person, PersonAddress, PersonAllocation
from macehub.referrals.models import Referral
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import (
    make_agency,
    make_person,
    make_team,
    make_user,
    verified_login,
)

pytestmark = pytest.mark.long_running

HIDDEN_BIRTH = dt.date(2012, 4, 17)


def _birth_formats(day: dt.date) -> list[str]:
    return [f"{day.day} {day:%B %Y}", f"{day:%d/%m/%Y}", day.isoformat()]


@dataclass
class Hidden:
    """A record some users may not know about, and what would identify it."""

    label: str
    tokens: list[str]
    may_know: Any  # (user) -> bool

    def leaked_in(self, body: str) -> list[str]:
        return [token for token in self.tokens if token in body]


@dataclass
class World:
    samples: dict[str, Any]
    person: Person
    person_case: Case
    person_referral: Referral
    restricted_case: Case
    restricted_referral: Referral
    covert: IntelligenceReport
    covert_vehicle: Vehicle
    hidden: list[Hidden]
    users: list[User]


@pytest.fixture
def world(hub_agency: Agency, hub_team: Team) -> World:
    samples = build_samples(hub_agency, hub_team)
    worker = make_user("allocated.worker", Role.TRIAGE, agency=hub_agency, team=hub_team)
    ward = Area.objects.create(code="E05888888", name="Hidden Ward", kind="ward")

    person = make_person(hub_agency, given_name="Quillon", family_name="Marchbanks-Vey",
                         date_of_birth=HIDDEN_BIRTH, is_restricted=True)
    PersonAllocation.objects.create(person=person, user=worker)
    PersonAddress.objects.create(person=person, line_1="1 Hidden Row", postcode="XB9 9ZZ",
                                 area=ward, is_current=True)
    person_case = open_case(actor=worker, child=person, risk_tier=RiskTier.HIGH,
                            lead_agency=hub_agency, reason="Restricted child",
                            key_worker=worker)
    person_referral = make_referral(person, worker, concerns="Marchbanks-Vey concern")
    link(samples["intel_report_pk"], person)

    other_child = make_person(hub_agency, given_name="Orlaith", family_name="Pemberton")
    supervisor = make_user("restricting.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    restricted_case = open_case(actor=worker, child=other_child, risk_tier=RiskTier.HIGH,
                                lead_agency=hub_agency, reason="Sensitive", key_worker=worker)
    Contact.objects.create(case=restricted_case, occurred_at=timezone.now(),
                           kind="home_visit", with_whom="Child", summary="Glasswing note",
                           recorded_by=worker)
    set_restricted(actor=supervisor, case_pk=restricted_case.pk, expected_version=1,
                   restricted=True, reason="Child of a member of staff")
    restricted_referral = make_referral(other_child, worker, concerns="Tanglewood concern",
                                        case=restricted_case)

    # An advocacy service's contact on the sample case: everyone who sees the case sees
    # that it happened; only the service (and information governance) its notes.
    advocacy = make_agency("sweep-advocacy", AgencyKind.VOLUNTARY_SECTOR, name="Sweep Advocacy")
    service_advocate = make_user("service.advocate", Role.VICTIM_ADVOCATE, agency=advocacy,
                                 team=make_team(advocacy, "Advocacy", is_hub_team=False))
    advocacy_contact = Contact.objects.create(
        case=samples["case_pk"], occurred_at=timezone.now(), kind="meeting",
        with_whom="Wrenfield youth club", summary="Larkspur advocacy note",
        child_seen="yes", child_seen_alone="yes", child_words="Bramblewick words",
        recorded_by=service_advocate, advocacy_service=advocacy)

    covert_team = make_team(hub_agency, "Covert Intelligence Unit", is_hub_team=False)
    covert_author = make_user("covert.author", Role.ANALYST, agency=hub_agency,
                              team=covert_team)
    covert = make_report(covert_team, covert_author, handling_code="C",
                         conditions="Covert unit only", teams=[covert_team],
                         source_text="Nightjar source words",
                         sanitised_text="Nightjar sanitised words",
                         reference="INT-COVERT-0042")
    covert_vehicle = Vehicle.objects.create(registration="XC99HID", make="Hidden",
                                            colour="Teal")
    link(covert, covert_vehicle)
    link(covert, person)

    partner = make_agency("sweep-partner", AgencyKind.CHILDRENS_SOCIAL_CARE, name="Sweep Council")
    partner_team = make_team(partner, "Sweep social work", is_hub_team=False)
    users = [make_user(f"sweep.{role.value}", role, agency=hub_agency, team=hub_team)
             for role in Role]
    users += [make_user(f"partner.{role.value}", role, agency=partner, team=partner_team)
              for role in (Role.INVESTIGATOR, Role.TRIAGE, Role.REFERRER,
                           Role.VICTIM_ADVOCATE)]
    # A partner role on an account whose agency was never set.
    users.append(make_user("no.agency.investigator", Role.INVESTIGATOR))

    def reason_asked(user: User) -> bool:
        return Case.objects.filter(pk=restricted_case.pk).filter(
            policy.reason_required(user)).exists()

    hidden = [
        Hidden("restricted person",
               ["Quillon", "Marchbanks-Vey", *_birth_formats(HIDDEN_BIRTH),
                person_case.reference, person_referral.reference, "1 Hidden Row"],
               lambda user: policy.can(user, Action.PERSON_VIEW, person)),
        Hidden("restricted case's content",
               # Listing the referral is right (the triage queue must show it); its
               # content waits for the reason.
               ["Glasswing", "Tanglewood"],
               lambda user: not reason_asked(user)),
        Hidden("advocacy service's contact notes",
               ["Larkspur", "Wrenfield", "Bramblewick"],
               lambda user: policy.can(user, Action.CASE_READ_ADVOCACY_NOTES,
                                       advocacy_contact)),
        Hidden("handling code C report",
               ["Nightjar", "INT-COVERT-0042", "XC99HID"],
               lambda user: policy.can(user, Action.INTELLIGENCE_VIEW, covert)),
    ]
    return World(samples, person, person_case, person_referral, restricted_case,
                 restricted_referral, covert, covert_vehicle, hidden, users)


# Pages whose URL takes a record the sweep also opens with each hidden one.
HIDDEN_RECORD_KEYWORDS = {
    "person_pk": ("person",),
    "case_pk": ("person_case", "restricted_case"),
    "referral_pk": ("person_referral", "restricted_referral"),
    "intel_report_pk": ("covert",),
    "intel_vehicle_pk": ("covert_vehicle",),
}
SEARCHES = [
    ("people:search", "q=Marchbanks"),
    ("people:search", "q=Quillon"),
    ("api:person_search", "q=Marchbanks"),
    ("intelligence:search", "q=Marchbanks"),
    ("intelligence:search", "q=Nightjar"),
    ("intelligence:search", "q=XC99HID"),
    ("cases:list", "area=E05888888"),
    ("cases:list", "area=E05888888&status="),
    ("cases:list", "sort=child&order=asc&status="),
    ("referrals:queue", "show=all"),
    ("referrals:queue", "show=all&area=E05888888"),
    ("intelligence:report_list", ""),
    ("intelligence:export", ""),
]


@dataclass(frozen=True)
class Page:
    what: str
    url: str
    action: Action | None
    typed: str = ""  # what the user typed: a search page shows it back to them


def _pages(world: World) -> list[Page]:
    """Every page the sweep reads."""
    pages = []
    for route in ROUTES:
        if route.is_public:
            continue
        pages.append(Page(route.name, url_for(route, world.samples), route.action))
        if route.kwargs:
            for name in HIDDEN_RECORD_KEYWORDS.get(route.kwargs[0], ()):
                record = getattr(world, name)
                pages.append(Page(f"{route.name} [{name}]", url_for(
                    route, world.samples, **{route.kwargs[0]: record}), route.action))
    for name, query in SEARCHES:
        action = _route(name).action
        typed = query.removeprefix("q=") if query.startswith("q=") else ""
        pages.append(Page(f"{name}?{query}", f"{reverse(name)}?{query}", action, typed))
    return pages


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
def test_no_page_shows_a_record_the_policy_hides(world: World) -> None:
    pages = _pages(world)
    assert len(pages) > 100
    leaks, reads, hidden_checks = [], 0, 0
    for user in world.users:
        client = Client()
        verified_login(client, user)
        hidden_here = [hidden for hidden in world.hidden if not hidden.may_know(user)]
        for page in pages:
            if page.action is not None and not policy.allows(user, page.action):
                continue  # refused for the role alone: the URL×role test covers it
            response = client.get(page.url)
            reads += 1
            hidden_checks += len(hidden_here)
            body = _body(response)
            for hidden in hidden_here:
                found = [token for token in hidden.leaked_in(body) if token != page.typed]
                if found:
                    leaks.append(f"{user.username} {page.what} ({response.status_code}): "
                                 f"{hidden.label} {found}")
    print(f"\nLeak sweep: {len(world.users)} users x {len(pages)} pages = {reads} reads, "
          f"{hidden_checks} hidden-record checks, {len(leaks)} leaks")
    # A guard that the sweep looked at something the policy hides from someone.
    assert hidden_checks > reads
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks[:60])


@pytest.mark.django_db
def test_the_sweep_would_see_a_leak(world: World) -> None:
    """The tokens are really in the pages of those who may see them (so the sweep's
    silence means something)."""
    worker = User.objects.get(username="allocated.worker")
    client = Client()
    verified_login(client, worker)
    person_page = _body(client.get(reverse("people:detail", args=[world.person.pk])))
    assert world.hidden[0].leaked_in(person_page)
    case_page = _body(client.get(reverse("cases:contacts", args=[world.restricted_case.pk])))
    assert "Glasswing" in case_page
    governance = User.objects.get(username="sweep.information_governance")
    client = Client()
    verified_login(client, governance)
    notes = _body(client.get(reverse("cases:contacts", args=[world.samples["case_pk"].pk])))
    assert "Larkspur" in notes and "Wrenfield" in notes
    covert_author = User.objects.get(username="covert.author")
    client = Client()
    verified_login(client, covert_author)
    report = _body(client.get(reverse("intelligence:report_detail", args=[world.covert.pk])))
    assert "Nightjar" in report and "INT-COVERT-0042" in report


def _route(name: str) -> Route:
    return next(route for route in ROUTES if route.name == name)
