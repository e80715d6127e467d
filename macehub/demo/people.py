"""Synthetic people: children at risk (mostly 10-17) and adults (suspects and
associates, 16-60), as the county's agencies would hold them.

Each person lives in a demo ward and has a true ethnic group drawn from that ward's
census population, so local denominators fit. What an agency *recorded* then depends
on the agency: the police leave self-defined ethnicity unrecorded far more often than
schools do (HMICFRS found victim ethnicity missing in 61% of crimes), some people
decline (*not stated*), and officers record an IC code for many adults. Names fit the
true group; identifiers are valid and unique; some records are restricted with a named
worker allocated, some shared with partner agencies.

People are written in batches (``COPY`` on PostgreSQL) and no per-row queries, so a
force-sized set takes well under a minute and a national one minutes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Generic, TypeVar

from django.utils import timezone
from faker import Faker

from macehub.core.bulk import copy_rows
from macehub.demo import accounts as demo_accounts
from macehub.demo import names
from macehub.demo.areas import Neighbourhood
from macehub.demo.batches import insert_rows
from macehub.demo.identifiers import IdentifierMint
from macehub.demo.models import PlantedTruth
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext
from macehub.people.codes import (
    NATIONALITY_NOT_STATED,
    AliasKind,
    IdentifierKind,
    Sex,
)
from macehub.people.models import (
    AreaPopulation,
    EthnicGroup,
    Person,
    PersonAddress,
    PersonAlias,
    PersonAllocation,
    PersonIdentifier,
    PersonShare,
)
from macehub.people.names import name_key

T = TypeVar("T")

CHILD = "child"
ADULT = "adult"
NHS = IdentifierKind.NHS_NUMBER.value
UPN = IdentifierKind.UPN.value
PNC_ID = IdentifierKind.PNC_ID.value
LA_CHILD_ID = IdentifierKind.LA_CHILD_ID.value


class Weighted(Generic[T]):
    """A fixed weighted choice, drawn in O(log n) from a seeded generator."""

    def __init__(self, table: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in table]
        self.cumulative: list[float] = []
        running = 0.0
        for _, weight in table:
            running += weight
            self.cumulative.append(running)
        if running <= 0:
            raise ValueError("A weighted choice needs a positive weight")
        self.total = running

    def pick(self, rng: random.Random) -> T:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.items[min(index, len(self.items) - 1)]


# --- What is generated, as data ---------------------------------------------------------

CHILD_AGES = Weighted([(8, 1), (9, 2), (10, 4), (11, 6), (12, 9), (13, 13), (14, 17),
                       (15, 18), (16, 16), (17, 14)])
ADULT_AGES = Weighted(
    [(16, 3), (17, 3)] + [(age, 5) for age in range(18, 25)] + [(age, 4) for age in range(25, 35)]
    + [(age, 2.5) for age in range(35, 45)] + [(age, 1) for age in range(45, 61)]
)
SEX = {
    CHILD: Weighted([(Sex.FEMALE.value, 72), (Sex.MALE.value, 26), (Sex.NOT_KNOWN.value, 1),
                     ("", 1)]),
    ADULT: Weighted([(Sex.MALE.value, 86), (Sex.FEMALE.value, 12), (Sex.NOT_KNOWN.value, 1),
                     ("", 1)]),
}
OWNERS = {
    CHILD: Weighted([(demo_accounts.CHILDRENS_SERVICES, 35), (demo_accounts.POLICE, 25),
                     (demo_accounts.HEALTH, 15), (demo_accounts.EDUCATION, 15),
                     (demo_accounts.CHARITY, 10)]),
    ADULT: Weighted([(demo_accounts.POLICE, 80), (demo_accounts.DISTRICT_COUNCIL, 8),
                     (demo_accounts.CHILDRENS_SERVICES, 6), (demo_accounts.HEALTH, 6)]),
}


@dataclass(frozen=True)
class RecordingHabit:
    """How often an agency leaves ethnicity and nationality unrecorded, or the person
    declines to say. Planted truth records these, so data-quality measures can be
    checked against them."""

    ethnicity_not_recorded: float
    ethnicity_not_stated: float
    nationality_not_recorded: float
    nationality_not_stated: float
    officer_defined: float  # share of adults given an IC code (children: a quarter of it)


RECORDING_HABITS: dict[str, RecordingHabit] = {
    demo_accounts.POLICE: RecordingHabit(0.60, 0.05, 0.45, 0.03, 0.75),
    demo_accounts.CHILDRENS_SERVICES: RecordingHabit(0.12, 0.04, 0.15, 0.02, 0.0),
    demo_accounts.HEALTH: RecordingHabit(0.20, 0.05, 0.35, 0.03, 0.0),
    demo_accounts.EDUCATION: RecordingHabit(0.05, 0.03, 0.10, 0.02, 0.0),
    demo_accounts.CHARITY: RecordingHabit(0.35, 0.08, 0.40, 0.05, 0.0),
    demo_accounts.DISTRICT_COUNCIL: RecordingHabit(0.70, 0.05, 0.60, 0.03, 0.0),
}

# Relative rates by true ethnic group for each kind of person, for planting
# disproportionality that analysis must find. All 1.0 (none) unless a capability sets
# them; whatever is used is recorded as planted truth.
RELATIVE_RATES: dict[str, dict[str, float]] = {CHILD: {}, ADULT: {}}

_GB = "GB"
NATIONALITIES: dict[str, Weighted[str]] = {
    "W1": Weighted([(_GB, 99.5), ("IE", 0.5)]),
    "W2": Weighted([(_GB, 65), ("IE", 35)]),
    "W3": Weighted([(_GB, 90), ("IE", 10)]),
    "W4": Weighted([("RO", 50), ("SK", 25), ("CZ", 10), (_GB, 15)]),
    "W9": Weighted([("PL", 30), ("RO", 20), ("LT", 10), ("LV", 5), ("BG", 5), ("PT", 6),
                    ("IT", 6), ("ES", 3), (_GB, 15)]),
    "A1": Weighted([(_GB, 80), ("IN", 20)]),
    "A2": Weighted([(_GB, 82), ("PK", 18)]),
    "A3": Weighted([(_GB, 82), ("BD", 18)]),
    "A4": Weighted([(_GB, 50), ("CN", 30), ("HK", 20)]),
    "A9": Weighted([(_GB, 50), ("AF", 20), ("LK", 15), ("NP", 15)]),
    "B1": Weighted([(_GB, 95), ("JM", 5)]),
    "B2": Weighted([(_GB, 55), ("NG", 15), ("GH", 10), ("SO", 10), ("ER", 5), ("SD", 5)]),
    "B9": Weighted([(_GB, 90), ("NG", 5), ("JM", 5)]),
    "O2": Weighted([(_GB, 40), ("SY", 15), ("IQ", 15), ("YE", 10), ("EG", 10), ("SD", 10)]),
    "O9": Weighted([(_GB, 50), ("TR", 20), ("IR", 15), ("IQ", 15)]),
}
BRITISH_NATIONALITY = Weighted([(_GB, 98), ("IE", 2)])
# Where a group's names come from several countries, the family name's heritage decides.
NATIONALITIES_BY_HERITAGE: dict[str, Weighted[str]] = {
    "eastern_european": Weighted([("PL", 35), ("RO", 25), ("LT", 10), ("LV", 5), ("BG", 5),
                                  (_GB, 20)]),
    "southern_european": Weighted([("PT", 30), ("IT", 25), ("ES", 15), ("GR", 10),
                                   (_GB, 20)]),
    names.BRITISH: Weighted([(_GB, 85), ("IE", 5), ("US", 4), ("AU", 3), ("ZA", 3)]),
}

# Officer-defined (IC) code an officer might record, by true self-defined group.
OFFICER_DEFINED: dict[str, Weighted[str]] = {
    "W1": Weighted([("IC1", 95), ("IC9", 5)]),
    "W2": Weighted([("IC1", 95), ("IC9", 5)]),
    "W3": Weighted([("IC1", 90), ("IC2", 5), ("IC9", 5)]),
    "W4": Weighted([("IC2", 55), ("IC1", 35), ("IC9", 10)]),
    "W9": Weighted([("IC1", 65), ("IC2", 30), ("IC9", 5)]),
    "M1": Weighted([("IC3", 60), ("IC1", 30), ("IC9", 10)]),
    "M2": Weighted([("IC3", 60), ("IC1", 30), ("IC9", 10)]),
    "M3": Weighted([("IC4", 45), ("IC1", 45), ("IC9", 10)]),
    "M9": Weighted([("IC1", 40), ("IC3", 25), ("IC4", 20), ("IC9", 15)]),
    "A1": Weighted([("IC4", 93), ("IC9", 7)]),
    "A2": Weighted([("IC4", 93), ("IC9", 7)]),
    "A3": Weighted([("IC4", 93), ("IC9", 7)]),
    "A4": Weighted([("IC5", 93), ("IC9", 7)]),
    "A9": Weighted([("IC4", 80), ("IC6", 10), ("IC9", 10)]),
    "B1": Weighted([("IC3", 95), ("IC9", 5)]),
    "B2": Weighted([("IC3", 95), ("IC9", 5)]),
    "B9": Weighted([("IC3", 95), ("IC9", 5)]),
    "O2": Weighted([("IC6", 85), ("IC4", 5), ("IC9", 10)]),
    "O9": Weighted([("IC6", 40), ("IC4", 25), ("IC1", 20), ("IC9", 15)]),
}

MIXED_NATIONALITY_GROUPS = ("W4", "W9")

RESTRICTED_SHARE = 0.01
MINIMUM_RESTRICTED = 3
SHARED_SHARE = 0.18
ALLOCATED_SHARE = {CHILD: 0.12, ADULT: 0.08}
ESTIMATED_AGE_SHARE = {CHILD: 0.02, ADULT: 0.08}
NO_ADDRESS_SHARE = {CHILD: 0.03, ADULT: 0.10}
PREVIOUS_ADDRESS_SHARE = 0.12
MIDDLE_NAME_SHARE = {CHILD: 0.25, ADULT: 0.15}
HYPHENATED_SHARE = 0.03

# Workers who may be allocated a record, and who records it, by owning agency. Only
# agencies with people-work roles can hold a restricted record (someone must see it).
ALLOCATABLE = {
    demo_accounts.POLICE: ("investigator.police", "triage.police"),
    demo_accounts.CHILDRENS_SERVICES: ("socialworker.socialcare", "triage.socialcare"),
    demo_accounts.HEALTH: ("triage.health",),
    demo_accounts.CHARITY: ("advocate.voluntary",),
}
# Workers allocated to a child's record beyond its owning agency's: the child's advocate
# or their social worker.
CHILD_WORKERS = ("advocate.voluntary", "socialworker.socialcare")
RECORDED_BY = {
    demo_accounts.POLICE: "triage.police",
    demo_accounts.CHILDRENS_SERVICES: "triage.socialcare",
    demo_accounts.HEALTH: "triage.health",
    demo_accounts.EDUCATION: "referrer.school",
    demo_accounts.DISTRICT_COUNCIL: "referrer.council",
    demo_accounts.CHARITY: "referrer.voluntary",
}
SHARING_PARTNERS = (
    demo_accounts.POLICE, demo_accounts.CHILDRENS_SERVICES, demo_accounts.HEALTH,
    demo_accounts.EDUCATION, demo_accounts.DISTRICT_COUNCIL, demo_accounts.CHARITY,
)
SHARE_REASONS = (
    "Shared for the weekly MACE meeting",
    "Shared for a strategy discussion",
    "Shared so the partner can safeguard the child",
    "Shared for a joint disruption plan",
)
STREET_NAMES = ("Junior", "Smiley", "Tiny", "Red", "Boss", "Ace", "Flash", "Shorty", "Bigs",
                "Kid", "Prince", "Lucky")
DELETE_BATCH = 900  # ids per DELETE: under every SQLite build's parameter limit
# Letters a postcode's inward code may use (not C, I, K, M, O or V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


# --- Drafts: a person and everything around them, before they are saved ---------------


@dataclass
class AddressDraft:
    line_1: str
    town: str
    postcode: str
    area_id: int
    lived_from: dt.date | None
    lived_until: dt.date | None
    is_current: bool


@dataclass
class PersonDraft:
    kind: str
    person: Person
    owner_code: str
    true_ethnicity: str
    neighbourhood: Neighbourhood
    given_heritage: str
    family_heritage: str
    addresses: list[AddressDraft] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[tuple[str, str, str]] = field(default_factory=list)  # kind, given, family
    shares: list[tuple[str, str]] = field(default_factory=list)  # agency code, reason
    allocated_usernames: list[str] = field(default_factory=list)
    plant: str | None = None  # "duplicate" or "twin": the duplicates step uses it


@dataclass(frozen=True)
class PersonSnapshot:
    """What the duplicates step needs of a saved person it will plant a lookalike of."""

    person_id: int
    kind: str
    plant: str
    owner_code: str
    given_name: str
    middle_names: str
    family_name: str
    date_of_birth: dt.date | None
    estimated_age: int | None
    age_estimated_on: dt.date | None
    sex: str
    true_ethnicity: str
    given_heritage: str
    family_heritage: str
    self_defined_ethnicity: str | None
    nationality: str
    neighbourhood: Neighbourhood
    address: AddressDraft | None
    identifiers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, draft: PersonDraft) -> PersonSnapshot:
        person = draft.person
        assert person.pk is not None and draft.plant is not None  # noqa: S101
        current = next((a for a in draft.addresses if a.is_current), None)
        return cls(
            person_id=person.pk, kind=draft.kind, plant=draft.plant, owner_code=draft.owner_code,
            given_name=person.given_name, middle_names=person.middle_names,
            family_name=person.family_name, date_of_birth=person.date_of_birth,
            estimated_age=person.estimated_age, age_estimated_on=person.age_estimated_on,
            sex=person.sex, true_ethnicity=draft.true_ethnicity,
            given_heritage=draft.given_heritage, family_heritage=draft.family_heritage,
            self_defined_ethnicity=person.self_defined_ethnicity_id,
            nationality=person.nationality, neighbourhood=draft.neighbourhood,
            address=current, identifiers=tuple(draft.identifiers),
        )


# --- The generator ---------------------------------------------------------------------


class PeopleGenerator:
    """Drafts people one at a time from a step's seeded generators."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng: random.Random = ctx.rng
        self.faker: Faker = ctx.faker
        self.as_of = ctx.as_of
        self.mint = IdentifierMint(self.rng)
        self.neighbourhoods = {n.area_id: n for n in ctx.neighbourhoods}
        self.residents = {kind: self._resident_table(kind) for kind in (CHILD, ADULT)}
        self._streets: dict[int, list[tuple[str, list[str]]]] = {}

    def use(self, ctx: DemoContext) -> None:
        """Draw from a later step's generators (identifiers stay unique across steps)."""
        self.ctx, self.rng, self.faker = ctx, ctx.rng, ctx.faker
        self.mint.rng = ctx.rng

    def _resident_table(self, kind: str) -> Weighted[tuple[int, str]]:
        """(ward, true ethnic group) cells weighted by census population, times any
        planted relative rate."""
        rates = RELATIVE_RATES.get(kind, {})
        rows = (
            AreaPopulation.objects.filter(area_id__in=list(self.neighbourhoods))
            .exclude(ethnic_group_id=EthnicGroup.NOT_STATED)
            .order_by("area__code", "ethnic_group__sort_order")
            .values_list("area_id", "ethnic_group_id", "population")
        )
        return Weighted(
            [((area_id, group), population * rates.get(group, 1.0))
             for area_id, group, population in rows if population > 0]
        )

    # Places ----------------------------------------------------------------------------

    def _streets_of(self, neighbourhood: Neighbourhood) -> list[tuple[str, list[str]]]:
        """Each ward's streets and the postcodes along them, made when first needed."""
        streets = self._streets.get(neighbourhood.area_id)
        if streets is None:
            streets = []
            seen: list[str] = []
            for _ in range(15 + self.rng.randrange(20)):
                name = names.street_name(self.rng, self.faker)
                if name in seen:
                    continue
                seen.append(name)
                units = 1 + self.rng.randrange(3)
                postcodes = [self._postcode(neighbourhood) for _ in range(units)]
                streets.append((name, postcodes))
            self._streets[neighbourhood.area_id] = streets
        return streets

    def _postcode(self, neighbourhood: Neighbourhood) -> str:
        inward = (
            str(self.rng.randrange(10)) + self.rng.choice(INWARD_LETTERS)
            + self.rng.choice(INWARD_LETTERS)
        )
        return f"{neighbourhood.outward_code} {inward}"

    def address(
        self, neighbourhood: Neighbourhood, *, lived_from: dt.date | None,
        lived_until: dt.date | None = None,
    ) -> AddressDraft:
        street, postcodes = self.rng.choice(self._streets_of(neighbourhood))
        number = 1 + self.rng.randrange(180)
        line_1 = f"{number} {street}"
        if self.rng.random() < 0.1:
            line_1 = f"Flat {1 + self.rng.randrange(12)}, {line_1}"
        return AddressDraft(
            line_1=line_1, town=neighbourhood.town, postcode=self.rng.choice(postcodes),
            area_id=neighbourhood.area_id, lived_from=lived_from, lived_until=lived_until,
            is_current=lived_until is None,
        )

    def some_neighbourhood(self, near: Neighbourhood) -> Neighbourhood:
        """Another ward, in the same district three times in four."""
        same_district = [
            n for n in self.ctx.neighbourhoods if n.district_code == near.district_code
        ]
        pool = same_district if self.rng.random() < 0.75 else self.ctx.neighbourhoods
        return self.rng.choice(pool)

    def _days_ago(self, low: int, high: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low, high))

    # Recording -------------------------------------------------------------------------

    def recorded_ethnicity(self, true_group: str, owner_code: str) -> str | None:
        habit = RECORDING_HABITS[owner_code]
        roll = self.rng.random()
        if roll < habit.ethnicity_not_recorded:
            return None
        if roll < habit.ethnicity_not_recorded + habit.ethnicity_not_stated:
            return EthnicGroup.NOT_STATED
        return true_group

    def recorded_nationality(self, true_group: str, owner_code: str, heritage: str) -> str:
        habit = RECORDING_HABITS[owner_code]
        roll = self.rng.random()
        if roll < habit.nationality_not_recorded:
            return ""
        if roll < habit.nationality_not_recorded + habit.nationality_not_stated:
            return NATIONALITY_NOT_STATED
        table = NATIONALITIES.get(true_group, BRITISH_NATIONALITY)
        if true_group in MIXED_NATIONALITY_GROUPS:
            table = NATIONALITIES_BY_HERITAGE.get(heritage, table)
        return table.pick(self.rng)

    def officer_defined(self, true_group: str, owner_code: str, kind: str) -> str:
        share = RECORDING_HABITS[owner_code].officer_defined * (1.0 if kind == ADULT else 0.25)
        if self.rng.random() >= share:
            return ""
        return OFFICER_DEFINED[true_group].pick(self.rng)

    # People ----------------------------------------------------------------------------

    def date_of_birth(self, age: int) -> dt.date:
        """A birthday giving this age on the reference date."""
        latest = self.as_of.replace(year=self.as_of.year - age) if not (
            self.as_of.month == 2 and self.as_of.day == 29
        ) else dt.date(self.as_of.year - age, 2, 28)
        return latest - dt.timedelta(days=self.rng.randrange(365))

    def draft(self, kind: str, *, restricted: bool) -> PersonDraft:
        rng = self.rng
        area_id, true_group = self.residents[kind].pick(rng)
        neighbourhood = self.neighbourhoods[area_id]
        owner_code = OWNERS[kind].pick(rng)
        if restricted and owner_code not in ALLOCATABLE:
            owner_code = demo_accounts.CHILDRENS_SERVICES if kind == CHILD else demo_accounts.POLICE
        sex = SEX[kind].pick(rng)
        age = (CHILD_AGES if kind == CHILD else ADULT_AGES).pick(rng)
        birth_year = self.as_of.year - age

        given_heritage, family_heritage = names.heritage_for(true_group, rng)
        given = names.given_name(given_heritage, sex, rng, self.faker, birth_year=birth_year)
        middle = (
            names.given_name(given_heritage, sex, rng, self.faker, birth_year=birth_year)
            if rng.random() < MIDDLE_NAME_SHARE[kind] else ""
        )
        family = names.family_name(family_heritage, rng, self.faker)
        if family_heritage == names.BRITISH and rng.random() < HYPHENATED_SHARE:
            family = f"{family}-{names.family_name(names.BRITISH, rng, self.faker)}"

        date_of_birth: dt.date | None = self.date_of_birth(age)
        estimated_age: int | None = None
        estimated_on: dt.date | None = None
        if rng.random() < ESTIMATED_AGE_SHARE[kind]:
            date_of_birth, estimated_age, estimated_on = None, age, self._days_ago(0, 180)

        person = Person(
            owning_agency_id=self.ctx.agencies[owner_code].pk,
            is_restricted=restricted,
            given_name=given,
            middle_names=middle,
            family_name=family,
            date_of_birth=date_of_birth,
            estimated_age=estimated_age,
            age_estimated_on=estimated_on,
            sex=sex,
            self_defined_ethnicity_id=self.recorded_ethnicity(true_group, owner_code),
            officer_defined_ethnicity=self.officer_defined(true_group, owner_code, kind),
            nationality=self.recorded_nationality(true_group, owner_code, family_heritage),
            created_by_id=self.ctx.users[RECORDED_BY[owner_code]].pk,
        )
        set_name_keys(person)
        draft = PersonDraft(kind=kind, person=person, owner_code=owner_code,
                            true_ethnicity=true_group, neighbourhood=neighbourhood,
                            given_heritage=given_heritage, family_heritage=family_heritage)
        self._add_addresses(draft, age)
        self._add_identifiers(draft, age)
        self._add_aliases(draft, birth_year)
        self._add_sharing(draft, restricted)
        roll, scale = rng.random(), self.ctx.scale
        if roll < scale.duplicate_fraction:
            draft.plant = "duplicate"
        elif kind == CHILD and roll < scale.duplicate_fraction + scale.twin_fraction:
            draft.plant = "twin"
        return draft

    def _add_addresses(self, draft: PersonDraft, age: int) -> None:
        rng = self.rng
        if rng.random() < NO_ADDRESS_SHARE[draft.kind]:
            return
        moved_in = self._days_ago(30, min(age, 10) * 365)
        draft.addresses.append(self.address(draft.neighbourhood, lived_from=moved_in))
        if rng.random() < PREVIOUS_ADDRESS_SHARE:
            earlier = moved_in - dt.timedelta(days=rng.randint(180, 1500))
            draft.addresses.append(
                self.address(self.some_neighbourhood(draft.neighbourhood),
                             lived_from=earlier, lived_until=moved_in)
            )

    def _add_identifiers(self, draft: PersonDraft, age: int) -> None:
        """Who holds which identifier: health nearly always has the NHS number, schools
        the UPN, children's social care its own child ID, the police a PNC ID."""
        rng, owner, dob = self.rng, draft.owner_code, draft.person.date_of_birth
        held, mint = draft.identifiers, self.mint
        if draft.kind == CHILD:
            if rng.random() < (0.99 if owner == demo_accounts.HEALTH else 0.85):
                held.append((NHS, mint.nhs_number()))
            if age >= 5 and rng.random() < (0.99 if owner == demo_accounts.EDUCATION else 0.75):
                held.append((UPN, mint.upn(dob)))
            if rng.random() < (1.0 if owner == demo_accounts.CHILDRENS_SERVICES else 0.45):
                held.append((LA_CHILD_ID, mint.la_child_id()))
            return
        if rng.random() < (0.7 if owner == demo_accounts.POLICE else 0.3):
            born = dob.year if dob else self.as_of.year - age
            held.append((PNC_ID, mint.pnc_id(min(born + rng.randint(14, age), self.as_of.year))))
        if rng.random() < (0.95 if owner == demo_accounts.HEALTH else 0.08):
            held.append((NHS, mint.nhs_number()))

    def _add_aliases(self, draft: PersonDraft, birth_year: int) -> None:
        rng, person = self.rng, draft.person
        given_heritage, family_heritage = draft.given_heritage, draft.family_heritage
        short = names.nickname(person.given_name, rng)
        if short and rng.random() < (0.10 if draft.kind == CHILD else 0.25):
            draft.aliases.append((AliasKind.NICKNAME.value, short, ""))
        if draft.kind == CHILD:
            if rng.random() < 0.04:
                previous = names.family_name(family_heritage, rng, self.faker)
                if previous != person.family_name:
                    draft.aliases.append((AliasKind.PREVIOUS.value, person.given_name, previous))
            return
        if rng.random() < 0.06:
            draft.aliases.append((AliasKind.NICKNAME.value, rng.choice(STREET_NAMES), ""))
        if rng.random() < 0.08:
            draft.aliases.append((
                AliasKind.ALIAS.value,
                names.given_name(given_heritage, person.sex, rng, self.faker,
                                 birth_year=birth_year),
                names.family_name(family_heritage, rng, self.faker),
            ))
        spelling = names.other_spelling(person.given_name, rng)
        if spelling and rng.random() < 0.3:
            draft.aliases.append((AliasKind.SPELLING.value, spelling, person.family_name))

    def _add_sharing(self, draft: PersonDraft, restricted: bool) -> None:
        rng = self.rng
        if restricted:
            draft.allocated_usernames.append(rng.choice(ALLOCATABLE[draft.owner_code]))
            return
        if rng.random() < SHARED_SHARE:
            partners = [code for code in SHARING_PARTNERS if code != draft.owner_code]
            for code in rng.sample(partners, k=2 if rng.random() < 0.3 else 1):
                draft.shares.append((code, rng.choice(SHARE_REASONS)))
        if rng.random() < ALLOCATED_SHARE[draft.kind]:
            worker = rng.choice(CHILD_WORKERS) if draft.kind == CHILD else "investigator.police"
            draft.allocated_usernames.append(worker)


