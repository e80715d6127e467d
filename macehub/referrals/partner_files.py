"""Reading a partner system's export (CSV or XLSX) through its mapping: which of the
partner's columns holds each of the hub's fields, and how the partner's values for a
code list (their "F" and "M", their ethnicity codes) translate to the hub's codes.

``check_file`` reads every row and checks every value (required fields, dates, code
values, NHS numbers by their check digit, postcodes, a child's age); any problem refuses
the whole file (``PartnerFileRefused``) with each problem by row and column, and nothing
is written. A file that passes comes back as plain rows (JSON values) ready to import.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from macehub.core.csv_import import FileNotImported, ProblemList, UnreadableCsv, csv_records
from macehub.people.codes import IdentifierKind, Sex
from macehub.people.identifiers import normalise_identifier, normalise_postcode
from macehub.people.models import EthnicGroup
from macehub.referrals.codes import PartnerFileKind
from macehub.referrals.rules import not_a_child

# Problems listed before giving up on a file: enough to fix it in one go.
MOST_PROBLEMS = 100


class PartnerFileRefused(FileNotImported):
    """The partner's file was not imported: every problem by row and column."""


class _Problems(ProblemList):
    refusal = PartnerFileRefused


@dataclass(frozen=True)
class HubField:
    """A field of the hub's a partner's column can fill."""

    key: str
    label: str
    kinds: frozenset[str]
    required: bool = False
    # "text", "date", "code" (translated to a hub code list), "nhs", "postcode".
    check: str = "text"
    # The most characters of text the hub stores for it: a longer value is a problem of
    # the row, never cut short.
    max_length: int = 2000


BOTH = frozenset(PartnerFileKind.values)
REFERRALS_ONLY = frozenset({PartnerFileKind.REFERRALS.value})

HUB_FIELDS: tuple[HubField, ...] = (
    HubField("partner_id", "The partner's record id", BOTH),
    HubField("given_name", "Given name", BOTH, required=True, max_length=100),
    HubField("family_name", "Family name", BOTH, required=True, max_length=100),
    HubField("date_of_birth", "Date of birth", BOTH, required=True, check="date"),
    HubField("sex", "Sex", BOTH, check="code"),
    HubField("ethnicity", "Ethnicity (self-defined)", BOTH, check="code"),
    HubField("nhs_number", "NHS number", BOTH, check="nhs"),
    HubField("address_line_1", "Address line 1", BOTH, max_length=200),
    HubField("town", "Town or city", BOTH, max_length=100),
    HubField("postcode", "Postcode", BOTH, check="postcode"),
    HubField("received_on", "Date referred", REFERRALS_ONLY, required=True, check="date"),
    HubField("concerns", "What the partner is worried about", REFERRALS_ONLY, required=True,
             max_length=10_000),  # as the referral form takes
)
FIELDS_BY_KEY = {field.key: field for field in HUB_FIELDS}
KEY_ORDER = {field.key: order for order, field in enumerate(HUB_FIELDS)}
CODE_FIELDS = tuple(field.key for field in HUB_FIELDS if field.check == "code")


def fields_for(kind: str) -> list[HubField]:
    return [field for field in HUB_FIELDS if kind in field.kinds]


def hub_codes(key: str) -> dict[str, str]:
    """The hub's codes for a code field, with their names (the code lists stay the
    hub's: a mapping only translates into them)."""
    if key == "sex":
        return {str(value): str(label) for value, label in Sex.choices}
    return dict(EthnicGroup.objects.order_by("sort_order", "code").values_list("code", "name"))


# --- Reading the table ------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    row: int  # as numbered in the file (the header is row 1)
    cells: list[str]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[TableRow]:
    from openpyxl import load_workbook  # imported when a spreadsheet comes

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableCsv(None, None, "cannot be read as an Excel workbook (.xlsx): "
                            "save it again from the partner's system or as CSV UTF-8"
                            ) from error
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if any(cells):
                yield TableRow(number, cells)
    finally:
        book.close()


def read_table(data: bytes, name: str) -> list[TableRow]:
    """The file's non-blank rows, header first: an ``.xlsx`` workbook's first sheet, or
    CSV text (``UnreadableCsv`` where it cannot be read)."""
    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        return list(_xlsx_rows(data))
    return [TableRow(record.row, [cell.strip() for cell in record.cells])
            for record in csv_records(data)]


# --- Checking the rows ------------------------------------------------------------------


