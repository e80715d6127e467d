"""A partner's list of people (a school roll, a list of missing children) read for
linking with ``people.linkage``: another list, or the hub's people.

Columns by their headings, in any order: ``given_name`` and ``family_name`` are needed;
``rec_id``, ``date_of_birth`` (ISO, 2011-03-14), ``sex``, ``postcode`` and ``address``
are read when present, and other columns are left alone. Outside lists are messy, so an
empty value is missing, not an error, and a postcode is compared as text whatever its
country's format. What cannot be read (a file that is not UTF-8 CSV, a needed column
absent, a date that is not a date, an id given twice) refuses the whole list, each
problem with its row and column: nothing is linked from a list that cannot be trusted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from macehub.core.csv_import import RowProblem, UnreadableCsv, csv_records, read_import_file
from macehub.people.linkage_records import linkage_record

NEEDED_COLUMNS = ("given_name", "family_name")
READ_COLUMNS = ("rec_id", "date_of_birth", "sex", "postcode", "address")


class ListRefused(Exception):
    """The list cannot be linked; ``problems`` say where and why."""

    def __init__(self, name: str, problems: list[RowProblem]) -> None:
        super().__init__(f"{name}: " + "; ".join(str(problem) for problem in problems))
        self.name = name
        self.problems = problems


# Problems listed before giving up on a list: enough to fix a file in one go.
MOST_PROBLEMS = 50


def read_outside_list(source: Path | str | IO[bytes]) -> list[dict[str, Any]]:
    """The list's rows as linkage records, each with its ``rec_id`` (or, without that
    column, its row number in the file) as its id."""
    data, name = read_import_file(source)
    problems: list[RowProblem] = []
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    try:
        rows = csv_records(data)
        header_record = next(rows, None)
        if header_record is None:
            raise ListRefused(name, [RowProblem(None, None, "the file is empty")])
        header = [cell.strip().lower() for cell in header_record.cells]
        missing = [column for column in NEEDED_COLUMNS if column not in header]
        if missing:
            raise ListRefused(name, [
                RowProblem(header_record.row, column,
                            f"no column headed {column!r}: the list needs "
                            f"{' and '.join(NEEDED_COLUMNS)}") for column in missing])
        index = {column: header.index(column)
                 for column in (*NEEDED_COLUMNS, *READ_COLUMNS) if column in header}
        for record in rows:
            values = {column: (record.cells[at].strip() if at < len(record.cells) else "")
                      for column, at in index.items()}
            record_id = values.get("rec_id") or str(record.row)
            if record_id in seen:
                problems.append(RowProblem(record.row, "rec_id",
                                            f"{record_id!r} is the id of row "
                                            f"{seen[record_id]} too: each row needs its own"))
            seen.setdefault(record_id, record.row)
            born = values.get("date_of_birth") or ""
            date_of_birth = None
            if born:
                try:
                    date_of_birth = dt.date.fromisoformat(born)
                except ValueError:
                    problems.append(RowProblem(record.row, "date_of_birth",
                                                f"{born!r} is not a date written as "
                                                "year-month-day (2011-03-14)"))
            records.append(linkage_record(
                unique_id=record_id, given_name=values["given_name"] or None,
                family_name=values["family_name"] or None, date_of_birth=date_of_birth,
                sex=values.get("sex") or None, postcode=values.get("postcode") or None,
                address=values.get("address") or None))
            if len(problems) >= MOST_PROBLEMS:
                break
    except UnreadableCsv as error:
        problems.append(RowProblem(error.row, error.column, error.message))
    if problems:
        raise ListRefused(name, problems)
    if not records:
        raise ListRefused(name, [RowProblem(None, None, "the list holds no rows")])
    return records
