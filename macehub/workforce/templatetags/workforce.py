"""``{% load workforce %}``: figures of posts and caseloads as the workforce pages write
them."""

from __future__ import annotations

from decimal import Decimal

from django import template

from macehub.workforce.models import fte_text

register = template.Library()


@register.filter
def fte(value: Decimal | int | float | None) -> str:
    """Full-time equivalents, weights and weighted caseloads to at most two decimal
    places, without trailing zeros: 12, 11.5, 0.25."""
    return "" if value is None else fte_text(Decimal(str(value)))
