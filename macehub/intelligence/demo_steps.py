"""Demo intelligence: a year of it, planting the truth that later analytics must find.

- **Offender groups** (2-8 suspects each, from the demo's adults) around groups of
  children, sharing vehicles, phones, online accounts, premises and places. Every shared
  entity is mentioned in at least two reports with different suspects of its group, and
  every suspect in at least one report with a shared entity, so the group is there to be
  found by linking, never by a label.
- **Hotspots**: a few locations in the demo's wards where several groups are reported.
- **Lone offenders**: one adult, one or two children, entities of their own.
- **Noise**: one-off reports about other adults and children, with entities of their
  own that no other report mentions.
- **Historic 5x5x5 reports**, read-only, from before the year.

Handling codes are mixed (most P, some C naming a team or agency); most reports are
reviewed, some recent ones wait in the queue; some came from partner submissions; some
were shared with partners. The truth is stored in ``demo.PlantedTruth`` (kinds
``offender_group``, ``hotspot``, ``lone_offender``).

Every value is synthetic and marked so: registrations ``X?01???`` (age identifier 01 is
not issued until 2051), Ofcom drama phone numbers, handles starting ``demo.``, postcodes
starting X. Deterministic for a seed and reference date; written in bulk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from macehub.accounts.models import Team, User
from macehub.core.phones import OFCOM_DRAMA_PREFIXES
from macehub.demo import accounts as demo_accounts
from macehub.demo.areas import Neighbourhood
from macehub.demo.batches import insert_rows
from macehub.demo.intelligence_truth import (
    HOTSPOT,
    LONE_OFFENDER,
    OFFENDER_GROUP,
    TRUTH_KINDS,
    natural_key,
)
from macehub.demo.models import PlantedTruth
from macehub.demo.people import Weighted
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.intelligence.codes import (
    AccountPlatform,
    EntityRole,
    HandlingCode,
    LawfulBasis,
    PremisesKind,
    Priority,
    ReportStatus,
    ReviewAction,
    SecurityMarking,
)
from macehub.intelligence.legacy import LEGACY_HANDLING
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Submission,
    Vehicle,
    location_search_keys,
    premises_search_keys,
)
from macehub.intelligence.normalise import registration_keys
from macehub.intelligence.services import UNREVIEWED_CONDITIONS
from macehub.people.models import Person

INTELLIGENCE_ORDER = 1300
PERIOD_DAYS = 365
LONDON = ZoneInfo("Europe/London")

DEMO_HANDLE_PREFIX = "demo."
DEMO_REGISTRATION = re.compile(r"^X[A-Z]01[A-Z]{3}$")
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # no I, Q or Z
POSTCODE_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

SOURCE_EVALUATIONS = Weighted([("1", 30), ("2", 55), ("3", 15)])
ASSESSMENTS = Weighted([("A", 20), ("B", 35), ("C", 30), ("D", 10), ("E", 5)])
PRIORITIES = Weighted([(Priority.HIGH.value, 10), (Priority.MEDIUM.value, 30),
                       (Priority.LOW.value, 60)])
MARKINGS = Weighted([(SecurityMarking.OFFICIAL_SENSITIVE.value, 80),
                     (SecurityMarking.OFFICIAL.value, 20)])
ACTIONS = Weighted([(ReviewAction.DEVELOP.value, 35), (ReviewAction.DISSEMINATE.value, 25),
                    (ReviewAction.TASK.value, 20), (ReviewAction.NO_FURTHER_ACTION.value, 20)])
PREMISES_KINDS = Weighted([(PremisesKind.TAKEAWAY.value, 30), (PremisesKind.HOTEL.value, 20),
                           (PremisesKind.TAXI_FIRM.value, 20), (PremisesKind.SHORT_LET.value, 15),
                           (PremisesKind.LICENSED.value, 10), (PremisesKind.SHOP.value, 5)])
PLATFORMS = Weighted([(AccountPlatform.SNAPCHAT.value, 40), (AccountPlatform.INSTAGRAM.value, 20),
                      (AccountPlatform.TIKTOK.value, 15), (AccountPlatform.WHATSAPP.value, 15),
                      (AccountPlatform.TELEGRAM.value, 10)])
PREMISES_NAMES = {
    PremisesKind.TAKEAWAY.value: ("Pizza & Kebab", "Chicken Shack", "Fish Bar", "Grill House"),
    PremisesKind.HOTEL.value: ("Lodge Hotel", "Guest House", "Travel Inn", "Arms Hotel"),
    PremisesKind.TAXI_FIRM.value: ("Cars", "Private Hire", "Taxis", "Executive Travel"),
    PremisesKind.SHORT_LET.value: ("Serviced Apartments", "Short Stays", "City Flats"),
    PremisesKind.LICENSED.value: ("Tavern", "Lounge Bar", "Social Club"),
    PremisesKind.SHOP.value: ("Convenience Store", "Vape Shop", "Phone Repairs"),
}
PLACES = ("Car park behind the shops", "Bus station", "Retail park car park",
          "Underpass by the ring road", "Recreation ground", "Canal towpath",
          "Railway station forecourt", "Multi-storey car park, level 3", "Skate park",
          "Derelict garages")
HANDLE_WORDS = ("kingpin", "smoke", "vibez", "lux", "boss", "rider", "shadow", "trapstar",
                "ghost", "flex", "drip", "rolla", "sparks", "zed", "nova")
VEHICLE_MAKES = (("Ford", "Focus"), ("Vauxhall", "Astra"), ("BMW", "3 Series"),
                 ("Audi", "A3"), ("Volkswagen", "Golf"), ("Mercedes-Benz", "C-Class"),
                 ("Toyota", "Prius"), ("Skoda", "Octavia"), ("Nissan", "Qashqai"))
COLOURS = ("Black", "Silver", "Grey", "White", "Blue", "Red")
WHAT_HAPPENED = (
    "{suspects} seen collecting {children} in {vehicle} late at night near {place}.",
    "{children} said to be spending nights at {premises} with {suspects}.",
    "{suspects} giving {children} alcohol and cannabis at {place}; {vehicle} parked nearby.",
    "{children} receiving gifts and phone credit from {suspects}; contact through {phone}.",
    "{suspects} contacting {children} through {account}, arranging to meet at {place}.",
    "Staff at {premises} concerned about {children} arriving with {suspects} after dark.",
    "{children} picked up from school by {suspects} in {vehicle}.",
    "{suspects} using {phone} to arrange 'parties' for {children} at {premises}.",
)
SOURCES = ("a member of staff", "a neighbour", "a relative of the child", "a taxi driver",
           "a youth worker", "an anonymous caller", "a covert human intelligence source",
           "a hotel receptionist")
SUBMITTERS = ("referrer.school", "referrer.health", "referrer.council", "referrer.voluntary",
              "referrer.socialcare", "referrer.police")
SHARE_WITH = (demo_accounts.CHILDRENS_SERVICES, demo_accounts.DISTRICT_COUNCIL,
              demo_accounts.CHARITY, demo_accounts.EDUCATION)
# Handling code C names one of these: (team keys, agency codes, conditions).
C_CONDITIONS = (
    (("social-care-hub",), (), "Hub social workers only, for safety planning. Do not "
     "disclose to the family."),
    (("council-licensing",), (), "Licensing officers only, for a premises licence review. "
     "Not to be used in evidence."),
    ((), (demo_accounts.CHILDRENS_SERVICES,), "Children's services only, to safeguard the "
     "named children. Refer to the MACE hub before any further sharing."),
    (("police-neighbourhood",), (), "Neighbourhood officers only, for patrol tasking. "
     "Source-sensitive: do not act in a way that identifies the source."),
)


@dataclass
class Draft:
    """One report being made, with what it links to (by kind, the entity objects)."""

    report: IntelligenceReport
    people: list[tuple[int, str]] = field(default_factory=list)  # (person id, role)
    entities: list[tuple[str, Any]] = field(default_factory=list)  # (kind, entity)
    teams: list[int] = field(default_factory=list)
    agencies: list[int] = field(default_factory=list)
    submitter: User | None = None
    share_with: int | None = None
    truth: str = ""  # "group:3", "lone:2", "noise"


@dataclass
class Group:
    number: int
    suspects: list[int]
    children: list[int]
    shared: dict[str, list[Any]]
    hotspots: list[Location]
    drafts: list[Draft] = field(default_factory=list)


class IntelligenceGenerator:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.end = dt.datetime.combine(ctx.as_of, dt.time(0), tzinfo=LONDON)
        self.hub_team: Team = ctx.teams["police-hub"]
        self.recorders = [ctx.users[name] for name in
                          ("analyst.police", "investigator.police", "supervisor.police")]
        self.reviewers = [ctx.users[name] for name in ("analyst.police", "supervisor.police")]
        self.submitters = [ctx.users[name] for name in SUBMITTERS if name in ctx.users]
        self.police_agencies = [agency.pk for code, agency in sorted(ctx.agencies.items())
                                if agency.kind == "police"]
        self.names: dict[int, str] = {}
        self.used_plates: set[str] = set()
        self.used_handles: set[str] = set()
        self.used_postcodes: set[str] = set()
        self.phone_pool = self._phone_pool()
        self.references: dict[int, int] = {}
        self.drafts: list[Draft] = []
        self.locations: list[Location] = []
        self.premises: list[Premises] = []
        self.vehicles: list[Vehicle] = []
        self.phones: list[PhoneNumber] = []
        self.accounts: list[OnlineAccount] = []

    # --- Pools and names ---------------------------------------------------------------

    def load_names(self, ids: Sequence[int]) -> None:
        """The names of the people the reports will mention (only those: a national
        set has a million people)."""
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 5000):
            rows = Person.objects.filter(pk__in=wanted[start:start + 5000]).order_by(
                "pk").values_list("pk", "given_name", "family_name")
            self.names.update((pk, f"{given} {family}") for pk, given, family in rows)

    def _phone_pool(self) -> list[str]:
        pool = [f"{prefix}{n:03d}" for prefix in OFCOM_DRAMA_PREFIXES for n in range(1000)]
        self.rng.shuffle(pool)
        return pool

    # --- Entities ----------------------------------------------------------------------

    def postcode(self, neighbourhood: Neighbourhood) -> str:
        while True:
            inward = (f"{self.rng.randint(1, 9)}"
                      f"{''.join(self.rng.choices(POSTCODE_INWARD_LETTERS, k=2))}")
            postcode = f"{neighbourhood.outward_code} {inward}"
            if postcode not in self.used_postcodes:
                self.used_postcodes.add(postcode)
                return postcode

    def location(self, neighbourhood: Neighbourhood, description: str = "") -> Location:
        street = f"{self.ctx.faker.last_name()} {self.rng.choice(('Street', 'Road', 'Lane'))}"
        location = Location(
            description=description or f"{self.rng.choice(PLACES)}, {neighbourhood.name}",
            address=f"{street}, {neighbourhood.town}",
            postcode=self.postcode(neighbourhood),
            area_id=neighbourhood.area_id,
        )
        self.locations.append(location)
        return location

    def new_premises(self, neighbourhood: Neighbourhood) -> Premises:
        kind = PREMISES_KINDS.pick(self.rng)
        name = f"{neighbourhood.town} {self.rng.choice(PREMISES_NAMES[kind])}"
        place = self.location(neighbourhood, description=name)
        premises = Premises(name=name, kind=kind, location=place,
                            licence_reference=f"NSH/{self.rng.randint(1000, 9999)}"
                            if kind in ("hotel", "takeaway", "taxi_firm", "licensed") else "")
        self.premises.append(premises)
        return premises

    def vehicle(self) -> Vehicle:
        while True:
            plate = (f"X{self.rng.choice(PLATE_LETTERS)}01"
                     f"{''.join(self.rng.choices(PLATE_LETTERS, k=3))}")
            if plate not in self.used_plates:
                self.used_plates.add(plate)
                break
        make, model = self.rng.choice(VEHICLE_MAKES)
        vehicle = Vehicle(registration=plate, make=make, model=model,
                          colour=self.rng.choice(COLOURS))
        self.vehicles.append(vehicle)
        return vehicle

    def phone(self) -> PhoneNumber:
        phone = PhoneNumber(number=self.phone_pool.pop())
        self.phones.append(phone)
        return phone

    def account(self) -> OnlineAccount:
        while True:
            handle = (f"{DEMO_HANDLE_PREFIX}{self.rng.choice(HANDLE_WORDS)}"
                      f"{self.rng.randint(1, 999)}")
            if handle not in self.used_handles:
                self.used_handles.add(handle)
                break
        account = OnlineAccount(platform=PLATFORMS.pick(self.rng), handle=handle)
        self.accounts.append(account)
        return account

    # --- Reports -----------------------------------------------------------------------

    def received_at(self, *, latest_days_ago: int = 1, earliest_days_ago: int = PERIOD_DAYS
                    ) -> dt.datetime:
        days = self.rng.randint(latest_days_ago, earliest_days_ago)
        hour = self.rng.choice((9, 10, 11, 13, 14, 15, 16, 17, 19, 21, 23))
        return self.end - dt.timedelta(days=days) + dt.timedelta(
            hours=hour, minutes=self.rng.randrange(60))

    def reference(self, received_at: dt.datetime) -> str:
        year = received_at.astimezone(LONDON).year
        self.references[year] = self.references.get(year, 0) + 1
        return f"INT-{year}-{self.references[year]:06d}"

    def draft(self, *, people: list[tuple[int, str]], entities: list[tuple[str, Any]],
              truth: str, c_share: float) -> Draft:
        rng = self.rng
        received_at = self.received_at()
        suspects = [self.names.get(pk, "an unknown man") for pk, role in people
                    if role == EntityRole.SUSPECT]
        children = [self.names.get(pk, "a child") for pk, role in people
                    if role == EntityRole.VICTIM]
        labels = {kind: str(entity) for kind, entity in reversed(entities)}
        what = rng.choice(WHAT_HAPPENED).format(
            suspects=" and ".join(suspects) or "Unknown adults",
            children=" and ".join(children) or "local children",
            vehicle=f"a {labels['vehicle']}" if "vehicle" in labels else "a car",
            place=labels.get("location", "the town centre"),
            premises=labels.get("premises", "a flat in the town centre"),
            phone=labels.get("phone", "a mobile number"),
            account=f"@{labels['account']}" if "account" in labels else "social media",
        )
        source = rng.choice(SOURCES)
        submitter = (rng.choice(self.submitters)
                     if self.submitters and rng.random() < 0.12 else None)
        source_text = (f"{what}\n\nSource: {source}, spoken to on "
                       f"{received_at.astimezone(LONDON):%d/%m/%Y}. The source asked not to "
                       "be identified.")
        if submitter is not None:
            source_text = (f"What happened: {what}\n\nHow the submitter knows: told by "
                           f"{source}\n\nSubmitted by: {submitter.get_full_name()}, "
                           f"{submitter.agency.name if submitter.agency else ''}")
        waiting = (self.end - received_at).days <= 12 and rng.random() < 0.6
        report = IntelligenceReport(
            reference=self.reference(received_at),
            owning_team=self.hub_team,
            created_by=submitter or rng.choice(self.recorders),
            received_at=received_at,
            occurred_on=(received_at - dt.timedelta(days=rng.randint(0, 14))).date(),
            source_text=source_text,
            security_marking=MARKINGS.pick(rng),
            priority=PRIORITIES.pick(rng),
        )
        draft = Draft(report=report, people=people, entities=entities, submitter=submitter,
                      truth=truth)
        if submitter is not None and waiting:
            report.handling_code = HandlingCode.CONDITIONS
            report.handling_conditions = UNREVIEWED_CONDITIONS
            draft.teams = [self.hub_team.pk]
        elif rng.random() < c_share:
            team_keys, agency_codes, conditions = rng.choice(C_CONDITIONS)
            report.handling_code = HandlingCode.CONDITIONS
            report.handling_conditions = conditions
            draft.teams = [self.ctx.teams[key].pk for key in team_keys]
            draft.agencies = [self.ctx.agencies[code].pk for code in agency_codes]
        else:
            report.handling_code = HandlingCode.PERMITTED
        if submitter is None or not waiting:
            report.source_evaluation = SOURCE_EVALUATIONS.pick(rng)
            report.intelligence_assessment = ASSESSMENTS.pick(rng)
        if waiting:
            report.status = ReportStatus.AWAITING_REVIEW
        else:
            self.review(draft)
        self.drafts.append(draft)
        return draft

    def review(self, draft: Draft) -> None:
        rng, report = self.rng, draft.report
        hours = min(rng.lognormvariate(3.0, 1.0), 24 * 20.0)
        reviewed_at = report.received_at + dt.timedelta(hours=hours)
        report.status = ReportStatus.REVIEWED
        report.reviewed_at = min(reviewed_at, self.end - dt.timedelta(minutes=5))
        report.reviewed_at = max(report.reviewed_at, report.received_at)
        reviewer = rng.choice(self.reviewers)
        if reviewer == report.created_by:  # nobody reviews their own report (four eyes)
            reviewer = next(user for user in self.reviewers if user != report.created_by)
        report.reviewed_by = reviewer
        report.review_action = ACTIONS.pick(rng)
        if report.review_action in (ReviewAction.TASK, ReviewAction.DEVELOP):
            report.review_note = rng.choice((
                "Neighbourhood team to patrol and record sightings",
                "Analyst to develop associations", "Licensing to visit the premises",
                "Check vehicle against ANPR", "Social worker to speak to the child"))
        first_line = report.source_text.split("\n\n")[0].removeprefix("What happened: ")
        report.sanitised_text = f"Intelligence indicates: {first_line}"
        if report.review_action == ReviewAction.DISSEMINATE:
            if report.handling_code == HandlingCode.PERMITTED:
                draft.share_with = self.ctx.agencies[rng.choice(SHARE_WITH)].pk
            elif draft.agencies:
                draft.share_with = draft.agencies[0]


# --- The step -----------------------------------------------------------------------------


def _take(pool: list[int], count: int) -> list[int]:
    taken, pool[:] = pool[:count], pool[count:]
    return taken


def _plan_groups(gen: IntelligenceGenerator, adults: list[int], children: list[int],
                 hotspots: list[Location]) -> list[Group]:
    ctx, rng = gen.ctx, gen.rng
    groups = []
    for number in range(1, ctx.scale.pick(small=4, force=24, national=240) + 1):
        size = rng.randint(2, 8)
        if len(adults) < size or len(children) < 2:
            break
        home = rng.choice(ctx.neighbourhoods)
        shared: dict[str, list[Any]] = {
            "vehicle": [gen.vehicle() for _ in range(rng.randint(1, 2))],
            "phone": [gen.phone() for _ in range(rng.randint(1, 3))],
            "account": [gen.account() for _ in range(rng.randint(0, 2))],
            "premises": [gen.new_premises(home) for _ in range(rng.randint(1, 2))],
            "location": [gen.location(home) for _ in range(rng.randint(0, 1))],
        }
        groups.append(Group(
            number=number, suspects=_take(adults, size),
            children=_take(children, rng.randint(2, 6)), shared=shared,
            hotspots=rng.sample(hotspots, k=min(len(hotspots), rng.randint(1, 2))),
        ))
    return groups


def _group_reports(gen: IntelligenceGenerator, group: Group) -> None:
    rng = gen.rng
    shared = [(kind, entity) for kind, entities in group.shared.items() for entity in entities]
    mentions: dict[int, set[int]] = {id(entity): set() for _, entity in shared}
    covered: set[int] = set()

    def report(suspects: list[int], entities: list[tuple[str, Any]]) -> None:
        children = rng.sample(group.children, k=rng.randint(1, min(2, len(group.children))))
        if rng.random() < 0.4:
            entities = [*entities, ("location", rng.choice(group.hotspots))]
        people = [(pk, EntityRole.SUSPECT.value) for pk in suspects] + [
            (pk, EntityRole.VICTIM.value) for pk in children]
        draft = gen.draft(people=people, entities=entities, truth=f"group:{group.number}",
                          c_share=0.15)
        group.drafts.append(draft)
        for _, entity in entities:
            if id(entity) in mentions:
                mentions[id(entity)].update(suspects)
                covered.update(suspects)

    for _ in range(rng.randint(8, 16)):
        suspects = rng.sample(group.suspects, k=rng.randint(1, min(3, len(group.suspects))))
        report(suspects, rng.sample(shared, k=rng.randint(1, min(3, len(shared)))))
    # Every shared entity with two different suspects; every suspect with a shared entity.
    for kind, entity in shared:
        while len(mentions[id(entity)]) < 2:
            missing = [pk for pk in group.suspects if pk not in mentions[id(entity)]]
            report([rng.choice(missing)], [(kind, entity)])
    for suspect in group.suspects:
        if suspect not in covered:
            report([suspect], [rng.choice(shared)])


def _lone_offenders(gen: IntelligenceGenerator, adults: list[int], children: list[int]
                    ) -> list[dict[str, Any]]:
    rng, truths = gen.rng, []
    for _ in range(gen.ctx.scale.pick(small=4, force=30, national=300)):
        if not adults or not children:
            break
        suspect = _take(adults, 1)[0]
        victims = _take(children, rng.randint(1, 2))
        own: list[tuple[str, Any]] = [("phone", gen.phone())]
        if rng.random() < 0.6:
            own.append(("account", gen.account()))
        drafts = []
        for _ in range(rng.randint(2, 5)):
            people = [(suspect, EntityRole.SUSPECT.value)] + [
                (pk, EntityRole.VICTIM.value) for pk in rng.sample(victims, k=1)]
            drafts.append(gen.draft(people=people, entities=rng.sample(own, k=len(own)),
                                    truth="lone", c_share=0.2))
        truths.append({"suspect_id": suspect, "child_ids": victims,
                       "entities": own, "drafts": drafts})
    return truths


def noise_count(ctx: DemoContext) -> int:
    return int(ctx.scale.pick(small=40, force=3000, national=30000))


def _noise(gen: IntelligenceGenerator, adults: list[int], children: list[int]) -> None:
    rng, ctx = gen.rng, gen.ctx
    adults, children = adults[:noise_count(ctx)], children[:noise_count(ctx)]
    for _ in range(noise_count(ctx)):
        people: list[tuple[int, str]] = []
        if adults and rng.random() < 0.7:
            people.append((rng.choice(adults), EntityRole.SUSPECT.value))
        if children and rng.random() < 0.6:
            people.append((rng.choice(children), EntityRole.VICTIM.value))
        entities: list[tuple[str, Any]] = []
        roll = rng.random()
        if roll < 0.3:
            entities.append(("vehicle", gen.vehicle()))
        elif roll < 0.55 and gen.phone_pool:
            entities.append(("phone", gen.phone()))
        elif roll < 0.75:
            entities.append(("location", gen.location(rng.choice(ctx.neighbourhoods))))
        elif roll < 0.85:
            entities.append(("premises", gen.new_premises(rng.choice(ctx.neighbourhoods))))
        gen.draft(people=people, entities=entities, truth="noise", c_share=0.1)


def _legacy(gen: IntelligenceGenerator) -> list[IntelligenceReport]:
    rng, reports = gen.rng, []
    for number in range(1, gen.ctx.scale.pick(small=6, force=60, national=300) + 1):
        received_at = gen.end - dt.timedelta(days=rng.randint(PERIOD_DAYS + 30, 8 * 365))
        code = rng.choice("12345")
        handling = LEGACY_HANDLING[code]
        what = rng.choice(WHAT_HAPPENED).format(
            suspects="Two men", children="a girl", vehicle="a car", place="the bus station",
            premises="a hotel", phone="a phone", account="social media")
        reports.append(IntelligenceReport(
            reference=f"LEG/{received_at.year}/{number:04d}",
            owning_team=gen.hub_team, created_by=gen.recorders[0], received_at=received_at,
            source_text=f"Historic intelligence: {what}",
            sanitised_text="Historic intelligence about exploitation in the town centre.",
            handling_code=HandlingCode.CONDITIONS if handling.named else HandlingCode.PERMITTED,
            handling_conditions=handling.conditions,
            is_legacy_5x5x5=True, legacy_source_evaluation=rng.choice("ABCDE"),
            legacy_intelligence_evaluation=rng.choice("12345"), legacy_handling_code=code,
            status=ReportStatus.HISTORIC,
        ))
    return reports


def _save(gen: IntelligenceGenerator, legacy: list[IntelligenceReport]) -> None:
    ctx = gen.ctx
    batch = ctx.scale.batch_size
    for location in gen.locations:
        location.search_keys = location_search_keys(location)
    insert_rows(gen.locations, batch_size=batch)
    for premises in gen.premises:
        premises.search_keys = premises_search_keys(premises)
        premises.location_id = premises.location.pk if premises.location else None
    insert_rows(gen.premises, batch_size=batch)
    for vehicle in gen.vehicles:
        vehicle.registration_keys = registration_keys(vehicle.registration)
    insert_rows(gen.vehicles, batch_size=batch)
    insert_rows(gen.phones, batch_size=batch)
    insert_rows(gen.accounts, batch_size=batch)
    drafts = sorted(gen.drafts, key=lambda d: d.report.reference)
    counter = ctx.progress.counter("intelligence reports", len(drafts) + len(legacy))
    reports = [d.report for d in drafts]
    insert_rows(reports, batch_size=batch)
    insert_rows(legacy, batch_size=batch)
    counter.add(len(reports) + len(legacy))
    counter.finish()
    team_rows, agency_rows, links, submissions, shares = [], [], [], [], []
    teams_through = IntelligenceReport.permitted_teams.through
    agencies_through = IntelligenceReport.permitted_agencies.through
    for draft in drafts:
        report = draft.report
        team_rows += [teams_through(intelligencereport_id=report.pk, team_id=pk)
                      for pk in draft.teams]
        agency_rows += [agencies_through(intelligencereport_id=report.pk, agency_id=pk)
                        for pk in draft.agencies]
        seen: set[tuple[str, int]] = set()
        for pk, role in draft.people:
            if ("person", pk) not in seen:
                seen.add(("person", pk))
                links.append(ReportLink(report_id=report.pk, role=role, person_id=pk))
        for kind, entity in draft.entities:
            if (kind, entity.pk) not in seen:
                seen.add((kind, entity.pk))
                role = {"vehicle": EntityRole.VEHICLE_USED, "phone": EntityRole.PHONE_USED,
                        "account": EntityRole.ACCOUNT_USED,
                        "premises": EntityRole.PREMISES_OF_CONCERN,
                        "location": EntityRole.LOCATION_OF_CONCERN}[kind]
                described = (f"{entity.colour} {entity.make} {entity.model}".lower()
                             if kind == "vehicle" and gen.rng.random() < 0.7 else "")
                links.append(ReportLink(report_id=report.pk, role=role, description=described,
                                        **{f"{kind}_id": entity.pk}))
        if draft.submitter is not None and draft.submitter.agency_id is not None:
            what = report.source_text.split("\n\n")[0].removeprefix("What happened: ")
            submissions.append(Submission(
                reference=report.reference.replace("INT-", "SUB-"),
                submitted_by=draft.submitter, agency_id=draft.submitter.agency_id,
                received_at=report.received_at, what=what,
                how_known="Told by someone I work with", report_id=report.pk,
            ))
        if draft.share_with is not None and report.reviewed_at is not None:
            shares.append(Dissemination(
                report_id=report.pk, to_agency_id=draft.share_with,
                shared_text=report.sanitised_text, handling_code=report.handling_code,
                handling_conditions=report.handling_conditions,
                lawful_basis=gen.rng.choice(LawfulBasis.values), shared_by=report.reviewed_by,
                shared_at=report.reviewed_at + dt.timedelta(hours=gen.rng.randint(1, 48)),
            ))
    for report in legacy:
        handling = LEGACY_HANDLING[report.legacy_handling_code]
        if handling.named == "police":
            agency_rows += [agencies_through(intelligencereport_id=report.pk, agency_id=pk)
                            for pk in gen.police_agencies]
        elif handling.named == "agency":
            agency_rows.append(agencies_through(intelligencereport_id=report.pk,
                                                agency_id=gen.hub_team.agency_id))
        elif handling.named == "team":
            team_rows.append(teams_through(intelligencereport_id=report.pk,
                                           team_id=gen.hub_team.pk))
    insert_rows(team_rows, batch_size=batch)
    insert_rows(agency_rows, batch_size=batch)
    insert_rows(links, batch_size=batch)
    insert_rows(submissions, batch_size=batch)
    insert_rows(shares, batch_size=batch)
    ctx.count("intelligence reports", len(reports) + len(legacy))
    ctx.count("intelligence links", len(links))
    ctx.count("intelligence submissions", len(submissions))
    ctx.count("intelligence disseminations", len(shares))
    ctx.count("intelligence entities", len(gen.locations) + len(gen.premises)
              + len(gen.vehicles) + len(gen.phones) + len(gen.accounts))


def _keys(entities: Sequence[tuple[str, Any]] | dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Entities by their natural keys (see ``truth.natural_key``), so the planted truth
    reads the same after a reset, whatever ids the database gives."""
    pairs = (entities.items() if isinstance(entities, dict)
             else [(kind, [entity]) for kind, entity in entities])
    keys: dict[str, list[Any]] = {}
    for kind, items in pairs:
        keys.setdefault(kind, []).extend(natural_key(kind, item) for item in items)
    return {kind: sorted(values) for kind, values in sorted(keys.items()) if values}


