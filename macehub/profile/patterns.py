"""The problem profile's patterns (C11): when, how, where online and in which venues
children are exploited, who the victims and suspects are, and what the hub did about it,
for a period and an area. Aggregates only, each table computed by one or two grouped
queries, never by loading records.

Every table is plain JSON (``Table``): a problem profile stores it as published, and the
partnership version suppresses it with the hub's one routine (``core.suppression``).
Unknowns are rows of their own ("Not recorded", "Area not known", "Date not known"),
never dropped, so each table adds up to everything counted.

An area means the area and every area inside it, as on the performance dashboard: a
child's episode or case is in it when the child's current address is; intelligence when
it is linked to a location or premises there, or to a person living there
(``intelligence.selectors.reports_about_area``); a group when one of its members lives
there; a disruption when a child it protects lives there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

from macehub.cases.codes import NOT_RECORDED, ExploitationModel
from macehub.cases.models import Case as SafeguardingCase
from macehub.cases.models import MissingEpisode
from macehub.core.metrics import Period
from macehub.disruption.models import Disruption, DisruptionChild
from macehub.intelligence.codes import AccountPlatform, EntityRole, HandlingCode, PremisesKind
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.intelligence.selectors import reports_about_area
from macehub.networks.codes import GroupStatus
from macehub.networks.models import Group, GroupMember
from macehub.people.areas import people_living_in
from macehub.people.codes import Sex
from macehub.people.measures import AREA_NOT_KNOWN, current_area, districts_of
from macehub.people.models import EthnicGroup, EthnicGroupFamily, Person
from macehub.people.populations import population

LONDON = ZoneInfo("Europe/London")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Four-hour bands of the London clock: wide enough that a week's counts are not all ones.
TIME_BANDS = ("00:00 to 03:59", "04:00 to 07:59", "08:00 to 11:59", "12:00 to 15:59",
              "16:00 to 19:59", "20:00 to 23:59")
DATE_NOT_KNOWN = "Date not known"
NOT_STATED = "Not stated (declined)"
VICTIMS, SUSPECTS = "victims", "suspects_intelligence"
# Age at the end of the period, in whole years: (label, lowest age) from the youngest up.
CHILD_AGE_BANDS = (("Under 10", 0), ("10 to 12", 10), ("13 to 15", 13), ("16 to 17", 16),
                   ("18 and over", 18))
ADULT_AGE_BANDS = (("Under 18", 0), ("18 to 24", 18), ("25 to 34", 25), ("35 to 44", 35),
                   ("45 and over", 45))
AGE_NOT_KNOWN = "Age not known"
# How many of the most-linked premises and suspects the restricted version names.
MOST_LINKED = 5


class Row(TypedDict):
    label: str
    values: list[int]
    total: int


class Table(TypedDict):
    """A table of counts as published: rows by columns, with row totals (when it has more
    than one column), column totals and the grand total. A ``heat`` table (a grid such as
    day by time of day) is drawn with its cells shaded by count."""

    key: str
    caption: str
    row_heading: str
    columns: list[str]
    rows: list[Row]
    column_totals: list[int]
    total: int
    notes: list[str]
    heat: NotRequired[bool]
    suppressed: NotRequired[bool]


def table(key: str, caption: str, row_heading: str, columns: Sequence[str],
          rows: Sequence[tuple[str, Sequence[int]]], notes: Sequence[str] = ()) -> Table:
    """A ``Table`` from its rows' labels and counts; totals worked out here, once."""
    width = len(columns)
    column_totals = [sum(values[c] for _, values in rows) for c in range(width)]
    return Table(
        key=key, caption=caption, row_heading=row_heading, columns=list(columns),
        rows=[Row(label=label, values=list(values), total=sum(values)) for label, values in rows],
        column_totals=column_totals, total=sum(column_totals), notes=list(notes),
    )


def _counted(counts: Counter[str], labels: Sequence[tuple[str, str]], *,
             unknown: str = NOT_RECORDED, keep_empty: bool = True) -> list[tuple[str, list[int]]]:
    """Rows of a one-column table in the code list's order, the unknown row last."""
    rows = [(label, [counts.get(value, 0)]) for value, label in labels
            if keep_empty or counts.get(value, 0)]
    rows.append((unknown, [counts.get("", 0)]))
    return rows


# --- the area -----------------------------------------------------------------------------


def _in_area(rows: QuerySet[Any, Any], area_code: str, person: str) -> QuerySet[Any, Any]:
    if not area_code:
        return rows
    return rows.filter(**{f"{person}__in": people_living_in(area_code)})


