"""Small numbers across a whole published report.

Metrics of the same population publish the same denominators, so suppressing each metric
on its own is not enough: a denominator hidden in one may be printed by another, or
worked out from the other's totals. These tests attack the whole report at once, the way
a reader holding every published table would, with an attacker written independently of
``suppression``: it builds one linear system from the printed figures and the [c] flags,
where the same underlying count is the same unknown in every metric that prints it.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.core import metrics as registry
from macehub.core.metrics import MEDIANS, TOTAL, Better, Breakdown, Figure, Unit
from macehub.performance import services
from macehub.performance.hiding import Hidden, Key, ReportEntry, hidden_figures, hidden_report
from macehub.performance.models import ReportFigure
from macehub.performance.selectors import HIDDEN_TEXT, published_report
from macehub.performance.tests.test_performance import march_referrals  # noqa: F401 (fixture)
from macehub.testing.factories import make_user, verified_login

THRESHOLD = 5

# --- the attacker --------------------------------------------------------------------

# (kind, whose, breakdown, category): kind "num", "den" or "rest" (denominator less
# numerator); a denominator belongs to the population (or the metric, if it has none),
# a numerator or complement to its metric.
Unknown = tuple[str, str, str, str]


@dataclass
class Reader:
    """What a reader of the suppressed report has: the printed counts, what is shown as
    [c], and the relations between counts that hold by definition."""

    values: dict[Unknown, int] = field(default_factory=dict)  # the truth, for checking
    printed: set[Unknown] = field(default_factory=set)
    withheld: set[Unknown] = field(default_factory=set)
    relations: list[dict[Unknown, int]] = field(default_factory=list)

    def sees(self, name: Unknown, value: int, *, shown: bool) -> Unknown:
        if name in self.values:
            assert self.values[name] == value, f"{name} published with two values"
        self.values[name] = value
        (self.printed if shown else self.withheld).add(name)
        return name

    def derives(self, name: Unknown, value: int, *, row_hidden: bool,
                threshold: int) -> Unknown:
        """A complement (denominator less numerator) is never printed. A reader has it
        when its row is printed whole; otherwise it is unknown, and a secret when it is
        small (a count of people under the threshold). A larger one is no secret: the
        categories it adds up may well be printed (a composition's "not stated" and "not
        recorded" make up its total's complement)."""
        self.values[name] = value
        if not row_hidden:
            self.printed.add(name)
        elif 0 < value < threshold:
            self.withheld.add(name)
        return name

    def adds_up(self, parts: Sequence[Unknown], whole: Unknown) -> None:
        terms = dict.fromkeys(parts, 1)
        terms[whole] = terms.get(whole, 0) - 1
        self.relations.append(terms)

    def same(self, one: Unknown, other: Unknown) -> None:
        if one != other:
            self.relations.append({one: 1, other: -1})

    def unknowns(self) -> list[Unknown]:
        return sorted(set(self.values) - self.printed)

    def system(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], list[Unknown]]:
        """The relations as A x = b over the unknowns (printed values moved to b)."""
        unknown = self.unknowns()
        index = {name: i for i, name in enumerate(unknown)}
        rows, rhs = [], []
        for terms in self.relations:
            row = np.zeros(len(unknown))
            b = 0.0
            for name, coefficient in terms.items():
                if name in index:
                    row[index[name]] += coefficient
                else:
                    b -= coefficient * self.values[name]
            if row.any():
                rows.append(row)
                rhs.append(b)
        return np.array(rows).reshape(len(rows), len(unknown)), np.array(rhs), unknown

    def determined(self) -> set[Unknown]:
        """Unknowns whose unit vector lies in the row space of the relations."""
        matrix, _, unknown = self.system()
        if not len(matrix):
            return set()
        rank = np.linalg.matrix_rank(matrix)
        found = set()
        for i, name in enumerate(unknown):
            probe = np.zeros((1, len(unknown)))
            probe[0, i] = 1
            if np.linalg.matrix_rank(np.vstack([matrix, probe])) == rank:
                found.add(name)
        return found

    def recover(self, name: Unknown) -> int:
        """Work a determined unknown out from the printed values (least squares)."""
        matrix, rhs, unknown = self.system()
        solution = np.linalg.lstsq(matrix, rhs, rcond=None)[0]
        return round(float(solution[unknown.index(name)]))

    def leaks(self) -> set[Unknown]:
        """Counts shown as [c] that are printed elsewhere or can be worked out."""
        return (self.withheld & self.printed) | (self.determined() & self.withheld)

    def small_printed(self, threshold: int) -> set[Unknown]:
        return {n for n in self.printed if 0 < self.values[n] < threshold}