def _plant(gen: IntelligenceGenerator, groups: list[Group], hotspots: list[Location],
           lone: list[dict[str, Any]]) -> None:
    """The truth, in the form ``macehub.demo.intelligence_truth`` reads back with ids: people
    as ``person_ids`` (suspects first, ``suspect_count`` of them), entities and reports
    by natural key and reference."""
    seed = gen.ctx.seed
    truths = [
        PlantedTruth(kind=OFFENDER_GROUP, seed=seed, data={
            "group": group.number,
            "person_ids": [*sorted(group.suspects), *sorted(group.children)],
            "suspect_count": len(group.suspects),
            "shared_entities": _keys(group.shared),
            "hotspots": sorted(natural_key("location", h) for h in group.hotspots),
            "report_references": sorted(d.report.reference for d in group.drafts),
        })
        for group in groups
    ]
    for hotspot in hotspots:
        references = [d.report.reference for d in gen.drafts
                      if any(entity is hotspot for _, entity in d.entities)]
        area_code = next((n.code for n in gen.ctx.neighbourhoods
                          if n.area_id == hotspot.area_id), "")
        truths.append(PlantedTruth(kind=HOTSPOT, seed=seed, data={
            "location": natural_key("location", hotspot),
            "area_code": area_code,
            "groups": sorted(g.number for g in groups if hotspot in g.hotspots),
            "report_references": sorted(references),
        }))
    for offender in lone:
        truths.append(PlantedTruth(kind=LONE_OFFENDER, seed=seed, data={
            "person_ids": [offender["suspect_id"], *sorted(offender["child_ids"])],
            "suspect_count": 1,
            "entities": _keys(offender["entities"]),
            "report_references": sorted(d.report.reference for d in offender["drafts"]),
        }))
    PlantedTruth.objects.bulk_create(truths)


