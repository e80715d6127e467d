"""Every CSV importer given hostile files (Hypothesis): a good file of its own kind, then
hostile cells, ragged rows, a wrong header, a byte order mark, mixed line endings and
other encodings. The import either stores every row, each text cell as it was accepted
(the importers strip leading and trailing whitespace), or nothing: when it refuses the
file, with its own report (``FileNotImported``), no table it writes to has changed. It
never raises anything else.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import models, transaction
from hypothesis import example, given, settings
from hypothesis import strategies as st

from macehub.accountability.imports import import_recommendations
from macehub.accountability.models import Recommendation
from macehub.accountability.tests.factories import make_inspection
from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.core.csv_import import FileNotImported
from macehub.intelligence.legacy import import_legacy_rows, read_legacy_file
from macehub.intelligence.models import IntelligenceReport
from macehub.people.models import Postcode
from macehub.people.postcodes import import_postcode_directory
from macehub.referrals.partner_files import PartnerFileRefused, check_file
from macehub.testing.hostile import HOSTILE_NUMBERS, examples, hostile_text
from macehub.training.models import TrainingImport, TrainingRecord
from macehub.training.services import import_training_records
from macehub.workforce.models import TeamMonth
from macehub.workforce.services import import_establishment


@dataclass
class Importer:
    """One importer: its header, good rows, how to run it, the tables it writes and the
    free-text column whose stored value is read back (column, model, field)."""

    header: list[str]
    rows: list[list[str]]
    run: Callable[[bytes], Any]
    tables: tuple[type[models.Model], ...]
    text: tuple[str, type[models.Model], str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _importers(users: Any, hub_agency: Agency, hub_team: Team) -> dict[str, Importer]:
    leader = users[Role.SENIOR_LEADER]
    inspection = make_inspection(leader)
    analyst = users[Role.ANALYST]
    referrer = users[Role.REFERRER]

    def upload(data: bytes) -> io.BytesIO:
        stream = io.BytesIO(data)
        stream.name = "hostile.csv"
        return stream

    return {
        "recommendations": Importer(
            ["kind", "number", "text", "addressed_to", "theme"],
            [["recommendation", "1", "Supervise investigations", "Chief Constables",
              "supervision"],
             ["Area for improvement", "2", "Share intelligence", "the partnership",
              "Intelligence sharing"]],
            lambda data: import_recommendations(upload(data), actor=leader,
                                                inspection=inspection),
            (Recommendation,), ("text", Recommendation, "text")),
        "training records": Importer(
            ["username or e-mail", "course code", "completed on", "expires on", "evidence"],
            [[referrer.username, "cse_awareness", "2026-01-10", "", "CERT-1"],
             [leader.username, "cse_awareness", "10/02/2025", "", "CERT-2"]],
            lambda data: import_training_records(upload(data), actor=None,
                                                 agency=hub_agency),
            (TrainingRecord, TrainingImport), ("evidence", TrainingRecord, "evidence")),
        "establishment": Importer(
            ["agency", "team", "month", "establishment", "filled", "posts_added",
             "posts_added_funded_on", "posts_added_funding"],
            [[hub_agency.code, hub_team.name, "2026-03", "12", "9", "", "", ""],
             [hub_agency.code, hub_team.name, "2026-02", "12", "10.5", "", "", ""]],
            lambda data: import_establishment(actor=leader, data=data, name="hostile.csv"),
            (TeamMonth,)),
        "legacy intelligence": Importer(
            ["reference", "received_on", "owning_agency", "owning_team", "source_evaluation",
             "intelligence_evaluation", "handling_code", "text", "sanitised_text",
             "occurred_on"],
            [["OLD/2015/001", "2015-03-02", hub_agency.code, hub_team.name, "B", "2", "2",
              "Seen at the park", "Sanitised one", "2015-03-01"],
             ["OLD/2015/002", "03/04/2015", hub_agency.code, hub_team.name, "a", "1", "5",
              "Informant says", "", ""]],
            lambda data: import_legacy_rows(actor=analyst, rows=read_legacy_file(data),
                                            file_name="hostile.csv"),
            (IntelligenceReport,), ("text", IntelligenceReport, "source_text")),
        "postcodes": Importer(
            ["pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "oslaua", "osward", "usertype",
             "oseast1m", "osnrth1m", "osgrdind", "ctry", "lsoa21", "msoa21"],
            [["XB1 1AA", "XB1  1AA", "XB1 1AA", "200001", "", "E10999901", "E07999901",
              "E05999001", "0", "440123", "300456", "1", "E92000001", "E01999001", ""],
             ["XB1 1AB", "XB1  1AB", "XB1 1AB", "200001", "201803", "E10999901", "E07999901",
              "E05999001", "1", "", "", "9", "E92000001", "E01999001", ""]],
            lambda data: import_postcode_directory(upload(data), actor=None),
            (Postcode,)),
    }


IMPORTERS = ["recommendations", "training records", "establishment", "legacy intelligence",
             "postcodes"]
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1")
NEWLINES = ("\n", "\r\n", "\r")


@st.composite
def hostile_file(draw: st.DrawFn, importer: Importer) -> tuple[bytes, list[list[str]]]:
    """A file of the importer's kind made hostile, and the rows written in it."""
    header = list(importer.header)
    rows = [list(row) for row in importer.rows]
    cell = st.one_of(hostile_text(), st.sampled_from(HOSTILE_NUMBERS))
    if importer.text is not None and draw(st.booleans()):
        column = header.index(importer.text[0])
        for row in rows:
            row[column] = draw(hostile_text())
    for _ in range(draw(st.integers(0, 2))):  # hostile cells anywhere
        row = draw(st.sampled_from(rows))
        row[draw(st.integers(0, len(row) - 1))] = draw(cell)
    if draw(st.integers(0, 4)) == 0:  # a ragged row
        row = draw(st.sampled_from(rows))
        if draw(st.booleans()):
            del row[draw(st.integers(0, len(row) - 1)):]
        else:
            row.extend(draw(st.lists(cell, min_size=1, max_size=2)))
    if draw(st.integers(0, 5)) == 0:  # a wrong header
        header[draw(st.integers(0, len(header) - 1))] = draw(hostile_text())
    out = io.StringIO()
    for line in [header, *rows]:
        csv.writer(out, lineterminator=draw(st.sampled_from(NEWLINES))).writerow(line)
    text = out.getvalue()
    encoding = draw(st.sampled_from(ENCODINGS)) if draw(st.integers(0, 3)) == 0 else "utf-8"
    return text.encode(encoding, errors="replace"), rows