def reports_in(period: Period, area_code: str) -> QuerySet[IntelligenceReport]:
    """Intelligence received in the period (about the area): the reports every
    intelligence table counts."""
    reports = IntelligenceReport.objects.filter(received_at__gte=period.starts_at,
                                                received_at__lt=period.ends_before)
    if area_code:
        reports = reports.filter(pk__in=reports_about_area(area_code))
    return reports


# --- time of day and day of week ----------------------------------------------------------


def missing_by_time(period: Period, area_code: str) -> Table:
    """Missing episodes by the London day and four-hour band the child went missing in."""
    episodes = _in_area(MissingEpisode.objects.filter(
        went_missing_at__gte=period.starts_at, went_missing_at__lt=period.ends_before),
        area_code, "child_id")
    grid = [[0] * len(TIME_BANDS) for _ in DAYS]
    for row in (episodes.order_by()
                .annotate(day=ExtractIsoWeekDay("went_missing_at", tzinfo=LONDON),
                          hour=ExtractHour("went_missing_at", tzinfo=LONDON))
                .values("day", "hour").annotate(n=Count("pk"))):
        grid[row["day"] - 1][row["hour"] // 4] += row["n"]
    found = table("missing_by_time", "Missing episodes by day and time the child went missing",
                  "Day", TIME_BANDS, list(zip(DAYS, grid, strict=True)),
                  notes=["Times are the UK clock (Europe/London) when the child went missing. "
                         "The darker a cell, the more episodes began then."])
    found["heat"] = True
    return found


def intelligence_by_day(period: Period, area_code: str) -> Table:
    """Intelligence by the day of the week it is about. Reports record the date of what
    happened, not its time: the time of day is not known, and is not made up."""
    counts: Counter[int] = Counter()
    for row in (reports_in(period, area_code).order_by()
                .annotate(day=ExtractIsoWeekDay("occurred_on"))
                .values("day").annotate(n=Count("pk"))):
        counts[row["day"] or 0] += row["n"]
    rows = [(name, [counts.get(number, 0)]) for number, name in enumerate(DAYS, start=1)]
    rows.append((DATE_NOT_KNOWN, [counts.get(0, 0)]))
    return table("intelligence_by_day", "Intelligence reports by the day of the week of what "
                 "they report", "Day", ["Reports"], rows,
                 notes=["Intelligence records the date of what happened but not the time: "
                        "the time of day is not known for any report.",
                        "Reports received in the period; a report without the date of what "
                        "happened is counted under 'Date not known'."])


# --- exploitation models ------------------------------------------------------------------


def cases_by_model(period: Period, area_code: str) -> Table:
    cases = _in_area(SafeguardingCase.objects.filter(
        Q(opened_at__lt=period.ends_before)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.starts_at))), area_code,
        "child_id")
    counts = Counter({row["exploitation_model"]: row["n"] for row in cases.order_by()
                      .values("exploitation_model").annotate(n=Count("pk"))})
    return table("cases_by_model", "Cases by exploitation model", "Exploitation model",
                 ["Cases"], _counted(counts, ExploitationModel.choices),
                 notes=["Cases open at any time in the period."])


def groups_by_model(period: Period, area_code: str) -> Table:
    groups = Group.objects.filter(status=GroupStatus.CONFIRMED,
                                  decided_at__lt=period.ends_before)
    if area_code:
        groups = groups.filter(pk__in=GroupMember.objects.filter(
            person_id__in=people_living_in(area_code)).values("group_id"))
    counts = Counter({row["exploitation_model"]: row["n"] for row in groups.order_by()
                      .values("exploitation_model").annotate(n=Count("pk"))})
    return table("groups_by_model", "Confirmed offender groups by exploitation model",
                 "Exploitation model", ["Groups"], _counted(counts, ExploitationModel.choices),
                 notes=["Groups confirmed as group-based exploitation by the end of the "
                        "period."])


# --- online platforms and venues ----------------------------------------------------------


def _linked(period: Period, area_code: str, field: str) -> QuerySet[ReportLink]:
    return ReportLink.objects.filter(report__in=reports_in(period, area_code).values("pk"),
                                     **{f"{field}__isnull": False})


def platforms(period: Period, area_code: str) -> Table:
    rows = (_linked(period, area_code, "account").order_by()
            .values("account__platform")
            .annotate(accounts=Count("account", distinct=True),
                      reports=Count("report", distinct=True)))
    found = {row["account__platform"]: (row["accounts"], row["reports"]) for row in rows}
    return table("platforms", "Online platforms linked to intelligence", "Platform",
                 ["Accounts", "Reports"],
                 [(label, list(found[value])) for value, label in AccountPlatform.choices
                  if value in found],
                 notes=["Online accounts linked to intelligence received in the period. A "
                        "report naming accounts on two platforms counts on each, so the "
                        "reports column does not add up to the reports received."])


