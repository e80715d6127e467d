"""Which published figures of a report to hide before they leave the hub.

Turns a metric's figures into the tables a reader sees (its total, and one table per
breakdown sharing that total) and asks ``suppression`` what to hide, so that no hidden
count can be worked out from the totals beside it, in any of the tables of the metric.

Metrics of the same population (``Metric.population``) publish the same denominators,
category by category, so a denominator hidden in one of them would be printed by the
others. ``hidden_report`` therefore hides a shared denominator in all of them as soon as
one hides it, and lets each suppress again around it, until they agree.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, Protocol

from macehub.core.metrics import MEDIANS, TOTAL, Breakdown, Unit
from macehub.core.suppression import (
    GRAND,
    Position,
    Table,
    cell,
    column_total,
    row_total,
    suppress,
)


class FigureLike(Protocol):
    @property
    def breakdown(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def numerator(self) -> Decimal | int | None: ...
    @property
    def denominator(self) -> int | None: ...


@dataclass(frozen=True)
class Hidden:
    numerator: bool = False
    denominator: bool = False

    @property
    def value(self) -> bool:
        return self.numerator or self.denominator


Key = tuple[str, str]  # (breakdown, category)


def _int(value: Decimal | int | None) -> int:
    return int(value or 0)


class ReportEntry(NamedTuple):
    """One metric of a report as ``hidden_report`` needs it. ``population`` "" means its
    denominators are shared with no other metric."""

    code: str
    unit: Unit
    population: str
    figures: Sequence[FigureLike]


def hidden_report(
    entries: Iterable[ReportEntry | tuple[str, Unit, str, Sequence[FigureLike]]],
    threshold: int,
) -> dict[str, dict[Key, Hidden]]:
    """What to hide in every metric of a report, by metric code.

    Each metric is suppressed on its own first. Then, within each population, a
    denominator (by breakdown and category) hidden in any metric is hidden in all of
    them, and they are suppressed again with it already hidden (so that, say, the other
    bases of a breakdown cannot give it away there either), until nothing changes.
    """
    found = [ReportEntry(*entry) for entry in entries]
    result = {e.code: hidden_figures(e.unit, e.figures, threshold) for e in found}
    shared = [e for e in found if e.population]
    forced: dict[str, set[Key]] = {}
    while True:
        grew = False
        for entry in shared:
            gone = {key for key, hide in result[entry.code].items() if hide.denominator}
            known = forced.setdefault(entry.population, set())
            if not gone <= known:
                known |= gone
                grew = True
        if not grew:
            return result
        # Only ever more is forced, and there are finitely many denominators: this ends.
        for entry in shared:
            result[entry.code] = hidden_figures(
                entry.unit, entry.figures, threshold,
                denominators_hidden=forced[entry.population],
            )


def hidden_figures(
    unit: Unit, figures: Sequence[FigureLike], threshold: int,
    *, denominators_hidden: Collection[Key] = frozenset(),
) -> dict[Key, Hidden]:
    """For each figure (by breakdown and category), what must not be shown.

    ``denominators_hidden`` are denominators hidden elsewhere (another metric of the
    same population): they are hidden here too, and suppression works around them. A
    count has no denominator, so nothing is forced on it.
    """
    total = next(f for f in figures if f.breakdown == TOTAL)
    groups: dict[str, list[FigureLike]] = {}
    for figure in figures:
        if figure.breakdown != TOTAL:
            groups.setdefault(figure.breakdown, []).append(figure)

    if unit is Unit.RATE or unit in MEDIANS:
        return _per_base(unit, total, groups, threshold, denominators_hidden)

    counts_only = unit is Unit.COUNT
    # What of the total is hidden: (numerator, its complement, denominator).
    total_hidden: set[str] = set()
    if not counts_only and (
        (TOTAL, total.category) in denominators_hidden
        # A composition's rows are all out of the total's denominator.
        or (Breakdown.RECORDING in groups
            and any(key[0] == Breakdown.RECORDING for key in denominators_hidden))
    ):
        total_hidden.add("den")
    result: dict[Key, Hidden] = {}
    while True:  # until the shared total is stable (it only grows, from three parts)
        before = set(total_hidden)
        result = {}
        if counts_only:
            n = _int(total.numerator)
            hidden = suppress(
                Table([[n]], column_totals=None, grand_total=None,
                      hidden_already={cell(0, 0)} if "num" in total_hidden else set()),
                threshold,
            )
            if cell(0, 0) in hidden:
                total_hidden.add("num")
        else:
            n, d = _int(total.numerator), total.denominator or 0
            table = Table([[n, d - n]], row_totals=[d], hidden_already=_total_positions_row(
                total_hidden))
            hidden = suppress(table, threshold)
            total_hidden |= _total_names_row(hidden)
        for breakdown, rows in groups.items():
            composition = breakdown == Breakdown.RECORDING
            if counts_only or composition:
                table = Table(
                    [[_int(f.numerator)] for f in rows],
                    column_totals=[_int(total.numerator) if counts_only else total.denominator
                                   or 0],
                    hidden_already=(
                        {column_total(0)}
                        if ("num" if counts_only else "den") in total_hidden else set()
                    ) | _recorded_linked(rows, total_hidden, composition),
                )
                hidden = suppress(table, threshold)
                if column_total(0) in hidden:
                    total_hidden.add("num" if counts_only else "den")
                for r, figure in enumerate(rows):
                    gone = cell(r, 0) in hidden
                    if composition and figure.category == "recorded" and gone:
                        total_hidden.add("num")
                    result[(breakdown, figure.category)] = Hidden(
                        numerator=gone,
                        denominator=not counts_only and column_total(0) in hidden,
                    )
            else:
                table = Table(
                    [[_int(f.numerator), (f.denominator or 0) - _int(f.numerator)]
                     for f in rows],
                    row_totals=[f.denominator or 0 for f in rows],
                    column_totals=[_int(total.numerator),
                                   (total.denominator or 0) - _int(total.numerator)],
                    grand_total=total.denominator or 0,
                    hidden_already=_total_positions_grid(total_hidden) | {
                        row_total(r) for r, f in enumerate(rows)
                        if (breakdown, f.category) in denominators_hidden
                    },
                )
                hidden = suppress(table, threshold)
                total_hidden |= _total_names_grid(hidden)
                for r, figure in enumerate(rows):
                    result[(breakdown, figure.category)] = Hidden(
                        numerator=_numerator_hidden(
                            cell(r, 0) in hidden, cell(r, 1) in hidden, row_total(r) in hidden),
                        denominator=row_total(r) in hidden,
                    )
        if total_hidden == before:
            break
    result[(TOTAL, total.category)] = Hidden(
        numerator=_numerator_hidden(
            "num" in total_hidden, "rest" in total_hidden, "den" in total_hidden),
        denominator="den" in total_hidden,
    )
    return result


def _numerator_hidden(numerator: bool, complement: bool, denominator: bool) -> bool:
    """A row prints its numerator and denominator, never the complement (denominator
    less numerator): a hidden complement hides the numerator only when the denominator
    is printed. Otherwise a numerator that suppression left visible is printed, as it is
    wherever else it appears (a composition's "recorded" row is its total's numerator)."""
    return numerator or (complement and not denominator)


def _recorded_linked(
    rows: Sequence[FigureLike], total_hidden: set[str], composition: bool
) -> set[Position]:
    if not composition or "num" not in total_hidden:
        return set()
    return {cell(r, 0) for r, f in enumerate(rows) if f.category == "recorded"}


def _total_positions_row(names: set[str]) -> set[Position]:
    mapping = {"num": cell(0, 0), "rest": cell(0, 1), "den": row_total(0)}
    return {mapping[name] for name in names}


def _total_names_row(hidden: frozenset[Position]) -> set[str]:
    mapping = {cell(0, 0): "num", cell(0, 1): "rest", row_total(0): "den"}
    return {name for position, name in mapping.items() if position in hidden}


def _total_positions_grid(names: set[str]) -> set[Position]:
    mapping = {"num": column_total(0), "rest": column_total(1), "den": GRAND}
    return {mapping[name] for name in names}


def _total_names_grid(hidden: frozenset[Position]) -> set[str]:
    mapping = {column_total(0): "num", column_total(1): "rest", GRAND: "den"}
    return {name for position, name in mapping.items() if position in hidden}


def _per_base(
    unit: Unit, total: FigureLike, groups: dict[str, list[FigureLike]], threshold: int,
    denominators_hidden: Collection[Key],
) -> dict[Key, Hidden]:
    """Medians and rates: hidden on a small base; the bases themselves are counts."""
    total_key = (TOTAL, total.category)
    base = total.denominator or 0
    total_gone = 0 < base < threshold or total_key in denominators_hidden
    if unit is Unit.RATE:
        n = _int(total.numerator)
        return {total_key: Hidden(numerator=0 < n < threshold or total_gone,
                                  denominator=total_gone)}
    result: dict[Key, Hidden] = {}
    while True:  # until the shared total is stable
        before = total_gone
        result = {}
        for breakdown, rows in groups.items():
            table = Table([[f.denominator or 0] for f in rows], column_totals=[base],
                          hidden_already=({column_total(0)} if total_gone else set()) | {
                              cell(r, 0) for r, f in enumerate(rows)
                              if (breakdown, f.category) in denominators_hidden})
            hidden = suppress(table, threshold)
            for r, figure in enumerate(rows):
                gone = cell(r, 0) in hidden
                result[(breakdown, figure.category)] = Hidden(numerator=gone, denominator=gone)
            total_gone = total_gone or column_total(0) in hidden
        if total_gone == before:
            break
    result[total_key] = Hidden(numerator=total_gone, denominator=total_gone)
    return result


# --- the live dashboard --------------------------------------------------------------

# Joins a metric's code (or population) to a month, for a month of its trend that is a
# table of its own.
MONTH_OF = "@"


@dataclass(frozen=True)
class _Shown:
    """A figure as ``hidden_report`` takes it (a month of a trend as a breakdown row or a
    table's total)."""

    breakdown: str
    category: str
    numerator: Decimal | int | None
    denominator: int | None


class LiveEntry(NamedTuple):
    """One metric of the live dashboard: its figures for the period and its trend (one
    figure a month, category ``YYYY-MM``). ``folded`` names the months of the trend that
    make up the period exactly (none unless the period is whole calendar months)."""

    code: str
    unit: Unit
    population: str
    figures: Sequence[FigureLike]
    trend: Sequence[FigureLike]
    folded: Collection[str]


def hidden_live(
    entries: Iterable[LiveEntry], threshold: int
) -> dict[str, tuple[dict[Key, Hidden], dict[str, Hidden]]]:
    """What to hide on the live dashboard, by metric code: for its period's figures (by
    breakdown and category) and for its trend (by month).

    The report-wide suppression of a published report (``hidden_report``), over the
    period's figures and the trend together, with every relation a reader could use:

    - the months of the trend that make up the period are a breakdown of the period's
      total (they add up to it, for counts that add up; where they do not, the extra
      equation only ever hides more);
    - each other month is a one-figure table, shared with the other metrics of its
      population that month;
    - a rate's numerators add up over months where its bases do not: they are suppressed
      again as a column of counts (``_rate_numerators``);
    - the last month of the period is hidden with the period's total, which it equals for
      figures "at the end of the period" (children at risk).
    """
    found = list(entries)
    report: list[ReportEntry] = []
    for entry in found:
        folded = [f for f in entry.trend if f.category in entry.folded]
        rows = [] if entry.unit is Unit.RATE else [
            _Shown(Breakdown.MONTH, f.category, f.numerator, f.denominator) for f in folded]
        report.append(ReportEntry(entry.code, entry.unit, entry.population,
                                  [*entry.figures, *rows]))
        for figure in entry.trend:
            if figure.category in entry.folded and entry.unit is not Unit.RATE:
                continue
            report.append(ReportEntry(
                f"{entry.code}{MONTH_OF}{figure.category}", entry.unit,
                f"{entry.population}{MONTH_OF}{figure.category}" if entry.population else "",
                [_Shown(TOTAL, "", figure.numerator, figure.denominator)],
            ))
    hidden = hidden_report(report, threshold)

    result: dict[str, tuple[dict[Key, Hidden], dict[str, Hidden]]] = {}
    for entry in found:
        own = hidden[entry.code]
        total = next(f for f in entry.figures if f.breakdown == TOTAL)
        total_key = (total.breakdown, total.category)
        period = {key: hide for key, hide in own.items() if key[0] != Breakdown.MONTH}
        months: dict[str, Hidden] = {}
        for figure in entry.trend:
            month = figure.category
            alone = hidden.get(f"{entry.code}{MONTH_OF}{month}", {}).get((TOTAL, ""))
            months[month] = _union(own.get((Breakdown.MONTH, month)), alone)
        if entry.unit is Unit.RATE:
            _rate_numerators(entry, total, period, months, threshold)
        last = max(entry.folded, default=None)
        if last is not None and period.get(total_key, Hidden()).value:
            months[last] = _union(months.get(last), period[total_key])
        result[entry.code] = (period, months)
    return result


def _rate_numerators(
    entry: LiveEntry, total: FigureLike, period: dict[Key, Hidden],
    months: dict[str, Hidden], threshold: int,
) -> None:
    """A rate's numerators (advocate changes) add up over the months that make up the
    period, where its bases (children) do not: suppress them again as a column of counts
    with the period's numerator as its total, starting from what each month's own table
    and the period's hide (a month hidden for its small base hides its numerator too)."""
    folded = [f for f in entry.trend if f.category in entry.folded]
    if not folded:
        return
    total_key = (total.breakdown, total.category)
    table = Table(
        [[_int(f.numerator)] for f in folded], column_totals=[_int(total.numerator)],
        hidden_already={cell(r, 0) for r, f in enumerate(folded) if months[f.category].value}
        | ({column_total(0)} if period.get(total_key, Hidden()).value else set()),
    )
    gone = suppress(table, threshold)
    for r, figure in enumerate(folded):
        if cell(r, 0) in gone:
            months[figure.category] = _with(months[figure.category], numerator=True)
    if column_total(0) in gone:
        period[total_key] = _with(period.get(total_key), numerator=True)


def _with(hide: Hidden | None, *, numerator: bool) -> Hidden:
    base = hide or Hidden()
    return Hidden(numerator=base.numerator or numerator, denominator=base.denominator)


def _union(first: Hidden | None, second: Hidden | None) -> Hidden:
    a, b = first or Hidden(), second or Hidden()
    return Hidden(numerator=a.numerator or b.numerator, denominator=a.denominator or b.denominator)
