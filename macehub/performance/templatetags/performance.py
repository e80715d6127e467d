"""Small template helpers for the performance pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from macehub.core.metrics import BREAKDOWN_LABELS, Better, Breakdown, Metric, Unit

register = template.Library()

UNIT_TEXT = {Unit.COUNT: "A count", Unit.PERCENTAGE: "A percentage",
             Unit.MEDIAN_HOURS: "Median hours",
             Unit.MEDIAN_DAYS: "Median days", Unit.RATE: "A rate (per child)"}
BETTER_TEXT = {Better.HIGHER: "Higher", Better.LOWER: "Lower",
               Better.NEITHER: "Neither: it shows demand, not performance"}


@register.filter
def target_text(metric: Metric) -> str:
    from macehub.performance.selectors import format_value

    if metric.target is None:
        return "None set"
    return format_value(metric.unit, metric.target)


@register.filter
def unit_text(unit: Unit) -> str:
    return UNIT_TEXT[unit]


@register.filter
def better_text(better: Better) -> str:
    return BETTER_TEXT[better]


@register.filter
def breakdown_text(breakdown: Breakdown) -> str:
    return BREAKDOWN_LABELS[breakdown]


@register.filter
def as_pairs(rows: Iterable[Any]) -> list[tuple[str, Any]]:
    return [(row.label, row) for row in rows]


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key, [])


@register.filter
def target_of(target: Any, unit: str) -> str:
    """A published target, written as its measure's figures are."""
    from macehub.performance.selectors import format_value

    return format_value(unit, target)
