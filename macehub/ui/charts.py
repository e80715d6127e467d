"""Charts drawn on the server as SVG: no script, no inline styles (strict CSP), an
accessible name and description, and the same numbers in a table beside each chart."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
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


# --- the PDF's breakdown charts ------------------------------------------------------
# Horizontal bars, one a line, so that every category is labelled in full (wrapped, never
# cut), whatever the number of categories; a hidden figure is a marked gap, never a bar
# of no height that reads as nought.

PDF_WIDTH = 320
PDF_LABEL_WIDTH = 130  # room for the wrapped labels, at the left
PDF_VALUE_WIDTH = 48  # room for the figure written after the longest bar
PDF_LINE = 12  # one line of label text
PDF_LABEL_CHARS = 22  # what fits in the label column at 10 units a character of ~5.5
PDF_BAR_HEIGHT = 10
PDF_GAP = 6
HIDDEN_MARK = "#505a5f"


@dataclass(frozen=True)
class Bar:
    """A category of a breakdown: its label in full, its value (None when hidden or
    not known) and the text the table beside the chart shows for it."""

    label: str
    value: Decimal | None
    text: str


def wrapped(label: str, width: int = PDF_LABEL_CHARS) -> list[str]:
    """A label on as many lines as it needs; a word longer than a line is broken."""
    return textwrap.wrap(label, width=width, break_long_words=True) or [""]


def pdf_bar_chart(*, chart_id: str, title: str, bars: Sequence[Bar]) -> SafeString:
    """A horizontal bar chart for print: each bar labelled in full, its figure written
    after it, and a hidden figure ([c]) drawn as a gap marked "[c]"."""
    known = [bar.value for bar in bars if bar.value is not None]
    top = max([*known, Decimal(1)])
    plot_left = PDF_LABEL_WIDTH + 4
    plot_w = PDF_WIDTH - plot_left - PDF_VALUE_WIDTH
    shapes = []
    y = PDF_GAP
    for bar in bars:
        lines = wrapped(bar.label)
        row_h = max(PDF_BAR_HEIGHT, PDF_LINE * len(lines)) + PDF_GAP
        middle = y + row_h / 2 - PDF_GAP / 2
        first_line = middle - PDF_LINE * (len(lines) - 1) / 2 + 3.5
        shapes.append(format_html(
            '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end">{}</text>',
            PDF_LABEL_WIDTH, f"{first_line:.1f}", "#0b0c0c", format_html_join(
                "", '<tspan x="{}" dy="{}">{}</tspan>',
                ((PDF_LABEL_WIDTH, 0 if i == 0 else PDF_LINE, line)
                 for i, line in enumerate(lines))),
        ))
        bar_top = middle - PDF_BAR_HEIGHT / 2
        if bar.value is None:
            # A marked gap: an outline where the bar would start, and the figure's mark.
            shapes.append(format_html(
                '<rect x="{}" y="{}" width="22" height="{}" fill="none" stroke="{}" '
                'stroke-width="0.8" stroke-dasharray="2 2"/>'
                '<text x="{}" y="{}" font-size="9" fill="{}">{}</text>',
                plot_left, f"{bar_top:.1f}", PDF_BAR_HEIGHT, HIDDEN_MARK,
                plot_left + 3, f"{middle + 3:.1f}", HIDDEN_MARK, bar.text,
            ))
        else:
            width = float(bar.value / top) * plot_w
            shapes.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="9" fill="{}">{}</text>',
                plot_left, f"{bar_top:.1f}", f"{width:.1f}", PDF_BAR_HEIGHT, BAR,
                f"{plot_left + width + 3:.1f}", f"{middle + 3:.1f}", "#0b0c0c", bar.text,
            ))
        y += row_h
    height = y + PDF_GAP
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<line x1="{x}" x2="{x}" y1="0" y2="{h}" stroke="{axis}"/>{shapes}</svg>',
        w=PDF_WIDTH, h=height, id=chart_id, title=title, desc=description, x=plot_left,
        axis=AXIS, shapes=format_html_join("", "{}", ((shape,) for shape in shapes)),
    )
