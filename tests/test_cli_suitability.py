"""`lzgis suitability`: outputs, printed weights, exit codes and nothing written on error."""

from __future__ import annotations

import math
from pathlib import Path

import fiona
import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from shapely import LineString, box

from lzgis.cli import main
from lzgis.suitability._file import example_path, read_criteria
from lzgis.suitability.ahp import ahp_weights

# ~9 x 11 km near the New Area, in lon/lat like the embedded layers
EXTENT = box(103.60, 36.40, 103.70, 36.50)
WETLAND = box(103.61, 36.41, 103.63, 36.43)
PARK = box(103.62, 36.42, 103.69, 36.49)

AHP = """
[weights]
ahp = [[1, 3], ["1/3", 1]]
"""

BAD_AHP = """
[weights]
order = ["road", "river", "wet"]
ahp = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
"""


def _layer(path: Path, geom: shapely.Geometry, fid: str) -> str:
    gpd.GeoDataFrame({"id": [fid]}, geometry=[geom], crs=4326).to_file(path)
    return path.name


def write_criteria(
    tmp: Path, *, weights: str = AHP, park: str = "p1", area: float = 5, extra: str = ""
) -> Path:
    files = {
        "extent": _layer(tmp / "extent.geojson", EXTENT, "x"),
        "wet": _layer(tmp / "wet.geojson", WETLAND, "w1"),
        "river": _layer(tmp / "river.geojson", LineString([(103.6, 36.40), (103.7, 36.40)]), "r"),
        "road": _layer(tmp / "road.geojson", LineString([(103.65, 36.40), (103.65, 36.50)]), "rd"),
        "parks": _layer(tmp / "parks.geojson", PARK, "p1"),
    }
    path = tmp / "criteria.toml"
    path.write_text(
        f"""
cell_m = 1000
[extent]
layer = "{files["extent"]}"
[[constraint]]
name = "wetlands"
layer = "{files["wet"]}"
[[constraint]]
name = "river_buffer"
layer = "{files["river"]}"
buffer_m = 500
[[criterion]]
name = "road"
layer = "{files["road"]}"
direction = "closer"
max_distance_m = 5000
[[criterion]]
name = "river"
layer = "{files["river"]}"
direction = "farther"
max_distance_m = 10000
{extra}
{weights}
[allocation]
park = "{park}"
parks_layer = "{files["parks"]}"
area_km2 = {area}
name = "new materials"
""",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["suitability", *args])
    return result.exit_code, result.stdout, result.stderr


def test_writes_grid_and_site_and_prints_the_weights(tmp_path: Path) -> None:
    criteria = write_criteria(tmp_path, area=4.5)
    out = tmp_path / "out"
    code, stdout, stderr = run("--criteria", str(criteria), "--out", str(out))
    assert code == 0, stderr
    _weights, cr = ahp_weights([[1, 3], ["1/3", 1]], ["road", "river"])
    assert "weights (AHP): road 0.750, river 0.250" in stdout
    assert f"consistency ratio: {cr:.3f}" in stdout
    target = out / "suitability.gpkg"
    assert sorted(fiona.listlayers(target)) == ["grid", "layer_styles", "sites"]
    grid = gpd.read_file(target, layer="grid")
    sites = gpd.read_file(target, layer="sites")
    assert grid.crs.to_epsg() == 4326 and sites.crs.to_epsg() == 4326
    # the request rounds up to whole 1 km2 cells
    assert int(grid["allocated"].sum()) == sites["cells"].iloc[0] == math.ceil(4.5)
    assert sites["area_km2"].iloc[0] == pytest.approx(5.0, rel=1e-3)
    # allocated cells are unmasked and centred in the park; masked cells score NaN
    chosen = grid[grid["allocated"]]
    assert chosen["score"].notna().all() and (chosen["masked_by"] == "").all()
    utm = grid.estimate_utm_crs()
    park_utm = gpd.GeoSeries([PARK], crs=4326).to_crs(utm).iloc[0]
    assert chosen.to_crs(utm).geometry.centroid.within(park_utm).all()
    assert grid.loc[grid["masked_by"] != "", "score"].isna().all()
    # every cell whose interior meets the wetland is masked by it, and no other cell
    wet_utm = gpd.GeoSeries([WETLAND], crs=4326).to_crs(utm).iloc[0]
    meets = grid.to_crs(utm).geometry.intersection(wet_utm).area > 1.0  # m2
    assert (grid["masked_by"].str.contains("wetlands") == meets).all() and meets.any()
    # the whole southern row is in the river band (the river runs along the extent's south edge)
    south = grid["row"] == grid["row"].max()
    assert grid.loc[south, "masked_by"].str.contains("river_buffer").all()
    free = grid[grid["score"].notna()]
    np.testing.assert_allclose(free["score"], 0.75 * free["s_road"] + 0.25 * free["s_river"])
    assert f"masked {int(grid['score'].isna().sum())} " in stdout


