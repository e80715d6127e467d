"""Geometry for the server-drawn SVG charts: a forest plot of rate ratios on a log scale
and a line chart of recording completeness. Only numbers and positions here; the
templates draw them with SVG presentation attributes (no inline styles: the CSP forbids
them), each beside the table that holds the same data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from macehub.equality.analysis import GroupResult
from macehub.equality.completeness import AgencyCompleteness

FOREST_WIDTH = 640
FOREST_LABEL = 220
FOREST_ROW = 28
PLOT_RIGHT = FOREST_WIDTH - 20
# Colours from the GOV.UK palette, with enough contrast on white.
LINE_COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#5694ca", "#6f72af")


@dataclass(frozen=True)
class ForestRow:
    name: str
    y: float
    x: float
    x_low: float
    x_high: float


@dataclass(frozen=True)
class Tick:
    label: str
    x: float


@dataclass(frozen=True)
class ForestPlot:
    rows: list[ForestRow]
    ticks: list[Tick]
    one_x: float
    height: float
    axis_y: float
    left: int = FOREST_LABEL
    right: int = PLOT_RIGHT
    width: int = FOREST_WIDTH


def forest_plot(groups: Sequence[GroupResult]) -> ForestPlot | None:
    """Each group with a ratio, as a point and its interval, on a log scale that always
    shows 1 (no difference)."""
    plotted = [g for g in groups if g.ratio is not None]
    if not plotted:
        return None
    values = [v for g in plotted if g.ratio for v in (g.ratio.low, g.ratio.high) if v > 0]
    low = min([0.5, *values])
    high = max([2.0, *values])
    lo_exp, hi_exp = math.floor(math.log2(low)), math.ceil(math.log2(high))
    span = hi_exp - lo_exp or 1

    def x(value: float) -> float:
        value = max(value, 2.0 ** lo_exp)
        return FOREST_LABEL + (math.log2(value) - lo_exp) / span * (PLOT_RIGHT - FOREST_LABEL)

    rows = []
    for index, group in enumerate(plotted):
        ratio = group.ratio
        if ratio is None:
            continue
        rows.append(ForestRow(group.name, 20 + index * FOREST_ROW, x(ratio.estimate),
                              x(ratio.low), x(ratio.high)))
    axis_y = 20 + len(plotted) * FOREST_ROW
    ticks = [Tick(_tick_label(2.0 ** e), x(2.0 ** e)) for e in range(lo_exp, hi_exp + 1)]
    return ForestPlot(rows, ticks, x(1.0), axis_y + 40, axis_y)


def _tick_label(value: float) -> str:
    return f"{value:g}" if value >= 1 else f"1/{1 / value:g}"


@dataclass(frozen=True)
class Line:
    agency: str
    colour: str
    points: str  # "x,y x,y ..." for <polyline points=...>


@dataclass(frozen=True)
class TrendChart:
    lines: list[Line]
    month_ticks: list[Tick]
    percent_ticks: list[tuple[str, float]]
    width: int = 640
    height: int = 260


def completeness_chart(agencies: Sequence[AgencyCompleteness]) -> TrendChart | None:
    """Percentage of people with ethnicity recorded, month by month, one line per agency."""
    if not agencies or not agencies[0].months:
        return None
    months = [m.month for m in agencies[0].months]
    left, right, top, bottom = 50, 620, 10, 220
    step = (right - left) / max(len(months) - 1, 1)

    def y(share: float) -> float:
        return bottom - share * (bottom - top)

    lines = []
    for index, agency in enumerate(agencies):
        points = [
            f"{left + i * step:.1f},{y(share):.1f}"
            for i, month in enumerate(agency.months)
            if (share := month.share("ethnicity", "recorded")) is not None
        ]
        if points:
            lines.append(Line(agency.agency, LINE_COLOURS[index % len(LINE_COLOURS)],
                              " ".join(points)))
    return TrendChart(
        lines=lines,
        month_ticks=[Tick(m.strftime("%b %y"), left + i * step) for i, m in enumerate(months)],
        percent_ticks=[(f"{p}%", y(p / 100)) for p in (0, 25, 50, 75, 100)],
    )
