"""The one way the hub writes a CSV file that someone downloads: every export (the
intelligence export, the published performance report, the published equality table)
goes through ``csv_text`` and ``csv_download`` here, so none can forget the guard
against formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return, which some spreadsheets skip before looking) as a formula, so a name,
a label or a report's text typed by anyone could run code on the machine of whoever
opens the export (CSV injection; OWASP's guidance). The rule, per cell:

- a number (an ``int``, ``float`` or ``Decimal``) is written as it is, so ``-3`` and
  ``-0.5`` stay numbers;
- text that is wholly a number as a spreadsheet reads one (``-3``, ``-0.5``,
  ``-1,234``, ``+12.5%``, ``-2E3``) is written as it is too: it cannot be a formula,
  and figures already formatted as text (published reports store them so) stay numbers;
- any other text that starts with one of those characters gets a leading apostrophe,
  which spreadsheets read as "this is text" and do not show;
- ``None`` is an empty cell; anything else is written as its ``str``.

Quoting (a comma or line break inside a cell) is the ``csv`` module's, so a cell cannot
end early and start a new one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from django.http import HttpResponse

# The characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What spreadsheets read as a plain number: a sign, digits (with thousands commas), a
# decimal part, an exponent or a percent sign, and nothing else.
_PLAIN_NUMBER = re.compile(
    r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?<=\d)(?:[eE][+-]?\d+)?%?"
)
# A download's name goes into a header: letters, digits, dots, dashes and underscores.
_SAFE_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.csv")

CONTENT_TYPE = "text/csv; charset=utf-8"


class _Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def safe_cell(value: object) -> str | int | float | Decimal:
    """The value as it may be written to an export: see the module's rule."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class ExportWriter:
    """``csv.writer`` for an export: every cell passes through ``safe_cell``."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows as the text of an export (the first row is usually the header)."""
    out = io.StringIO()
    ExportWriter(out).writerows(rows)
    return out.getvalue()


def csv_download(content: str, *, filename: str) -> HttpResponse:
    """An export as a download: UTF-8 CSV, saved as ``filename``, and kept by no cache
    (exports hold personal or unpublished figures; the browser's copy is the user's)."""
    if not _SAFE_FILENAME.fullmatch(filename):
        raise ValueError(f"{filename!r} is not a safe name for a CSV download")
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