def read_report(
    entries: Sequence[ReportEntry], hidden: dict[str, dict[Key, Hidden]], threshold: int
) -> Reader:
    reader = Reader()
    for entry in entries:
        _read_metric(reader, entry, hidden[entry.code], threshold)
    return reader


def _read_metric(
    reader: Reader, entry: ReportEntry, hide: dict[Key, Hidden], threshold: int
) -> None:
    code, unit, population, figures = entry
    whose = population or code

    def flags(f: Any) -> Hidden:
        return hide.get((f.breakdown, f.category), Hidden())

    def num(f: Any) -> Unknown:
        return reader.sees(("num", code, f.breakdown, f.category), int(f.numerator),
                           shown=not flags(f).numerator)

    def den(f: Any) -> Unknown:
        return reader.sees(("den", whose, f.breakdown, f.category), f.denominator,
                           shown=not flags(f).denominator)

    def rest(f: Any, n: Unknown, d: Unknown) -> Unknown:
        r = reader.derives(("rest", code, f.breakdown, f.category),
                           f.denominator - int(f.numerator), row_hidden=flags(f).value,
                           threshold=threshold)
        reader.adds_up([n, r], d)
        return r

    total = next(f for f in figures if f.breakdown == TOTAL)
    groups: dict[str, list[Any]] = {}
    for f in figures:
        if f.breakdown != TOTAL:
            groups.setdefault(f.breakdown, []).append(f)
    if unit is Unit.COUNT:
        whole = num(total)
        for rows in groups.values():
            reader.adds_up([num(f) for f in rows], whole)
    elif unit in MEDIANS:  # the medians are not counts; their bases are
        base = den(total)
        for rows in groups.values():
            reader.adds_up([den(f) for f in rows], base)
    elif unit is Unit.RATE:
        num(total), den(total)
    else:
        n, d = num(total), den(total)
        r = rest(total, n, d)
        for breakdown, rows in groups.items():
            if breakdown == Breakdown.RECORDING:
                # A composition: every row is out of the total, and "recorded" is the
                # total's numerator. (A row's complement is the sum of the other rows.)
                for f in rows:
                    reader.same(den(f), d)
                    if f.category == "recorded":
                        reader.same(num(f), n)
                reader.adds_up([num(f) for f in rows], d)
            else:
                parts = [(num(f), den(f), f) for f in rows]
                reader.adds_up([p[0] for p in parts], n)
                reader.adds_up([p[1] for p in parts], d)
                reader.adds_up([rest(f, pn, pd) for pn, pd, f in parts], r)


def per_metric(entries: Sequence[ReportEntry], threshold: int) -> dict[str, dict[Key, Hidden]]:
    """The old way: each metric suppressed on its own."""
    return {e.code: hidden_figures(e.unit, e.figures, threshold) for e in entries}


# --- reports shaped like the real metrics --------------------------------------------

BRAGS = ("red", "amber", "green", "blue")
SOURCES = ("police", "school", "health", "social_care", "family")
AGENCIES = ("city_council", "county_police", "nhs_trust")
STATES = ("recorded", "not_stated", "not_recorded")


def decided_referrals(
    cells: dict[tuple[str, str], tuple[int, int]], *, population: str = "decided"
) -> list[ReportEntry]:
    """Referrals decided, by (BRAG, source): (on time, late). A percentage on time by
    BRAG and source, and a median time to decision by BRAG, out of the same referrals.
    Categories with nobody in them are left out, as the real queries leave them out."""
    on_time = sum(n for n, _ in cells.values())
    decided = sum(n + late for n, late in cells.values())
    percentage = [Figure(TOTAL, "", "All", on_time, decided)]
    for pick, breakdown in ((0, Breakdown.BRAG), (1, Breakdown.SOURCE)):
        found: dict[str, list[int]] = {}
        for key, (n, late) in cells.items():
            tally = found.setdefault(key[pick], [0, 0])
            tally[0] += n
            tally[1] += n + late
        percentage += [Figure(breakdown, c, c.title(), n, d)
                       for c, (n, d) in sorted(found.items()) if d]
    median = [Figure(TOTAL, "", "All", Decimal("16.5") if decided else None, decided)]
    median += [Figure(Breakdown.BRAG, f.category, f.label, Decimal("3.0"), f.denominator)
               for f in percentage if f.breakdown == Breakdown.BRAG]
    return [ReportEntry("referrals_decided_in_time", Unit.PERCENTAGE, population, percentage),
            ReportEntry("referral_hours_to_decision", Unit.MEDIAN_HOURS, population, median)]