def test_direct_weights_and_optional_criterion_note(tmp_path: Path) -> None:
    extra = """
[[criterion]]
name = "rail"
layer = "road.geojson"
where = { id = "no-such-line" }
direction = "closer"
max_distance_m = 1000
optional = true
"""
    criteria = write_criteria(
        tmp_path, weights="[weights]\ndirect = { road = 2, river = 2, rail = 1 }", extra=extra
    )
    code, stdout, stderr = run("--criteria", str(criteria), "--out", str(tmp_path / "o"))
    assert code == 0, stderr
    assert "note: criterion 'rail' dropped" in stdout
    assert "weights (direct): road 0.500, river 0.500" in stdout
    assert "consistency ratio" not in stdout


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"weights": BAD_AHP, "extra": ""}, "consistency ratio is"),
        ({"park": "nowhere"}, "`allocation.park` 'nowhere' is not a park id"),
        ({"area": 1000}, "less than the 1000 km2 requested"),
        ({"extra": "colour = 'red'"}, "unknown key"),
        ({"weights": "[weights]\nahp = [[1, 3], [3, 1]]"}, "expected reciprocals"),
    ],
)
def test_errors_exit_2_with_one_line_and_write_nothing(
    tmp_path: Path, kwargs: dict[str, object], pattern: str
) -> None:
    if kwargs.get("weights") == BAD_AHP:
        kwargs["extra"] = (
            '[[criterion]]\nname = "wet"\nlayer = "wet.geojson"\ndirection = "farther"\nmax_distance_m = 100'
        )
    criteria = write_criteria(tmp_path, **kwargs)  # type: ignore[arg-type]
    out = tmp_path / "out"
    code, _stdout, stderr = run("--criteria", str(criteria), "--out", str(out))
    assert code == 2
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and pattern in errors[0] and "fix:" in errors[0]
    assert "Traceback" not in stderr
    assert not out.exists()


def test_bad_toml_exits_2_and_an_existing_output_is_kept(tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.toml"
    criteria.write_text("cell_m = = 3\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "suitability.gpkg").write_bytes(b"previous run")
    code, _, stderr = run("--criteria", str(criteria), "--out", str(out))
    assert code == 2 and stderr.startswith("Error:") and "not valid TOML" in stderr
    assert len(stderr.splitlines()) == 1
    assert (out / "suitability.gpkg").read_bytes() == b"previous run"
    assert sorted(p.name for p in out.iterdir()) == ["suitability.gpkg"]


def test_missing_criteria_file_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run("--criteria", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o"))
    assert code == 2 and "no such criteria file" in stderr


def test_example_file_reads_and_names_the_new_area_park() -> None:
    spec = read_criteria(example_path())
    assert spec.allocation is not None
    assert (spec.allocation.park, spec.allocation.area_km2) == ("new_area_park", 60.0)
    assert [c.name for c in spec.criteria] == ["park_core", "built_up", "transport", "river"]


def test_example_runs_on_the_embedded_layers_at_2km(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "--criteria", str(example_path()), "--out", str(out), "--cell-m", "2000"
    )
    assert code == 0, stderr
    sites = gpd.read_file(out / "suitability.gpkg", layer="sites")
    assert sites["cells"].iloc[0] == math.ceil(60 / 4)
    assert sites["area_km2"].iloc[0] == pytest.approx(15 * 4.0, rel=1e-6)
    cr = float(stdout.split("consistency ratio: ")[1].split()[0])
    assert 0 <= cr <= 0.1
    grid = gpd.read_file(out / "suitability.gpkg", layer="grid")
    assert int(grid["allocated"].sum()) == 15 and grid.loc[grid["allocated"], "score"].notna().all()


def test_shipped_airport_zone_is_27_km2_around_the_airport_with_provenance() -> None:
    from shapely import Point

    from lzgis.areas import area_km2
    from lzgis.io import read_vector

    zone = read_vector(example_path().parent / "zhongchuan_airport_zone.geojson")
    assert len(zone) == 1 and bool(zone["schematic"].iloc[0])
    assert zone["source"].iloc[0].startswith("centre: Lanzhou Zhongchuan International Airport")
    assert float(area_km2(zone).iloc[0]) == pytest.approx(27, rel=0.002)
    assert zone.geometry.iloc[0].contains(Point(103.62, 36.515))  # 36°30′54″N 103°37′12″E