def venues(period: Period, area_code: str) -> Table:
    rows = (_linked(period, area_code, "premises").order_by()
            .values("premises__kind")
            .annotate(premises=Count("premises", distinct=True),
                      reports=Count("report", distinct=True)))
    found = {row["premises__kind"]: (row["premises"], row["reports"]) for row in rows}
    return table("venues", "Venues linked to intelligence, by kind", "Kind of venue",
                 ["Premises", "Reports"],
                 [(label, list(found.get(value, (0, 0)))) for value, label in
                  PremisesKind.choices],
                 notes=["Premises linked to intelligence received in the period. A report "
                        "naming two kinds of venue counts under each."])


def _shareable(links: QuerySet[ReportLink]) -> QuerySet[ReportLink]:
    """Only intelligence whose handling code lets it be shared (P) may name anyone in a
    profile that hub roles without access to every report read: a report shared with
    conditions (C) is counted in the tables but names no one here."""
    return links.filter(report__handling_code=HandlingCode.PERMITTED)


def most_linked_premises(period: Period, area_code: str) -> list[dict[str, Any]]:
    """The premises most often linked to the period's shareable intelligence, named: for
    the restricted version only (the partnership version names no premises)."""
    rows = (_shareable(_linked(period, area_code, "premises")).order_by()
            .values("premises__name", "premises__kind")
            .annotate(reports=Count("report", distinct=True))
            .order_by("-reports", "premises__name")[:MOST_LINKED])
    return [{"name": row["premises__name"], "kind": PremisesKind(row["premises__kind"]).label,
             "reports": row["reports"]} for row in rows]


def most_named_suspects(period: Period, area_code: str) -> list[dict[str, Any]]:
    """The suspects named in most of the period's shareable intelligence: restricted
    version only."""
    rows = (_shareable(ReportLink.objects.filter(
        report__in=reports_in(period, area_code).values("pk"), role=EntityRole.SUSPECT,
        person__isnull=False)).order_by()
        .values("person__given_name", "person__family_name")
        .annotate(reports=Count("report", distinct=True))
        .order_by("-reports", "person__family_name", "person__given_name")[:MOST_LINKED])
    return [{"name": f"{row['person__given_name']} {row['person__family_name']}".strip(),
             "reports": row["reports"]} for row in rows]


# --- victims' and suspects' profiles ------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _age_band(end: dt.date, bands: Sequence[tuple[str, int]]) -> Case:
    """The band of each person's age at ``end``: born after the date ``lowest`` years
    before ``end`` means younger than ``lowest`` (a birthday on ``end`` counts)."""
    whens = [When(date_of_birth__isnull=True, then=Value(AGE_NOT_KNOWN))]
    for (label, _), (_, following) in pairwise(bands):
        whens.append(When(date_of_birth__gt=_years_before(end, following), then=Value(label)))
    return Case(*whens, default=Value(bands[-1][0]), output_field=CharField())


def _ethnicity() -> Case:
    return Case(
        When(self_defined_ethnicity__isnull=True, then=Value("")),
        When(self_defined_ethnicity=EthnicGroup.NOT_STATED, then=Value("NS")),
        When(self_defined_ethnicity__family__isnull=True, then=Value("?")),
        default="self_defined_ethnicity__family_id", output_field=CharField(),
    )


def _completeness(ethnicities: Counter[str]) -> str:
    """How complete ethnicity recording is, in words: recorded, not stated, not recorded,
    each of everyone counted."""
    people = sum(ethnicities.values())
    if not people:
        return "No one was counted, so recording completeness cannot be worked out."
    not_stated, not_recorded = ethnicities.get("NS", 0), ethnicities.get("", 0)
    recorded = people - not_stated - not_recorded

    def share(part: int) -> str:
        return f"{part:,} of {people:,} ({round(100 * part / people)}%)"

    return (f"Ethnicity recorded for {share(recorded)}; not stated for {share(not_stated)}; "
            f"not recorded for {share(not_recorded)}.")


def _people(key: str, period: Period, area_code: str) -> QuerySet[Person]:
    people = population(key).people_between(period.start, period.end)
    return _in_area(people, area_code, "pk")


