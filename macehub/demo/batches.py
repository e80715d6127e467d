"""Looking up many records by id in slices, so that a national-sized data set never puts
more ids into one query than the database accepts (SQLite: 32,766 parameters)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet

LOOKUP_BATCH = 5_000
# Rows per bulk_update: its CASE WHEN grows with the batch, and each row is checked
# against every branch, so large batches take quadratic time (minutes on PostgreSQL
# for 10,000 cases at once, in one statement that cannot be interrupted).
UPDATE_BATCH = 500

T = TypeVar("T")


def slices(ids: Sequence[T], size: int = LOOKUP_BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def each_by_ids(
    queryset: QuerySet[Any, Any], ids: Sequence[Any], *, field: str = "pk"
) -> Iterator[Any]:
    """The rows of ``queryset`` whose ``field`` is one of ``ids``, a slice at a time."""
    for part in slices(ids):
        yield from queryset.filter(**{f"{field}__in": part})
