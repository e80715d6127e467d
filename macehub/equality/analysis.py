"""Disproportionality: people in a population (children referred, victims, suspects...)
by ethnic group, against the Census 2021 population of the same area *and age*: children
against the children (0 to 17) of their ethnic group, suspects against its adults (18
and over), from the Census 2021 ethnic group by age table (``people.census_by_age``).
An all-ages denominator is never used: age profiles differ so much between ethnic
groups that it can make or hide a disproportionality.

Two layers. ``analyse`` is pure: given counts and populations it works out each group's
rate, its rate ratio to a comparator, the bounds missing ethnicity puts on that ratio,
and a plain-English reading that refuses to conclude when the numbers cannot carry a
conclusion. ``disproportionality`` fetches those counts with database aggregates (never
loading a person) for a population, period and area, and explains in words anything
that makes a figure impossible: no census for the area, a group with no residents, no
one in the comparator group. ``compared_inside`` repeats the analysis for each area
directly inside the chosen one, in a fixed number of queries however many areas and
people there are, because a ratio over a large area can show a difference that comes
only from where people live (compare at the smallest area the numbers allow).

Aggregate only: nothing here returns, lists or ranks a person. Rates and ratios are made
from the exact fractions of their counts, and every figure in a reading is rounded by the
hub's one rule (half up, ``macehub.core.figures``), as the pages' ``floatformat`` rounds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When

from macehub.core.figures import exact_share, format_figure, round_half_up
from macehub.equality.statistics import (
    Interval,
    MissingBounds,
    exact_poisson_rate,
    missing_data_bounds,
    rate_ratio,
)
from macehub.people.areas import area_ids_within
from macehub.people.census_by_age import CENSUS_2021_BY_AGE
from macehub.people.codes import (
    IC_TO_HIGH_LEVEL_GROUP,
    CensusAgeGroup,
    OfficerDefinedEthnicity,
)
from macehub.people.models import (
    Area,
    AreaPopulationByAge,
    EthnicGroup,
    EthnicGroupFamily,
    PersonAddress,
)
from macehub.people.populations import Population

CENSUS_SOURCE = CENSUS_2021_BY_AGE
DEFAULT_COMPARATOR = "W"
FAMILY = "family"
DETAILED = "detailed"
NOT_STATED = "not_stated"
NOT_RECORDED = "not_recorded"
# Whose account of a person's ethnicity is counted: their own (the 18+1 self-defined
# groups) or a police officer's observation (IC codes). Never merged.
SELF_DEFINED = "self"
OFFICER_DEFINED = "officer"
ETHNICITY_FIELDS = {SELF_DEFINED: "self_defined_ethnicity_id",
                    OFFICER_DEFINED: "officer_defined_ethnicity"}
UNKNOWN_LABELS = {
    SELF_DEFINED: ("Not stated (asked, declined)", "Not recorded (never asked)"),
    OFFICER_DEFINED: ("IC9 (the officer could not say)", "No IC code recorded"),
}
IC_MAPPING_CAVEAT = (
    "IC codes are an officer's view of how a person looks, not the person's own answer, "
    "and have no Mixed group. IC5 (Chinese, Japanese or other South East Asian) is counted "
    "as Asian, where Census 2021 places Chinese; some published police tables count it "
    "with Other, so Asian and Other may not match them. IC6 (Arab or North African) is "
    "counted as Other, where Census 2021 places Arab. IC9 (unknown) and no code are "
    "unknown."
)
NO_MIXED_IC_CODE = (
    "Police IC codes have no Mixed group: an officer records a person of mixed heritage "
    "under another code, so there is no rate for this group, and the groups they are "
    "recorded under may be overstated."
)


class Finding:
    """What a row's reading concludes, as a stable code for tests and styling."""

    COMPARATOR = "comparator"
    OVER = "over"
    UNDER = "under"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"
    MISSING_DATA = "missing_data"  # the interval excludes 1 but missing data could flip it
    NOT_ESTIMABLE = "not_estimable"


# A word or two for each finding, for a table too small for the whole reading.
FINDING_MARKERS: dict[str, str] = {
    Finding.COMPARATOR: "comparator",
    Finding.OVER: "higher",
    Finding.UNDER: "lower",
    Finding.NO_CLEAR_DIFFERENCE: "no clear difference",
    Finding.MISSING_DATA: "cannot say: ethnicity missing",
    Finding.NOT_ESTIMABLE: "too few to say",
}


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

    @property
    def marker(self) -> str:
        return FINDING_MARKERS[self.finding]


