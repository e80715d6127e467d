"""Small-number suppression for anything that leaves the hub (scrutiny pages, CSV, PDF).

``suppress(table, threshold)`` takes a table of counts (rows of cells), publishes its row,
column and grand totals, and hides:

- *primary*: every count from 1 to ``threshold - 1`` (a zero discloses nothing about
  anyone and stays shown), and any total in that range;
- *secondary*: more cells, so that no hidden cell can be worked out by subtracting the
  shown cells of its row or column from the shown total. The rule is applied to the table
  with its totals attached (a total is one more cell of its line): while any line has
  exactly one hidden entry, hide the smallest other entry of that line.

It knows nothing about ethnicity, so the performance reports use it as it is::

    published = suppress([[12, 3], [40, 7]], threshold=5)
    published.cell(0, 1)  # None: hidden
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    row ``len(table)`` is the column totals, column ``width`` the row totals.
    """
    rows = len(table)
    width = len(table[0]) if rows else 0
    if any(len(row) != width for row in table):
        raise ValueError("Every row of a table to suppress must have the same length")
    if any(value < 0 for row in table for value in row):
        raise ValueError("Counts cannot be negative")
    # The augmented grid: each row ends with its total; a last row holds column totals.
    grid = [[*row, sum(row)] for row in table]
    grid.append([sum(table[r][c] for r in range(rows)) for c in range(width)]
                + [sum(sum(row) for row in table)])
    primary = {
        (r, c) for r in range(rows + 1) for c in range(width + 1) if 0 < grid[r][c] < threshold
    }
    hidden = set(primary)
    lines = [[(r, c) for c in range(width + 1)] for r in range(rows + 1)] + [
        [(r, c) for r in range(rows + 1)] for c in range(width + 1)
    ]
    changed = True
    while changed:
        changed = False
        for line in lines:
            in_line = [position for position in line if position in hidden]
            if len(in_line) != 1:
                continue
            candidates = [position for position in line if position not in hidden]
            if not candidates:
                continue
            # Prefer the smallest non-zero cell (loses least), then zeros, then totals last.
            is_total = {(r, c) for r, c in candidates if r == rows or c == width}
            candidates.sort(key=lambda p: (p in is_total, grid[p[0]][p[1]] == 0,
                                           grid[p[0]][p[1]], p))
            hidden.add(candidates[0])
            changed = True

    def shown(r: int, c: int) -> int | None:
        return None if (r, c) in hidden else grid[r][c]

    return SuppressedTable(
        cells=[[shown(r, c) for c in range(width)] for r in range(rows)],
        row_totals=[shown(r, width) for r in range(rows)],
        column_totals=[shown(rows, c) for c in range(width)],
        grand_total=shown(rows, width),
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
    )