def people_profile(key: str, period: Period, area_code: str) -> list[Table]:
    """Age band, sex and self-defined ethnic group (high-level) of the people in one of the
    equality app's populations (victims, suspects named in intelligence), with what is not
    recorded and not stated as rows of their own."""
    counted = population(key)
    bands = CHILD_AGE_BANDS if key == VICTIMS else ADULT_AGE_BANDS
    rows = list(_people(key, period, area_code).order_by()
                .annotate(age_band=_age_band(period.end, bands), ethnicity=_ethnicity())
                .values("age_band", "sex", "ethnicity").annotate(n=Count("pk")))
    ages: Counter[str] = Counter()
    sexes: Counter[str] = Counter()
    ethnicities: Counter[str] = Counter()
    for row in rows:
        ages[row["age_band"]] += row["n"]
        sexes[row["sex"] or ""] += row["n"]
        ethnicities[row["ethnicity"]] += row["n"]
    noun = counted.noun[0].upper() + counted.noun[1:]
    families = [(family.code, family.name) for family in EthnicGroupFamily.objects.all()]
    ethnic_rows = [(name, [ethnicities.get(code, 0)]) for code, name in families]
    if ethnicities.get("?"):
        ethnic_rows.append(("Ethnic group outside the five high-level groups",
                            [ethnicities["?"]]))
    ethnic_rows += [(NOT_STATED, [ethnicities.get("NS", 0)]),
                    (NOT_RECORDED, [ethnicities.get("", 0)])]
    definition = [counted.definition] if counted.definition else []
    short = "victims" if key == VICTIMS else "suspects"
    return [
        table(f"{short}_age", f"{noun} by age at the end of the period", "Age", [noun],
              [(label, [ages.get(label, 0)]) for label, _ in bands]
              + [(AGE_NOT_KNOWN, [ages.get(AGE_NOT_KNOWN, 0)])], notes=definition),
        table(f"{short}_sex", f"{noun} by sex", "Sex", [noun],
              _counted(sexes, Sex.choices)),
        table(f"{short}_ethnicity", f"{noun} by self-defined ethnic group", "Ethnic group",
              [noun], ethnic_rows,
              notes=[_completeness(ethnicities),
                     "Not stated: asked and declined. Not recorded: never asked. Both are "
                     "counted, never dropped."]),
    ]


# --- disruption ---------------------------------------------------------------------------


def disruption_by_area(period: Period, area_code: str) -> Table:
    """Disruption activities recorded in the period by tactic and by the district where
    the children they protect live ("Area not known" when no child they protect has a
    known address). One protecting children in two districts counts in each."""
    disruptions = Disruption.objects.filter(created_at__gte=period.starts_at,
                                            created_at__lt=period.ends_before)
    protecting = DisruptionChild.objects.filter(disruption__in=disruptions.values("pk"))
    protecting = _in_area(protecting, area_code, "person_id")
    if area_code:
        disruptions = disruptions.filter(pk__in=protecting.values("disruption_id"))
    homes = list(protecting.order_by().annotate(home=current_area("person_id"))
                 .values("disruption_id", "home").distinct())
    districts = districts_of({row["home"] for row in homes if row["home"]})
    placed: dict[int, set[str]] = defaultdict(set)
    for row in homes:
        placed[row["disruption_id"]].add(districts.get(row["home"], ("", AREA_NOT_KNOWN))[1])
    by_cell: Counter[tuple[str, str]] = Counter()
    for pk, tactic in disruptions.order_by().values_list("pk", "tactic__name"):
        for district in placed.get(pk) or {AREA_NOT_KNOWN}:
            by_cell[(tactic, district)] += 1
    names = sorted({district for _, district in by_cell} - {AREA_NOT_KNOWN})
    if any(district == AREA_NOT_KNOWN for _, district in by_cell):
        names.append(AREA_NOT_KNOWN)
    tactics = sorted({tactic for tactic, _ in by_cell})
    return table("disruption_by_area", "Disruption activities by tactic and area", "Tactic",
                 names, [(tactic, [by_cell[(tactic, name)] for name in names])
                         for tactic in tactics],
                 notes=["Disruption activities recorded in the period, in the district where "
                        "a child they protect lives; one protecting children in two districts "
                        "counts in each, so the total can exceed the activities recorded."])


# --- everything, for the live page --------------------------------------------------------

PatternFunc = Callable[[Period, str], dict[str, Any]]


def patterns(period: Period, area_code: str) -> list[Table]:
    """Every pattern table, in the order of the page."""
    return [
        missing_by_time(period, area_code),
        intelligence_by_day(period, area_code),
        cases_by_model(period, area_code),
        groups_by_model(period, area_code),
        platforms(period, area_code),
        venues(period, area_code),
        *people_profile(VICTIMS, period, area_code),
        *people_profile(SUSPECTS, period, area_code),
        disruption_by_area(period, area_code),
    ]
