"""Writing many rows at once: plain values sent with PostgreSQL's ``COPY`` rather than
an INSERT with a parameter per value, a table's search indexes built once after it
is filled, and the tables tidied for reading once it is committed. Used by the bulk
writers: the search index rebuilds and the demo data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

T = TypeVar("T")


def copy_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]],
              *, batch_size: int) -> int:
    """Insert rows given as plain values of ``fields`` (attribute names, ``person_id``
    for a foreign key), every concrete field but the primary key, without building a
    model instance for each; returns how many. On PostgreSQL they go with ``COPY`` (the
    keys from the table's sequence, in row order); other databases get ``bulk_create``.
    Values are written as given: strings, numbers, dates and ``None``, not enum members
    or JSON to encode."""
    meta = model._meta
    wanted = {str(field.attname): field for field in meta.concrete_fields
              if field is not meta.pk}
    if set(fields) != set(wanted) or len(fields) != len(wanted):
        raise ValueError(f"copy_rows into {meta.label} needs exactly the fields "
                         f"{sorted(wanted)}, not {list(fields)}")
    written = 0
    if connection.vendor != "postgresql":
        for part in _chunks(rows, batch_size):
            model._default_manager.bulk_create(
                [model(**dict(zip(fields, row, strict=True))) for row in part],
                batch_size=batch_size)
            written += len(part)
        return written
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(wanted[name].column)) for name in fields)
    with connection.cursor() as cursor:
        for part in _chunks(rows, batch_size):
            with cursor.cursor.copy(  # the driver's own cursor: Django's has no copy()
                    f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in part:
                    copy.write_row(row)
            written += len(part)
    return written


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def indexes_built_after(model: type[Model]) -> Iterator[None]:
    """Build the table's secondary indexes once, after the block fills it, instead of
    row by row as it is filled: on PostgreSQL they are dropped and created again exactly
    as they were (same names and definitions; those behind a primary key or unique
    constraint stay). For a table filled afresh in one transaction that nothing else
    reads meanwhile: other sessions wait for the table until it commits. Other
    databases keep their indexes."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_built_after needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1", [connection.ops.quote_name(model._meta.db_table)])
        indexes: list[tuple[str, str]] = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # Checks the block queued (deferred foreign keys) run now: an index cannot be
        # built on a table with checks still queued.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, definition in indexes:
            cursor.execute(definition)


def tidy_after_bulk_load(*models: type[Model]) -> bool:
    """On PostgreSQL, once a bulk load has committed: ``VACUUM (ANALYZE)`` the models'
    tables (every table, given none), as autovacuum would in its own time. Vacuuming
    marks the freshly written pages all-visible, so a query that needs only an index's
    columns reads the index alone (an index-only scan) instead of visiting a table page
    for each row: a full-name search at national scale read 33,000 pages of name words
    without it. Its statistics are gathered as well. Inside a transaction (VACUUM cannot
    run there) only the given models' statistics are gathered; other databases do
    nothing. Says whether it vacuumed."""
    if connection.vendor != "postgresql":
        return False
    vacuum = not connection.in_atomic_block
    if not vacuum and not models:
        return False
    quote = connection.ops.quote_name
    tables = ", ".join(quote(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {tables}")
    return vacuum