def recording(code: str, counts: tuple[int, int, int], population: str) -> ReportEntry:
    people = sum(counts)
    figures = [Figure(TOTAL, "", "All", counts[0], people)]
    figures += [Figure(Breakdown.RECORDING, state, state.replace("_", " ").capitalize(), n,
                       people) for state, n in zip(STATES, counts, strict=True)]
    return ReportEntry(code, Unit.PERCENTAGE, population, figures)


def counted(code: str, cells: dict[tuple[str, str], int]) -> ReportEntry:
    figures = [Figure(TOTAL, "", "All", sum(cells.values()))]
    for pick, breakdown in ((0, Breakdown.SOURCE), (1, Breakdown.BRAG)):
        found: dict[str, int] = {}
        for key, n in cells.items():
            found[key[pick]] = found.get(key[pick], 0) + n
        figures += [Figure(breakdown, c, c.title(), n) for c, n in sorted(found.items())]
    return ReportEntry(code, Unit.COUNT, "", figures)


def shared_by_agency(code: str, rows: dict[str, tuple[int, int]]) -> ReportEntry:
    figures = [Figure(TOTAL, "", "All", sum(n for n, _ in rows.values()),
                      sum(d for _, d in rows.values()))]
    figures += [Figure(Breakdown.AGENCY, a, a.title(), n, d) for a, (n, d) in rows.items() if d]
    return ReportEntry(code, Unit.PERCENTAGE, "", figures)


def _small(rng: random.Random) -> int:
    return rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 6, 7, 9, 12, 20, 35))


def _split(rng: random.Random, people: int) -> tuple[int, int, int]:
    a, b = sorted(rng.randint(0, people) for _ in range(2))
    return (people - b, a, b - a) if rng.random() < 0.5 else (b - a, a, people - b)


def random_report(seed: int) -> tuple[list[ReportEntry], int]:
    rng = random.Random(seed)
    brags = rng.sample(BRAGS, rng.randint(1, len(BRAGS)))
    sources = rng.sample(SOURCES, rng.randint(1, len(SOURCES)))
    entries = decided_referrals(
        {(b, s): (_small(rng), _small(rng)) for b in brags for s in sources})
    victims, suspects = _small(rng) + _small(rng), _small(rng) + _small(rng)
    entries += [
        recording("victims_ethnicity_recorded", _split(rng, victims), "victims"),
        recording("victims_nationality_recorded", _split(rng, victims), "victims"),
        recording("suspects_ethnicity_recorded", _split(rng, suspects), "suspects"),
        recording("suspects_nationality_recorded", _split(rng, suspects), "suspects"),
        counted("referrals_received", {(s, b): _small(rng) for s in sources for b in brags}),
        shared_by_agency("return_interviews_in_time", {
            a: (n, n + _small(rng)) for a in AGENCIES for n in [_small(rng)]}),
        ReportEntry("advocate_changes_per_child", Unit.RATE, "", [
            Figure(TOTAL, "", "All", _small(rng), _small(rng))]),
    ]
    return entries, rng.choice((3, 5, 5, 5, 10))


# --- a report that leaks when each metric is suppressed on its own ------------------

# 16 referrals decided, all from the police: 14 green (5 on time), 2 blue (1 on time).
LEAKY = {("green", "police"): (5, 9), ("blue", "police"): (1, 1)}
# The same month with nothing small in it.
PLAIN = {("green", "police"): (30, 20), ("blue", "police"): (25, 15)}
IN_TIME, HOURS = "referrals_decided_in_time", "referral_hours_to_decision"


def test_per_metric_suppression_gives_a_shared_base_away_and_the_report_does_not() -> None:
    entries = decided_referrals(LEAKY)
    old = per_metric(entries, THRESHOLD)
    # On its own, the percentage hides its total (16) but prints green's 14, while the
    # median, on its own, prints the total and hides green's 14 (to protect blue's 2).
    assert old[IN_TIME][(TOTAL, "")].denominator
    assert not old[HOURS][(TOTAL, "")].denominator
    assert old[HOURS][(Breakdown.BRAG, "green")].denominator
    assert not old[IN_TIME][(Breakdown.BRAG, "green")].denominator
    reader = read_report(entries, old, THRESHOLD)
    blue = ("den", "decided", Breakdown.BRAG, "blue")
    assert blue in reader.withheld and blue in reader.determined()
    assert reader.recover(blue) == 2  # 16 - 14: two blue referrals
    assert {("den", "decided", TOTAL, ""), ("den", "decided", Breakdown.BRAG, "green")
            } <= reader.leaks()

    new = hidden_report(entries, THRESHOLD)
    for key in [(TOTAL, ""), (Breakdown.BRAG, "green"), (Breakdown.BRAG, "blue")]:
        assert new[IN_TIME][key].denominator and new[HOURS][key].denominator, key
    assert not read_report(entries, new, THRESHOLD).leaks()


