"""``manage.py import_boundaries``: ONS Open Geography GeoJSON onto the hub's areas, all or
nothing, naming the features whose code matches no area."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from macehub.people.models import Area
from macehub.people.postcodes import grid_point

pytestmark = pytest.mark.django_db


def _square(code: str, west: float, south: float, size: float = 0.02,
            prefix: str = "WD23") -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size],
            [west, south + size], [west, south]]
    return {"type": "Feature", "properties": {f"{prefix}CD": code, f"{prefix}NM": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _write(tmp_path: Path, features: list[Any]) -> Path:
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _import(path: Path) -> str:
    output = io.StringIO()
    call_command("import_boundaries", str(path), stdout=output)
    return output.getvalue()


def test_boundaries_and_centroids_are_stored_and_unmatched_codes_named(tmp_path: Path) -> None:
    ward = Area.objects.create(code="E05999001", name="North", kind="ward")
    district = Area.objects.create(code="E07999901", name="Town", kind="district")
    output = _import(_write(tmp_path, [
        _square("E05999001", -1.50, 52.60), _square("E05999002", -1.48, 52.60),
        _square("E07999901", -1.50, 52.60, size=0.04, prefix="LAD23")]))
    assert "3 boundaries, 2 areas given theirs" in output
    assert "1 feature(s) match no area in the hub and were skipped: E05999002" in output
    ward.refresh_from_db()
    district.refresh_from_db()
    assert ward.boundary is not None and ward.boundary["type"] == "Polygon"
    easting, northing = grid_point(-1.49, 52.61)
    assert ward.centroid_easting == pytest.approx(easting, abs=20)
    assert ward.centroid_northing == pytest.approx(northing, abs=20)
    assert district.boundary is not None


def test_bad_features_are_reported_and_nothing_is_imported(tmp_path: Path) -> None:
    Area.objects.create(code="E05999001", name="North", kind="ward")
    no_code = _square("", -1.5, 52.6)
    no_code["properties"] = {"name": "nowhere"}
    line = _square("E05999003", -1.5, 52.6)
    line["geometry"] = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    grid = _square("E05999004", 440000, 300000, size=2000)
    with pytest.raises(CommandError) as error:
        _import(_write(tmp_path, [_square("E05999001", -1.5, 52.6), no_code, line, grid,
                                  _square("E05999001", -1.4, 52.6)]))
    report = str(error.value)
    assert 'Feature 2, column "properties": has no area code' in report
    assert 'Feature 3, column "E05999003": has no Polygon or MultiPolygon geometry' in report
    assert 'Feature 4, column "E05999004": is not in WGS84 longitude and latitude' in report
    assert 'Feature 5, column "E05999001": is already feature 1' in report
    assert not Area.objects.filter(boundary__isnull=False).exists(), "all or nothing"


def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not.geojson"
    path.write_text('{"type": "Feature"}')
    with pytest.raises(CommandError, match="not a GeoJSON FeatureCollection"):
        _import(path)


def test_a_file_nested_too_deeply_is_refused_not_a_crash(tmp_path: Path) -> None:
    """Regression: lists nested thousands deep stopped the import with a RecursionError."""
    path = tmp_path / "deep.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000)
    with pytest.raises(CommandError, match="nested too deeply to read"):
        _import(path)


def test_a_geometry_type_that_is_not_text_is_refused(tmp_path: Path) -> None:
    """Regression: a geometry whose type was a list stopped the import with a TypeError."""
    odd = _square("E05999001", -1.5, 52.6)
    odd["geometry"]["type"] = ["Polygon"]
    with pytest.raises(CommandError, match="has no Polygon or MultiPolygon geometry"):
        _import(_write(tmp_path, [odd]))


def test_only_the_polygon_is_stored_not_the_features_other_members(tmp_path: Path) -> None:
    """Regression: the geometry was stored as given, with any other members GeoJSON
    allows in it, holding what a database may refuse (NaN; a NUL character in text)."""
    ward = Area.objects.create(code="E05999001", name="North", kind="ward")
    feature = _square("E05999001", -1.5, 52.6)
    feature["geometry"].update({"bbox": [float("nan")], "note": "nul\x00byte"})
    _import(_write(tmp_path, [feature]))
    ward.refresh_from_db()
    assert ward.boundary == {"type": "Polygon",
                             "coordinates": _square("E05999001", -1.5, 52.6)["geometry"][
                                 "coordinates"]}
