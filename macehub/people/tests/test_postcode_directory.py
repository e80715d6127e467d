"""``manage.py import_postcodes``: the ONS Postcode Directory's CSV, all or nothing, with a
row-by-row report; and ``fill_coordinates``, which the services call when a postcode is
saved."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from macehub.audit.models import AuditEvent
from macehub.intelligence.models import Location
from macehub.intelligence.services.links import place_on_grid
from macehub.people.codes import CoordinateSource
from macehub.people.models import Area, PersonAddress, Postcode
from macehub.people.postcodes import fill_coordinates, latitude_longitude

pytestmark = pytest.mark.django_db

HEADER = ("pcd,pcd2,pcds,dointr,doterm,oscty,oslaua,osward,usertype,oseast1m,osnrth1m,"
          "osgrdind,ctry,lsoa21,msoa21\n")


def _write(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "onspd.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def _import(path: Path) -> str:
    output = io.StringIO()
    call_command("import_postcodes", str(path), stdout=output)
    return output.getvalue()


def test_a_good_file_is_imported_with_its_areas(tmp_path: Path) -> None:
    ward = Area.objects.create(code="E05999001", name="Brackenford Central", kind="ward")
    district = Area.objects.create(code="E07999901", name="Brackenford", kind="district")
    path = _write(tmp_path, (
        "XB1 1AA,XB1  1AA,XB1 1AA,200001,,E10999901,E07999901,E05999001,0,440123,300456,1,"
        "E92000001,E01999001,\n"
        "XB1 1AB,XB1  1AB,XB1 1AB,200001,201803,E10999901,E07999901,E05999001,1,,,9,"
        "E92000001,E01999001,\n"))
    output = _import(path)
    assert "Imported onspd.csv: 2 postcodes (2 new, 0 replaced), 1 without coordinates" \
        in output
    first = Postcode.objects.get(postcode="XB1 1AA")
    assert (first.easting, first.northing) == (440123, 300456)
    assert first.ward == ward and first.local_authority == district
    assert first.lsoa is None and first.lsoa_code == "E01999001"  # an area the hub lacks
    terminated = Postcode.objects.get(postcode="XB1 1AB")
    assert terminated.terminated_on == dt.date(2018, 3, 1)
    assert terminated.easting is None
    assert AuditEvent.objects.filter(record_type="people.postcode").count() == 1
    # Again, changed: replaced, not added to.
    _import(_write(tmp_path, "XB1 1AA,,XB1 1AA,,,,E07999901,E05999001,,440200,300500,,,,\n"))
    assert Postcode.objects.count() == 2
    assert Postcode.objects.get(postcode="XB1 1AA").easting == 440200


def test_bad_rows_are_all_reported_and_nothing_is_imported(tmp_path: Path) -> None:
    path = _write(tmp_path, (
        "XB1 1AA,,XB1 1AA,,,,E07999901,E05999001,,440123,300456,,,,\n"
        "NOT A POSTCODE,,NOT A POSTCODE,,,,E07999901,E05999001,,440123,300456,,,,\n"
        "XB1 1AA,,XB1 1AA,,,,E07999901,E05999001,,440123,300456,,,,\n"
        "XB1 1AC,,XB1 1AC,,2018,,E07999901,E05999001,,east,300456,,,,\n"
        "XB1 1AD,,XB1 1AD,,,,E07999901,E05999001,,440123,,,,,\n"
        "XB1 1AE,,XB1 1AE,,,,E07999901\n"))
    with pytest.raises(CommandError) as error:
        _import(path)
    report = str(error.value)
    assert "onspd.csv was not imported" in report
    assert 'Row 3, column "pcds": "NOT A POSTCODE" is not a UK postcode' in report
    assert 'Row 4, column "pcds": XB1 1AA is already on row 2' in report
    assert 'Row 5, column "oseast1m": "east" is not a grid coordinate' in report
    assert 'Row 5, column "doterm": "2018" is not a year and month written YYYYMM' in report
    assert 'Row 6, column "osnrth1m": is empty but the other coordinate is not' in report
    assert "Row 7: has 7 fields but the header has 15" in report
    assert not Postcode.objects.exists(), "all or nothing"


def test_a_file_without_the_directorys_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        _import(_write(tmp_path, "XB1 1AA,1,2\n", header="postcode,east,north\n"))
    assert 'column "pcds": is missing: the ONSPD has pcds, pcd2 or pcd' in str(error.value)
    assert 'column "oseast1m": is missing' in str(error.value)
    assert not Postcode.objects.exists()


def test_a_saved_postcode_takes_the_directorys_place_unless_one_was_entered() -> None:
    Postcode.objects.create(postcode="XB1 1AA", easting=440123, northing=300456)
    address = PersonAddress(postcode="xb11aa")
    fill_coordinates(address)
    assert (address.easting, address.northing) == (440123, 300456)
    assert address.coordinates_source == CoordinateSource.POSTCODE_DIRECTORY
    entered = PersonAddress(postcode="XB1 1AA", easting=441000, northing=301000)
    fill_coordinates(entered)
    assert (entered.easting, entered.coordinates_source) == (441000, CoordinateSource.ENTERED)
    unknown = PersonAddress(postcode="XB9 9ZZ")
    fill_coordinates(unknown)
    assert unknown.easting is None and unknown.coordinates_source == ""
    # A location also gets latitude and longitude for the map, from the grid.
    location = Location(description="Car park", postcode="XB1 1AA")
    place_on_grid(location)
    latitude, longitude = latitude_longitude(440123, 300456)
    assert float(location.latitude or 0) == pytest.approx(latitude, abs=1e-5)
    assert float(location.longitude or 0) == pytest.approx(longitude, abs=1e-5)


def test_entered_grid_coordinates_are_kept_and_give_the_map_its_place() -> None:
    Postcode.objects.create(postcode="XB1 1AA", easting=440123, northing=300456)
    location = Location(description="Car park", postcode="XB1 1AA", easting=441000,
                        northing=301000)
    place_on_grid(location)
    assert (location.easting, location.coordinates_source) == (441000,
                                                              CoordinateSource.ENTERED)
    latitude, _ = latitude_longitude(441000, 301000)
    assert float(location.latitude or 0) == pytest.approx(latitude, abs=1e-5)
    location.save()
    assert location.grid_reference == "441000, 301000 (entered)"


def test_an_area_code_that_is_not_one_is_reported_not_stored(tmp_path: Path) -> None:
    """Regression: an area code longer than the nine characters the columns hold failed
    the import on PostgreSQL (a database error, not the importer's report)."""
    path = _write(tmp_path, (
        "XB1 1AA,XB1  1AA,XB1 1AA,200001,,E10999901,E07999901,E05999001X,0,440123,300456,1,"
        "E92000001,not a code,\n"))
    with pytest.raises(CommandError) as error:
        _import(path)
    assert 'Row 2, column "osward": "E05999001X" is not an ONS area code' in str(error.value)
    assert 'Row 2, column "lsoa21": "not a code" is not an ONS area code' in str(error.value)
    assert not Postcode.objects.exists()
