"""Disproportionality: people in a population (victims referred, victims with a case,
suspects...) by ethnic group, against the Census 2021 population of the same area.

Two layers. ``analyse`` is pure: given counts and populations it works out each group's
rate, its rate ratio to a comparator, the bounds missing ethnicity puts on that ratio,
and a plain-English reading that refuses to conclude when the numbers cannot carry a
conclusion. ``disproportionality`` fetches those counts with database aggregates (never
loading a person) for a population, period and area, and explains in words anything
that makes a figure impossible: no census for the area, a group with no residents, no
one in the comparator group.

Aggregate only: nothing here returns, lists or ranks a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from macehub.equality.populations import Population
from macehub.equality.statistics import (
    Interval,
    MissingBounds,
    exact_poisson_rate,
    missing_data_bounds,
    rate_ratio,
)
from macehub.people.models import (
    Area,
    AreaPopulation,
    EthnicGroup,
    EthnicGroupFamily,
    PersonAddress,
)

CENSUS_SOURCE = "Census 2021 TS021"
DEFAULT_COMPARATOR = "W"
FAMILY = "family"
DETAILED = "detailed"
NOT_STATED = "not_stated"
NOT_RECORDED = "not_recorded"


class Finding:
    """What a row's reading concludes, as a stable code for tests and styling."""

    COMPARATOR = "comparator"
    OVER = "over"
    UNDER = "under"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"
    MISSING_DATA = "missing_data"  # the interval excludes 1 but missing data could flip it
    NOT_ESTIMABLE = "not_estimable"


@dataclass(frozen=True)
class GroupCount:
    code: str
    name: str
    count: int
    population: int


@dataclass(frozen=True)
class GroupResult:
    code: str
    name: str
    count: int
    population: int
    rate: Interval | None
    ratio: Interval | None
    bounds: MissingBounds | None
    finding: str
    reading: str

    @property
    def is_comparator(self) -> bool:
        return self.finding == Finding.COMPARATOR


@dataclass
class Analysis:
    noun: str
    comparator: GroupCount
    groups: list[GroupResult]
    not_stated: int
    not_recorded: int
    level: str = FAMILY
    area_name: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    outside_area: int = 0  # people in the population whose current address is elsewhere
    no_area: int = 0  # people with no current address in a known area
    problems: list[str] = field(default_factory=list)

    @property
    def unknown(self) -> int:
        return self.not_stated + self.not_recorded

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups) + self.unknown

    @property
    def unknown_share(self) -> float | None:
        return self.unknown / self.total if self.total else None

    @property
    def unknown_percent(self) -> int | None:
        share = self.unknown_share
        return None if share is None else round(100 * share)


def _number(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def read_group(
    group: GroupCount, comparator: GroupCount, *, unknown: int, total: int, noun: str,
) -> GroupResult:
    """One group's figures and the plain-English reading of them."""
    rate = exact_poisson_rate(group.count, group.population)
    ratio = rate_ratio(group.count, group.population, comparator.count, comparator.population)
    bounds = missing_data_bounds(
        group.count, group.population, comparator.count, comparator.population, unknown
    )
    name = comparator.name

    def result(finding: str, reading: str, *, with_ratio: bool = True) -> GroupResult:
        return GroupResult(
            group.code, group.name, group.count, group.population, rate,
            ratio if with_ratio else None, bounds if with_ratio else None, finding, reading,
        )

    if group.code == comparator.code:
        return result(Finding.COMPARATOR, "The comparator: other groups' rates are divided by "
                      "this group's rate.", with_ratio=False)
    if group.population <= 0:
        return result(Finding.NOT_ESTIMABLE, "No usual residents of this area are in this "
                      "group at the 2021 Census, so there is no rate or ratio to work out.",
                      with_ratio=False)
    if comparator.population <= 0 or comparator.count <= 0:
        return result(Finding.NOT_ESTIMABLE, f"No {noun} are recorded as {name}, the "
                      "comparator, so no ratio can be worked out. Choose another comparator.",
                      with_ratio=False)
    if ratio is None:
        return result(Finding.NOT_ESTIMABLE, f"No {noun} are recorded in this group, so a ratio "
                      "cannot be estimated; the rate's interval shows how high it could be.",
                      with_ratio=False)
    missing = ""
    if unknown:
        missing = f" Ethnicity is missing for {_percent(unknown, total)} of {noun}."
    if ratio.includes(1.0):
        return result(Finding.NO_CLEAR_DIFFERENCE, (
            f"No clear difference: the rate is {_number(ratio.estimate)} times the {name} rate, "
            f"but the 95% interval ({_number(ratio.low)} to {_number(ratio.high)}) includes 1, "
            f"which would mean no difference.{missing}"
        ))
    if bounds is not None and bounds.straddle(1.0):
        return result(Finding.MISSING_DATA, (
            f"Cannot conclude: complete records give {_number(ratio.estimate)} times the {name} "
            f"rate (95% interval {_number(ratio.low)} to {_number(ratio.high)}), but ethnicity "
            f"is missing for {_percent(unknown, total)} of {noun}; the ratio could lie anywhere "
            f"between {_number(bounds.low)} and {_number(bounds.high)}."
        ))
    direction, finding = (("over", Finding.OVER) if ratio.low > 1
                          else ("under", Finding.UNDER))
    whatever = (" This holds whichever group the records with missing ethnicity belong to."
                if unknown else "")
    return result(finding, (
        f"{direction.capitalize()}-represented: {_number(ratio.estimate)} times the {name} rate "
        f"(95% interval {_number(ratio.low)} to {_number(ratio.high)}).{whatever}"
    ))


def analyse(
    groups: Sequence[GroupCount], comparator: GroupCount, *, not_stated: int, not_recorded: int,
    noun: str,
) -> Analysis:
    """The pure analysis of counts (see the module doc)."""
    unknown = not_stated + not_recorded
    total = sum(group.count for group in groups) + unknown
    results = [
        read_group(group, comparator, unknown=unknown, total=total, noun=noun) for group in groups
    ]
    return Analysis(noun=noun, comparator=comparator, groups=results, not_stated=not_stated,
                    not_recorded=not_recorded)


# --- From the database ---------------------------------------------------------------------


def area_and_descendants(area: Area) -> list[int]:
    """The area's id and every area inside it (one query per level, not per area)."""
    ids = [area.pk]
    frontier = [area.pk]
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def comparator_choices() -> list[tuple[str, str]]:
    families = [(f.code, f.name) for f in EthnicGroupFamily.objects.order_by("code")]
    detailed = [(g.code, g.name) for g in EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED)]
    return families + detailed