@dataclass
class Analysis:
    noun: str
    comparator: GroupCount
    groups: list[GroupResult]
    not_stated: int
    not_recorded: int
    denominator: CensusAgeGroup = CensusAgeGroup.CHILDREN
    level: str = FAMILY
    ethnicity: str = SELF_DEFINED
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
    def not_stated_label(self) -> str:
        return UNKNOWN_LABELS[self.ethnicity][0]

    @property
    def not_recorded_label(self) -> str:
        return UNKNOWN_LABELS[self.ethnicity][1]

    @property
    def denominator_label(self) -> str:
        """The census population the rates divide by, in words."""
        return denominator_label(self.denominator)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups) + self.unknown

    @property
    def unknown_share(self) -> float | None:
        return self.unknown / self.total if self.total else None

    @property
    def unknown_percent(self) -> Decimal | None:
        """The unknown share as a whole percentage, rounded by the hub's rule."""
        share = exact_share(self.unknown, self.total, per=100)
        return None if share is None else round_half_up(share, 0)


def ic_mapping_lines() -> list[str]:
    """Each IC code with the high-level group it is counted in, in words."""
    names = dict(EthnicGroupFamily.objects.values_list("code", "name"))
    return [
        f"{label} → {names.get(family, family) if family else 'unknown'}"
        for code, label in OfficerDefinedEthnicity.choices
        for family in [IC_TO_HIGH_LEVEL_GROUP.get(code)]
    ]


def denominator_label(age_group: CensusAgeGroup) -> str:
    return f"Census 2021 usual residents who are {age_group.label}, of the same ethnic group"


def _number(value: float) -> str:
    return format_figure(value, 2 if value < 10 else 1)


def _percent(part: int, whole: int) -> str:
    share = exact_share(part, whole, per=100)
    return f"{format_figure(share, 0)}%" if share is not None else "0%"


def read_group(
    group: GroupCount, comparator: GroupCount, *, unknown: int, total: int, noun: str,
    denominator: CensusAgeGroup = CensusAgeGroup.CHILDREN,
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
        return result(Finding.NOT_ESTIMABLE, f"No {denominator.label} living in this area "
                      "are in this group at the 2021 Census, so there is no rate or ratio "
                      "to work out.", with_ratio=False)
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
    noun: str, denominator: CensusAgeGroup = CensusAgeGroup.CHILDREN,
) -> Analysis:
    """The pure analysis of counts (see the module doc); ``population`` in each group
    is its census population of the ``denominator`` age group."""
    unknown = not_stated + not_recorded
    total = sum(group.count for group in groups) + unknown
    results = [
        read_group(group, comparator, unknown=unknown, total=total, noun=noun,
                   denominator=denominator)
        for group in groups
    ]
    return Analysis(noun=noun, comparator=comparator, groups=results, not_stated=not_stated,
                    not_recorded=not_recorded, denominator=denominator)


# --- From the database ---------------------------------------------------------------------


def comparator_choices() -> list[tuple[str, str]]:
    families = [(f.code, f.name) for f in EthnicGroupFamily.objects.order_by("code")]
    detailed = [(g.code, g.name) for g in EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED)]
    return families + detailed


def _ethnic_groups() -> tuple[list[EthnicGroup], list[EthnicGroupFamily]]:
    return (list(EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED)
                 .select_related("family")),
            list(EthnicGroupFamily.objects.order_by("code")))


def _analyse_officer_defined(
    counted: dict[str | None, int], census: dict[str, int], *, groups: list[EthnicGroup],
    families: list[EthnicGroupFamily], comparator: str, noun: str,
    denominator: CensusAgeGroup,
) -> Analysis:
    """The analysis of one area from its people by IC code (``""`` or ``None``: none
    recorded) mapped to the five high-level groups (``IC_TO_HIGH_LEVEL_GROUP``), against
    the census population of each high-level group. IC9 is counted as unknown."""
    family_of = {g.code: g.family_id for g in groups}
    by_family = [
        GroupCount(
            f.code, f.name,
            sum(n for ic, n in counted.items() if ic and IC_TO_HIGH_LEVEL_GROUP.get(ic) == f.code),
            sum(n for code, n in census.items() if family_of.get(code) == f.code),
        )
        for f in families
    ]
    mapped = {ic for ic, family in IC_TO_HIGH_LEVEL_GROUP.items() if family}
    chosen_code = family_of.get(comparator) or comparator
    chosen = next((g for g in by_family if g.code == chosen_code),
                  next((g for g in by_family if g.code == DEFAULT_COMPARATOR),
                       GroupCount(comparator, comparator, 0, 0)))
    has_ic = {family for family in IC_TO_HIGH_LEVEL_GROUP.values() if family}
    result = analyse(
        by_family, chosen,
        not_stated=sum(n for ic, n in counted.items() if ic and ic not in mapped),
        not_recorded=sum(n for ic, n in counted.items() if not ic),
        noun=noun, denominator=denominator,
    )
    result.groups = [
        group if group.code in has_ic else dataclasses.replace(
            group, rate=None, ratio=None, bounds=None, finding=Finding.NOT_ESTIMABLE,
            reading=NO_MIXED_IC_CODE)
        for group in result.groups
    ]
    result.ethnicity = OFFICER_DEFINED
    return result


