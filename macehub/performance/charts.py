"""Charts drawn on the server as SVG: no script, no inline styles (strict CSP), an
accessible name and description, and the same numbers in a table beside each chart."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from macehub.core.figures import format_figure

WIDTH, HEIGHT = 480, 200
LEFT, BOTTOM, TOP, RIGHT = 40, 30, 12, 8
BAR = "#1d70b8"  # GOV.UK blue
TARGET = "#d4351c"  # GOV.UK red
AXIS = "#505a5f"


def bar_chart(
    *, chart_id: str, title: str, description: str,
    points: Sequence[tuple[str, Decimal | None]], target: Decimal | None = None,
) -> SafeString:
    """A bar per point (a gap where the value is not known), with a target line."""
    known = [value for _, value in points if value is not None]
    top = max([*known, target or Decimal(0), Decimal(1)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points), 1)

    def y(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    bars = []
    labels = []
    for i, (label, value) in enumerate(points):
        x = LEFT + i * step
        if value is not None:
            bars.append((f"{x + step * 0.15:.1f}", f"{y(value):.1f}", f"{step * 0.7:.1f}",
                         f"{TOP + plot_h - y(value):.1f}", BAR))
        # Every third month is labelled, so the labels never run into one another; the
        # data table beside the chart names every month.
        if i % 3 == 0 or i == len(points) - 1:
            labels.append((f"{x + step / 2:.1f}", HEIGHT - 10, AXIS, label))
    target_line = format_html(
        '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="2" '
        'stroke-dasharray="6 4"/>',
        LEFT, WIDTH - RIGHT, TARGET, y=f"{y(target):.1f}",
    ) if target is not None else ""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {w} {h}" '
        'width="100%" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="{axis}"/>'
        '<text x="{tx}" y="{ty}" font-size="11" fill="{axis}" text-anchor="end">{top}</text>'
        '<text x="{tx}" y="{base}" font-size="11" fill="{axis}" text-anchor="end">0</text>'
        "{bars}{labels}{target}</svg>",
        w=WIDTH, h=HEIGHT, id=chart_id, title=title, desc=description,
        left=LEFT, right=WIDTH - RIGHT, base=TOP + plot_h, axis=AXIS,
        tx=LEFT - 4, ty=TOP + 8, top=_short(top),
        bars=format_html_join(
            "", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>', bars
        ),
        labels=format_html_join(
            "", '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="middle">{}</text>',
            labels,
        ),
        target=target_line,
    )


def _short(value: Decimal) -> str:
    """The top of the axis: whole numbers from 10 up, one place below (the hub's rule)."""
    return format_figure(value, 0 if value >= 10 else 1, grouped=True)
