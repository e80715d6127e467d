"""Small-number suppression for figures that leave the hub (DOMAIN.md, "Small numbers").

Primary suppression hides every count from 1 to ``threshold - 1``. Secondary
suppression then hides more cells until no hidden value can be worked out from the
published ones: a table's totals give linear equations (each row and column adds up to
its total), and a hidden value is recoverable exactly when its unit vector lies in the
row space of those equations restricted to the hidden values. We test that with a
matrix rank (numpy) and, while any hidden value is recoverable, hide the smallest
visible value of an equation that gives it away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

# ("cell", row, column), ("row", row), ("column", column) or ("grand",)
Position = tuple[object, ...]
GRAND: Position = ("grand",)


def cell(row: int, column: int) -> Position:
    return ("cell", row, column)


def row_total(row: int) -> Position:
    return ("row", row)


def column_total(column: int) -> Position:
    return ("column", column)


@dataclass
class Table:
    """A table of counts with the totals that are published beside it.

    Leave a kind of total as None when it is not published.
    """

    cells: list[list[int]]
    row_totals: list[int] | None = None
    column_totals: list[int] | None = None
    grand_total: int | None = None
    # Values already hidden elsewhere (a total shared with another published table).
    hidden_already: set[Position] = field(default_factory=set)

    def values(self) -> dict[Position, int]:
        found: dict[Position, int] = {}
        for r, row in enumerate(self.cells):
            for c, value in enumerate(row):
                found[cell(r, c)] = value
        for r, value in enumerate(self.row_totals or []):
            found[row_total(r)] = value
        for c, value in enumerate(self.column_totals or []):
            found[column_total(c)] = value
        if self.grand_total is not None:
            found[GRAND] = self.grand_total
        return found

    def equations(self) -> list[tuple[Position, list[Position]]]:
        """Each published total and the published values that add up to it."""
        rows, columns = len(self.cells), len(self.cells[0]) if self.cells else 0
        found: list[tuple[Position, list[Position]]] = []
        if self.row_totals is not None:
            found += [(row_total(r), [cell(r, c) for c in range(columns)]) for r in range(rows)]
        if self.column_totals is not None:
            found += [
                (column_total(c), [cell(r, c) for r in range(rows)]) for c in range(columns)
            ]
        if self.grand_total is not None:
            if self.row_totals is not None:
                found.append((GRAND, [row_total(r) for r in range(rows)]))
            if self.column_totals is not None:
                found.append((GRAND, [column_total(c) for c in range(columns)]))
            if self.row_totals is None and self.column_totals is None:
                found.append((GRAND, list(self.values().keys() - {GRAND})))
        return found


def recoverable(table: Table, hidden: Iterable[Position]) -> list[Position]:
    """The hidden values that the published values and totals determine exactly."""
    unknowns = sorted(set(hidden), key=repr)
    if not unknowns:
        return []
    index = {position: i for i, position in enumerate(unknowns)}
    rows = []
    for total, members in table.equations():
        coefficients = np.zeros(len(unknowns))
        for position, sign in [(total, -1.0), *((m, 1.0) for m in members)]:
            if position in index:
                coefficients[index[position]] += sign
        if coefficients.any():
            rows.append(coefficients)
    if not rows:
        return []
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for position, i in index.items():
        probe = np.zeros(len(unknowns))
        probe[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, probe])) == rank:
            found.append(position)
    return found


def suppress(table: Table, threshold: int) -> frozenset[Position]:
    """The positions to hide: small counts, then enough others that none can be derived."""
    values = table.values()
    hidden = {p for p, v in values.items() if 0 < v < threshold} | (
        table.hidden_already & values.keys()
    )
    if not hidden:
        return frozenset()
    equations = table.equations()
    while exposed := recoverable(table, hidden):
        target = exposed[0]
        candidates = [
            member
            for total, members in equations
            if target == total or target in members
            for member in [total, *members]
            if member not in hidden
        ]
        if not candidates:  # given away through other hidden values: widen the search
            candidates = [
                member
                for total, members in equations
                if hidden & {total, *members}
                for member in [total, *members]
                if member not in hidden
            ]
        if not candidates:
            break
        # Hide the smallest cell first; a total only when no cell is left.
        hidden.add(min(candidates, key=lambda p: (p[0] != "cell", values[p], repr(p))))
    return frozenset(hidden)