def parse_date(text: str) -> dt.date:
    """A date as partners' systems write it: 2011-03-14 or 14/03/2011."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise ValueError(text)


def translated(mapping_translations: Mapping[str, Mapping[str, str]], key: str,
               value: str) -> str:
    """The hub's code for the partner's value (its translation, else the value itself);
    translations are matched whatever the case."""
    table = {given.strip().lower(): code
             for given, code in mapping_translations.get(key, {}).items()}
    return table.get(value.strip().lower(), value.strip())


@dataclass
class _Checker:
    kind: str
    columns: Mapping[str, str]
    translations: Mapping[str, Mapping[str, str]]
    problems: _Problems
    today: dt.date
    codes: dict[str, set[str]]

    def value(self, key: str, text: str, row: int) -> Any:
        field = FIELDS_BY_KEY[key]
        column = self.columns[key]
        checks: dict[str, Callable[[str, int, str], Any]] = {
            "date": self._date, "code": self._code, "nhs": self._nhs,
            "postcode": self._postcode}
        if not text:
            if field.required:
                self.problems.add(row, column, f"is empty: {field.label.lower()} is needed")
            return None
        check = checks.get(field.check)
        if check is not None:
            return check(key, row, text)
        if len(text) > field.max_length:
            self.problems.add(row, column, f"is {len(text):,} characters long: "
                              f"{field.label.lower()} may be {field.max_length:,} at most")
            return None
        return text

    def _date(self, key: str, row: int, text: str) -> str | None:
        try:
            day = parse_date(text)
        except ValueError:
            self.problems.add(row, self.columns[key], f"{text!r} is not a date written as "
                              "2011-03-14 or 14/03/2011")
            return None
        if day > self.today:
            self.problems.add(row, self.columns[key], f"{text} is in the future")
            return None
        return day.isoformat()

    def _code(self, key: str, row: int, text: str) -> str | None:
        code = translated(self.translations, key, text)
        if code not in self.codes[key]:
            self.problems.add(row, self.columns[key],
                              f"{text!r} is not one of the hub's codes for "
                              f"{FIELDS_BY_KEY[key].label.lower()}, and the mapping does not "
                              "translate it")
            return None
        return code

    def _nhs(self, key: str, row: int, text: str) -> str | None:
        try:
            return normalise_identifier(IdentifierKind.NHS_NUMBER, text)
        except ValidationError as error:
            self.problems.add(row, self.columns[key], " ".join(error.messages))
            return None

    def _postcode(self, key: str, row: int, text: str) -> str | None:
        try:
            return normalise_postcode(text)
        except ValidationError as error:
            self.problems.add(row, self.columns[key], " ".join(error.messages))
            return None

    def row_values(self, record: TableRow, index: Mapping[str, int]) -> dict[str, Any]:
        values: dict[str, Any] = {"row": record.row}
        for key, at in index.items():
            text = record.cells[at].strip() if at < len(record.cells) else ""
            values[key] = self.value(key, text, record.row)
        born = values.get("date_of_birth")
        on = values.get("received_on") or self.today.isoformat()
        if born and on:
            birthday, day = dt.date.fromisoformat(born), dt.date.fromisoformat(on)
            age = day.year - birthday.year - ((day.month, day.day) < (birthday.month,
                                                                      birthday.day))
            problem = not_a_child(age)
            if problem:
                self.problems.add(record.row, self.columns["date_of_birth"], problem)
        return values


def check_file(*, kind: str, columns: Mapping[str, str],
               translations: Mapping[str, Mapping[str, str]], data: bytes, name: str,
               today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every row of the file checked through the mapping, as plain values by hub field
    (dates as ISO text, codes as the hub's), each with its ``row``; or the whole file
    refused (``PartnerFileRefused``) with each problem by row and column."""
    problems = _Problems(MOST_PROBLEMS)
    checker = _Checker(kind=kind, columns=columns, translations=translations,
                       problems=problems, today=today or timezone.localdate(),
                       codes={key: set(hub_codes(key)) for key in CODE_FIELDS
                              if key in columns})

    def read() -> list[dict[str, Any]]:
        table = read_table(data, name)
        if not table:
            return []
        header = [cell.strip().lower() for cell in table[0].cells]
        index: dict[str, int] = {}
        # In the hub's order of fields, whatever order the mapping was stored in.
        for key, heading in sorted(columns.items(), key=lambda item: KEY_ORDER[item[0]]):
            if heading.strip().lower() in header:
                index[key] = header.index(heading.strip().lower())
            else:
                problems.add(table[0].row, heading,
                             f"no column with this heading: the mapping reads "
                             f"{FIELDS_BY_KEY[key].label.lower()} from it")
        if problems.found:
            return []
        rows = []
        seen: dict[str, int] = {}
        for record in table[1:]:
            values = checker.row_values(record, index)
            partner_id = values.get("partner_id")
            if partner_id:
                if partner_id in seen:
                    problems.add(record.row, columns["partner_id"],
                                 f"{partner_id!r} is the record id of row "
                                 f"{seen[partner_id]} too: each row needs its own")
                seen.setdefault(partner_id, record.row)
            rows.append(values)
        return rows

    return problems.rows_or_refusal(read, none="The file holds no rows to import")