def test_metrics_of_different_populations_do_not_hide_for_each_other() -> None:
    leaky = decided_referrals(LEAKY)
    unrelated = [e._replace(population="") for e in leaky]
    alone = hidden_report(unrelated, THRESHOLD)
    assert alone == per_metric(unrelated, THRESHOLD)
    assert not alone[HOURS][(TOTAL, "")].denominator


def test_hidden_figures_still_works_alone_and_takes_denominators_hidden_elsewhere() -> None:
    victims = recording("victims_ethnicity_recorded", (12, 6, 7), "victims")
    assert not any(h.value for h in hidden_figures(
        victims.unit, victims.figures, THRESHOLD).values())
    forced = hidden_figures(victims.unit, victims.figures, THRESHOLD,
                            denominators_hidden={(TOTAL, "")})
    assert all(h.denominator for h in forced.values())
    # With the number of victims hidden, the three categories cannot all be printed.
    assert any(forced[(Breakdown.RECORDING, state)].numerator for state in STATES)
    assert not read_report([victims], {victims.code: forced}, THRESHOLD).leaks()


# --- the whole-report attack ----------------------------------------------------------

SEEDS = range(400)


def test_no_hidden_count_can_be_worked_out_from_a_whole_report() -> None:
    """Randomised reports (seeded, so a failure names its seed) shaped like the real
    metrics, with plenty of small numbers."""
    exercised = []
    for seed in SEEDS:
        entries, threshold = random_report(seed)
        reader = read_report(entries, hidden_report(entries, threshold), threshold)
        assert not reader.small_printed(threshold), f"seed {seed}: small count printed"
        assert not reader.leaks(), f"seed {seed}: {sorted(reader.leaks())}"
        if read_report(entries, per_metric(entries, threshold), threshold).leaks():
            exercised.append(seed)
    # The reports do reach the gap: suppressing each metric alone leaks in some of them.
    assert exercised


def test_the_attacker_finds_what_only_primary_suppression_leaves() -> None:
    """The attack is not vacuous: hiding only the small counts (no secondary
    suppression) is caught in most reports."""
    caught = 0
    for seed in range(50):
        entries, threshold = random_report(seed)
        reader = read_report(entries, {
            e.code: {(f.breakdown, f.category): Hidden(
                numerator=_small_count(f.numerator, threshold) or (
                    f.denominator is not None and e.unit is not Unit.COUNT
                    and _small_count(f.denominator - int(f.numerator or 0), threshold)),
                denominator=_small_count(f.denominator, threshold),
            ) for f in e.figures} for e in entries
        }, threshold)
        caught += bool(reader.leaks())
    assert caught > 25


