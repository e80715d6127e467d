"""The one routine that reads a CSV file to import: records with the row each starts on,
and a file it cannot read reported by row and column (its byte, for text that is not
UTF-8), never as a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from macehub.core.csv_import import (
    CsvRecord,
    Delimiter,
    UnreadableCsv,
    csv_records,
    read_import_file,
)


def records(data: bytes, delimiter: Delimiter = ",") -> list[tuple[int, list[str]]]:
    return [(record.row, record.cells) for record in csv_records(data, delimiter=delimiter)]


def unreadable(data: bytes) -> UnreadableCsv:
    with pytest.raises(UnreadableCsv) as raised:
        records(data)
    return raised.value


def test_records_carry_the_row_each_starts_on() -> None:
    data = b'name,note\r\nJo,"two\nlines"\n\n  ,  \nAl,"say ""hi"""\n'
    assert records(data) == [(1, ["name", "note"]), (2, ["Jo", "two\nlines"]),
                             (6, ["Al", 'say "hi"'])]


def test_a_byte_order_mark_is_read_past_and_the_delimiter_may_be_chosen() -> None:
    data = "\ufeffname|town\nJo|Northtown\n".encode()

    def by_header(line: str) -> str:
        return "|" if "|" in line else ","

    assert records(data, delimiter=by_header) == [(1, ["name", "town"]), (2, ["Jo", "Northtown"])]
    assert records(b"", delimiter=by_header) == []


def test_text_that_is_not_utf8_names_the_byte_row_and_column() -> None:
    data = "name,town\nJo,Northtown\nAl,Zoë's\n".encode("latin-1")
    problem = unreadable(data)
    assert (problem.row, problem.column) == (3, "town")
    assert problem.message == ('is not UTF-8 text: byte 29 of the file (0xEB) cannot be read; '
                               'save the file as "CSV UTF-8" and try again')


def test_text_that_is_not_utf8_in_the_header_or_a_quoted_field() -> None:
    assert (unreadable("na\xefve,town\n".encode("latin-1")).column) == "column 1"
    problem = unreadable('name,note\nJo,"line one\nline tw\xf6"\n'.encode("latin-1"))
    assert (problem.row, problem.column) == (2, "note")
    problem = unreadable(b"\xff\xfen\x00a\x00")  # UTF-16, with its byte order mark
    assert (problem.row, problem.column) == (1, "column 1")
    assert "byte 1 of the file (0xFF)" in problem.message


def test_a_nul_byte_is_reported_by_row_and_column() -> None:
    problem = unreadable(b"name,town\nJo,North\x00town\n")
    assert (problem.row, problem.column) == (2, "town")
    assert problem.message.startswith("contains a NUL character (a zero byte)")
    assert (unreadable("name,town".encode("utf-16-le")).row) == 1  # UTF-16 without a mark


@pytest.mark.parametrize(("data", "row", "column"), [
    (b"name,town,note\nJo,Northtown,ok\nAl," + b"x" * 200_000 + b",ok\n", 3, "town"),
    (b'name,town,note\nJo,Northtown,ok\nAl,Northtown,"' + b"x" * 200_000 + b'"\n', 3, "note"),
    # A quote left open runs on to the end of the file: the field is where it opened.
    (b'name,town,note\nJo,"Northtown,ok\n' + b"Al,Northtown,ok\n" * 10_000, 2, "town"),
    (b"x" * 200_000 + b",town\n", 1, "column 1"),
])
def test_a_field_too_long_to_read_is_reported_by_row_and_column(
    data: bytes, row: int, column: str
) -> None:
    problem = unreadable(data)
    assert (problem.row, problem.column) == (row, column)
    assert problem.message.startswith(
        "is longer than 131,072 characters, the most a field may hold")


def test_records_before_an_unreadable_one_are_yielded_first() -> None:
    reading = csv_records(b"name\nJo\nA\x00l\n")
    assert next(reading) == CsvRecord(1, ["name"])
    assert next(reading) == CsvRecord(2, ["Jo"])
    with pytest.raises(UnreadableCsv):
        next(reading)


def test_a_file_is_read_from_a_path_or_an_upload(tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_bytes(b"a,b\n")
    assert read_import_file(path) == (b"a,b\n", "areas.csv")
    assert read_import_file(str(path)) == (b"a,b\n", "areas.csv")
    upload = io.BytesIO(b"a,b\n")
    assert read_import_file(upload) == (b"a,b\n", "upload")
    upload.name = "uploads/partner.csv"
    upload.seek(0)
    assert read_import_file(upload) == (b"a,b\n", "partner.csv")
    with pytest.raises(OSError):
        read_import_file(tmp_path / "missing.csv")
