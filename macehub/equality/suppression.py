"""Small-number suppression for anything that leaves the hub (scrutiny pages, CSV, PDF).

``suppress(table, threshold)`` takes a table of counts (rows of cells), publishes its row,
column and grand totals, and hides:

- *primary*: every count from 1 to ``threshold - 1`` (a zero discloses nothing about
  anyone and stays shown), and any total in that range;
- *secondary*: more cells, so that no hidden cell can be worked out from the shown cells
  and totals (the hub's one routine, ``macehub.core.suppression``, decides).

It knows nothing about ethnicity, so the performance reports use it as it is::

    published = suppress([[12, 3], [40, 7]], threshold=5)
    published.cell(0, 1)  # None: hidden
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from macehub.core.suppression import Position, Table
from macehub.core.suppression import suppress as hub_suppress

DEFAULT_THRESHOLD = 5


def threshold_from_settings() -> int:
    from django.conf import settings

    return int(getattr(settings, "SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


@dataclass(frozen=True)
class SuppressedTable:
    """A published table: ``None`` wherever a number is hidden."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    grand_total: int | None
    primary: frozenset[tuple[int, int]]
    secondary: frozenset[tuple[int, int]]

    def cell(self, row: int, column: int) -> int | None:
        return self.cells[row][column]

    def is_hidden(self, row: int, column: int) -> bool:
        return self.cells[row][column] is None


def suppress(table: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> SuppressedTable:
    """Hide small counts and enough others that none can be recovered (see module doc).

    Positions in ``primary`` and ``secondary`` index the table with its totals attached:
    row ``len(table)`` is the column totals, column ``width`` the row totals. The
    deciding is done by the hub's one suppression routine (``macehub.core.suppression``),
    which proves with linear algebra that no hidden value can be derived from the rest.
    """
    rows = len(table)
    width = len(table[0]) if rows else 0
    if any(len(row) != width for row in table):
        raise ValueError("Every row of a table to suppress must have the same length")
    if any(value < 0 for row in table for value in row):
        raise ValueError("Counts cannot be negative")
    counts = [list(row) for row in table]
    published = Table(
        cells=counts,
        row_totals=[sum(row) for row in counts],
        column_totals=[sum(counts[r][c] for r in range(rows)) for c in range(width)],
        grand_total=sum(sum(row) for row in counts),
    )
    values = published.values()
    hidden_positions = hub_suppress(published, threshold)

    def grid_position(position: Position) -> tuple[int, int]:
        kind = position[0]
        if kind == "cell":
            return int(position[1]), int(position[2])  # type: ignore[call-overload]
        if kind == "row":
            return int(position[1]), width  # type: ignore[call-overload]
        if kind == "column":
            return rows, int(position[1])  # type: ignore[call-overload]
        return rows, width

    hidden = {grid_position(p) for p in hidden_positions}
    primary = {grid_position(p) for p, value in values.items() if 0 < value < threshold}

    def shown(position: Position) -> int | None:
        return None if grid_position(position) in hidden else values[position]

    return SuppressedTable(
        cells=[[shown(("cell", r, c)) for c in range(width)] for r in range(rows)],
        row_totals=[shown(("row", r)) for r in range(rows)],
        column_totals=[shown(("column", c)) for c in range(width)],
        grand_total=shown(("grand",)),
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
    )