def _analyse_counts(
    counted: dict[str | None, int], census: dict[str, int], *, groups: list[EthnicGroup],
    families: list[EthnicGroupFamily], comparator: str, level: str, noun: str,
    denominator: CensusAgeGroup, ethnicity: str = SELF_DEFINED,
) -> Analysis:
    """The analysis of one area from its people by ethnic group code (``None``: not
    recorded; IC codes for officer-defined ethnicity, always at the high level) and its
    census population by detailed group."""
    if ethnicity == OFFICER_DEFINED:
        return _analyse_officer_defined(counted, census, groups=groups, families=families,
                                        comparator=comparator, noun=noun,
                                        denominator=denominator)
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
        noun=noun, denominator=denominator,
    )
    result.level = level
    return result


def disproportionality(
    *, population: Population, start: dt.date, end: dt.date, area: Area,
    comparator: str = DEFAULT_COMPARATOR, level: str = FAMILY,
    ethnicity: str = SELF_DEFINED,
) -> Analysis:
    """People in the population with an event in the period whose current address lies in
    the area (or inside it), by ethnic group (self-defined, or officer-defined IC codes
    mapped to the high-level groups), against the area's census population."""
    people = population.people_between(start, end)
    area_ids = area_ids_within(area.code)
    current = PersonAddress.objects.filter(is_current=True, area__isnull=False)
    in_area = people.filter(pk__in=current.filter(area_id__in=area_ids).values("person_id"))
    field_name = ETHNICITY_FIELDS[ethnicity]
    counted: dict[str | None, int] = {
        row[field_name]: row["n"]
        for row in in_area.values(field_name).annotate(n=Count("pk"))
        .order_by()
    }
    with_area = people.filter(pk__in=current.values("person_id"))
    everyone = people.aggregate(n=Count("pk"))["n"]
    placed = with_area.aggregate(n=Count("pk"))["n"]
    census = {
        row["ethnic_group_id"]: row["population"] or 0
        for row in _census(population.denominator).filter(area=area)
        .values("ethnic_group_id").annotate(population=Sum("population")).order_by()
    }
    groups, families = _ethnic_groups()
    result = _analyse_counts(counted, census, groups=groups, families=families,
                             comparator=comparator, level=level, noun=population.noun,
                             denominator=population.denominator, ethnicity=ethnicity)
    result.area_name = area.name
    result.start, result.end = start, end
    result.no_area = everyone - placed
    result.outside_area = placed - result.total
    loaded_inside = not census and _census(population.denominator).filter(
        area_id__in=area_ids).exists()
    result.problems = _problems(result, area_name=area.name, has_census=bool(census),
                                loaded_inside=loaded_inside)
    if result.no_area:
        result.problems.append(
            f"{result.no_area} of the {result.noun} have no current address in a known area, "
            "so they are not counted in any area."
        )
    return result


def _census(age_group: CensusAgeGroup) -> QuerySet[AreaPopulationByAge]:
    return AreaPopulationByAge.objects.filter(source=CENSUS_SOURCE, age_group=age_group)


def _problems(
    result: Analysis, *, area_name: str, has_census: bool, loaded_inside: bool
) -> list[str]:
    """Why some figures for an area cannot be given, in words (never a division error)."""
    problems = []
    if not has_census:
        problems.append(
            f"No Census 2021 population by ethnic group and age ({result.denominator.label}) "
            f"is loaded for {area_name} itself, so no rates or ratios can be worked out for "
            "it."
            + (" Census figures are loaded for smaller areas inside it: choose one of those."
               if loaded_inside else
               " The census file loaded may be for a different area than these records: "
               "an administrator can load the right one with import_census_by_age.")
        )
    if result.comparator.count == 0 and has_census:
        problems.append(
            f"No {result.noun} in {area_name} are recorded as {result.comparator.name}, the "
            "comparator, so no ratios can be worked out. Choose another comparator."
        )
    if result.total == 0:
        problems.append(f"No {result.noun} in this period live in {area_name}.")
    return problems


