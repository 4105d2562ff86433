"""``lzgis allocate`` and ``lzgis projects`` on the toy city (layers pointed at by config)."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import _toy_city as toy
import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely import box

from lzgis.cli import main
from lzgis.io._styled_gpkg import UPDATE_TIME
from lzgis.layers import CONFIG_ENV


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = toy.write_layers(tmp_path / "layers")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    return tmp_path


def _styles(gpkg: Path) -> dict[str, tuple]:
    with sqlite3.connect(gpkg) as con:
        rows = con.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault, update_time "
            "FROM layer_styles"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_allocate_writes_the_table_and_styled_conflicts(city: Path) -> None:
    out = city / "out"
    result = CliRunner().invoke(main, ["allocate", "--river-buffer", "200", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "conflicts.gpkg"]
    table = pd.read_csv(out / "allocation.csv", keep_default_na=False, na_values=[""])
    part = table[
        (table.row_kind == "part") & (table.park_id == "a") & (table.district_id == "east")
    ]
    assert part.wetlands_km2.iloc[0] == pytest.approx(1.0, rel=1e-3)  # via lon/lat files
    city_row = table[table.row_kind == "city_total"].iloc[0]
    assert city_row.area_km2 == pytest.approx(12.0, rel=1e-3)
    assert (table.developable_km2 + table.constrained_km2 - table.area_km2).abs().max() < 1e-9
    assert "park × district parts" in result.stdout and "river band 200 m" in result.stdout

    gpkg = out / "conflicts.gpkg"
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers["conflicts_polygons"] == "Polygon" or "Polygon" in layers["conflicts_polygons"]
    points = gpd.read_file(gpkg, layer="conflicts_points")
    assert set(points.park_or_project_id) == {"plant"}  # the school is not industrial
    lines = gpd.read_file(gpkg, layer="conflicts_lines")
    assert lines.park_or_project_id.tolist() == ["pipeline"]
    assert "三(一)1" in lines.rule.iloc[0]
    styles = _styles(gpkg)
    assert set(styles) == {"conflicts_polygons", "conflicts_points", "conflicts_lines"}
    for column, qml, default, stamp in styles.values():
        assert column == "geom" and default == 1 and stamp == UPDATE_TIME
        assert ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2") is not None
    # polygons are coloured by the protected layer they hit, one category per layer
    renderer = ET.fromstring(styles["conflicts_polygons"][1].split("\n", 1)[1]).find("renderer-v2")
    assert renderer is not None and renderer.get("attr") == "protected_layer"
    polygons = gpd.read_file(gpkg, layer="conflicts_polygons")
    values = [c.get("value") for c in renderer.iter("category")]
    assert (
        values
        == sorted(set(polygons.protected_layer))
        == [
            "greening_zones",
            "river_buffer",
            "wetlands",
        ]
    )
    assert len(list(renderer.iter("symbol"))) == 3


def test_allocate_is_deterministic(city: Path) -> None:
    runner = CliRunner()
    for name in ("one", "two"):
        assert runner.invoke(main, ["allocate", "--out", str(city / name)]).exit_code == 0
    assert (city / "one/allocation.csv").read_bytes() == (city / "two/allocation.csv").read_bytes()
    assert _styles(city / "one/conflicts.gpkg") == _styles(city / "two/conflicts.gpkg")


def test_user_constraint_in_another_crs_is_reprojected_with_a_message(city: Path) -> None:
    red = gpd.GeoDataFrame(
        {"id": ["r1"]}, geometry=[box(-2 * toy.KM, 0, -1 * toy.KM, 1 * toy.KM)], crs=toy.LAEA
    )
    path = city / "red-line.gpkg"
    red.set_geometry(red.segmentize(10)).to_crs(32648).to_file(path)
    out = city / "out"
    result = CliRunner().invoke(main, ["allocate", "--constraints", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"reprojected {path} from EPSG:32648 to EPSG:4326" in result.stdout
    table = pd.read_csv(out / "allocation.csv")
    west = table[
        (table.row_kind == "part") & (table.park_id == "a") & (table.district_id == "west")
    ]
    assert west.red_line_km2.iloc[0] == pytest.approx(1.0, rel=1e-3)
    found = gpd.read_file(out / "conflicts.gpkg", layer="conflicts_polygons")
    assert ("a", "red_line", "r1") in set(
        zip(found.park_or_project_id, found.protected_layer, found.protected_id, strict=True)
    )


def test_constraint_without_crs_is_refused_and_nothing_is_written(city: Path) -> None:
    path = city / "nocrs.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame({"id": ["r1"]}, geometry=[box(103.7, 36.0, 103.8, 36.1)]).to_file(path)
    assert not path.with_suffix(".prj").exists()
    out = city / "out"
    result = CliRunner().invoke(main, ["allocate", "--constraints", str(path), "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "no CRS" in lines[0]
    assert str(path) in lines[0] and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--river-buffer", "-5"], "`river_buffer_m` is -5.0; expected a distance in metres >= 0"),
        (["--constraints", "missing.gpkg"], "missing.gpkg: no such file"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(city: Path, args: list[str], message: str) -> None:
    out = city / "out"
    result = CliRunner().invoke(main, ["allocate", *args, "--out", str(out)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_projects_writes_locations_units_and_line_lengths(city: Path) -> None:
    out = city / "out"
    result = CliRunner().invoke(main, ["projects", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "project_lines_by_district.csv",
        "projects.gpkg",
        "projects_by_unit.csv",
    ]
    gpkg = out / "projects.gpkg"
    points = gpd.read_file(gpkg, layer="projects_points").set_index("id")
    assert points.loc["plant", "district"] == "east" and points.loc["plant", "park"] == "a"
    assert points.loc["depot", "park"] == "outside the parks"
    assert points.loc["plant", "dist_river_km"] == pytest.approx(2.5, rel=1e-3)
    assert set(_styles(gpkg)) == {"projects_points", "projects_lines"}
    units = pd.read_csv(out / "projects_by_unit.csv")
    assert units["count"].sum() == 5
    lines = pd.read_csv(out / "project_lines_by_district.csv").set_index("district_id")
    assert lines.loc["east", "length_km"] == pytest.approx(7.0, rel=1e-3)
    assert lines.loc["west", "length_km"] == pytest.approx(3.0, rel=1e-3)


def test_allocate_and_projects_share_a_folder_each_swapping_its_own_set(city: Path) -> None:
    out = city / "out"
    out.mkdir()
    (out / "conflicts.gpkg").write_text("a stale file of an older run")
    (out / "minutes.docx").write_text("the bureau's own file")
    for command in ("allocate", "projects", "allocate"):
        result = CliRunner().invoke(main, [command, "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "allocation.csv",
        "conflicts.gpkg",
        "minutes.docx",
        "project_lines_by_district.csv",
        "projects.gpkg",
        "projects_by_unit.csv",
    ]
    assert (out / "minutes.docx").read_text() == "the bureau's own file"
    assert pyogrio.list_layers(out / "conflicts.gpkg").size  # this run's, not the stale text
    assert not [p for p in city.iterdir() if ".lzgis-" in p.name]  # no temporaries
    (out / "photos").mkdir()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = CliRunner().invoke(main, ["allocate", "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: `{out.resolve()}` holds folders or links lzgis did not write (photos); lzgis "
        "replaces its output folder in one step, keeping other plain files only; fix: choose "
        "a new or empty folder for `--out`"
    ]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