def _counts(tables: tuple[type[models.Model], ...]) -> dict[str, int]:
    return {table.__name__: table.objects.count() for table in (*tables, AuditEvent)}


@pytest.mark.django_db
@pytest.mark.parametrize("name", IMPORTERS)
def test_an_import_stores_every_row_as_accepted_or_nothing(
    name: str, users: Any, hub_agency: Agency, hub_team: Team
) -> None:
    importer = _importers(users, hub_agency, hub_team)[name]
    outcomes: dict[str, int] = {"imported": 0, "refused": 0}

    @settings(max_examples=examples(12))
    @given(made=hostile_file(importer))
    @example(made=(b"", []))
    @example(made=(b"\x00\x00\x00", []))
    def check(made: tuple[bytes, list[list[str]]]) -> None:
        data, rows = made
        with transaction.atomic():
            before = _counts(importer.tables)
            try:
                importer.run(data)
            except FileNotImported:
                outcomes["refused"] += 1
                assert _counts(importer.tables) == before, "a refused file wrote rows"
                transaction.set_rollback(True)
                return
            outcomes["imported"] += 1
            after = _counts(importer.tables)
            added = after[importer.tables[0].__name__] - before[importer.tables[0].__name__]
            assert added == len(rows), (added, rows)
            if importer.text is not None:
                column, model, field_name = importer.text
                index = importer.header.index(column)
                stored = sorted(model.objects.values_list(field_name, flat=True))
                assert stored == sorted(row[index].strip() for row in rows)
            transaction.set_rollback(True)

    good = io.StringIO()
    csv.writer(good).writerows([importer.header, *importer.rows])
    check.hypothesis.inner_test(made=(good.getvalue().encode(), importer.rows))  # type: ignore[attr-defined]
    assert outcomes == {"imported": 1, "refused": 0}, "the good file must import"
    check()
    assert outcomes["refused"] > 0, outcomes


PARTNER_HEADER = ["Client Ref", "Forename", "Surname", "DOB", "Gender", "Ethnic Code",
                  "NHS No", "Postcode"]
PARTNER_COLUMNS = {"partner_id": "Client Ref", "given_name": "Forename",
                   "family_name": "Surname", "date_of_birth": "DOB", "sex": "Gender",
                   "ethnicity": "Ethnic Code", "nhs_number": "NHS No", "postcode": "Postcode"}
PARTNER_TRANSLATIONS = {"sex": {"F": "female", "M": "male"}, "ethnicity": {"WBRI": "W1"}}
PARTNER_FILE = Importer(
    PARTNER_HEADER,
    [["C-1", "Keira", "Holloway", "2012-03-04", "F", "WBRI", "", "XB1 1AA"],
     ["C-2", "Jordan", "Sample", "05/06/2011", "M", "WBRI", "", ""]],
    lambda data: None, (), ("Forename", models.Model, "given_name"))


def _workbook(rows: list[list[str]]) -> bytes:
    """The rows as the first sheet of an Excel workbook (characters a workbook cannot
    hold dropped, as a spreadsheet would refuse them)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_partner_file_is_read_as_written_or_refused() -> None:
    """A partner's file (CSV, or a workbook) checked through its mapping gives each row's
    values as written, or refuses the file with its report; it never fails otherwise."""
    read = {"rows": 0, "refused": 0}

    @settings(max_examples=examples(15))
    @given(made=hostile_file(PARTNER_FILE), as_workbook=st.booleans())
    def check(made: tuple[bytes, list[list[str]]], as_workbook: bool) -> None:
        data, rows = made
        name = "children.csv"
        if as_workbook:
            data, name = _workbook([PARTNER_HEADER, *rows]), "children.xlsx"
        try:
            checked = check_file(kind="children", columns=PARTNER_COLUMNS,
                                 translations=PARTNER_TRANSLATIONS, data=data, name=name,
                                 today=dt.date(2026, 6, 1))
        except PartnerFileRefused:
            read["refused"] += 1
            return
        read["rows"] += 1
        if not as_workbook:
            assert [row["given_name"] for row in checked] == [
                row[1].strip() for row in rows]

    check()
    assert read["rows"] and read["refused"], read


@pytest.mark.django_db
def test_a_partner_file_name_longer_than_the_hub_holds_is_refused_not_cut() -> None:
    """Regression: a given name over 100 characters was cut to 100 on import."""
    long_name = "K" * 101
    data = ",".join(PARTNER_HEADER) + f"\nC-1,{long_name},Holloway,2012-03-04,F,WBRI,,\n"
    with pytest.raises(PartnerFileRefused) as refused:
        check_file(kind="children", columns=PARTNER_COLUMNS,
                   translations=PARTNER_TRANSLATIONS, data=data.encode(), name="c.csv",
                   today=dt.date(2026, 6, 1))
    assert 'Row 2, column "Forename": is 101 characters long: given name may be 100 at most' \
        in refused.value.report()