def set_name_keys(person: Person) -> None:
    """What ``Person.save`` would do: ``bulk_create`` does not call it."""
    person.given_name_key = name_key(person.given_name)
    person.family_name_key = name_key(person.family_name)


# Coordinates come later, from the demo's postcode directory (the places step).
ADDRESS_FIELDS = ("person_id", "line_1", "line_2", "town", "postcode", "area_id",
                  "lived_from", "lived_until", "is_current", "easting", "northing",
                  "coordinates_source")
IDENTIFIER_FIELDS = ("person_id", "kind", "value")
ALIAS_FIELDS = ("person_id", "kind", "given_name", "family_name", "given_name_key",
                "family_name_key")
# The agreement each share relies on is named by the sharing agreements step (9050).
SHARE_FIELDS = ("person_id", "agency_id", "shared_by_id", "shared_at", "reason", "agreement_id")
ALLOCATION_FIELDS = ("person_id", "user_id", "allocated_at")


def save_drafts(ctx: DemoContext, drafts: list[PersonDraft]) -> None:
    """Write a batch of people and everything around them: one insert per table, the
    rows around each person as plain values (millions of them at national scale)."""
    batch = ctx.scale.batch_size
    insert_rows([d.person for d in drafts], batch_size=batch)
    now = timezone.now()
    addresses: list[tuple[object, ...]] = []
    identifiers: list[tuple[object, ...]] = []
    aliases: list[tuple[object, ...]] = []
    shares: list[tuple[object, ...]] = []
    allocations: list[tuple[object, ...]] = []
    agencies, users = ctx.agencies, ctx.users
    for draft in drafts:
        person_id = draft.person.pk
        addresses += [
            (person_id, a.line_1, "", a.town, a.postcode, a.area_id, a.lived_from,
             a.lived_until, a.is_current, None, None, "")
            for a in draft.addresses
        ]
        identifiers += [(person_id, kind, value) for kind, value in draft.identifiers]
        aliases += [
            (person_id, kind, given, family, name_key(given), name_key(family))
            for kind, given, family in draft.aliases
        ]
        sharer_id = users[RECORDED_BY[draft.owner_code]].pk
        shares += [(person_id, agencies[code].pk, sharer_id, now, reason, None)
                   for code, reason in draft.shares]
        allocations += [(person_id, users[username].pk, now)
                        for username in draft.allocated_usernames]
    for model, fields, rows in (
        (PersonAddress, ADDRESS_FIELDS, addresses),
        (PersonIdentifier, IDENTIFIER_FIELDS, identifiers),
        (PersonAlias, ALIAS_FIELDS, aliases),
        (PersonShare, SHARE_FIELDS, shares),
        (PersonAllocation, ALLOCATION_FIELDS, allocations),
    ):
        copy_rows(model, fields, rows, batch_size=batch)
    ctx.count("people", len(drafts))
    ctx.count("addresses", len(addresses))
    ctx.count("identifiers", len(identifiers))
    ctx.count("aliases", len(aliases))
    ctx.count("shares", len(shares))
    ctx.count("allocations", len(allocations))


