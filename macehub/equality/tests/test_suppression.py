"""Small-number suppression: no hidden cell can be worked out from what is shown."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from macehub.equality.suppression import SuppressedTable, suppress

TABLES = [
    [[3], [0], [10], [25]],
    [[12, 3, 40], [7, 20, 1], [30, 30, 30]],
    [[2, 50], [60, 70]],
    [[1, 1], [1, 1]],
    [[100, 4, 0, 8], [6, 9, 12, 15], [0, 0, 2, 40]],
]


def _recoverable(table: list[list[int]], published: SuppressedTable) -> list[tuple[int, int]]:
    """Every hidden entry (cell or total) whose value the shown figures pin down exactly:
    the smallest and largest it could be, given non-negative counts that add up to the
    shown totals, are equal."""
    rows, width = len(table), len(table[0])
    grid = [[*row, sum(row)] for row in table]
    grid.append([sum(table[r][c] for r in range(rows)) for c in range(width)]
                + [sum(map(sum, table))])
    shown = [[*published.cells[r], published.row_totals[r]] for r in range(rows)]
    shown.append([*published.column_totals, published.grand_total])
    hidden = [(r, c) for r in range(rows + 1) for c in range(width + 1) if shown[r][c] is None]
    if not hidden:
        return []
    index = {position: i for i, position in enumerate(hidden)}
    equations, targets = [], []
    lines = [[(r, c) for c in range(width)] + [(r, width)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows)] + [(rows, c)] for c in range(width + 1)]
    for line in lines:  # the cells of a line add up to its total (its last entry)
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for position, sign in zip(line, [1] * (len(line) - 1) + [-1], strict=True):
            if position in index:
                coefficients[index[position]] += sign
            else:
                constant -= sign * shown[position[0]][position[1]]
        if coefficients.any():
            equations.append(coefficients)
            targets.append(constant)
    recovered = []
    for position in hidden:
        objective = np.zeros(len(hidden))
        objective[index[position]] = 1
        low = linprog(objective, A_eq=equations, b_eq=targets, bounds=(0, None))
        high = linprog(-objective, A_eq=equations, b_eq=targets, bounds=(0, None))
        if high.status == 3:  # unbounded: the shown figures put no ceiling on it
            continue
        assert low.success and high.success
        if abs(low.fun + high.fun) < 1e-6:  # min == max
            recovered.append(position)
    return recovered


@pytest.mark.parametrize("table", TABLES)
def test_no_suppressed_cell_can_be_recovered_from_totals(table: list[list[int]]) -> None:
    published = suppress(table, threshold=5)
    assert _recoverable(table, published) == []
    for r, c in itertools.product(range(len(table)), range(len(table[0]))):
        if 0 < table[r][c] < 5:
            assert published.is_hidden(r, c)
        elif not published.is_hidden(r, c):
            assert published.cell(r, c) == table[r][c]


def test_nothing_is_hidden_when_every_count_is_large_or_zero() -> None:
    published = suppress([[10, 0], [20, 30]], threshold=5)
    assert published.cells == [[10, 0], [20, 30]]
    assert published.grand_total == 60 and not published.primary and not published.secondary


def test_threshold_is_configurable_and_bad_tables_are_refused() -> None:
    assert suppress([[7], [20]], threshold=10).cells[0] == [None]
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress([[-1]])
