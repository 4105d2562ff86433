"""Checks in lzgis._validate: one clear line per problem."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely import LineString, Point, box

from lzgis._errors import CRSError, ValidationError
from lzgis._validate import (
    allowed_types,
    file_problems,
    frame_problems,
    require_crs,
    require_same_crs,
    validate_frame,
)


def test_text_file_named_geojson_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "notes.geojson"
    path.write_text("these are meeting notes, not geodata\n", encoding="utf-8")
    problems = file_problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: unreadable or not geodata")
    assert "fix:" in problems[0]


def test_shapefile_without_prj_has_no_crs(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "parks.shp"
    squares.to_file(path)
    path.with_suffix(".prj").unlink()
    problems = file_problems(path)
    assert problems == [
        f"{path}: no CRS (the .prj file is missing); fix: add the .prj / CRS, "
        "e.g. with `ogr2ogr -a_srs EPSG:4326`"
    ]


def test_self_intersecting_polygon_names_the_feature(bowtie_file: Path) -> None:
    problems = file_problems(bowtie_file)
    assert len(problems) == 1
    assert "feature bowtie invalid geometry (Self-intersection" in problems[0]
    assert str(bowtie_file) in problems[0]


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.gpkg"
    assert file_problems(path) == [f"{path}: no such file; fix: check the path"]


def test_empty_layer(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "empty.gpkg"
    squares.iloc[:0].to_file(path, driver="GPKG")
    problems = file_problems(path)
    assert any("the layer is empty" in p for p in problems)


def test_unexpected_geometry_type_and_missing_fields(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["p"]}, geometry=[Point(103.8, 36.0)], crs=4326)
    path = tmp_path / "points.gpkg"
    gdf.to_file(path, driver="GPKG")
    problems = file_problems(path, geometry_type="Polygon", required_fields=["id", "tier"])
    assert any("missing required field(s) tier" in p for p in problems)
    assert any(
        "feature p has geometry type Point, expected MultiPolygon/Polygon" in p for p in problems
    )


def test_valid_file_has_no_problems(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "ok.gpkg"
    squares.to_file(path, driver="GPKG")
    assert file_problems(path, geometry_type="Polygon", required_fields=["id"]) == []


def test_frame_problems_lists_every_problem(squares: gpd.GeoDataFrame) -> None:
    bad = squares.copy()
    bad.loc[1, "geometry"] = None
    bad = bad.set_crs(None, allow_override=True)
    problems = frame_problems(bad, path="mem", required_fields=["tier"])
    assert len(problems) == 3
    assert problems[0].startswith("mem: no CRS")
    assert "missing required field(s) tier" in problems[1]
    assert problems[2].startswith("mem: feature b has no geometry")
    with pytest.raises(ValidationError) as info:
        validate_frame(bad, path="mem", required_fields=["tier"])
    assert info.value.problems == problems


def test_crs_mismatch_names_both_and_to_crs(squares: gpd.GeoDataFrame) -> None:
    other = squares.to_crs(3857)
    with pytest.raises(CRSError) as info:
        require_same_crs(squares, other, names=("zones", "green"))
    msg = str(info.value)
    assert "EPSG:4326" in msg and "EPSG:3857" in msg and "to_crs(" in msg and "`green`" in msg


def test_require_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])
    with pytest.raises(CRSError, match="`zones` has no CRS"):
        require_crs(gdf, name="zones")


def test_allowed_types() -> None:
    assert allowed_types("Point|LineString") == {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
    }
    line = LineString([(0, 0), (1, 1)])
    assert line.geom_type in allowed_types("LineString")
