"""Planted ground truth for people matching.

For a known share of people, a second record of the *same* person is written as another
agency would hold it: a nickname, another spelling, a typing error, a hyphenated or
dropped second family name, given and family names swapped; the date of birth with day
and month swapped, mistyped or missing; the NHS number the same or missing; the address
the same, a newer one or none. Each pair is recorded in ``PlantedTruth`` (kind
``duplicate_person``) with the list of what differs, so matching can be scored.

For a few children a twin is written too: a *different* person with the same family
name, date of birth and address (kind ``distinct_lookalike``), which matching must not
merge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from macehub.demo import names
from macehub.demo.models import PlantedTruth
from macehub.demo.people import (
    CHILD,
    OWNERS,
    RECORDED_BY,
    PeopleGenerator,
    PersonDraft,
    PersonSnapshot,
    Weighted,
    save_drafts,
    set_name_keys,
)
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext
from macehub.people.codes import IdentifierKind
from macehub.people.models import EthnicGroup, Person

DUPLICATE_PERSON = "duplicate_person"
DISTINCT_LOOKALIKE = "distinct_lookalike"

NAME_VARIATIONS = Weighted([("nickname", 18), ("spelling", 18), ("typo", 24),
                            ("hyphenation", 8), ("swapped", 8), ("exact", 24)])
DATE_OF_BIRTH_VARIATIONS = Weighted([("same", 55), ("day_month_swapped", 15), ("typo", 15),
                                     ("missing", 15)])
ADDRESS_VARIATIONS = Weighted([("same", 55), ("moved", 25), ("missing", 20)])
NHS_MISSING_SHARE = 0.4
OTHER_IDENTIFIER_MISSING_SHARE = 0.5
SECOND_TYPO_SHARE = 0.15
MIDDLE_NAMES_DROPPED_SHARE = 0.5
SEX_MISSING_SHARE = 0.03
ETHNICITY_CONFLICT_SHARE = 0.05

# A self-defined group another agency might record instead of the person's own.
CONFLICTING_GROUPS: dict[str, tuple[str, ...]] = {
    "W1": ("W9", "W2"), "W2": ("W1",), "W3": ("W1", "W2"), "W4": ("W9",), "W9": ("W1",),
    "M1": ("B1", "W1"), "M2": ("B2", "W1"), "M3": ("A1", "A2", "W1"), "M9": ("W9", "M1"),
    "A1": ("A9",), "A2": ("A9", "A1"), "A3": ("A9",), "A4": ("A9",), "A9": ("A1", "A2"),
    "B1": ("M1", "B9"), "B2": ("B9", "M2"), "B9": ("B1", "B2"), "O2": ("O9",),
    "O9": ("O2", "A9"),
}


def _vary_names(generator: PeopleGenerator, person: Person, variation: list[str]) -> None:
    rng = generator.rng
    how = NAME_VARIATIONS.pick(rng)
    if how == "nickname":
        short = names.nickname(person.given_name, rng)
        if short:
            person.given_name = short
            variation.append("given_name:nickname")
        else:
            how = "spelling"
    if how == "spelling":
        for field_name in ("given_name", "family_name"):
            other = names.other_spelling(getattr(person, field_name), rng)
            if other:
                setattr(person, field_name, other)
                variation.append(f"{field_name}:spelling")
                break
        else:
            how = "typo"
    if how == "typo":
        field_name = rng.choice(("given_name", "family_name"))
        setattr(person, field_name, names.typo(getattr(person, field_name), rng))
        variation.append(f"{field_name}:typo")
    elif how == "hyphenation":
        if "-" in person.family_name:
            parts = person.family_name.split("-")
            person.family_name = rng.choice((parts[0], parts[-1], " ".join(parts)))
        else:
            second = names.family_name(names.BRITISH, rng, generator.faker)
            person.family_name = f"{person.family_name}-{second}"
        variation.append("family_name:hyphenation")
    elif how == "swapped":
        person.given_name, person.family_name = person.family_name, person.given_name
        variation.append("names:swapped")
    if how != "typo" and rng.random() < SECOND_TYPO_SHARE:
        person.family_name = names.typo(person.family_name, rng)
        variation.append("family_name:typo")
    if person.middle_names and rng.random() < MIDDLE_NAMES_DROPPED_SHARE:
        person.middle_names = ""
        variation.append("middle_names:missing")


def _mistyped_date(date: dt.date, generator: PeopleGenerator) -> dt.date:
    rng = generator.rng
    for _ in range(10):
        kind = rng.choice(("day", "month", "year", "day_digits"))
        try:
            if kind == "day":
                changed = date.replace(day=date.day + rng.choice((-1, 1)))
            elif kind == "month":
                changed = date.replace(month=date.month + rng.choice((-1, 1)))
            elif kind == "year":
                changed = date.replace(year=date.year + rng.choice((-1, 1)))
            else:
                changed = date.replace(day=int(f"{date.day:02d}"[::-1]))
        except ValueError:
            continue  # not a date (day 0, month 13, 31 June...): try another error
        if changed != date:
            return changed
    return date + dt.timedelta(days=1)


def _vary_date_of_birth(generator: PeopleGenerator, source: PersonSnapshot, person: Person,
                        variation: list[str]) -> None:
    dob = source.date_of_birth
    if dob is None:
        return
    rng = generator.rng
    how = DATE_OF_BIRTH_VARIATIONS.pick(rng)
    if how == "day_month_swapped" and dob.day <= 12 and dob.day != dob.month:
        person.date_of_birth = dob.replace(month=dob.day, day=dob.month)
        variation.append("date_of_birth:day_month_swapped")
    elif how in ("day_month_swapped", "typo"):
        person.date_of_birth = _mistyped_date(dob, generator)
        variation.append("date_of_birth:typo")
    elif how == "missing":
        person.date_of_birth = None
        if rng.random() < 0.5:
            on = generator.as_of - dt.timedelta(days=rng.randint(0, 180))
            person.estimated_age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
            person.age_estimated_on = on
        variation.append("date_of_birth:missing")


def plant_duplicate(
    generator: PeopleGenerator, source: PersonSnapshot
) -> tuple[PersonDraft, list[str]]:
    """A second record of the source person, as another agency holds it."""
    rng, ctx = generator.rng, generator.ctx
    owners = [code for code in OWNERS[source.kind].items if code != source.owner_code]
    owner_code = rng.choice(owners)
    variation: list[str] = [f"owning_agency:{owner_code}"]
    person = Person(
        owning_agency_id=ctx.agencies[owner_code].pk,
        given_name=source.given_name,
        middle_names=source.middle_names,
        family_name=source.family_name,
        date_of_birth=source.date_of_birth,
        estimated_age=source.estimated_age,
        age_estimated_on=source.age_estimated_on,
        sex=source.sex,
        created_by_id=ctx.users[RECORDED_BY[owner_code]].pk,
    )
    _vary_names(generator, person, variation)
    _vary_date_of_birth(generator, source, person, variation)
    if source.sex and rng.random() < SEX_MISSING_SHARE:
        person.sex = ""
        variation.append("sex:missing")

    recorded = generator.recorded_ethnicity(source.true_ethnicity, owner_code)
    if recorded not in (None, EthnicGroup.NOT_STATED) and rng.random() < ETHNICITY_CONFLICT_SHARE:
        recorded = rng.choice(CONFLICTING_GROUPS[source.true_ethnicity])
        variation.append("self_defined_ethnicity:conflicting")
    elif recorded != source.self_defined_ethnicity:
        variation.append(f"self_defined_ethnicity:{recorded or 'not_recorded'}")
    person.self_defined_ethnicity_id = recorded
    person.officer_defined_ethnicity = generator.officer_defined(
        source.true_ethnicity, owner_code, source.kind
    )
    nationality = generator.recorded_nationality(
        source.true_ethnicity, owner_code, source.family_heritage
    )
    if nationality and source.nationality and "not_stated" not in (nationality, source.nationality):
        nationality = source.nationality  # a recorded nationality is the person's own
    person.nationality = nationality
    set_name_keys(person)

    draft = PersonDraft(kind=source.kind, person=person, owner_code=owner_code,
                        true_ethnicity=source.true_ethnicity, neighbourhood=source.neighbourhood,
                        given_heritage=source.given_heritage,
                        family_heritage=source.family_heritage)
    how = ADDRESS_VARIATIONS.pick(rng)
    if source.address is None:
        if rng.random() < 0.5:
            draft.addresses.append(generator.address(source.neighbourhood, lived_from=None))
            variation.append("address:only_in_duplicate")
    elif how == "same":
        draft.addresses.append(replace(source.address, lived_from=None))
    elif how == "moved":
        draft.neighbourhood = generator.some_neighbourhood(source.neighbourhood)
        moved_in = generator.as_of - dt.timedelta(days=rng.randint(10, 200))
        draft.addresses.append(generator.address(draft.neighbourhood, lived_from=moved_in))
        variation.append("address:moved")
    else:
        variation.append("address:missing")

    for kind, value in source.identifiers:
        missing_share = (
            NHS_MISSING_SHARE if kind == IdentifierKind.NHS_NUMBER
            else OTHER_IDENTIFIER_MISSING_SHARE
        )
        if rng.random() < missing_share:
            variation.append(f"{kind}:missing")
        else:
            draft.identifiers.append((kind, value))
    return draft, variation


def plant_twin(generator: PeopleGenerator, source: PersonSnapshot) -> PersonDraft:
    """A different child who shares the source's family name, birthday and home."""
    rng, ctx = generator.rng, generator.ctx
    sex = rng.choice(("female", "male"))
    birth_year = (
        source.date_of_birth.year if source.date_of_birth else generator.as_of.year - 14
    )
    given = source.given_name
    while given == source.given_name:
        given = names.given_name(source.given_heritage, sex, rng, generator.faker,
                                 birth_year=birth_year)
    person = Person(
        owning_agency_id=ctx.agencies[source.owner_code].pk,
        given_name=given,
        family_name=source.family_name,
        date_of_birth=source.date_of_birth,
        sex=sex,
        self_defined_ethnicity_id=generator.recorded_ethnicity(
            source.true_ethnicity, source.owner_code
        ),
        nationality=generator.recorded_nationality(
            source.true_ethnicity, source.owner_code, source.family_heritage
        ),
        created_by_id=ctx.users[RECORDED_BY[source.owner_code]].pk,
    )
    person.estimated_age, person.age_estimated_on = source.estimated_age, source.age_estimated_on
    set_name_keys(person)
    draft = PersonDraft(kind=CHILD, person=person, owner_code=source.owner_code,
                        true_ethnicity=source.true_ethnicity, neighbourhood=source.neighbourhood,
                        given_heritage=source.given_heritage,
                        family_heritage=source.family_heritage)
    if source.address is not None:
        draft.addresses.append(source.address)
    kinds = {kind for kind, _ in source.identifiers}
    if IdentifierKind.NHS_NUMBER in kinds:
        draft.identifiers.append((IdentifierKind.NHS_NUMBER.value, generator.mint.nhs_number()))
    if IdentifierKind.UPN in kinds:
        draft.identifiers.append(
            (IdentifierKind.UPN.value, generator.mint.upn(source.date_of_birth))
        )
    if IdentifierKind.LA_CHILD_ID in kinds:
        draft.identifiers.append((IdentifierKind.LA_CHILD_ID.value, generator.mint.la_child_id()))
    return draft