# --- Compared inside the area --------------------------------------------------------------


@dataclass(frozen=True)
class InsideArea:
    """One area directly inside the chosen one, with its own analysis; ``cells`` are its
    groups in the comparison's columns."""

    area: Area
    analysis: Analysis
    cells: list[GroupResult]


@dataclass(frozen=True)
class Column:
    code: str
    name: str
    is_comparator: bool


@dataclass
class InsideComparison:
    """The analysis repeated for each area directly inside ``area_name``. Empty ``areas``
    means nothing inside it has a census population to compare with."""

    area_name: str
    noun: str
    level: str
    comparator: GroupCount | None = None
    columns: list[Column] = field(default_factory=list)
    areas: list[InsideArea] = field(default_factory=list)
    narrowed: bool = False  # detailed groups with no one counted in any area are left out


def _inside_by_child(children: list[Area]) -> dict[int, int]:
    """Every area inside each child, and the child itself, mapped to the child's id (one
    query per level of the tree, not per area)."""
    child_of = {child.pk: child.pk for child in children}
    frontier = list(child_of)
    while frontier:
        rows = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", "parent_id"))
        for pk, parent_id in rows:
            child_of[pk] = child_of[parent_id]
        frontier = [pk for pk, _ in rows]
    return child_of


def compared_inside(
    *, population: Population, start: dt.date, end: dt.date, area: Area,
    comparator: str = DEFAULT_COMPARATOR, level: str = FAMILY,
    ethnicity: str = SELF_DEFINED,
) -> InsideComparison:
    """``disproportionality`` for each area directly inside ``area`` (its districts, a
    district's wards), if any of them has a census population. Each person is counted in
    the inside area their current address lies in, as the analysis of that area alone
    would count them. A fixed number of queries: the areas, one per level of the tree,
    the census, the counts and the ethnic groups."""
    comparison = InsideComparison(area_name=area.name, noun=population.noun, level=level)
    children = list(Area.objects.filter(parent=area).order_by("name"))
    census: dict[int, dict[str, int]] = {}
    for row in (_census(population.denominator).filter(area__parent=area)
                .values("area_id", "ethnic_group_id").annotate(population=Sum("population"))
                .order_by()):
        census.setdefault(row["area_id"], {})[row["ethnic_group_id"]] = row["population"] or 0
    if not census:
        return comparison
    child_of = _inside_by_child(children)
    below = [pk for pk, child in child_of.items() if pk != child and child not in census]
    loaded_below = {child_of[pk] for pk in _census(population.denominator).filter(
        area_id__in=below).values_list("area_id", flat=True).distinct()
    } if below else set()
    inside = Case(*[When(area_id__in=[pk for pk, c in child_of.items() if c == child.pk],
                         then=Value(child.pk)) for child in children],
                  output_field=IntegerField())
    counted: dict[int, dict[str | None, int]] = {}
    for child_id, code, number in (
            PersonAddress.objects.filter(
                is_current=True, area_id__in=list(child_of),
                person__in=population.people_between(start, end).values("pk"))
            .annotate(inside=inside).values("inside", f"person__{ETHNICITY_FIELDS[ethnicity]}")
            .annotate(n=Count("person_id", distinct=True)).order_by()
            .values_list("inside", f"person__{ETHNICITY_FIELDS[ethnicity]}", "n")):
        counted.setdefault(child_id, {})[code] = number

    groups, families = _ethnic_groups()
    analyses = []
    for child in children:
        result = _analyse_counts(
            counted.get(child.pk, {}), census.get(child.pk, {}), groups=groups,
            families=families, comparator=comparator, level=level, noun=population.noun,
            denominator=population.denominator, ethnicity=ethnicity)
        result.area_name = child.name
        result.start, result.end = start, end
        result.problems = _problems(result, area_name=child.name,
                                    has_census=child.pk in census,
                                    loaded_inside=child.pk in loaded_below)
        analyses.append((child, result))

    first = analyses[0][1]
    comparison.comparator = first.comparator
    shown = {g.code for g in first.groups}
    if level != FAMILY and ethnicity == SELF_DEFINED:
        # Every detailed group is too many columns: keep those with someone counted.
        shown = {g.code for _, result in analyses for g in result.groups
                 if g.count or g.is_comparator}
        comparison.narrowed = len(shown) < len(first.groups)
    comparison.columns = [Column(g.code, g.name, g.is_comparator) for g in first.groups
                          if g.code in shown]
    comparison.areas = [
        InsideArea(child, result, [g for g in result.groups if g.code in shown])
        for child, result in analyses
    ]
    return comparison