def disproportionality(
    *, population: Population, start: dt.date, end: dt.date, area: Area,
    comparator: str = DEFAULT_COMPARATOR, level: str = FAMILY,
) -> Analysis:
    """People in the population with an event in the period whose current address lies in
    the area (or inside it), by ethnic group, against the area's census population."""
    people = population.people_between(start, end)
    area_ids = area_and_descendants(area)
    current = PersonAddress.objects.filter(is_current=True, area__isnull=False)
    in_area = people.filter(pk__in=current.filter(area_id__in=area_ids).values("person_id"))
    counted: dict[str | None, int] = {
        row["self_defined_ethnicity_id"]: row["n"]
        for row in in_area.values("self_defined_ethnicity_id").annotate(n=Count("pk"))
        .order_by()
    }
    with_area = people.filter(pk__in=current.values("person_id"))
    everyone = people.aggregate(n=Count("pk"))["n"]
    placed = with_area.aggregate(n=Count("pk"))["n"]
    census = {
        row["ethnic_group_id"]: row["population"] or 0
        for row in AreaPopulation.objects.filter(area=area, source=CENSUS_SOURCE)
        .values("ethnic_group_id").annotate(population=Sum("population")).order_by()
    }

    groups = list(EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED)
                  .select_related("family"))
    families = list(EthnicGroupFamily.objects.order_by("code"))
    detailed = [GroupCount(g.code, g.name, counted.get(g.code, 0), census.get(g.code, 0))
                for g in groups]
    by_family = [
        GroupCount(
            f.code, f.name,
            sum(d.count for d, g in zip(detailed, groups, strict=True) if g.family_id == f.code),
            sum(d.population for d, g in zip(detailed, groups, strict=True)
                if g.family_id == f.code),
        )
        for f in families
    ]
    every_group = {group.code: group for group in by_family + detailed}
    chosen = every_group.get(comparator) or every_group.get(DEFAULT_COMPARATOR)
    if chosen is None:  # no ethnic groups loaded at all
        chosen = GroupCount(comparator, comparator, 0, 0)
    result = analyse(
        by_family if level == FAMILY else detailed, chosen,
        not_stated=counted.get(EthnicGroup.NOT_STATED, 0), not_recorded=counted.get(None, 0),
        noun=population.noun,
    )
    result.level = level
    result.area_name = area.name
    result.start, result.end = start, end
    result.no_area = everyone - placed
    result.outside_area = placed - result.total
    result.problems = _problems(result, area=area, area_ids=area_ids, census=census)
    return result


def _problems(
    result: Analysis, *, area: Area, area_ids: list[int], census: dict[str, int]
) -> list[str]:
    """Why some figures cannot be given, in words (never a division error)."""
    problems = []
    if not census:
        loaded_inside = AreaPopulation.objects.filter(area_id__in=area_ids).exists()
        problems.append(
            f"No Census 2021 population (TS021) is loaded for {area.name} itself, so no rates "
            "or ratios can be worked out for it."
            + (" Census figures are loaded for smaller areas inside it: choose one of those."
               if loaded_inside else
               " The census file loaded may be for a different area than these records: "
               "an administrator can load the right one with import_census.")
        )
    if result.comparator.count == 0 and census:
        problems.append(
            f"No {result.noun} in {area.name} are recorded as {result.comparator.name}, the "
            "comparator, so no ratios can be worked out. Choose another comparator."
        )
    if result.total == 0:
        problems.append(f"No {result.noun} in this period live in {area.name}.")
    if result.no_area:
        problems.append(
            f"{result.no_area} of the {result.noun} have no current address in a known area, "
            "so they are not counted in any area."
        )
    return problems