def create_duplicates(ctx: DemoContext) -> None:
    generator: PeopleGenerator = ctx.results["demo.people_generator"]
    generator.use(ctx)
    sources = list(ctx.duplicate_sources)
    ctx.rng.shuffle(sources)  # so a record and its duplicate are not neighbours by id
    counter = ctx.progress.counter("duplicates and twins", len(sources))
    for start in range(0, len(sources), ctx.scale.batch_size):
        batch = sources[start : start + ctx.scale.batch_size]
        drafts: list[PersonDraft] = []
        truths: list[tuple[str, PersonSnapshot, dict[str, object]]] = []
        for source in batch:
            if source.plant == "twin":
                drafts.append(plant_twin(generator, source))
                truths.append((DISTINCT_LOOKALIKE, source, {"reason": "twins"}))
            else:
                draft, variation = plant_duplicate(generator, source)
                drafts.append(draft)
                truths.append((DUPLICATE_PERSON, source, {"variation": variation}))
        save_drafts(ctx, drafts)
        PlantedTruth.objects.bulk_create(
            [
                PlantedTruth(
                    kind=kind, seed=ctx.seed,
                    data={"person_ids": [source.person_id, draft.person.pk],
                          "person_kind": source.kind, **extra},
                )
                for (kind, source, extra), draft in zip(truths, drafts, strict=True)
            ],
            batch_size=ctx.scale.batch_size,
        )
        for draft in drafts:
            (ctx.child_ids if draft.kind == CHILD else ctx.adult_ids).append(draft.person.pk)
        counter.add(len(batch))
    counter.finish()
    ctx.count("planted duplicates", sum(1 for s in sources if s.plant == "duplicate"))
    ctx.count("planted twins", sum(1 for s in sources if s.plant == "twin"))



def delete_planted_truth(progress: Progress) -> dict[str, int]:
    deleted, _ = PlantedTruth.objects.all().delete()
    return {"planted truths": deleted}
