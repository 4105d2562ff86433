"""Running criteria files: layer references, optional criteria, scoring without allocation."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely import LineString, box

from lzgis._errors import LzgisError, ValidationError
from lzgis.suitability._file import LayerRef, read_criteria
from lzgis.suitability._run import load_ref, prepare_criteria, run_criteria

ROAD = """
[[criterion]]
name = "road"
layer = "road.geojson"
direction = "closer"
max_distance_m = 1000
"""
DIRECT = "[weights]\ndirect = { road = 1 }\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    gpd.GeoDataFrame(
        {"id": ["rd1", "rd2"], "kind": ["road", "rail"]},
        geometry=[
            LineString([(103.6, 36.4), (103.7, 36.4)]),
            LineString([(103.6, 36.5), (103.7, 36.5)]),
        ],
        crs=4326,
    ).to_file(tmp_path / "road.geojson")
    gpd.GeoDataFrame({"id": ["x"]}, geometry=[box(103.6, 36.4, 103.7, 36.5)], crs=4326).to_file(
        tmp_path / "extent.geojson"
    )
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_layer_refs_filter_by_ids_and_where(folder: Path) -> None:
    got = load_ref(LayerRef("road.geojson", ids=("rd2",)), base=folder, where="t")
    assert got["id"].tolist() == ["rd2"]
    got = load_ref(
        LayerRef("road.geojson", where=(("kind", ("road", "x")),)), base=folder, where="t"
    )
    assert got["id"].tolist() == ["rd1"]
    with pytest.raises(ValidationError, match="id\\(s\\) zz not in layer"):
        load_ref(LayerRef("road.geojson", ids=("zz",)), base=folder, where="t")
    with pytest.raises(ValidationError, match="`where` column 'colour'"):
        load_ref(LayerRef("road.geojson", where=(("colour", ("red",)),)), base=folder, where="t")


def test_centroid_reference_measures_to_the_feature_centre(folder: Path) -> None:
    got = load_ref(LayerRef("extent.geojson", to="centroid"), base=folder, where="t")
    assert got.geometry.iloc[0].geom_type == "Point"
    assert got.geometry.iloc[0].x == pytest.approx(103.65, abs=1e-3)
    assert got.geometry.iloc[0].y == pytest.approx(36.45, abs=1e-3)


def test_run_without_allocation_scores_only(folder: Path) -> None:
    text = 'cell_m = 2000\n[extent]\nlayer = "extent.geojson"\n' + ROAD + DIRECT
    result = run_criteria(read_criteria(write(folder, text)))
    assert result.site is None and result.consistency_ratio is None
    assert result.scored.attrs["cell_m"] == 2000
    assert result.scored["score"].between(0, 1).all()
    assert result.weights.to_dict() == {"road": 1.0}


def test_required_criterion_selecting_nothing_is_refused(folder: Path) -> None:
    text = ROAD.replace("max_distance_m", 'ids = ["nothing"]\nmax_distance_m') + DIRECT
    with pytest.raises(LzgisError, match="id\\(s\\) nothing not in layer"):
        prepare_criteria(
            read_criteria(write(folder, '[extent]\nlayer = "extent.geojson"\n' + text))
        )
    text = ROAD.replace("max_distance_m", 'where = { kind = "tram" }\nmax_distance_m') + DIRECT
    with pytest.raises(LzgisError, match=r"selects no features .* set `optional = true`"):
        prepare_criteria(
            read_criteria(write(folder, '[extent]\nlayer = "extent.geojson"\n' + text))
        )