def delete_demo_intelligence(progress: Progress) -> dict[str, int]:
    """Everything the step made: reports owned by the demo's teams with their links,
    submissions and disseminations, then the demo's entities nothing mentions any more."""
    reports = IntelligenceReport.objects.filter(
        owning_team__agency__code__in=demo_accounts.DEMO_AGENCY_CODES)
    counts = {
        "intelligence links": ReportLink.objects.filter(report__in=reports).delete()[0],
        "intelligence disseminations": Dissemination.objects.filter(
            report__in=reports).delete()[0],
        "intelligence submissions": Submission.objects.filter(
            Q(report__in=reports) | Q(agency__code__in=demo_accounts.DEMO_AGENCY_CODES)
        ).delete()[0],
    }
    counts["intelligence reports"] = reports.delete()[0]
    unlinked = Q(report_links__isnull=True)
    drama = Q()
    for prefix in OFCOM_DRAMA_PREFIXES:
        drama |= Q(number__startswith=prefix)
    entities = (
        Premises.objects.filter(unlinked, location__postcode__startswith="X").delete()[0]
        + Location.objects.filter(unlinked, postcode__startswith="X",
                                  premises__isnull=True).delete()[0]
        + Vehicle.objects.filter(unlinked, registration__regex=DEMO_REGISTRATION.pattern
                                 ).delete()[0]
        + PhoneNumber.objects.filter(unlinked & drama).delete()[0]
        + OnlineAccount.objects.filter(unlinked, handle__startswith=DEMO_HANDLE_PREFIX
                                       ).delete()[0]
    )
    counts["intelligence entities"] = entities
    counts["planted intelligence truths"] = PlantedTruth.objects.filter(
        kind__in=TRUTH_KINDS).delete()[0]
    return counts


