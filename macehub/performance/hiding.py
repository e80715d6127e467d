"""Which published figures of one metric to hide before they leave the hub.

Turns a metric's figures into the tables a reader sees (its total, and one table per
breakdown sharing that total) and asks ``suppression`` what to hide, so that no hidden
count can be worked out from the totals beside it, in any of the tables of the metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from macehub.performance.registry import TOTAL, Breakdown, Unit
from macehub.performance.suppression import (
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


def hidden_figures(
    unit: Unit, figures: Sequence[FigureLike], threshold: int
) -> dict[Key, Hidden]:
    """For each figure (by breakdown and category), what must not be shown."""
    total = next(f for f in figures if f.breakdown == TOTAL)
    groups: dict[str, list[FigureLike]] = {}
    for figure in figures:
        if figure.breakdown != TOTAL:
            groups.setdefault(figure.breakdown, []).append(figure)

    if unit is Unit.RATE or unit is Unit.MEDIAN_HOURS:
        return _per_base(unit, total, groups, threshold)

    counts_only = unit is Unit.COUNT
    # What of the total is hidden: (numerator, its complement, denominator).
    total_hidden: set[str] = set()
    result: dict[Key, Hidden] = {}
    for _ in range(10):  # until the shared total is stable
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
                    hidden_already=_total_positions_grid(total_hidden),
                )
                hidden = suppress(table, threshold)
                total_hidden |= _total_names_grid(hidden)
                for r, figure in enumerate(rows):
                    result[(breakdown, figure.category)] = Hidden(
                        numerator=cell(r, 0) in hidden or cell(r, 1) in hidden,
                        denominator=row_total(r) in hidden,
                    )
        if total_hidden == before:
            break
    result[(TOTAL, total.category)] = Hidden(
        numerator="num" in total_hidden or "rest" in total_hidden,
        denominator="den" in total_hidden,
    )
    return result


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
    unit: Unit, total: FigureLike, groups: dict[str, list[FigureLike]], threshold: int
) -> dict[Key, Hidden]:
    """Medians and rates: hidden on a small base; the bases themselves are counts."""
    result: dict[Key, Hidden] = {}
    small = total.denominator is not None and 0 < total.denominator < threshold
    if unit is Unit.RATE:
        n = _int(total.numerator)
        result[(TOTAL, total.category)] = Hidden(numerator=0 < n < threshold or small,
                                                 denominator=small)
        return result
    result[(TOTAL, total.category)] = Hidden(numerator=small, denominator=small)
    for breakdown, rows in groups.items():
        table = Table([[f.denominator or 0] for f in rows],
                      column_totals=[total.denominator or 0],
                      hidden_already={column_total(0)} if small else set())
        hidden = suppress(table, threshold)
        for r, figure in enumerate(rows):
            gone = cell(r, 0) in hidden
            result[(breakdown, figure.category)] = Hidden(numerator=gone, denominator=gone)
        if column_total(0) in hidden:
            result[(TOTAL, total.category)] = Hidden(numerator=True, denominator=True)
    return result
