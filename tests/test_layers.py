"""The catalogue and the loader, on user files pointed at through config or path."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from lzgis._errors import LayerError, ValidationError
from lzgis.layers import CONFIG_ENV, LAYER_IDS, catalog, layers_dir, load, spec


def _districts_like(squares: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return squares.assign(adcode=["620102", "620103"])


def test_catalog_lists_the_seven_layers_with_provenance() -> None:
    cat = catalog()
    assert tuple(cat["id"]) == LAYER_IDS
    for row in cat.itertuples():
        assert row.source and row.licence and row.accuracy
        assert (layers_dir() / row.file).suffix == ".geojson"
    assert dict(zip(cat["id"], cat["schematic"], strict=True)) == {
        "districts": False,
        "new_area": True,
        "parks": True,
        "greening_zones": True,
        "wetlands": True,
        "yellow_river": False,
        "projects": True,
    }


def test_spec_unknown_id() -> None:
    with pytest.raises(LayerError, match="unknown layer id 'roads'; expected one of districts"):
        spec("roads")


def test_load_user_file_by_path_gets_provenance_defaults(
    tmp_path: Path, squares: gpd.GeoDataFrame
) -> None:
    path = tmp_path / "bureau.gpkg"
    _districts_like(squares).to_crs(32648).to_file(path, driver="GPKG")
    gdf = load("districts", path=path)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["source"]) == [str(path), str(path)]
    assert set(gdf["accuracy"]) == {"unknown (user file)"}
    assert not gdf["schematic"].any()
    assert gdf.attrs["layer_id"] == "districts"


def test_load_user_file_through_config(
    tmp_path: Path, squares: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    _districts_like(squares).to_file(tmp_path / "data" / "d.geojson", driver="GeoJSON")
    cfg = tmp_path / "lzgis.toml"
    cfg.write_text('[layers]\ndistricts = "data/d.geojson"\n', encoding="utf-8")
    assert list(load("districts", config=cfg)["id"]) == ["a", "b"]
    monkeypatch.setenv(CONFIG_ENV, str(cfg))
    assert len(load("districts")) == 2


def test_user_file_gets_the_same_validation(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "parks.geojson"
    squares.to_file(path, driver="GeoJSON")
    with pytest.raises(ValidationError, match="missing required field"):
        load("parks", path=path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[layers]\nroads = "x.gpkg"\n', "unknown layer id(s) roads"),
        ("[layers\n", "not valid TOML"),
    ],
)
def test_bad_config(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(LayerError) as info:
        load("districts", config=cfg)
    assert message in str(info.value)


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="config file not found"):
        load("districts", config=tmp_path / "none.toml")
