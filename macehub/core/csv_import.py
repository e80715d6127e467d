"""Reading a CSV file someone gives the hub to import: one routine for every importer
(the Census 2021 TS021 import, the historic 5x5x5 intelligence import), so each meets a
malformed file the same way.

``read_import_file`` takes a path or an uploaded file; ``csv_records`` decodes the bytes
and yields each record with the row at which it starts in the file (the first line is
row 1; a record may span lines inside quotes; blank records are skipped). A file that
cannot be read as CSV text stops the reading with ``UnreadableCsv``, which says where
(row, and column by its heading once the header is read) and what, in words a person
fixing the file can act on:

- bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252, say): which byte;
- a field longer than ``csv.field_size_limit()`` (usually a quote left open, which runs
  on to the end of the file);
- a NUL character (a zero byte): no database text column may hold one (PostgreSQL
  refuses it outright), and a file full of them is not CSV text at all (a spreadsheet,
  or UTF-16).

The importer turns ``UnreadableCsv`` into a problem of its own report type beside any it
found in the rows before, and imports nothing: the rest of a file that cannot be read
cannot be trusted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

_Row = TypeVar("_Row")

# What a person is told to do about a file that is not UTF-8.
SAVE_AS_UTF8 = 'save the file as "CSV UTF-8" and try again'


@dataclass(frozen=True)
class CsvRecord:
    row: int  # the line of the file at which the record starts; the first line is row 1
    cells: list[str]


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with a file someone gave the hub: where (row as numbered in the
    file, the header being row 1; column by its heading) and what. Every importer
    reports its problems as these, so each reads the same way."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FileNotImported(Exception):
    """A file was not imported, all or nothing: ``problems`` lists what was wrong with it,
    row by row, up to a cap (``truncated`` when there were more). Each importer names its
    own subclass; the report reads the same for all."""

    def __init__(self, problems: list[RowProblem], *, truncated: bool = False) -> None:
        self.problems = problems
        self.truncated = truncated
        super().__init__(self.report())

    def report(self) -> str:
        count = f"{len(self.problems)}{' or more' if self.truncated else ''}"
        lines = [f"Nothing was imported: {count} problem(s) found."]
        lines += [f"  {problem}" for problem in self.problems]
        if self.truncated:
            lines.append(f"  Stopped looking after the first {len(self.problems)} problems.")
        return "\n".join(lines)


class ProblemList:
    """Collects an import's problems up to a cap, so a badly wrong file does not flood
    the report; ``raise_if_any`` refuses the file with the importer's ``refusal``."""

    refusal: type[FileNotImported] = FileNotImported

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.found: list[RowProblem] = []
        self.truncated = False

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.found) >= self.limit:
            self.truncated = True
            return
        self.found.append(RowProblem(row, column, message))

    def raise_if_any(self) -> None:
        if self.found:
            raise self.refusal(self.found, truncated=self.truncated)

    def rows_or_refusal(self, read: Callable[[], list[_Row]], *, none: str) -> list[_Row]:
        """The rows ``read`` gives, or the whole file refused: text that cannot be read
        is a problem where it stands, a file without rows is one (``none`` says so), and
        any problem found while reading refuses the file."""
        try:
            rows = read()
        except UnreadableCsv as unreadable:
            self.add(unreadable.row, unreadable.column, unreadable.message)
            rows = []
        if not rows and not self.found:
            self.add(None, None, none)
        self.raise_if_any()
        return rows


