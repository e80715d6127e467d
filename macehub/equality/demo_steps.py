"""Demo data: plant a known disproportionality and a known missingness pattern in the
victims and suspects the earlier steps made, and record both as planted truth, so the
analysis can be checked against what is known to be there.

- **Missingness**: ethnicity *not recorded* falls month by month over the year, from
  ``early`` to ``late`` (by the month of the person's first event in the year), and is
  worse for suspects than for victims.
- **Disproportionality**: in the county, among the people whose ethnicity *is*
  recorded, one detailed group is given ``target_ratio`` times the White rate per head
  of the county's census population *of the population's age group* (children 0 to 17
  for children referred, adults 18 and over for suspects), the denominators the
  analysis uses. The ratio actually planted (whole people, not fractions) is recorded,
  with the ratio an all-ages denominator would have shown, so the difference the age
  profiles make can be seen.

Runs after referrals, cases and intelligence; it changes only recorded ethnicity.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from django.db.models import Min, Sum

from macehub.demo.batches import each_by_ids, update_rows
from macehub.demo.models import PlantedTruth
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.people.areas import people_living_in
from macehub.people.census_by_age import CENSUS_2021_BY_AGE
from macehub.people.models import (
    Area,
    AreaPopulation,
    AreaPopulationByAge,
    EthnicGroup,
    Person,
    PersonAddress,
)
from macehub.people.populations import CHILDREN, SUSPECTS, Population, population

EQUALITY_ORDER = 1900
DISPROPORTIONALITY = "disproportionality"
ETHNICITY_MISSINGNESS = "ethnicity_missingness"
# The whole county: at the small scale a single district holds too few people for any
# ratio to be distinguishable from 1. Larger scales could plant per district.
PLANTED_AREA = "E10999901"
MISSINGNESS = {CHILDREN: (0.35, 0.05), SUSPECTS: (0.70, 0.30)}  # not recorded: first month, last
PLANTS = (
    ("children_referred", "M1", 8.0),
    ("suspects_intelligence", "B2", 4.0),
)
WHITE = "W"


def delete_planted_truth(progress: Progress) -> dict[str, int]:
    deleted, _ = PlantedTruth.objects.filter(
        kind__in=(DISPROPORTIONALITY, ETHNICITY_MISSINGNESS)).delete()
    return {"equality planted truth": deleted}


def _period(ctx: DemoContext) -> tuple[dt.date, dt.date]:
    return ctx.as_of - dt.timedelta(days=365), ctx.as_of - dt.timedelta(days=1)


def _census_weights() -> dict[int, list[tuple[str, int]]]:
    weights: dict[int, list[tuple[str, int]]] = {}
    for area_id, code, number in AreaPopulation.objects.order_by(
            "area_id", "ethnic_group__sort_order").values_list(
            "area_id", "ethnic_group_id", "population"):
        weights.setdefault(area_id, []).append((code, number))
    return weights


def plant_missingness(ctx: DemoContext, chosen: Population, start: dt.date, end: dt.date,
                      done: set[int]) -> None:
    """Not recorded with a probability that falls from ``early`` to ``late`` over the year;
    anyone drawn as recorded but held as not recorded gets a group drawn from their
    area's census mix."""
    early, late = MISSINGNESS[chosen.kind]
    first = (chosen.events_between(start, end).values(chosen.person_field)
             .annotate(first=Min(chosen.event_date(start))).order_by(chosen.person_field))
    areas = dict(PersonAddress.objects.filter(is_current=True, area__isnull=False)
                 .order_by("person_id", "pk").values_list("person_id", "area_id"))
    weights = _census_weights()
    people = {p.pk: p for p in each_by_ids(
        Person.objects.only("pk", "self_defined_ethnicity"),
        [row[chosen.person_field] for row in first])}
    by_month: dict[int, list[Person]] = {}
    for row in first:
        person = people[row[chosen.person_field]]
        if person.pk in done:
            continue
        done.add(person.pk)
        month = min(11, max(0, (row["first"].date() - start).days * 12 // 366))
        by_month.setdefault(month, []).append(person)
    changed = []
    for month, held in sorted(by_month.items()):
        # Exactly the planned share in each month (not a coin toss per person), so the
        # trend is there to find even at the small scale.
        missing = set(ctx.rng.sample(range(len(held)),
                                     k=round((early + (late - early) * month / 11) * len(held))))
        for index, person in enumerate(held):
            if index in missing:
                person.self_defined_ethnicity_id = None
            elif person.self_defined_ethnicity_id is None:
                mix = weights.get(areas.get(person.pk, -1)) or [("W1", 1)]
                person.self_defined_ethnicity_id = ctx.rng.choices(
                    [code for code, _ in mix], weights=[n for _, n in mix])[0]
            changed.append(person)
    update_rows(changed, ["self_defined_ethnicity"])


def plant_ratio(ctx: DemoContext, chosen: Population, group: str, target: float,
                start: dt.date, end: dt.date) -> dict[str, object] | None:
    """Give ``group`` ``target`` times the White rate among recorded people in the
    district, by re-recording people of other groups (others first, White last)."""
    district = Area.objects.filter(code=PLANTED_AREA).first()
    if district is None:
        return None
    by_age = AreaPopulationByAge.objects.filter(area=district, source=CENSUS_2021_BY_AGE,
                                                age_group=chosen.denominator)
    census = dict(by_age.values("ethnic_group__family_id").annotate(n=Sum("population"))
                  .values_list("ethnic_group__family_id", "n"))
    group_population = by_age.filter(ethnic_group_id=group).aggregate(
        n=Sum("population"))["n"] or 0
    white_population = census.get(WHITE, 0)
    all_ages = AreaPopulation.objects.filter(area=district)
    all_ages_group = all_ages.filter(ethnic_group_id=group).aggregate(
        n=Sum("population"))["n"] or 0
    all_ages_white = all_ages.filter(ethnic_group__family_id=WHITE).aggregate(
        n=Sum("population"))["n"] or 0
    in_district = people_living_in(district.code)
    people = list(chosen.people_between(start, end).filter(pk__in=in_district)
                  .exclude(self_defined_ethnicity__isnull=True)
                  .exclude(self_defined_ethnicity_id=EthnicGroup.NOT_STATED)
                  .select_related("self_defined_ethnicity").order_by("pk"))
    if not people or not group_population or not white_population:
        return None

    def family(person: Person) -> str | None:
        ethnic = person.self_defined_ethnicity
        return ethnic.family_id if ethnic else None

    # Counted once and then kept up to date as people are re-recorded: recounting every
    # person for each one re-recorded is quadratic (minutes at national scale).
    in_group = sum(p.self_defined_ethnicity_id == group for p in people)
    white = sum(family(p) == WHITE for p in people)
    candidates = ([p for p in people if p.self_defined_ethnicity_id != group
                   and family(p) != WHITE]
                  + [p for p in people if family(p) == WHITE])
    changed = []
    for person in candidates:
        if white <= 2 or in_group >= math.ceil(
                target * white * group_population / white_population):
            break
        was_white = family(person) == WHITE
        person.self_defined_ethnicity_id = group
        changed.append(person)
        in_group += 1
        if was_white:
            white -= 1
    update_rows(changed, ["self_defined_ethnicity"])
    planted = ((in_group / group_population) / (white / white_population)) if white else None
    all_ages_ratio = ((in_group / all_ages_group) / (white / all_ages_white)
                      if white and all_ages_group and all_ages_white else None)
    return {
        "population": chosen.key, "area_code": PLANTED_AREA, "group": group,
        "comparator": WHITE, "target_ratio": target, "planted_ratio": planted,
        "denominator": chosen.denominator.value, "all_ages_ratio": all_ages_ratio,
        "group_count": in_group, "comparator_count": white,
        "period": [start.isoformat(), end.isoformat()],
    }


@demo_step("equality", order=EQUALITY_ORDER, reset=delete_planted_truth,
           description="a known over-representation in the county and ethnicity recording "
                       "that improves over the year, worse for suspects")
def plant_equality_truth(ctx: DemoContext) -> None:
    start, end = _period(ctx)
    done: set[int] = set()
    for key in ("children_referred", "victims", "suspects_intelligence"):
        plant_missingness(ctx, population(key), start, end, done)
    PlantedTruth.objects.create(kind=ETHNICITY_MISSINGNESS, seed=ctx.seed, data={
        kind: {"not_recorded_first_month": early, "not_recorded_last_month": late}
        for kind, (early, late) in MISSINGNESS.items()
    } | {"period": [start.isoformat(), end.isoformat()]})
    planted: list[Mapping[str, object]] = []
    for key, group, target in PLANTS:
        truth = plant_ratio(ctx, population(key), group, target, start, end)
        if truth is not None:
            PlantedTruth.objects.create(kind=DISPROPORTIONALITY, seed=ctx.seed, data=truth)
            planted.append(truth)
    ctx.count("planted disproportionality", len(planted))
