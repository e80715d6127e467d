"""Looking up many records by id in slices, so that a national-sized data set never puts
more ids into one query than the database accepts (SQLite: 32,766 parameters)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from django.db import connection, models
from django.db.models import Field, Model, QuerySet

LOOKUP_BATCH = 5_000
# Rows per bulk_update: its CASE WHEN grows with the batch, and each row is checked
# against every branch, so large batches take quadratic time (minutes on PostgreSQL
# for 10,000 cases at once, in one statement that cannot be interrupted).
UPDATE_BATCH = 500

T = TypeVar("T")
M = TypeVar("M", bound=Model)


def slices(ids: Sequence[T], size: int = LOOKUP_BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def each_by_ids(
    queryset: QuerySet[Any, Any], ids: Sequence[Any], *, field: str = "pk"
) -> Iterator[Any]:
    """The rows of ``queryset`` whose ``field`` is one of ``ids``, a slice at a time."""
    for part in slices(ids):
        yield from queryset.filter(**{f"{field}__in": part})


# Rows per UPDATE ... FROM (VALUES ...): linear in the rows, unlike bulk_update's CASE,
# and few enough parameters per statement for any driver (rows x columns < 65,535).
VALUES_BATCH = 2_000


def update_rows(rows: Sequence[Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of each row, as ``bulk_update`` does (no ``save``, no signals).

    On PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` per 2,000 rows, which joins on the
    primary key: ``bulk_update``'s ``CASE WHEN`` checks each row against every branch,
    so its time grows with the square of the batch (minutes at national scale). Other
    databases get ``bulk_update`` in small batches.
    """
    if not rows:
        return
    model = type(rows[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, fields, batch_size=UPDATE_BATCH)
        return
    meta = model._meta
    columns: list[Field[Any, Any]] = [
        meta.pk, *(cast("Field[Any, Any]", meta.get_field(name)) for name in fields)]
    quote = connection.ops.quote_name
    names = [quote(str(column.column)) for column in columns]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    row_placeholder = "(" + ", ".join(
        f"%s::{column.cast_db_type(connection)}" for column in columns) + ")"
    with connection.cursor() as cursor:
        for part in slices(rows, VALUES_BATCH):
            params = [column.get_db_prep_save(getattr(row, column.attname), connection)
                      for row in part for column in columns]
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names quoted
                f"FROM (VALUES {', '.join([row_placeholder] * len(part))}) "
                f"AS v({', '.join(names)}) WHERE t.{names[0]} = v.{names[0]}",
                params,
            )


# Values psycopg writes as they are; anything else goes through the field's own
# conversion (enums, JSON, money...), as bulk_create would send it.
# Exact types: an enum member is a str too, but psycopg would write its name.
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})


def insert_rows(rows: Iterable[M], *, batch_size: int) -> list[M]:
    """Insert new rows and set their primary keys, as ``bulk_create`` does; returns them.

    On PostgreSQL the keys are drawn from the table's sequence in row order (the ids
    ``bulk_create`` would have been given) and the rows sent with ``COPY``, which skips
    building an INSERT with a parameter per value: the largest cost of writing a
    national-sized set of people. Fields are filled as ``bulk_create`` fills them
    (``pre_save``: ``auto_now_add`` and the like; a foreign key from the saved record it
    was given). Other databases get ``bulk_create``.
    """
    rows = list(rows)
    if not rows:
        return rows
    model = type(rows[0])
    meta = model._meta
    pk = meta.pk
    if connection.vendor != "postgresql" or not isinstance(pk, models.AutoField):
        return model._default_manager.bulk_create(rows, batch_size=batch_size)
    fields = [field for field in meta.concrete_fields if field is not pk]
    references = {field for field in fields if field.many_to_one}
    # JSON is always encoded: a plain string or number stored in one is JSON too.
    encoded = {field for field in fields if field.get_internal_type() == "JSONField"}
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in [pk, *fields])
    with connection.cursor() as cursor:
        for part in slices(rows, batch_size):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                "FROM generate_series(1, %s) ORDER BY 1",
                [meta.db_table, pk.column, len(part)])
            ids = [row[0] for row in cursor.fetchall()]
            with cursor.cursor.copy(  # the driver's own cursor: Django's has no copy()
                    f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row, new_id in zip(part, ids, strict=True):
                    setattr(row, pk.attname, new_id)
                    values: list[Any] = [new_id]
                    for field in fields:
                        value = field.pre_save(row, True)
                        if value is None and field in references:
                            value = _saved_reference(row, field)
                        elif field in encoded or type(value) not in _PLAIN_TYPES:
                            value = field.get_db_prep_save(value, connection)
                            if isinstance(value, enum.Enum):
                                value = value.value
                        values.append(value)
                    copy.write_row(values)
                    row._state.adding = False
                    row._state.db = connection.alias
    return rows


def _saved_reference(row: Model, field: Field[Any, Any]) -> Any:
    """The key of the record a foreign key was given before that record was saved
    (``ReferralIndicator(referral=referral)`` ahead of the referrals' insert), as
    ``bulk_create`` reads it; ``None`` when it was given none."""
    if not field.is_cached(row):  # type: ignore[attr-defined]
        return None
    related = field.get_cached_value(row)  # type: ignore[attr-defined]
    if related is None:
        return None
    if related.pk is None:
        raise ValueError(f"{field.name} of a {type(row).__name__} is a record not yet saved")
    setattr(row, field.attname, related.pk)
    return related.pk


@contextmanager
def foreign_keys_checked_once() -> Iterator[None]:
    """Check every foreign key once, when the block ends, rather than row by row.

    Django's foreign keys on PostgreSQL are deferred: each row written queues a check
    that runs at COMMIT, one lookup per row and key (minutes of the commit for a
    national-sized data set). Inside this block the schema's foreign keys are set aside
    and, at its end, added again exactly as they were (same names, same definitions),
    which checks every row of a table in one query. All in the caller's transaction, so
    a failure anywhere leaves the schema and the data as they were; the tables are
    locked against other sessions until it commits. Other databases check as before.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_once needs a transaction")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
            "ORDER BY c.conrelid::regclass::text, c.conname")
        keys: list[tuple[str, str, str]] = cursor.fetchall()
        # Checks queued before the block (a reset's deletes) run now: a table with
        # checks still queued cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