class UnreadableCsv(Exception):
    """The file cannot be read as CSV text; ``row`` and ``column`` say where (either may
    be None) and ``message`` what."""

    def __init__(self, row: int | None, column: str | None, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.message = message


def read_import_file(source: Path | str | IO[bytes]) -> tuple[bytes, str]:
    """The bytes of a file to import and its name, from a path or an uploaded file
    (``OSError`` if a path cannot be read)."""
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes(), path.name
    return source.read(), Path(str(getattr(source, "name", "") or "upload")).name


Delimiter = str | Callable[[str], str]


def csv_records(data: bytes, *, delimiter: Delimiter = ",") -> Iterator[CsvRecord]:
    """The file's non-blank records, in order, each with the row it starts on.

    ``delimiter`` is the separator, or a function choosing it from the file's first
    non-blank line. Raises ``UnreadableCsv`` (see the module) at the first place the
    file cannot be read; records before it have been yielded by then.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_utf8(data, error, delimiter) from error
    separator = _separator(text, delimiter)
    may_hold_nul = "\x00" in text  # looked for cell by cell only when it is there at all
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=separator)
    header: list[str] | None = None
    next_row = 1
    while True:
        lines.start_record()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _unparseable(error, lines.record_text(), next_row, header,
                               separator) from error
        row, next_row = next_row, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        for index, cell in enumerate(cells if may_hold_nul else ()):
            if "\x00" in cell:
                raise UnreadableCsv(
                    row, _column(header, index),
                    "contains a NUL character (a zero byte), which no field may hold: "
                    "the file may not be CSV text (a spreadsheet, or text saved as "
                    f"UTF-16); {SAVE_AS_UTF8}",
                )
        if header is None:
            header = [cell.strip() for cell in cells]
        yield CsvRecord(row, cells)


def _separator(text: str, delimiter: Delimiter) -> str:
    if isinstance(delimiter, str):
        return delimiter
    return delimiter(next((line for line in text.splitlines() if line.strip()), ""))


def _column(header: list[str] | None, index: int) -> str:
    if header is not None and index < len(header) and header[index]:
        return header[index]
    return f"column {index + 1}"


class _Lines:
    """The file's lines for ``csv.reader``, keeping the text of the record being read so
    that a field too long to read can be found in it."""

    def __init__(self, text: str) -> None:
        # newline="" splits at \n, \r and \r\n and keeps them, as csv needs.
        self._lines = iter(io.StringIO(text, newline=""))
        self._record: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._record.append(line)
        return line

    def start_record(self) -> None:
        self._record = []

    def record_text(self) -> str:
        return "".join(self._record)


def _not_utf8(data: bytes, error: UnicodeDecodeError, delimiter: Delimiter) -> UnreadableCsv:
    """Where the first byte that is not UTF-8 lies: the record and field it falls in,
    read from the text before it (which is UTF-8) with a stand-in for the bad byte."""
    before = data[: error.start].decode("utf-8-sig") + "\ufffd"
    try:
        records = list(csv_records(before.encode("utf-8"), delimiter=delimiter))
    except UnreadableCsv:
        records = []
    row: int | None = before.count("\n") + 1
    column = None
    if records:  # the last holds the stand-in, at the end of its last field
        first, last = records[0], records[-1]
        header = None if last is first else [cell.strip() for cell in first.cells]
        row, column = last.row, _column(header, len(last.cells) - 1)
    return UnreadableCsv(
        row, column,
        f"is not UTF-8 text: byte {error.start + 1:,} of the file "
        f"(0x{data[error.start]:02X}) cannot be read; {SAVE_AS_UTF8}",
    )


def _unparseable(error: csv.Error, record: str, row: int, header: list[str] | None,
                 separator: str) -> UnreadableCsv:
    limit = csv.field_size_limit()
    if "field larger than field limit" in str(error):
        return UnreadableCsv(
            row, _column(header, _oversized_field(record, separator, limit)),
            f"is longer than {limit:,} characters, the most a field may hold: look for a "
            'quote (") that is not closed, or shorten the field',
        )
    return UnreadableCsv(row, None, f"cannot be read as CSV ({error})")


def _oversized_field(record: str, separator: str, limit: int) -> int:
    """The index of the first field in the record's text longer than ``limit``: the
    csv module stops there but does not say which field it was."""
    index, length, quoted, position = 0, 0, False, 0
    while position < len(record):
        char = record[position]
        if quoted:
            if char == '"' and record[position + 1 : position + 2] == '"':
                position += 1  # a doubled quote is one quote character
                length += 1
            elif char == '"':
                quoted = False
            else:
                length += 1
        elif char == '"' and length == 0:
            quoted = True
        elif char == separator:
            index, length = index + 1, 0
        elif char in "\r\n":
            break
        else:
            length += 1
        if length > limit:
            return index
        position += 1
    return index