RECORDING_HABITS_TRUTH = "recording_habits"
RELATIVE_RATES_TRUTH = "ethnicity_relative_rates"


def plant_recording_truth(ctx: DemoContext) -> None:
    """How each agency records ethnicity and nationality, and any relative rates by true
    ethnic group, so data quality and disproportionality can be checked against them."""
    PlantedTruth.objects.bulk_create([
        PlantedTruth(kind=RECORDING_HABITS_TRUTH, seed=ctx.seed, data={
            code: asdict(habit) for code, habit in RECORDING_HABITS.items()
        }),
        PlantedTruth(kind=RELATIVE_RATES_TRUTH, seed=ctx.seed, data={
            "note": "Rate of each true ethnic group relative to its census population, "
                    "within each ward; groups not listed are 1.0.",
            **RELATIVE_RATES,
        }),
    ])


def create_people(ctx: DemoContext) -> None:
    plant_recording_truth(ctx)
    generator = PeopleGenerator(ctx)
    ctx.results["demo.people_generator"] = generator
    counter = ctx.progress.counter("people", ctx.scale.people)
    for kind, total in ((CHILD, ctx.scale.children), (ADULT, ctx.scale.adults)):
        restricted_count = max(MINIMUM_RESTRICTED, round(total * RESTRICTED_SHARE))
        restricted = set(ctx.rng.sample(range(total), k=min(total, restricted_count)))
        ids = ctx.child_ids if kind == CHILD else ctx.adult_ids
        for start in range(0, total, ctx.scale.batch_size):
            stop = min(total, start + ctx.scale.batch_size)
            drafts = [generator.draft(kind, restricted=i in restricted) for i in range(start, stop)]
            save_drafts(ctx, drafts)
            ids += [d.person.pk for d in drafts]
            ctx.duplicate_sources += [PersonSnapshot.of(d) for d in drafts if d.plant]
            counter.add(len(drafts))
    counter.finish()


def delete_demo_people(progress: Progress) -> dict[str, int]:
    """Delete every person the demo agencies own, with everything recorded about them,
    in batches so that a national-sized set does not have to fit in memory."""
    demo_people = Person.objects.filter(owning_agency__code__in=demo_accounts.DEMO_AGENCY_CODES)
    counts: dict[str, int] = {}
    for model in (PersonAlias, PersonIdentifier, PersonAddress, PersonShare, PersonAllocation):
        deleted, _ = model.objects.filter(person__in=demo_people).delete()
        counts[str(model._meta.verbose_name_plural)] = deleted
    ids = list(demo_people.order_by("pk").values_list("pk", flat=True))
    counter = progress.counter("people deleted", len(ids))
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start : start + DELETE_BATCH]
        Person.objects.filter(pk__in=batch).delete()
        counter.add(len(batch))
    if ids:
        counter.finish()
    counts["people"] = len(ids)
    return counts
