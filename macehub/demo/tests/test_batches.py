"""The demo generator's bulk writes: ``insert_rows`` (COPY on PostgreSQL) and
``update_rows`` (UPDATE ... FROM VALUES on PostgreSQL) store what ``bulk_create`` and
``bulk_update`` would, on either database; ``foreign_keys_checked_once`` checks every
reference once at its end and leaves the schema as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from macehub.core.bulk import copy_rows
from macehub.demo.batches import foreign_keys_checked_once, insert_rows, update_rows
from macehub.people.codes import AliasKind
from macehub.people.models import Person, PersonAlias, PersonIdentifier, PersonShare
from macehub.testing.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


def test_insert_rows_stores_every_field_and_gives_each_row_its_key() -> None:
    police = make_agency()
    sharer = make_user("sharer.police", agency=police)
    people = [Person(owning_agency=police, given_name=f"Jo{n}", family_name="O'Neil",
                     date_of_birth=dt.date(2010, 1, 1 + n), sex="female")
              for n in range(3)]
    insert_rows(people, batch_size=2)
    assert all(person.pk for person in people)
    assert len({person.pk for person in people}) == 3
    stored = Person.objects.get(pk=people[2].pk)
    assert (stored.given_name, stored.family_name, stored.date_of_birth) == (
        "Jo2", "O'Neil", dt.date(2010, 1, 3))
    assert stored.created_at is not None  # auto_now_add, filled as bulk_create fills it

    aliases = [PersonAlias(person_id=people[0].pk, kind=AliasKind.NICKNAME,
                           given_name="Tab\there", family_name="Back\\slash")]
    shares = [PersonShare(person_id=people[1].pk, agency_id=police.pk,
                          shared_by_id=sharer.pk, reason="Line one\nline two")]
    insert_rows(aliases, batch_size=10)
    insert_rows(shares, batch_size=10)
    alias = PersonAlias.objects.get(pk=aliases[0].pk)
    # An enum member is stored by its value, and COPY's special characters survive.
    assert (alias.kind, alias.given_name, alias.family_name) == (
        AliasKind.NICKNAME.value, "Tab\there", "Back\\slash")
    share = PersonShare.objects.get(pk=shares[0].pk)
    assert (share.reason, share.shared_by_id) == ("Line one\nline two", sharer.pk)
    assert share.shared_at is not None


def test_update_rows_writes_the_named_fields_only() -> None:
    police = make_agency()
    first, second = make_person(police), make_person(police, given_name="Sam")
    first.given_name, first.family_name = "Alex", "Changed"
    second.given_name, second.family_name = "Robin", "Changed"
    first.child_in_need, second.interpreter_needed = True, None

    update_rows([first, second], ["given_name", "child_in_need", "interpreter_needed"])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.given_name, first.child_in_need) == ("Alex", True)
    assert (second.given_name, second.interpreter_needed) == ("Robin", None)
    assert {first.family_name, second.family_name} == {"Example"}  # not named: unchanged


def test_insert_rows_takes_a_foreign_key_from_the_record_it_was_given() -> None:
    police = make_agency()
    person = Person(owning_agency=police, given_name="Robin", family_name="Example")
    alias = PersonAlias(person=person, kind=AliasKind.NICKNAME, given_name="Rob")
    insert_rows([person], batch_size=10)  # saved after the alias was given it

    insert_rows([alias], batch_size=10)

    assert PersonAlias.objects.get(pk=alias.pk).person_id == person.pk


def test_insert_rows_refuses_a_foreign_key_to_a_record_never_saved() -> None:
    person = Person(owning_agency=make_agency(), given_name="Robin", family_name="Example")
    with pytest.raises(ValueError):
        insert_rows([PersonAlias(person=person, given_name="Rob")], batch_size=10)


def _foreign_keys() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                       "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2")
        return cursor.fetchall()


IDENTIFIER = ("person_id", "kind", "value")


def test_rows_written_while_keys_are_checked_once_are_kept() -> None:
    person = make_person(make_agency())
    with transaction.atomic(), foreign_keys_checked_once():
        copy_rows(PersonIdentifier, IDENTIFIER, [(person.pk, "nhs_number", "9990000018")],
                  batch_size=10)
    assert list(PersonIdentifier.objects.values_list(*IDENTIFIER)) == [
        (person.pk, "nhs_number", "9990000018")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="keys are set aside on "
                    "PostgreSQL only")
def test_foreign_keys_come_back_as_they_were() -> None:
    before = _foreign_keys()
    with transaction.atomic(), foreign_keys_checked_once():
        assert _foreign_keys() == []
    assert _foreign_keys() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="keys are set aside on "
                    "PostgreSQL only")
def test_a_row_pointing_at_nothing_is_refused_when_the_keys_come_back() -> None:
    before = _foreign_keys()
    missing = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with pytest.raises(IntegrityError), transaction.atomic(), foreign_keys_checked_once():
        copy_rows(PersonIdentifier, IDENTIFIER, [(missing, "nhs_number", "9990000018")],
                  batch_size=10)
    assert _foreign_keys() == before  # rolled back with the block
    assert not PersonIdentifier.objects.exists()
