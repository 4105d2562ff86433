"""lzgis.allocation._inputs and the one-call functions: the planner's layers, the same as the CLI.

On the toy city (tests/_toy_city.py), pointed at by the config, so every
function and command reads real GeoJSON files through GDAL.
"""

from __future__ import annotations

from pathlib import Path

import _toy_city as toy
import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely import box

from lzgis._errors import CRSError, ValidationError
from lzgis.allocation import constraint_layers, embedded_allocation, replace_parks
from lzgis.cli import main
from lzgis.io import write_table
from lzgis.layers import CONFIG_ENV
from lzgis.projects import embedded_projects

KM = toy.KM


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CONFIG_ENV, str(toy.write_layers(tmp_path / "layers")))
    return tmp_path


def _red_line() -> gpd.GeoDataFrame:
    """1 km² of park ``a`` in ``west``, and a strip the pipeline (y = 5 km) runs through; UTM 48N."""
    red = gpd.GeoDataFrame(
        {"id": ["r1", "r2"]},
        geometry=[box(-2 * KM, 0, -1 * KM, 1 * KM), box(-3 * KM, 4 * KM, -2 * KM, 6 * KM)],
        crs=toy.LAEA,
    )
    return red.set_geometry(red.segmentize(10)).to_crs(32648)


def test_embedded_allocation_with_a_frame_writes_the_cli_csv_byte_for_byte(city: Path) -> None:
    red = _red_line()
    red.to_file(city / "constraint_1.gpkg")
    result = CliRunner().invoke(
        main,
        [
            "allocate",
            "--constraints",
            str(city / "constraint_1.gpkg"),
            "--river-buffer",
            "300",
            "--out",
            str(city / "cli"),
        ],
    )
    assert result.exit_code == 0, result.output
    table, found = embedded_allocation(river_buffer_m=300, constraints=[red])
    write_table(table, city / "py" / "allocation.csv")
    cli_bytes = (city / "cli" / "allocation.csv").read_bytes()
    assert (city / "py" / "allocation.csv").read_bytes() == cli_bytes
    # and the constraint really is in it: 1 km² of park a in west, taken out of the developable land
    west = table[
        (table.row_kind == "part") & (table.park_id == "a") & (table.district_id == "west")
    ]
    assert west["constraint_1_km2"].iloc[0] == pytest.approx(1.0, rel=1e-3)
    assert set(found["protected_layer"]) >= {"constraint_1"}


def test_paths_names_and_mappings_give_the_same_table(city: Path) -> None:
    red = _red_line()
    red.to_file(city / "red-line.gpkg")
    by_path, _ = embedded_allocation(constraints=[city / "red-line.gpkg"])
    by_name, _ = embedded_allocation(constraints={"red_line": red})
    by_attr, _ = embedded_allocation(constraints=[red])
    pd.testing.assert_frame_equal(by_path, by_name)
    assert "red_line_km2" in by_path.columns and "constraint_1_km2" in by_attr.columns
    plain, _ = embedded_allocation()
    city_dev = {
        name: t.loc[t.row_kind == "city_total", "developable_km2"].iloc[0]
        for name, t in (("plain", plain), ("red", by_path))
    }
    # the red square's southern half (y 0..0.5 km) is greening zone g1 already: union, not sum
    assert city_dev["plain"] - city_dev["red"] == pytest.approx(0.5, rel=1e-3)


def test_constraint_layers_name_reproject_and_refuse() -> None:
    red = _red_line()
    red.attrs["name"] = "red_line"
    layers, notes = constraint_layers(red)
    assert list(layers) == ["red_line"] and layers["red_line"].crs.to_epsg() == 4326
    assert notes == ["reprojected `constraints['red_line']` from EPSG:32648 to EPSG:4326"]
    with pytest.raises(CRSError, match="has no CRS"):
        constraint_layers([gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])])
    with pytest.raises(ValidationError, match="already used"):
        constraint_layers({"wetlands": red})
    with pytest.raises(ValidationError, match="expected a GeoDataFrame or a file path"):
        constraint_layers([42])  # type: ignore[list-item]


def test_replace_parks_keeps_attributes_and_refuses_an_unknown_id() -> None:
    parks = toy.parks()
    mine = gpd.GeoDataFrame(
        {"id": ["a", "a"]},
        geometry=[box(-7 * KM, -4 * KM, 0, 2 * KM), box(0, 0, 2 * KM, 2 * KM)],
        crs=toy.LAEA,
    ).to_crs(4326)
    out = replace_parks(parks, mine)
    assert out.crs == parks.crs and out["name_en"].tolist() == ["Park A", "Park B"]
    # the two features of id a are joined: 7 x 6 km + 2 x 2 km; park b untouched
    assert out.area.tolist() == pytest.approx([46e6, 4e6], rel=1e-6)
    with pytest.raises(
        ValidationError, match="'z' is not a park of the plan; expected one of a, b"
    ):
        replace_parks(parks, mine.assign(id="z"))


def test_embedded_projects_follow_own_parks_and_list_own_constraints(city: Path) -> None:
    mine = gpd.GeoDataFrame(
        {"id": ["a"]}, geometry=[box(-7 * KM, -4 * KM, 2 * KM, 2 * KM)], crs=toy.LAEA
    )
    mine.to_file(city / "my_parks.gpkg")
    before = embedded_projects().set_index("id")
    after = embedded_projects(parks=city / "my_parks.gpkg").set_index("id")
    assert (
        before.loc["depot", "park"] == "outside the parks"
        and not before.loc["depot", "inside_park"]
    )
    assert after.loc["depot", "park"] == "a" and after.loc["depot", "inside_park"]
    zoned = embedded_projects(constraints={"red_line": _red_line()}).set_index("id")
    assert "red_line:r2" in zoned.loc["pipeline", "zones"].split(", ")
    assert "red_line" not in zoned.loc["depot", "zones"]


def test_cli_projects_and_allocate_take_own_parks(city: Path) -> None:
    mine = gpd.GeoDataFrame(
        {"id": ["a"]}, geometry=[box(-7 * KM, -4 * KM, 2 * KM, 2 * KM)], crs=toy.LAEA
    )
    mine.to_file(city / "my_parks.gpkg")
    runner = CliRunner()
    res = runner.invoke(
        main, ["projects", "--parks", str(city / "my_parks.gpkg"), "--out", str(city / "p")]
    )
    assert res.exit_code == 0, res.output
    located = gpd.read_file(city / "p" / "projects.gpkg", layer="projects_points")
    assert located.set_index("id").loc["depot", "park"] == "a"
    res = runner.invoke(
        main, ["allocate", "--parks", str(city / "my_parks.gpkg"), "--out", str(city / "a")]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(city / "a" / "allocation.csv")
    whole = table[(table.row_kind == "park_total") & (table.park_id == "a")]
    assert whole["area_km2"].iloc[0] == pytest.approx(54.0, rel=1e-3)
    mine.assign(id="nope").to_file(city / "bad.gpkg")
    res = runner.invoke(
        main, ["projects", "--parks", str(city / "bad.gpkg"), "--out", str(city / "q")]
    )
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0 and "'nope' is not a park of the plan" in res.output
    assert "Traceback" not in res.output and not (city / "q").exists()