@demo_step("intelligence", order=INTELLIGENCE_ORDER, reset=delete_demo_intelligence,
           description="a year of intelligence with planted offender groups, hotspots, "
           "lone offenders and noise")
def demo_intelligence(ctx: DemoContext) -> None:
    gen = IntelligenceGenerator(ctx)
    rng = gen.rng
    adults = sorted(ctx.adult_ids)
    children = sorted(ctx.child_ids)
    rng.shuffle(adults)
    rng.shuffle(children)
    groups_wanted = ctx.scale.pick(small=4, force=24, national=240)
    lone_wanted = ctx.scale.pick(small=4, force=30, national=300)
    gen.load_names(adults[:8 * groups_wanted + lone_wanted + noise_count(ctx)]
                   + children[:6 * groups_wanted + 2 * lone_wanted + noise_count(ctx)])
    hotspot_areas = rng.sample(ctx.neighbourhoods, k=min(
        len(ctx.neighbourhoods), ctx.scale.pick(small=3, force=10, national=60)))
    hotspots = [gen.location(area) for area in hotspot_areas]
    groups = _plan_groups(gen, adults, children, hotspots)
    for group in groups:
        _group_reports(gen, group)
    lone = _lone_offenders(gen, adults, children)
    _noise(gen, adults, children)
    legacy = _legacy(gen)
    _save(gen, legacy)
    _plant(gen, groups, hotspots, lone)
    ctx.results["intelligence.groups"] = [
        {"suspect_ids": g.suspects, "child_ids": g.children} for g in groups]


