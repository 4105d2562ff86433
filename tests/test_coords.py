"""Impossible coordinates are refused in one line by every reader and ``layers validate``.

Swapped lon/lat, metres under a WGS84 .prj, a swapped UTM easting/northing:
each is refused naming the file, the feature and the fix, before any pyproj
call could print a traceback or an ``inf`` extent.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import _toy_city as toy
import geopandas as gpd
import numpy as np
import pytest
from click.testing import CliRunner
from geotiffs import write_geotiff
from rasterio.transform import from_origin
from shapely import GeometryCollection, Point, box

from lzgis._coords import CoordinateCheck
from lzgis._errors import ValidationError
from lzgis.cli import main
from lzgis.io import read_vector
from lzgis.layers import CONFIG_ENV
from lzgis.zonal import raster_coverage


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def swapped(tmp_path: Path) -> Path:
    """Two zones near Lanzhou written (lat, lon) instead of (lon, lat), declared EPSG:4326."""
    path = tmp_path / "swapped.gpkg"
    gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[box(36.00, 103.80, 36.01, 103.82), box(36.00, 103.82, 36.01, 103.84)],
        crs=4326,
    ).to_file(path)
    return path


@pytest.fixture
def metres_as_wgs84(tmp_path: Path) -> Path:
    """UTM 48N metres in a Shapefile whose .prj says WGS84."""
    path = tmp_path / "zones.shp"
    gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[box(400_000, 3_980_000, 402_000, 3_982_000)], crs=4326
    ).to_file(path)
    assert "WGS" in path.with_suffix(".prj").read_text()
    return path


def _zone_args(path: Path, out: Path) -> list[str | Path]:
    return ["greening", "coverage", "--zones", path, "--zone-field", "name", "--out", out]


def test_swapped_axes_refused_by_coverage_allocate_and_validate(
    swapped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "cov.csv"
    code, _, err = _run(*_zone_args(swapped, out))
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"Error: {swapped}: feature a (and 1 more) has latitude 103.82")
    assert "look swapped" in line and "fix: swap the axes" in line
    assert not out.exists()

    monkeypatch.setenv(CONFIG_ENV, str(toy.write_layers(tmp_path / "layers")))
    code, _, err = _run("allocate", "--constraints", swapped, "--out", tmp_path / "res")
    assert code == 2 and "look swapped" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "res").exists()

    code, out_text, err = _run("layers", "validate", swapped)
    assert (code, out_text) == (2, "")
    [line] = err.splitlines()
    assert line.startswith(f"{swapped}: feature") and "look swapped" in line


def test_metres_under_a_wgs84_prj_say_impossible(metres_as_wgs84: Path, tmp_path: Path) -> None:
    code, _, err = _run(*_zone_args(metres_as_wgs84, tmp_path / "cov.csv"))
    assert code == 2
    [line] = err.splitlines()
    assert "impossible in the declared CRS EPSG:4326" in line and "look like metres" in line
    assert "inf" not in line and "fix: set the CRS" in line
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy or pyproj warning on the way
        with pytest.raises(ValidationError, match="look like metres"):
            read_vector(metres_as_wgs84)
    code, _, err = _run("layers", "validate", metres_as_wgs84)
    assert code == 2 and "look like metres" in err


def test_swapped_utm_easting_and_northing(tmp_path: Path) -> None:
    path = tmp_path / "utm.gpkg"
    gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[box(3_980_000, 400_000, 3_982_000, 402_000)], crs=32648
    ).to_file(path)
    with pytest.raises(ValidationError, match="fit with x and y exchanged; fix: swap the axes"):
        read_vector(path)
    code, _, err = _run("layers", "validate", path)
    assert code == 2 and "far outside the area of use of EPSG:32648" in err


def test_real_coordinates_pass(tmp_path: Path) -> None:
    path = tmp_path / "utm.gpkg"
    gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[box(400_000, 3_980_000, 402_000, 3_982_000)], crs=32648
    ).to_file(path)
    assert len(read_vector(path)) == 1
    assert _run("layers", "validate", path)[0] == 0


def test_the_python_api_refuses_swapped_zones_too(tmp_path: Path) -> None:
    raster = tmp_path / "ndvi.tif"
    write_geotiff(
        raster,
        np.full((4, 4), 0.5, dtype="float32"),
        crs="EPSG:4326",
        transform=from_origin(103.80, 36.01, 0.005, 0.0025),
    )
    zones = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(36.0, 103.8, 36.01, 103.82)], crs=4326)
    with pytest.raises(ValidationError, match="look swapped"):
        raster_coverage(zones, raster, ndvi_threshold=0.3)


def test_coordinate_check_counts_and_names_the_first() -> None:
    check = CoordinateCheck("EPSG:4326", path="f.geojson")
    check.feed(["ok", "bad1"], np.array([[103.8, 36.0, 103.9, 36.1], [36.0, 103.8, 36.1, 103.9]]))
    check.feed(["bad2"], np.array([[36.0, 103.8, 36.1, 103.9]]))
    assert check.count == 2
    assert (check.problem() or "").startswith("f.geojson: feature bad1 (and 1 more) has latitude")


# --- one set of checks: layers validate refuses what every command refuses --------


def test_validate_refuses_mixed_points_and_polygons(tmp_path: Path) -> None:
    path = tmp_path / "mixed.geojson"
    gpd.GeoDataFrame(
        {"id": ["p", "q"]}, geometry=[box(103.8, 36.0, 103.9, 36.1), Point(103.8, 36.0)], crs=4326
    ).to_file(path)
    code, _, err = _run("layers", "validate", path)
    assert code == 2
    assert err.splitlines() == [
        f"{path}: mixes geometry types (Polygon 1 (first: feature p), Point 1 (first: feature q)); "
        "expected one type per layer; fix: split the file by geometry type "
        "(QGIS 'Split vector layer', or `ogr2ogr -where`)"
    ]
    with pytest.raises(ValidationError, match="mixes geometry types"):
        read_vector(path)
    code, _, err = _run(*_zone_args(path, tmp_path / "c.csv"))
    assert code == 2 and "has geometry type Point, expected MultiPolygon/Polygon" in err


def test_validate_refuses_a_geometry_collection(tmp_path: Path) -> None:
    path = tmp_path / "gc.geojson"
    gc = GeometryCollection([box(103.8, 36.0, 103.9, 36.1), Point(103.8, 36.0)])
    gpd.GeoDataFrame({"id": ["c"]}, geometry=[gc], crs=4326).to_file(path)
    code, _, err = _run("layers", "validate", path)
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"{path}: feature c is a GeometryCollection") and "fix: explode" in line
    with pytest.raises(ValidationError, match="GeometryCollection"):
        read_vector(path)