def _small_count(value: Decimal | int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


# --- end to end: published, seen by scrutiny, exported --------------------------------

POPULATION = "throwaway_decided"
CODES = ("throwaway_decided_in_time", "throwaway_hours_to_decision")


@pytest.fixture
def shared_metrics() -> Iterator[dict[str, dict[tuple[str, str], tuple[int, int]]]]:
    """Two throwaway metrics of one population, computing whatever ``cells`` holds."""
    now: dict[str, dict[tuple[str, str], tuple[int, int]]] = {"cells": LEAKY}

    def figures(which: int) -> list[Figure]:
        return list(decided_referrals(now["cells"])[which].figures)

    registry.metric(
        code=CODES[0], name="Throwaway decided in time", definition="Test only.",
        numerator="On time", denominator="Decided", unit=Unit.PERCENTAGE,
        better=Better.HIGHER, breakdowns=(Breakdown.BRAG, Breakdown.SOURCE),
        population=POPULATION,
    )(lambda period, filters: figures(0))
    registry.metric(
        code=CODES[1], name="Throwaway hours to decision", definition="Test only.",
        numerator="Median hours", denominator="Decided", unit=Unit.MEDIAN_HOURS,
        better=Better.LOWER, breakdowns=(Breakdown.BRAG,), population=POPULATION,
    )(lambda period, filters: figures(1))
    try:
        yield now
    finally:
        for code in CODES:
            registry.unregister(code)


@pytest.fixture
def leader(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("senior.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)


@pytest.fixture
def scrutiny(hub_agency: Agency) -> User:
    return make_user("pcc.office", Role.SCRUTINY, agency=hub_agency)


SHARED_ROWS = [("Total", "All"), ("BRAG rating", "Green"), ("BRAG rating", "Blue")]


def _csv_rows(body: str) -> dict[tuple[str, str, str], dict[str, str]]:
    return {(r["metric_code"], r["breakdown"], r["category"]): r
            for r in csv.DictReader(io.StringIO(body))}


def _page_rows(html: str, code: str) -> dict[tuple[str, str], tuple[str, str, str, str]]:
    """(breakdown, category) -> (published, numerator, denominator, restatement)."""
    section = html.split(f'id="pm-{code}"', 1)[1].split("</section>", 1)[0]
    found = {}
    for row in section.split('<tr class="govuk-table__row">')[2:]:
        cells = [part.split("</t", 1)[0].split(">", 1)[1].strip()
                 for part in row.split("<t")[1:] if part.startswith(("d", "h"))]
        found[(cells[0], cells[1])] = (cells[2], cells[3], cells[4], cells[5])
    return found


@pytest.mark.django_db
def test_scrutiny_sees_a_shared_base_hidden_in_every_metric_that_prints_it(
    client: Client, leader: User, scrutiny: User, shared_metrics: dict[str, Any],
) -> None:
    report = services.publish_month(actor=leader, year=2024, month=3)
    verified_login(client, scrutiny)
    html = client.get(reverse("performance:report", kwargs={"report_pk": report.pk})
                      ).content.decode()
    body = client.get(reverse("performance:report_csv", kwargs={"report_pk": report.pk})
                      ).content.decode()
    exported = _csv_rows(body)
    for code in CODES:
        shown = _page_rows(html, code)
        for breakdown, category in SHARED_ROWS:
            assert shown[(breakdown, category)][2] == HIDDEN_TEXT, (code, category)
            assert exported[(code, breakdown, category)]["denominator"] == HIDDEN_TEXT
    # Nowhere can 16 - 14 be done: neither base is printed by either metric.
    for code in CODES:
        assert {exported[(code, "Total", "All")]["denominator"],
                exported[(code, "BRAG rating", "Green")]["denominator"]} == {HIDDEN_TEXT}
    assert "16" not in {r["denominator"] for r in exported.values()}
    # A senior leader may not open the referrals behind these figures: they read the
    # month with small numbers hidden too (as on the live dashboard).
    verified_login(client, leader)
    as_leader = _page_rows(client.get(reverse(
        "performance:report", kwargs={"report_pk": report.pk})).content.decode(), CODES[1])
    assert as_leader[("Total", "All")][2] == HIDDEN_TEXT


@pytest.mark.django_db
@pytest.mark.usefixtures("march_referrals")
def test_a_real_published_report_survives_the_attack(leader: User) -> None:
    """The hub's own metrics, published through the service: the same attack on what
    was stored, with each metric's population from the registry."""
    report = services.publish_month(actor=leader, year=2024, month=3)
    stored: dict[str, list[ReportFigure]] = {}
    for figure in report.figures.all():
        stored.setdefault(figure.metric_code, []).append(figure)
    entries = [ReportEntry(code, Unit(figures[0].unit), registry.get_metric(code).population,
                           figures) for code, figures in stored.items()]
    assert {e.population for e in entries} >= {"referrals decided", "victims"}
    threshold = report.suppression_threshold
    reader = read_report(entries, hidden_report(entries, threshold), threshold)
    assert reader.withheld  # 3 of 4 decided on time, and so on: there is something to hide
    assert not reader.small_printed(threshold)
    assert not reader.leaks()


@pytest.mark.django_db
def test_restatements_hide_a_shared_base_in_every_metric_too(
    client: Client, leader: User, scrutiny: User, shared_metrics: dict[str, Any],
) -> None:
    shared_metrics["cells"] = PLAIN
    report = services.publish_month(actor=leader, year=2024, month=3)
    shared_metrics["cells"] = LEAKY  # recomputed since: now 16 decided, 2 of them blue
    verified_login(client, scrutiny)
    body = client.get(reverse("performance:report_csv", kwargs={"report_pk": report.pk})
                      ).content.decode()
    exported = _csv_rows(body)
    for code in CODES:
        for breakdown, category in SHARED_ROWS:
            row = exported[(code, breakdown, category)]
            assert row["denominator"] not in ("", HIDDEN_TEXT)  # published: nothing small
            assert row["restated_value"] == HIDDEN_TEXT
            assert row["restated_denominator"] == ""
    shown = published_report(report, suppressed=False)
    assert shown.restatements >= 2 * len(SHARED_ROWS)
