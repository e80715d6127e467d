"""How the hub works out and rounds a figure it shows or publishes: one rule, everywhere.

**The rule: round half up, once, to the published precision.** A figure exactly halfway
between two published values goes to the one further from nought (12.15 hours is
published as 12.2, 12.25% as 12.3%, -0.05 as -0.1), as official statistics round. Every
page, CSV, PDF and published report of the hub rounds through ``round_half_up`` (or
``format_figure``, which uses it), so the same figure never reads differently in two
places.

**Exact first.** A figure made from counts or durations is worked out exactly and rounded
from the exact value: a share is a ``Fraction`` of two counts (``exact_share``), a
duration is whole microseconds (``exact_hours``), a median of exact values is exact
(``exact_median``). Never through a binary float: a float cannot hold 12.15, only
12.1499999..., which rounds down, so a median computed in floating point can differ from
the same median counted by hand.

**Figures that arrive as floats** (rates and intervals from the statistics libraries) are
rounded from their shortest decimal form (``repr``), the value a reader would be shown
unrounded. That is also how Django's ``floatformat`` filter rounds (half up, from the
same decimal form), so a template using ``floatformat`` agrees with this module; a float
worked out from counts should be made from the exact ``Fraction`` (``float(fraction)``)
so that its decimal form is the exact value whenever the exact value is short.

Standard library only: nothing here knows about any MACE Hub app.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

Exact = Fraction | Decimal | int
Number = Exact | float

HOUR = dt.timedelta(hours=1)


def exact(value: Number) -> Fraction:
    """The value as an exact fraction; a float by its shortest decimal form."""
    if isinstance(value, bool):
        raise TypeError("A figure cannot be a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"A figure must be a finite number, not {value!r}")
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"A figure must be a finite number, not {value!r}")
    return Fraction(value)


def round_half_up(value: Number, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimal places, halves away from nought: the hub's
    one rounding rule (see the module docstring). The result has exactly ``places``
    places (``Decimal("12.2")``, ``Decimal("75.0")``, ``Decimal("3")``)."""
    if places < 0:
        raise ValueError("A figure is rounded to nought or more decimal places")
    scaled = exact(value) * 10**places
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    if scaled < 0:
        whole = -whole
    # Built from its digits, so no decimal context can round it again.
    return Decimal(f"{whole}e-{places}") if places else Decimal(whole)


def format_figure(value: Number | None, places: int, *, grouped: bool = False,
                  missing: str = "–") -> str:
    """A figure as text, rounded by the rule; ``grouped`` adds thousands separators."""
    if value is None:
        return missing
    figure = round_half_up(value, places)
    return f"{figure:,.{places}f}" if grouped else f"{figure:.{places}f}"


def exact_share(numerator: Exact, denominator: Exact, *, per: int = 1) -> Fraction | None:
    """``numerator`` out of ``denominator``, per ``per`` (100 for a percentage), exactly;
    None when there is nothing to divide by."""
    if not denominator:
        return None
    return exact(numerator) * per / exact(denominator)


def exact_hours(duration: dt.timedelta) -> Fraction:
    """A duration in hours, exactly (a timedelta is whole microseconds)."""
    return Fraction(duration // dt.timedelta(microseconds=1), HOUR // dt.timedelta(microseconds=1))


def exact_median(values: Iterable[Exact]) -> Fraction | None:
    """The median, exactly: the middle value, or halfway between the middle two. None for
    no values. (``statistics.median`` keeps fractions exact; it is given nothing else.)"""
    found = [exact(value) for value in values]
    if not found:
        return None
    return Fraction(statistics.median(found))
