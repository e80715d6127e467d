"""The Census 2021 TS021 importer and its command, on small synthetic files written here
(fictional areas with codes in the real ONS format; no real census counts)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.people.census import (
    CENSUS_2021_TS021,
    TOTAL_HEADING,
    CensusImportError,
    census_breakdown,
    import_census_ts021,
)
from macehub.people.codelists import DATA
from macehub.people.codes import AreaKind
from macehub.people.models import Area, AreaPopulation, EthnicGroup, EthnicGroupFamily

pytestmark = pytest.mark.django_db

BOROUGH = ("Fictional Borough", "E06999901")
TOWN = ("Fictional Town", "E06999902")
PAKISTANI = "Ethnic group: Asian, Asian British or Asian Welsh: Pakistani"
ASIAN = "Ethnic group: Asian, Asian British or Asian Welsh"
ROMA = "Ethnic group: White: Roma"
IRISH = "Ethnic group: White: Irish"

Rows = list[list[str]]


def ts021_rows(areas: list[tuple[str, str]], seed: int = 0) -> Rows:
    """A TS021 table in Nomis layout for the code list in the database: the total, then
    each high-level group followed by its detailed groups. Counts are made up but add up."""
    header = ["date", "geography", "geography code", TOTAL_HEADING]
    layout: list[tuple[str, list[EthnicGroup]]] = []
    for family in EthnicGroupFamily.objects.all():
        groups = list(family.groups.exclude(census_heading="").order_by("sort_order"))
        layout.append((family.census_heading, groups))
        header += [family.census_heading, *(g.census_heading for g in groups)]
    rows = [header]
    for index, (name, code) in enumerate(areas):
        cells: list[int] = []
        for _, groups in layout:
            counts = [(g.sort_order * 7 + index * 13 + seed) % 500 + 1 for g in groups]
            cells += [sum(counts), *counts]
        family_totals = [c for c, h in zip(cells, header[4:], strict=True) if h.count(":") == 1]
        rows.append(["2021", name, code, str(sum(family_totals)), *map(str, cells)])
    return rows


def write(tmp_path: Path, rows: Rows, *, delimiter: str = ",", bom: bool = False,
          name: str = "ts021.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


def column(rows: Rows, heading: str) -> int:
    return rows[0].index(heading)


def snapshot() -> tuple[list[Any], list[Any], int]:
    return (
        list(Area.objects.values_list("code", "name", "kind", "parent__code", "census_total")),
        list(AreaPopulation.objects.values_list("area__code", "ethnic_group_id", "population")),
        AuditEvent.objects.count(),
    )


def where(error: CensusImportError) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in error.problems}


# --- A valid file ----------------------------------------------------------------------


def test_valid_file_creates_areas_and_populations(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH, TOWN])
    census_groups = EthnicGroup.objects.exclude(census_heading="").count()

    summary = import_census_ts021(write(tmp_path, rows), actor=None)

    borough = Area.objects.get(code="E06999901")
    assert borough.name == "Fictional Borough"
    assert borough.kind == AreaKind.DISTRICT  # told from the E06 code
    assert borough.census_total == int(rows[1][3])
    assert AreaPopulation.objects.filter(area=borough).count() == census_groups == 19
    pakistani = AreaPopulation.objects.get(area=borough, ethnic_group_id="A2")
    assert pakistani.population == int(rows[1][column(rows, PAKISTANI)])
    assert pakistani.source == CENSUS_2021_TS021
    assert not AreaPopulation.objects.filter(ethnic_group_id=EthnicGroup.NOT_STATED).exists()
    assert sum(borough.populations.values_list("population", flat=True)) == borough.census_total
    assert (summary.rows, summary.areas_created, summary.areas_updated) == (2, 2, 0)
    assert summary.people_counted == int(rows[1][3]) + int(rows[2][3])
    assert summary.populations_written == 2 * census_groups


def test_import_is_audited_once(tmp_path: Path) -> None:
    import_census_ts021(write(tmp_path, ts021_rows([BOROUGH, TOWN]), name="la.csv"), actor=None)

    event = AuditEvent.objects.get()
    assert event.event_type == EventType.IMPORT
    assert event.record_type == "people.area"
    assert event.detail["file"] == "la.csv"
    assert event.detail["rows"] == 2
    assert event.detail["areas"] == {"created": 2, "updated": 0}


@pytest.mark.parametrize("delimiter", [",", "|"])
@pytest.mark.parametrize("bom", [False, True])
def test_comma_or_pipe_with_or_without_bom(tmp_path: Path, delimiter: str, bom: bool) -> None:
    rows = ts021_rows([BOROUGH])
    import_census_ts021(write(tmp_path, rows, delimiter=delimiter, bom=bom), actor=None)
    assert Area.objects.get(code="E06999901").census_total == int(rows[1][3])


def test_surrounding_whitespace_and_blank_lines_are_tolerated(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH])
    text = "\n".join(
        "|".join(f"  {cell} " for cell in row) for row in rows
    )
    path = tmp_path / "padded.csv"
    path.write_text(f"\n{text}\n\n  \n", encoding="utf-8")
    import_census_ts021(path, actor=None)
    assert Area.objects.get(code="E06999901").name == "Fictional Borough"


def test_a_trailing_delimiter_on_every_line_is_tolerated(tmp_path: Path) -> None:
    rows = [[*row, ""] for row in ts021_rows([BOROUGH])]
    import_census_ts021(write(tmp_path, rows), actor=None)
    assert Area.objects.filter(code="E06999901").exists()


def test_an_uploaded_file_object_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, ts021_rows([BOROUGH]), name="upload.csv")
    with path.open("rb") as upload:
        summary = import_census_ts021(upload, actor=None)
    assert summary.file_name == "upload.csv"
    assert summary.areas_created == 1


def test_measure_suffix_in_headings_is_tolerated(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH])
    rows[0] = rows[0][:3] + [f"{h}; measures: Value" for h in rows[0][3:]]
    import_census_ts021(write(tmp_path, rows), actor=None)
    assert Area.objects.filter(code="E06999901").exists()


def test_reimport_replaces_populations_rather_than_adding(tmp_path: Path) -> None:
    import_census_ts021(write(tmp_path, ts021_rows([BOROUGH, TOWN])), actor=None)
    before = AreaPopulation.objects.count()
    rows = ts021_rows([("Fictional Borough (renamed)", BOROUGH[1]), TOWN], seed=11)

    summary = import_census_ts021(write(tmp_path, rows), actor=None)

    assert AreaPopulation.objects.count() == before
    assert Area.objects.count() == 2
    borough = Area.objects.get(code="E06999901")
    assert borough.name == "Fictional Borough (renamed)"
    assert borough.census_total == int(rows[1][3])
    assert AreaPopulation.objects.get(area=borough, ethnic_group_id="A2").population == int(
        rows[1][column(rows, PAKISTANI)]
    )
    assert (summary.areas_created, summary.areas_updated) == (0, 2)


def test_populations_from_other_sources_are_kept(tmp_path: Path) -> None:
    import_census_ts021(write(tmp_path, ts021_rows([BOROUGH])), actor=None)
    borough = Area.objects.get(code="E06999901")
    AreaPopulation.objects.create(
        area=borough, ethnic_group_id="A2", population=5, source="Fictional local survey"
    )
    import_census_ts021(write(tmp_path, ts021_rows([BOROUGH], seed=3)), actor=None)
    assert AreaPopulation.objects.filter(area=borough, source="Fictional local survey").exists()


def test_kind_and_parent_are_set_when_given_and_kept_when_not(tmp_path: Path) -> None:
    county = Area.objects.create(code="E10999901", name="Fictional County", kind=AreaKind.COUNTY)
    path = write(tmp_path, ts021_rows([("Fictional Ward", "E05999901")]))
    import_census_ts021(path, actor=None)
    ward = Area.objects.get(code="E05999901")
    assert (ward.kind, ward.parent) == (AreaKind.WARD, None)  # told from the E05 code

    import_census_ts021(path, actor=None, kind=AreaKind.NEIGHBOURHOOD, parent_code="e10999901")
    ward.refresh_from_db()
    assert (ward.kind, ward.parent) == (AreaKind.NEIGHBOURHOOD, county)

    import_census_ts021(path, actor=None)
    ward.refresh_from_db()
    assert (ward.kind, ward.parent) == (AreaKind.NEIGHBOURHOOD, county)


def test_parent_may_be_in_the_same_file(tmp_path: Path) -> None:
    rows = ts021_rows([("Fictional County", "E10999901"), ("Fictional District", "E07999901")])

    summary = import_census_ts021(
        write(tmp_path, rows), actor=None, kind=AreaKind.DISTRICT, parent_code="E10999901"
    )

    county = Area.objects.get(code="E10999901")
    district = Area.objects.get(code="E07999901")
    # --kind describes the areas under the parent; the parent keeps its own kind.
    assert (county.kind, county.parent) == (AreaKind.COUNTY, None)
    assert (district.kind, district.parent) == (AreaKind.DISTRICT, county)
    assert summary.areas_created == 2
    assert summary.people_counted == district.census_total  # the county is not counted twice


def test_a_group_added_to_the_code_list_is_read(tmp_path: Path) -> None:
    heading = "Ethnic group: White: Fictional heritage"
    EthnicGroup.objects.create(
        code="W8", name="White: Fictional heritage", family_id="W", census_heading=heading,
        sort_order=38,
    )
    rows = ts021_rows([BOROUGH])
    assert heading in rows[0]

    import_census_ts021(write(tmp_path, rows), actor=None)

    population = AreaPopulation.objects.get(area__code="E06999901", ethnic_group_id="W8")
    assert population.population == int(rows[1][column(rows, heading)])
    assert AreaPopulation.objects.filter(area__code="E06999901").count() == 20


def test_the_shipped_sample_imports_cleanly() -> None:
    sample = DATA / "sample_ts021_fictional.csv"

    summary = import_census_ts021(sample, actor=None, parent_code="E10999981")

    county = Area.objects.get(code="E10999981")
    districts = Area.objects.filter(parent=county)
    assert county.kind == AreaKind.COUNTY
    assert {d.kind for d in districts} == {AreaKind.DISTRICT}
    assert districts.count() == 3
    assert county.census_total == sum(d.census_total or 0 for d in districts)
    assert summary.people_counted == county.census_total


def test_breakdown_gives_five_high_level_groups_with_percentages(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH])
    import_census_ts021(write(tmp_path, rows), actor=None)
    borough = Area.objects.get(code="E06999901")

    breakdown = census_breakdown(borough)

    assert breakdown[0].line.name == "White"  # census question order
    assert len(breakdown) == 5
    assert sum(f.line.population for f in breakdown) == borough.census_total
    asian = next(f for f in breakdown if f.line.population == int(rows[1][column(rows, ASIAN)]))
    assert len(asian.detailed) == 5
    assert asian.line.percent == pytest.approx(100 * asian.line.population / int(rows[1][3]))


# --- Files that must be refused, leaving the database as it was -------------------------


def _drop_column(heading: str) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        index = column(rows, heading)
        for row in rows:
            del row[index]

    return mutate


def _set(row: int, heading: str, value: str) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[row - 1][column(rows, heading)] = value

    return mutate


def _add_one(row: int, heading: str) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        index = column(rows, heading)
        rows[row - 1][index] = str(int(rows[row - 1][index]) + 1)

    return mutate


def _rename_heading(old: str, new: str) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[0][column(rows, old)] = new

    return mutate


def _extra_field(row: int) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[row - 1].append("7")

    return mutate


BAD_FILES: dict[str, tuple[Callable[[Rows], None], tuple[int | None, str | None]]] = {
    "wrong number of fields": (_extra_field(3), (3, None)),
    "missing area code column": (_drop_column("geography code"), (1, "geography code")),
    "missing total column": (_drop_column(TOTAL_HEADING), (1, TOTAL_HEADING)),
    "missing ethnic group column": (_drop_column(ROMA), (1, ROMA)),
    "unknown heading": (
        _rename_heading(ROMA, "Ethnic group: White: Martian"), (1, "Ethnic group: White: Martian")
    ),
    "duplicate heading": (_rename_heading(ROMA, IRISH), (1, IRISH)),
    "count not a whole number": (_set(2, PAKISTANI, "12a"), (2, PAKISTANI)),
    "decimal count": (_set(3, PAKISTANI, "12.5"), (3, PAKISTANI)),
    "empty count": (_set(2, PAKISTANI, ""), (2, PAKISTANI)),
    "negative count": (_set(3, PAKISTANI, "-4"), (3, PAKISTANI)),
    "duplicate area code": (_set(3, "geography code", BOROUGH[1]), (3, "geography code")),
    "not an area code": (_set(2, "geography code", "FICTION-1"), (2, "geography code")),
    "empty area name": (_set(3, "geography", ""), (3, "geography")),
    "detailed groups do not add up": (_add_one(2, PAKISTANI), (2, ASIAN)),
    "high-level groups do not add up": (_add_one(3, TOTAL_HEADING), (3, TOTAL_HEADING)),
    "new area of unknown kind": (_set(3, "geography code", "E99999901"), (3, "geography code")),
}


@pytest.fixture
def imported_before(tmp_path: Path) -> None:
    """Areas already in the hub, so a refused file can be seen to change nothing."""
    import_census_ts021(write(tmp_path, ts021_rows([BOROUGH, TOWN]), name="first.csv"),
                        actor=None)


@pytest.mark.usefixtures("imported_before")
@pytest.mark.parametrize(
    ("mutate", "expected"), list(BAD_FILES.values()), ids=list(BAD_FILES)
)
def test_bad_file_is_refused_naming_row_and_column(
    tmp_path: Path, mutate: Callable[[Rows], None], expected: tuple[int | None, str | None]
) -> None:
    rows = ts021_rows([BOROUGH, TOWN], seed=5)  # different counts from the first import
    mutate(rows)
    before = snapshot()

    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(write(tmp_path, rows), actor=None)

    assert expected in where(raised.value)
    assert snapshot() == before
    for problem in raised.value.problems:
        text = str(problem)
        if problem.row is not None:
            assert text.startswith(f"Row {problem.row}")
        if problem.column is not None:
            assert f'"{problem.column}"' in text


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(path, actor=None)
    assert where(raised.value) == {(1, None)}
    assert "empty" in str(raised.value)
    assert snapshot() == ([], [], 0)


def test_header_without_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CensusImportError, match="no rows of areas"):
        import_census_ts021(write(tmp_path, ts021_rows([])), actor=None)
    assert snapshot() == ([], [], 0)


# --- Files that cannot be read as CSV text (macehub.core.csv_import) -------------------


def test_text_that_is_not_utf8_is_refused_with_its_byte_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, ts021_rows([BOROUGH, ("Fictional Town", TOWN[1])]))
    utf8 = path.read_bytes()
    path.write_bytes(utf8.replace(b"Fictional Town", "Fictional Töwn".encode("latin-1")))
    byte = utf8.index(b"Fictional Town") + len("Fictional T") + 1
    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(path, actor=None)
    assert [str(problem) for problem in raised.value.problems] == [
        f'Row 3, column "geography": is not UTF-8 text: byte {byte:,} of the file (0xF6) '
        'cannot be read; save the file as "CSV UTF-8" and try again'
    ]
    assert snapshot() == ([], [], 0)


def test_a_utf16_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ts021_rows([BOROUGH]))
    for encoded in (path.read_text().encode("utf-16"), path.read_text().encode("utf-16-le")):
        path.write_bytes(encoded)  # with its byte order mark, then without
        with pytest.raises(CensusImportError) as raised:
            import_census_ts021(path, actor=None)
        assert where(raised.value) == {(1, "column 1")}
        assert "UTF-8" in str(raised.value)
    assert snapshot() == ([], [], 0)


def test_a_field_too_long_to_read_is_refused_with_its_row_and_column(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH, TOWN, ("Fictional Village", "E06999903")])
    _set(2, PAKISTANI, "x")(rows)  # a problem in a row before it is reported too
    _set(3, "geography", "Fictional " * 20_000)(rows)  # 200 KB
    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(write(tmp_path, rows), actor=None)
    assert where(raised.value) == {(2, PAKISTANI), (3, "geography")}
    assert 'Row 3, column "geography": is longer than 131,072 characters' in str(raised.value)
    assert snapshot() == ([], [], 0)


def test_a_quote_left_open_is_refused_where_it_opens(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH] + [(f"Fictional Area {n}", f"E06999{n:03d}")
                                   for n in range(2, 3000)])
    path = write(tmp_path, rows)
    path.write_bytes(path.read_bytes().replace(b"Fictional Borough", b'"Fictional Borough'))
    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(path, actor=None)
    assert where(raised.value) == {(2, "geography")}
    assert 'quote (") that is not closed' in str(raised.value)
    assert snapshot() == ([], [], 0)


def test_a_nul_byte_is_refused_with_its_row_and_column(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH, TOWN])
    _set(3, "geography code", "E06\x0099902")(rows)
    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(write(tmp_path, rows), actor=None)
    assert where(raised.value) == {(3, "geography code")}
    assert "NUL character" in str(raised.value)
    assert snapshot() == ([], [], 0)


def test_unknown_parent_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CensusImportError, match="E10999999 is neither in the hub"):
        import_census_ts021(
            write(tmp_path, ts021_rows([BOROUGH])), actor=None, parent_code="E10999999"
        )
    assert snapshot() == ([], [], 0)


def test_an_area_cannot_be_placed_under_its_own_descendant(tmp_path: Path) -> None:
    county = Area.objects.create(code="E10999901", name="Fictional County", kind="county")
    Area.objects.create(code="E07999901", name="Fictional District", kind="district",
                        parent=county)
    rows = ts021_rows([("Fictional County", "E10999901")])
    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(write(tmp_path, rows), actor=None, parent_code="E07999901")
    assert where(raised.value) == {(2, "geography code")}


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH, TOWN, ("Fictional Village", "E06999903")])
    _set(2, PAKISTANI, "x")(rows)
    _add_one(3, TOTAL_HEADING)(rows)
    _extra_field(4)(rows)

    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(write(tmp_path, rows), actor=None)

    assert where(raised.value) == {(2, PAKISTANI), (3, TOTAL_HEADING), (4, None)}
    assert not raised.value.truncated
    assert snapshot() == ([], [], 0)


def test_row_numbers_are_as_in_the_file(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH, TOWN])
    _set(3, PAKISTANI, "x")(rows)
    path = write(tmp_path, rows, bom=True)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([lines[0], lines[1], b"", *lines[2:]]))  # blank line 3

    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(path, actor=None)
    assert where(raised.value) == {(4, PAKISTANI)}


def test_problems_are_capped(tmp_path: Path) -> None:
    areas = [(f"Fictional Area {n}", f"E06999{n:03d}") for n in range(10)]
    rows = ts021_rows(areas)
    for row in range(2, 12):
        _set(row, PAKISTANI, "x")(rows)

    with pytest.raises(CensusImportError) as raised:
        import_census_ts021(write(tmp_path, rows), actor=None, max_problems=4)

    assert len(raised.value.problems) == 4
    assert raised.value.truncated
    assert "Stopped looking after the first 4 problems" in str(raised.value)


# --- The command ------------------------------------------------------------------------


def test_command_imports_and_prints_a_summary(tmp_path: Path) -> None:
    Area.objects.create(code="E10999901", name="Fictional County", kind=AreaKind.COUNTY)
    out = io.StringIO()

    call_command(
        "import_census", str(write(tmp_path, ts021_rows([BOROUGH, TOWN]))),
        "--kind", "district", "--parent", "E10999901", stdout=out,
    )

    assert "2 areas (2 new, 0 updated)" in out.getvalue()
    assert Area.objects.filter(parent__code="E10999901", kind="district").count() == 2
    assert AuditEvent.objects.get().actor_id is None


def test_command_lists_problems_and_imports_nothing(tmp_path: Path) -> None:
    rows = ts021_rows([BOROUGH, TOWN])
    _set(2, PAKISTANI, "-1")(rows)
    _add_one(3, ASIAN)(rows)

    with pytest.raises(CommandError) as raised:
        call_command("import_census", str(write(tmp_path, rows, name="bad.csv")))

    message = str(raised.value)
    assert "bad.csv was not imported" in message
    assert f'Row 2, column "{PAKISTANI}": -1 is negative' in message
    assert f'Row 3, column "{ASIAN}"' in message
    assert raised.value.returncode != 0
    assert snapshot() == ([], [], 0)


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda data: data.replace(b"Fictional Town", b"Fictional T\xf6wn"),
     'Row 3, column "geography": is not UTF-8 text: byte'),
    (lambda data: data.replace(b"Fictional Town", b"Fictional Town" * 15_000),
     'Row 3, column "geography": is longer than 131,072 characters'),
    (lambda data: data.replace(b"Fictional Town", b"Fictional\x00Town"),
     'Row 3, column "geography": contains a NUL character'),
])
def test_command_reports_a_file_it_cannot_read_without_a_traceback(
    tmp_path: Path, damage: Callable[[bytes], bytes], expected: str
) -> None:
    path = write(tmp_path, ts021_rows([BOROUGH, TOWN]), name="damaged.csv")
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CommandError) as raised:
        call_command("import_census", str(path))
    assert "damaged.csv was not imported" in str(raised.value)
    assert expected in str(raised.value)
    assert snapshot() == ([], [], 0)


def test_command_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_census", str(tmp_path / "nowhere.csv"))


def test_command_refuses_an_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_census", str(write(tmp_path, ts021_rows([BOROUGH]))),
                     "--kind", "galaxy")
