"""``manage.py link_records``: a partner's list linked against the hub's people a user
may see (audited) or against another list, and a list that cannot be read refused with
its rows and columns, nothing written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.people.models import Person

pytestmark = pytest.mark.django_db

HEADER = ["rec_id", "given_name", "family_name", "date_of_birth", "sex", "postcode", "school"]


@pytest.fixture
def demo(small_demo_for_module: str) -> None:
    """The small demo data set (``small_demo``)."""


def swapped_letters(name: str) -> str:
    """A typing error: the second and third letters the other way round."""
    return name[0] + name[2] + name[1] + name[3:] if len(name) > 3 else name


def roll_of(people: list[Person], prefix: str, *, mistyped_every: int = 4) -> list[list[str]]:
    """A school roll of these people, as another agency would type it."""
    rows = []
    for number, person in enumerate(people):
        address = person.addresses.first()
        rows.append([
            f"{prefix}{number:03d}",
            swapped_letters(person.given_name) if number % mistyped_every == 0
            else person.given_name,
            person.family_name.upper(),
            person.date_of_birth.isoformat() if person.date_of_birth else "",
            person.sex[:1].upper() if person.sex else "",
            address.postcode.lower() if address and number % 3 else "",
            "Northshire Academy",
        ])
    return rows


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def pairs_in(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_list_is_linked_to_the_hub_people_the_user_may_see(demo: None, tmp_path: Path
                                                              ) -> None:
    unrestricted = list(Person.objects.filter(is_restricted=False).order_by("pk")[:50])
    restricted = list(Person.objects.filter(is_restricted=True).order_by("pk"))
    assert restricted, "the demo restricts some records"
    left = write(tmp_path / "roll.csv", roll_of(unrestricted + restricted, "R"))
    out = tmp_path / "pairs.csv"

    printed = io.StringIO()
    call_command("link_records", "--left", str(left), "--out", str(out),
                 "--user", "triage.police", stdout=printed)

    pairs = pairs_in(out)
    assert list(pairs[0]) == ["left_id", "right_id", "match_probability"]
    found = {(pair["left_id"], int(pair["right_id"])) for pair in pairs}
    own = {(f"R{number:03d}", person.pk) for number, person in enumerate(unrestricted)}
    assert len(own & found) >= len(own) - 1  # each row's own record, typing errors too
    # A restricted record the user may not see is never named, whatever the list holds.
    hidden = {person.pk for person in restricted
              if not person.allocations.filter(user__username="triage.police").exists()}
    assert hidden and not hidden & {right for _, right in found}
    assert all(0 < float(pair["match_probability"]) <= 1 for pair in pairs)
    assert f"{len(pairs)} pairs at or above" in printed.getvalue()

    export = AuditEvent.objects.get(event_type=EventType.EXPORT, record_type="people.person")
    assert export.actor_username == "triage.police"
    assert export.detail["list"] == "roll.csv" and export.detail["pairs"] == len(pairs)
    assert export.detail["people"] == sorted({right for _, right in found})


def test_two_lists_are_linked_one_record_from_each(demo: None, tmp_path: Path) -> None:
    people = list(Person.objects.filter(date_of_birth__isnull=False).order_by("pk")[:120])
    school, missing = people[:80], people[40:120]  # forty children on both lists
    left = write(tmp_path / "school.csv", roll_of(school, "S"))
    right = write(tmp_path / "missing.csv", roll_of(missing, "M", mistyped_every=3))
    out = tmp_path / "pairs.csv"

    call_command("link_records", "--left", str(left), "--right", str(right),
                 "--out", str(out), stdout=io.StringIO())

    found = {(pair["left_id"], pair["right_id"]) for pair in pairs_in(out)}
    both = {(f"S{40 + number:03d}", f"M{number:03d}") for number in range(40)}
    assert len(found & both) >= 38
    assert all(left_id.startswith("S") and right_id.startswith("M")
               for left_id, right_id in found)
    assert not AuditEvent.objects.filter(event_type=EventType.EXPORT).exists()


def refused(tmp_path: Path, left: Path, *options: str) -> str:
    out = tmp_path / "pairs.csv"
    with pytest.raises(CommandError) as error:
        call_command("link_records", "--left", str(left), "--out", str(out),
                     "--user", "triage.police", *options, stdout=io.StringIO())
    assert not out.exists()  # nothing written
    return str(error.value)


def test_a_list_that_cannot_be_read_is_refused_with_rows_and_columns(demo: None,
                                                                     tmp_path: Path) -> None:
    no_family = write(tmp_path / "no_family.csv", [["1", "Ann", "2011-01-02"]],
                      header=["rec_id", "given_name", "date_of_birth"])
    message = refused(tmp_path, no_family)
    assert "no_family.csv cannot be linked" in message
    assert 'Row 1, column "family_name": no column headed \'family_name\'' in message

    latin = tmp_path / "latin.csv"
    latin.write_bytes("given_name,family_name\nZoë,Brook\n".encode("latin-1"))
    message = refused(tmp_path, latin)
    assert "Row 2" in message and "UTF-8" in message

    bad_rows = write(tmp_path / "bad_rows.csv", [
        ["A1", "Ann", "Brook", "2011-02-30", "", "", ""],
        ["A1", "Bea", "Brook", "", "", "", ""],
        ["A3", "", "", "", "", "", ""],  # empty names are missing, not an error
    ])
    message = refused(tmp_path, bad_rows)
    assert 'Row 2, column "date_of_birth": \'2011-02-30\' is not a date' in message
    assert 'Row 3, column "rec_id": \'A1\' is the id of row 2 too' in message
    assert "Row 4" not in message


def test_linking_against_the_hub_needs_a_user_who_may_search_people(
        demo: None, tmp_path: Path) -> None:
    left = write(tmp_path / "roll.csv", [["1", "Ann", "Brook", "", "", "", ""]])
    out = tmp_path / "pairs.csv"
    with pytest.raises(CommandError, match="needs --user"):
        call_command("link_records", "--left", str(left), "--out", str(out),
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="may not search"):
        call_command("link_records", "--left", str(left), "--out", str(out),
                     "--user", "scrutiny.pcc", stdout=io.StringIO())
    assert not out.exists()
