"""Bulk writes: ``copy_rows`` stores plain values as ``bulk_create`` would (COPY on
PostgreSQL), and ``indexes_built_after`` leaves a table's indexes as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from macehub.core.bulk import copy_rows, indexes_built_after, tidy_after_bulk_load
from macehub.people.models import PersonAddress, PersonNameForm, PersonNameWord
from macehub.testing.factories import make_agency, make_person

pytestmark = pytest.mark.django_db

ADDRESS = ("person_id", "line_1", "line_2", "town", "postcode", "area_id", "lived_from",
           "lived_until", "is_current", "easting", "northing", "coordinates_source")


def test_copy_rows_stores_each_row_as_given() -> None:
    person = make_person(make_agency())
    rows = [(person.pk, f"{n} Tab\tStreet", "Back\\slash", "Line one\nline two",
             "XB3 4QT", None, dt.date(2024, 1, 1 + n), None, n == 0, None, None, "")
            for n in range(3)]

    assert copy_rows(PersonAddress, ADDRESS, iter(rows), batch_size=2) == 3

    stored = list(PersonAddress.objects.filter(person=person).order_by("pk").values_list(
        *ADDRESS))
    assert stored == rows  # in order, COPY's special characters intact


def test_copy_rows_refuses_rows_that_leave_a_field_out() -> None:
    with pytest.raises(ValueError, match="needs exactly the fields"):
        copy_rows(PersonAddress, ADDRESS[:-1], [], batch_size=10)


def _indexes(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                       "ORDER BY indexname", [table])
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are set aside on "
                    "PostgreSQL only")
def test_indexes_built_after_leaves_the_indexes_as_they_were() -> None:
    person = make_person(make_agency(), given_name="Kestrel")
    table = PersonNameForm._meta.db_table
    before = _indexes(table)
    assert any("gin_trgm_ops" in definition for _name, definition in before)
    with transaction.atomic():
        PersonNameForm.objects.all().delete()
        with indexes_built_after(PersonNameForm):
            assert [name for name, _ in _indexes(table)] == [f"{table}_pkey"]
            copy_rows(PersonNameForm, ("person_id", "alias_id", "words", "keys"),
                      [(person.pk, None, " kestrel ", " KSTR ")], batch_size=10)
    assert _indexes(table) == before
    assert PersonNameForm.objects.filter(words__contains="kestrel").count() == 1


def _pages(table: str) -> tuple[int, int]:
    """The table's pages, and how many of them are marked all-visible."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE oid = %s::regclass",
                       [table])
        pages, visible = cursor.fetchone()
    return pages, visible


@pytest.mark.django_db(transaction=True)
def test_tidying_after_a_bulk_load_lets_an_index_be_read_alone() -> None:
    if connection.vendor == "postgresql":
        # As in production (the test settings commit without waiting for the disk):
        # VACUUM marks a page all-visible only once its rows' commit is on disk.
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = on")
    person = make_person(make_agency(), given_name="Kestrel")
    copy_rows(PersonNameWord, ("person_id", "alias_id", "word", "person_family_name",
                               "person_given_name"),
              [(person.pk, None, f"word{i}", "Example", "Kestrel") for i in range(3000)],
              batch_size=1000)
    if connection.vendor != "postgresql":
        assert tidy_after_bulk_load(PersonNameWord) is False  # nothing to tidy
        return
    table = PersonNameWord._meta.db_table
    with connection.cursor() as cursor:  # autovacuum would tidy it in its own time
        cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    try:
        with transaction.atomic():
            # VACUUM cannot run in a transaction: the statistics only.
            assert tidy_after_bulk_load(PersonNameWord) is False
            assert tidy_after_bulk_load() is False
        pages, visible = _pages(table)
        assert pages > 1 and visible == 0
        assert tidy_after_bulk_load(PersonNameWord) is True
        assert _pages(table) == (pages, pages)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
            cursor.execute("RESET synchronous_commit")
