"""Round trips through real files, and atomic writes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from lzgis._errors import LayerError, OutputError, ValidationError
from lzgis.io import atomic_path, read_vector, write_table, write_text, write_vector, write_vectors


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp"])
def test_vector_round_trip(tmp_path: Path, squares: gpd.GeoDataFrame, suffix: str) -> None:
    path = tmp_path / f"squares{suffix}"
    write_vector(squares, path)
    back = read_vector(path)
    assert_geodataframe_equal(
        back, squares, check_less_precise=True, check_dtype=False, normalize=True
    )
    # nothing but the output (and a shapefile's sidecars) is left in the folder
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    expected = (
        sorted(f"squares{s}" for s in (".cpg", ".dbf", ".prj", ".shp", ".shx"))
        if suffix == ".shp"
        else [f"squares{suffix}"]
    )
    assert leftovers == expected


def test_read_vector_reprojects_to_wgs84(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "m.gpkg"
    write_vector(squares.to_crs(32648), path)
    back = read_vector(path)
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].bounds == pytest.approx((103.80, 36.00, 103.81, 36.01), abs=1e-9)


def test_read_vector_errors(tmp_path: Path, bowtie_file: Path) -> None:
    with pytest.raises(LayerError, match="no such file"):
        read_vector(tmp_path / "missing.gpkg")
    text = tmp_path / "t.geojson"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(LayerError, match="unreadable or not geodata"):
        read_vector(text)
    with pytest.raises(ValidationError, match="feature bowtie invalid geometry"):
        read_vector(bowtie_file)


def test_failed_write_leaves_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("crash mid-write")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_table_and_text(tmp_path: Path) -> None:
    write_table(pd.DataFrame({"zone": ["城关"], "coverage": [0.5]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == "\ufeffzone,coverage\n城关,0.5\n"
    write_text("<p>hi</p>", tmp_path / "a.html")
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "<p>hi</p>"
    with pytest.raises(OutputError, match=r"unknown table format '\.xls'"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.xls")
    assert not (tmp_path / "t.xls").exists()


def test_write_vectors_multi_layer(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "two.gpkg"
    write_vectors({"first": squares, "second": squares.iloc[:1]}, path)
    assert len(gpd.read_file(path, layer="first")) == 2
    assert len(gpd.read_file(path, layer="second")) == 1


def test_write_vector_refuses_unknown_suffix_and_no_crs(
    tmp_path: Path, squares: gpd.GeoDataFrame
) -> None:
    with pytest.raises(OutputError, match=r"unknown vector format '\.kml'"):
        write_vector(squares, tmp_path / "x.kml")
    with pytest.raises(OutputError, match="without a CRS"):
        write_vector(squares.set_crs(None, allow_override=True), tmp_path / "x.gpkg")
    assert list(tmp_path.iterdir()) == []
