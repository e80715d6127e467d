"""The hub's one CSV writer for exports: formulas neutralised, numbers kept numbers, and
the download's headers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from macehub.core.csv_export import CONTENT_TYPE, csv_download, csv_text, safe_cell


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://example.invalid\",\"Click\")", "+44 cmd", "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "-", "+", "-3.", "-1-1", "=1",
])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -0.5, Decimal("-12.50"), 0, 7])
def test_numbers_are_written_as_they_are(value: int | float | Decimal) -> None:
    assert safe_cell(value) == value
    assert csv_text([[value]]).strip() == str(value)


@pytest.mark.parametrize("text", ["-3", "-0.5", "-.5", "-1,234", "+12.5%", "-2E3", "+7"])
def test_text_that_is_wholly_a_number_stays_a_number(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize(("value", "written"), [
    (None, ""), ("", ""), ("Northshire Police", "Northshire Police"), (True, "True"),
    (dt.date(2026, 3, 1), "2026-03-01"), ("a = b", "a = b"), (" =1", " =1"),
])
def test_other_values_are_written_as_text(value: object, written: str) -> None:
    assert safe_cell(value) == written


def test_quoting_keeps_a_cell_from_starting_another() -> None:
    text = csv_text([["name", "note"], ["Smith, =1+1", "line one\n=line two"], [-3, "-3"]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "note"], ["Smith, =1+1", "line one\n=line two"], ["-3", "-3"],
    ]


def test_a_download_is_utf8_csv_kept_by_no_cache() -> None:
    response = csv_download(csv_text([["Zoë", "=1"]]), filename="report-2026-03.csv")
    assert response["Content-Type"] == CONTENT_TYPE == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report-2026-03.csv"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.decode("utf-8") == "Zoë,'=1\r\n"


@pytest.mark.parametrize("filename", ['a".csv', "report.xlsx", "../report.csv", ""])
def test_a_download_name_that_could_break_the_header_is_refused(filename: str) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        csv_download("", filename=filename)
