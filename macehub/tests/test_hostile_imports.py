"""Every CSV importer given hostile files (Hypothesis): a good file of its own kind, then
hostile cells, ragged rows, a wrong header, a byte order mark, mixed line endings and
other encodings. The import either stores every row, each text cell as it was accepted
(the importers strip leading and trailing whitespace), or nothing: when it refuses the
file, with its own report (``FileNotImported``), no table it writes to has changed. It
never raises anything else.

The same holds for the files that are not such tables: a partner's list given to link
(``ListRefused``, and no job made) and ONS boundaries in GeoJSON, with values anywhere
replaced or added and lists nested deep (``BoundaryImportError``, and no area changed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
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
from macehub.people.boundaries import BoundaryImportError, import_boundaries
from macehub.people.census import import_census_ts021
from macehub.people.census_by_age import import_census_by_age
from macehub.people.codes import AreaKind
from macehub.people.linkage_records import normalised_name
from macehub.people.list_linking import start_link_job
from macehub.people.models import (
    Area,
    AreaPopulation,
    AreaPopulationByAge,
    EthnicGroup,
    LinkJob,
    Postcode,
)
from macehub.people.outside_lists import ListRefused, read_outside_list
from macehub.people.postcodes import import_postcode_directory
from macehub.people.tests.test_census import ts021_rows
from macehub.people.tests.test_census_by_age import by_age_rows
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
    # How many rows of the first table the written rows make, when not one each.
    stores: Callable[[list[list[str]]], int] = len
    # Further checks of what was stored, given the rows written.
    verify: Callable[[list[list[str]]], None] | None = None


def _importers(users: Any, hub_agency: Agency, hub_team: Team) -> dict[str, Importer]:
    leader = users[Role.SENIOR_LEADER]
    inspection = make_inspection(leader)
    analyst = users[Role.ANALYST]
    referrer = users[Role.REFERRER]
    census_rows = ts021_rows([(name, code) for name, code in CENSUS_AREAS])
    by_age = by_age_rows(BY_AGE_BANDS, [BY_AGE_AREA])

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
        "census TS021": Importer(
            census_rows[0], census_rows[1:],
            lambda data: import_census_ts021(upload(data), actor=None),
            (Area, AreaPopulation), ("geography", Area, "name")),
        "census by age": Importer(
            by_age[0], by_age[1:],
            lambda data: (_by_age_area(), import_census_by_age(upload(data), actor=None)),
            (AreaPopulationByAge,),
            # One population for each ethnic group, children and adults.
            stores=lambda _rows: 2 * EthnicGroup.objects.exclude(census_heading="").count(),
            verify=_assert_populations_by_age),
    }


CENSUS_AREAS = [("Fictional Borough", "E06999901"), ("Fictional Town", "E06999902")]
BY_AGE_AREA = ("E06999909", "Fictional Vale")  # in the hub before its file comes
BY_AGE_BANDS = ["Aged 17 years and under", "Aged 18 years and over"]


def _by_age_area() -> None:
    Area.objects.get_or_create(code=BY_AGE_AREA[0], defaults={
        "name": BY_AGE_AREA[1], "kind": AreaKind.DISTRICT})


def _assert_populations_by_age(rows: list[list[str]]) -> None:
    """Every count written is stored, summed into children and adults."""
    written = sum(int(row[6]) for row in rows if row[5].strip() != "Does not apply")
    assert sum(AreaPopulationByAge.objects.values_list("population", flat=True)) == written


IMPORTERS = ["recommendations", "training records", "establishment", "legacy intelligence",
             "postcodes", "census TS021", "census by age"]
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
            assert added == importer.stores(rows), (added, rows)
            if importer.text is not None:
                column, model, field_name = importer.text
                index = importer.header.index(column)
                stored = sorted(model.objects.values_list(field_name, flat=True))
                assert stored == sorted(row[index].strip() for row in rows)
            if importer.verify is not None:
                importer.verify(rows)
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


# --- Outside lists, read for linking ----------------------------------------------------

OUTSIDE_LIST = Importer(
    ["rec_id", "given_name", "family_name", "date_of_birth", "sex", "postcode"],
    [["S-1", "Keira", "Holloway", "2012-03-04", "F", "XB1 1AA"],
     ["S-2", "Jordan", "Sample", "", "M", ""]],
    lambda data: None, (), ("given_name", models.Model, "given_name"))


def _upload(data: bytes) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = "school-roll.csv"
    return stream


@pytest.mark.django_db
def test_an_outside_list_is_linked_as_written_or_refused(users: Any) -> None:
    """A partner's list given to link: refused with its problems and no job made, or a
    job queued whose stored list reads back as the rows written, one record each."""
    analyst = users[Role.ANALYST]
    outcomes = {"queued": 0, "refused": 0}

    @settings(max_examples=examples(15))
    @given(made=hostile_file(OUTSIDE_LIST))
    @example(made=(b"", []))
    @example(made=(b"\xff\xfeg\x00", []))
    def check(made: tuple[bytes, list[list[str]]]) -> None:
        data, rows = made
        with transaction.atomic():
            before = _counts((LinkJob,))
            try:
                job = start_link_job(actor=analyst, left_name="school-roll.csv", left=data)
            except ListRefused as refused:
                outcomes["refused"] += 1
                assert refused.problems
                assert _counts((LinkJob,)) == before, "a refused list made a job"
                transaction.set_rollback(True)
                return
            outcomes["queued"] += 1
            assert _counts((LinkJob,))["LinkJob"] == before["LinkJob"] + 1
            job.refresh_from_db()
            # What the job links later is what was checked now.
            records = read_outside_list(_upload(job.left_list.encode()))
            assert records == read_outside_list(_upload(data))
            assert [record["given_name"] for record in records] == [
                normalised_name((row[1] if len(row) > 1 else "").strip() or None)
                for row in rows if any(cell.strip() for cell in row)]  # blank rows skipped
            transaction.set_rollback(True)

    check()
    assert outcomes["queued"] and outcomes["refused"], outcomes


# --- Boundaries (GeoJSON) ---------------------------------------------------------------

BOUNDARY_CODES = ("E05999001", "E05999002")


def _square(code: str, west: float) -> dict[str, Any]:
    ring = [[west, 52.6], [west + 0.02, 52.6], [west + 0.02, 52.62], [west, 52.62],
            [west, 52.6]]
    return {"type": "Feature", "properties": {"WD23CD": code, "WD23NM": "Ward"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document, the document itself first."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(st.none(), st.booleans(), st.floats(), hostile_text(),
                       st.integers(-(10**400), 10**400),
                       st.sampled_from(["Polygon", "MultiPolygon", "Point", "Feature"]))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(hostile_text(), inner, max_size=3)),
        max_leaves=10)


@st.composite
def hostile_geojson(draw: st.DrawFn) -> bytes:
    """Two good ward boundaries, with values anywhere replaced or added (foreign members,
    as GeoJSON allows), written in one of several encodings."""
    document: Any = {"type": "FeatureCollection",
                     "features": [_square(BOUNDARY_CODES[0], -1.5), _square(BOUNDARY_CODES[1],
                                                                            -1.48)]}
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            parent[draw(hostile_text())] = draw(_json_values())  # a member added
        else:
            parent[path[-1]] = draw(_json_values())
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    encoding = draw(st.sampled_from(ENCODINGS)) if draw(st.integers(0, 3)) == 0 else "utf-8"
    return text.encode(encoding, errors="replace")


def _boundaries() -> list[tuple[Any, ...]]:
    return list(Area.objects.filter(code__in=BOUNDARY_CODES).order_by("code").values_list(
        "code", "boundary", "centroid_easting", "centroid_northing"))


@pytest.mark.django_db
def test_a_boundary_file_is_stored_as_accepted_or_refused_whole() -> None:
    """GeoJSON given to ``import_boundaries``: refused with its report and no area
    changed, or each matching area given the feature's polygon as read."""
    for code in BOUNDARY_CODES:
        Area.objects.create(code=code, name="Ward", kind=AreaKind.WARD)
    outcomes = {"imported": 0, "refused": 0}

    @settings(max_examples=examples(25))
    @given(data=hostile_geojson())
    @example(data=b"[" * 100_000)
    @example(data=b'{"type": "FeatureCollection", "features": [' + b"{\"a\": [" * 50_000)
    @example(data=b"\x00")
    def check(data: bytes) -> None:
        with transaction.atomic():
            before = (_boundaries(), AuditEvent.objects.count())
            try:
                summary = import_boundaries(io.BytesIO(data), actor=None, file_name="wards.json")
            except BoundaryImportError as refused:
                outcomes["refused"] += 1
                assert refused.problems
                assert (_boundaries(), AuditEvent.objects.count()) == before
                transaction.set_rollback(True)
                return
            outcomes["imported"] += 1
            document = json.loads(data.decode("utf-8-sig"))
            features = {feature["properties"].get("WD23CD", "").strip().upper(): feature
                        for feature in document["features"]}
            for code, boundary, easting, northing in _boundaries():
                if code not in features:
                    continue
                geometry = features[code]["geometry"]
                assert boundary == {"type": geometry["type"],
                                    "coordinates": geometry["coordinates"]}
                assert easting and northing
            assert summary.areas_updated == len(set(features) & set(BOUNDARY_CODES))
            transaction.set_rollback(True)

    check()
    assert outcomes["imported"] and outcomes["refused"], outcomes
