"""The Census 2021 ethnic group by age importer and its command, on small synthetic files
in the ONS custom dataset layout written here (fictional areas, invented counts)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.people.census import CensusImportError
from macehub.people.census_by_age import (
    CENSUS_2021_BY_AGE,
    age_band,
    age_group_of,
    import_census_by_age,
)
from macehub.people.codes import AreaKind, CensusAgeGroup
from macehub.people.models import Area, AreaPopulationByAge, EthnicGroup

pytestmark = pytest.mark.django_db

AREA = ("E06999901", "Fictional Borough")
AGE = "Age (6 categories)"
ETHNIC = "Ethnic group (20 categories)"
HEADER = ["Lower tier local authorities Code", "Lower tier local authorities",
          f"{AGE} Code", AGE, f"{ETHNIC} Code", ETHNIC, "Observation"]
SPLIT_AT_18 = ["Aged 4 years and under", "Aged 5 to 15 years", "Aged 16 to 17 years",
               "Aged 18 to 64 years", "Aged 65 years and over"]
# The ONS six-category age classification: its second band holds 16- to 24-year-olds.
NOT_SPLIT_AT_18 = ["Aged 15 years and under", "Aged 16 to 24 years", "Aged 25 to 34 years",
                   "Aged 35 to 49 years", "Aged 50 to 64 years", "Aged 65 years and over"]

Rows = list[list[str]]


def labels() -> list[tuple[str, str]]:
    """(group code, label in an ONS custom dataset) for every detailed group."""
    return [(g.code, g.census_heading.removeprefix("Ethnic group: "))
            for g in EthnicGroup.objects.exclude(census_heading="").order_by("sort_order")]


def count(band: int, group: int) -> int:
    """An invented count for the band and group (by position), easy to add by hand."""
    return 10 * (band + 1) + group


def by_age_rows(bands: list[str], areas: list[tuple[str, str]] | None = None) -> Rows:
    rows = [HEADER]
    for code, name in areas or [AREA]:
        for b, band in enumerate(bands):
            for g, (_, label) in enumerate(labels()):
                rows.append([code, name, str(b + 1), band, str(g + 1), label,
                             str(count(b, g))])
            rows.append([code, name, str(b + 1), band, "-8", "Does not apply", "0"])
    return rows


def write(tmp_path: Path, rows: Rows, name: str = "by-age.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def borough() -> Area:
    return Area.objects.create(code=AREA[0], name=AREA[1], kind=AreaKind.DISTRICT)


def stored() -> dict[tuple[str, str], int]:
    return {(row.ethnic_group_id, row.age_group): row.population
            for row in AreaPopulationByAge.objects.filter(source=CENSUS_2021_BY_AGE)}


def test_age_bands_are_read_from_their_labels_and_placed_either_side_of_18() -> None:
    assert age_band("Aged 4 years and under") == (0, 4)
    assert age_band("Aged under 1 year") == (0, 0)
    assert age_band("Aged 16 to 17 years") == (16, 17)
    assert age_band("Aged 15 years") == (15, 15)
    assert age_band("Aged 1 year") == (1, 1)
    assert age_band("Aged 85 years and over") == (85, None)
    assert age_band("Total") is None and age_band("Aged 20 to 18 years") is None
    assert age_group_of((16, 17)) == CensusAgeGroup.CHILDREN
    assert age_group_of((18, 19)) == CensusAgeGroup.ADULTS
    assert age_group_of((16, 24)) is None and age_group_of((0, None)) is None


def test_a_file_in_the_ons_format_is_imported_as_children_and_adults(
    tmp_path: Path, borough: Area,
) -> None:
    summary = import_census_by_age(write(tmp_path, by_age_rows(SPLIT_AT_18)), actor=None)
    populations = stored()
    groups = labels()
    assert len(populations) == 2 * len(groups)
    # By hand: the children's bands are the first three (0 to 4, 5 to 15, 16 to 17).
    for g, (code, _) in enumerate(groups):
        assert populations[(code, "0-17")] == (10 + g) + (20 + g) + (30 + g)
        assert populations[(code, "18+")] == (40 + g) + (50 + g)
    pakistani = next(g for g, (code, _) in enumerate(groups) if code == "A2")
    assert populations[("A2", "0-17")] == 60 + 3 * pakistani
    assert summary.children == sum(60 + 3 * g for g in range(len(groups)))
    assert summary.adults == sum(90 + 2 * g for g in range(len(groups)))
    event = AuditEvent.objects.get(event_type=EventType.IMPORT)
    assert event.detail["source"] == CENSUS_2021_BY_AGE and event.detail["areas"] == 1


def test_a_second_import_replaces_the_areas_populations(tmp_path: Path, borough: Area) -> None:
    import_census_by_age(write(tmp_path, by_age_rows(SPLIT_AT_18)), actor=None)
    rows = by_age_rows(SPLIT_AT_18)
    for row in rows[1:]:
        row[6] = "0" if row[6] != "0" else row[6]
    rows[1][6] = "7"  # the first group's youngest children
    import_census_by_age(write(tmp_path, rows), actor=None)
    populations = stored()
    assert populations[(labels()[0][0], "0-17")] == 7
    assert sum(populations.values()) == 7


def test_a_bad_file_is_refused_whole_with_every_problem_by_row(
    tmp_path: Path, borough: Area,
) -> None:
    import_census_by_age(write(tmp_path, by_age_rows(SPLIT_AT_18)), actor=None)
    before, events = stored(), AuditEvent.objects.count()
    rows = by_age_rows(SPLIT_AT_18, [AREA, ("E06999902", "Fictional Town")])
    rows[2][6] = "lots"
    rows[3][6] = "-4"
    rows[4][5] = "Martian"
    rows[5][0] = "Z123"
    with pytest.raises(CensusImportError) as refused:
        import_census_by_age(write(tmp_path, rows), actor=None)
    report = refused.value.report()
    assert report.startswith("Nothing was imported")
    assert 'Row 3, column "Observation": "lots" is not a whole number' in report
    assert 'Row 4, column "Observation": -4 is negative' in report
    assert 'Row 5, column "Ethnic group (20 categories)": "Martian" is not a detailed' in report
    assert 'Row 6, column "Lower tier local authorities Code": "Z123" is not an ONS' in report
    assert "has no row for" in report  # the rows that were wrong leave their areas short
    assert stored() == before and AuditEvent.objects.count() == events


def test_bands_that_do_not_split_at_18_are_refused(tmp_path: Path, borough: Area) -> None:
    with pytest.raises(CensusImportError) as refused:
        import_census_by_age(write(tmp_path, by_age_rows(NOT_SPLIT_AT_18)), actor=None)
    problems = refused.value.problems
    straddling = [p for p in problems if "does not split at 18" in p.message]
    assert len(straddling) == 1  # said once, where the band first appears
    assert straddling[0].column == AGE and '"Aged 16 to 24 years"' in straddling[0].message
    assert not AreaPopulationByAge.objects.exists()


def test_bands_with_a_gap_an_overlap_or_no_oldest_ages_are_refused(
    tmp_path: Path, borough: Area,
) -> None:
    for bands, expected in (
        (["Aged 4 years and under", "Aged 6 to 17 years", "Aged 18 years and over"],
         "No age band covers ages 5 to 5"),
        (["Aged 10 years and under", "Aged 5 to 17 years", "Aged 18 years and over"],
         '"Aged 5 to 17 years" overlaps'),
        (["Aged 17 years and under", "Aged 18 to 64 years"], "No age band covers ages 65"),
    ):
        with pytest.raises(CensusImportError) as refused:
            import_census_by_age(write(tmp_path, by_age_rows(bands)), actor=None)
        assert expected in refused.value.report()
    assert not AreaPopulationByAge.objects.exists()


def test_an_area_not_in_the_hub_and_people_with_no_group_are_refused(
    tmp_path: Path, borough: Area,
) -> None:
    rows = by_age_rows(SPLIT_AT_18, [AREA, ("E06999903", "Nowhere")])
    with pytest.raises(CensusImportError) as refused:
        import_census_by_age(write(tmp_path, rows), actor=None)
    assert "E06999903 (Nowhere) is not an area in the hub" in refused.value.report()
    rows = by_age_rows(SPLIT_AT_18)
    does_not_apply = next(i for i, row in enumerate(rows) if row[5] == "Does not apply")
    rows[does_not_apply][6] = "3"
    with pytest.raises(CensusImportError) as refused:
        import_census_by_age(write(tmp_path, rows), actor=None)
    assert f"Row {does_not_apply + 1}" in refused.value.report()
    assert not AreaPopulationByAge.objects.exists()


def test_a_header_that_is_not_an_ethnic_group_by_age_table_is_refused(
    tmp_path: Path, borough: Area,
) -> None:
    rows = by_age_rows(SPLIT_AT_18)
    rows[0] = [cell.replace("Age (6 categories)", "Sex (2 categories)") for cell in rows[0]]
    with pytest.raises(CensusImportError) as refused:
        import_census_by_age(write(tmp_path, rows), actor=None)
    assert "one age column" in refused.value.report()


def test_the_command_imports_or_exits_with_the_report(tmp_path: Path, borough: Area) -> None:
    output = io.StringIO()
    call_command("import_census_by_age", str(write(tmp_path, by_age_rows(SPLIT_AT_18))),
                 stdout=output)
    assert "Imported by-age.csv: 1 areas" in output.getvalue()
    with pytest.raises(CommandError, match=r"(?s)was not imported.*does not split at 18"):
        call_command("import_census_by_age",
                     str(write(tmp_path, by_age_rows(NOT_SPLIT_AT_18), "six.csv")))
