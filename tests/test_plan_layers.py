"""Acceptance checks of the plan layers drawn by scripts/draw_plan_layers.py.

new_area, parks, greening_zones, wetlands and projects: the stated areas, the
3+8 park structure, the project list, provenance on every feature, valid
geometry, the deterministic file format, and the script's byte-for-byte
rebuild. Checks that need the district boundaries skip while
``layers/districts.geojson`` is absent (it comes from scripts/build_base_layers.py).
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from lzgis.areas import area_km2, geodesic_area_m2
from lzgis.layers import layers_dir, load

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "draw_plan_layers.py"
PLAN_LAYERS = ("new_area", "parks", "greening_zones", "wetlands", "projects")
DISTRICT_IDS = {"chengguan", "qilihe", "xigu", "anning", "honggu", "yongdeng", "gaolan", "yuzhong"}
AIRPORT = Point(103.62, 36.515)  # Zhongchuan airport (issue 2)
TOL_DEG = 1e-6  # the 1e-6° coordinate grid: slivers from rounding stay under this

needs_districts = pytest.mark.skipif(
    not (layers_dir() / "districts.geojson").exists(),
    reason="layers/districts.geojson not built yet (scripts/build_base_layers.py)",
)

PARKS = {
    # id: (tier, parent)
    "new_area_park": (3, ""),
    "hitech_zone": (3, ""),
    "economic_zone": (3, ""),
    "hitech_yantan": (3, "hitech_zone"),
    "hitech_qilihe": (3, "hitech_zone"),
    "hitech_yuzhong": (3, "hitech_zone"),
    "econ_anning": (3, "economic_zone"),
    "econ_xigu": (3, "economic_zone"),
    "econ_honggu": (3, "economic_zone"),
    "jiuzhou": (8, ""),
    "xincheng": (8, ""),
    "lianhai_honggu": (8, ""),
    "lianhai_yongdeng": (8, ""),
    "yuzhong_heping": (8, ""),
    "gaolan_sanchuankou": (8, ""),
}
CATEGORIES = {"industry", "energy", "logistics", "transport", "environment", "ecology", "services"}
GREEN_CLASSES = {
    "G1", "G11", "G12", "G13", "G14", "G2", "G3",
    "EG1", "EG11", "EG12", "EG13", "EG14", "EG2", "EG3", "EG4",
}  # fmt: skip

# Overlaps inside one layer that are real, with the reason. Anything else
# overlapping by more than 0.001 km² is a drawing error.
REAL_OVERLAPS = {
    "new_area": {
        frozenset({"new_area", "new_area_core"}): "sub-zone inside the New Area",
        frozenset({"new_area", "new_area_chemical_park"}): "sub-zone inside the New Area",
    },
    "greening_zones": {
        frozenset({"two_mountains_south", "wuquan_shan"}): "Wuquan sits on the South Mountain",
        frozenset({"two_mountains_south", "lanshan"}): "Lanshan is the South Mountain ridge",
        frozenset({"two_mountains_north", "baita_shan"}): "Baita Shan is on the North Mountain",
        frozenset({"two_mountains_north", "xujiashan"}): "Xujiashan is on the North Mountain",
        frozenset({"two_mountains_north", "renshou_shan"}): "Renshou Mountain: Anning north hills",
    },
    "wetlands": {
        frozenset({"yellow_river_wetland_restoration", "yantan_wetland"}): "same river reach",
        frozenset({"yellow_river_wetland_restoration", "yintan_wetland_park"}): "same river reach",
    },
}


def _plan_text() -> str | None:
    for base in (REPO.parent, REPO.parents[1], Path("/work")):
        p = base / "shared" / "plan" / "lanzhou-multipole-plan-2012.txt"
        if p.exists():
            return p.read_text(encoding="utf-8")
    return None


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {name: load(name) for name in PLAN_LAYERS}


@pytest.fixture(scope="module")
def districts() -> dict[str, shapely.Geometry]:
    gdf = load("districts")
    return dict(zip(gdf["id"], gdf.geometry, strict=True))


def _km2(geom: shapely.Geometry) -> float:
    return float(area_km2(gpd.GeoDataFrame(geometry=[geom], crs=4326)).iloc[0])


def _by_id(gdf: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    return dict(zip(gdf["id"], gdf.geometry, strict=True))


# -- every layer ---------------------------------------------------------------


@pytest.mark.parametrize("name", PLAN_LAYERS)
def test_load_gives_wgs84_frame(layers: dict[str, gpd.GeoDataFrame], name: str) -> None:
    gdf = layers[name]
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) > 0
    assert gdf["id"].is_unique


@pytest.mark.parametrize("name", PLAN_LAYERS)
def test_every_feature_has_provenance(layers: dict[str, gpd.GeoDataFrame], name: str) -> None:
    gdf = layers[name]
    for col in ("name_zh", "name_en", "source", "accuracy"):
        empty = gdf.loc[gdf[col].fillna("").str.strip() == "", "id"].tolist()
        assert not empty, f"{name}: empty {col} in {empty}"
    assert (gdf["accuracy_m"] > 0).all()
    assert gdf["schematic"].astype(bool).all()
    # Every source names the plan section or reference it comes from.
    assert gdf["source"].str.contains("plan|gazetteer|extents", regex=True).all()


@pytest.mark.parametrize("name", PLAN_LAYERS)
def test_geometry_valid_and_non_empty(layers: dict[str, gpd.GeoDataFrame], name: str) -> None:
    gdf = layers[name]
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()


@pytest.mark.parametrize("name", ["new_area", "parks", "greening_zones", "wetlands"])
def test_stated_areas_are_met(layers: dict[str, gpd.GeoDataFrame], name: str) -> None:
    """Shapes sized from a stated area measure that area (1%), by LAEA and geodesic."""
    gdf = layers[name]
    stated = gdf[gdf["area_km2_stated"].notna()]
    assert len(stated) > 0
    measured = area_km2(stated)
    geodesic = geodesic_area_m2(stated) / 1e6
    for fid, want, got, geo in zip(
        stated["id"], stated["area_km2_stated"], measured, geodesic, strict=True
    ):
        assert got == pytest.approx(want, rel=0.01), fid
        assert geo == pytest.approx(got, rel=0.001), fid


@pytest.mark.parametrize("name", ["new_area", "greening_zones", "wetlands"])
def test_overlaps_only_where_real(layers: dict[str, gpd.GeoDataFrame], name: str) -> None:
    geoms = _by_id(layers[name])
    allowed = REAL_OVERLAPS[name]
    for (a, ga), (b, gb) in itertools.combinations(sorted(geoms.items()), 2):
        if ga.intersects(gb) and frozenset({a, b}) not in allowed:
            assert _km2(ga.intersection(gb)) < 0.001, f"{name}: {a} overlaps {b}"
    # And the allowed ones do overlap (the list is not stale).
    for pair in allowed:
        a, b = sorted(pair)
        assert _km2(geoms[a].intersection(geoms[b])) > 0.001, pair


@pytest.mark.parametrize("name", PLAN_LAYERS)
def test_file_text_is_deterministic_format(name: str) -> None:
    text = (layers_dir() / f"{name}.geojson").read_text(encoding="utf-8")
    assert text.endswith("]}\n")
    data = json.loads(text)
    ids = [f["properties"]["id"] for f in data["features"]]
    assert ids == sorted(ids)
    keys = {tuple(f["properties"]) for f in data["features"]}
    assert len(keys) == 1, "every feature has the same properties in the same order"
    assert next(iter(keys))[:7] == (
        "id", "name_zh", "name_en", "source", "accuracy", "accuracy_m", "schematic",
    )  # fmt: skip
    positions = re.findall(r"\[(-?\d+\.\d+), (-?\d+\.\d+)\]", text)
    assert positions
    assert {len(v.split(".")[1]) for pos in positions for v in pos} == {6}


# -- new_area ------------------------------------------------------------------


def test_new_area_area_within_15_percent_of_1744(layers: dict[str, gpd.GeoDataFrame]) -> None:
    na = layers["new_area"].set_index("id").loc[["new_area"]]
    assert float(area_km2(na).iloc[0]) == pytest.approx(1744.0, rel=0.15)
    assert float(geodesic_area_m2(na).iloc[0]) / 1e6 == pytest.approx(1744.0, rel=0.15)


def test_new_area_contains_airport_and_its_sub_zones(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gdf = layers["new_area"].set_index("id")
    outline = gdf.geometry["new_area"]
    assert outline.contains(AIRPORT)
    assert gdf.loc["new_area", "kind"] == "new_area"
    for sub in ("new_area_core", "new_area_chemical_park"):
        assert gdf.loc[sub, "kind"] == "sub_zone"
        assert gdf.loc[sub, "parent"] == "new_area"
        assert gdf.geometry[sub].difference(outline.buffer(TOL_DEG)).is_empty
    # The core lies SE of the airport, the chemical park NW (extents.md).
    core, chem = (
        gdf.geometry["new_area_core"].centroid,
        gdf.geometry["new_area_chemical_park"].centroid,
    )
    assert core.x > AIRPORT.x and core.y < AIRPORT.y
    assert chem.x < AIRPORT.x and chem.y > AIRPORT.y


@needs_districts
def test_new_area_lies_within_yongdeng_and_gaolan(
    layers: dict[str, gpd.GeoDataFrame], districts: dict[str, shapely.Geometry]
) -> None:
    outline = layers["new_area"].set_index("id").geometry["new_area"]
    counties = shapely.union_all([districts["yongdeng"], districts["gaolan"]])
    # Only rounding to the 1e-6° grid may stick out (well under 1 m).
    assert outline.difference(counties.buffer(TOL_DEG)).is_empty
    assert outline.intersection(districts["yongdeng"]).area > 0
    assert outline.intersection(districts["gaolan"]).area > 0


# -- parks ---------------------------------------------------------------------


def test_parks_ids_tiers_parents_complete(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gdf = layers["parks"].set_index("id")
    assert set(gdf.index) == set(PARKS)
    for pid, (tier, parent) in PARKS.items():
        assert int(gdf.loc[pid, "tier"]) == tier, pid
        assert gdf.loc[pid, "parent"] == parent, pid
        assert gdf.loc[pid, "district"] in DISTRICT_IDS, pid
        assert gdf.loc[pid, "industries"].strip(), pid
        assert gdf.loc[pid, "industries_en"].strip(), pid
        assert gdf.loc[pid, "targets"].strip(), pid
        assert gdf.loc[pid, "plan_section"].startswith("三(二)"), pid


def test_parent_parks_are_the_union_of_their_children(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gdf = layers["parks"]
    geoms = _by_id(gdf)
    for parent in ("hitech_zone", "economic_zone"):
        kids = gdf.loc[gdf["parent"] == parent, "id"].tolist()
        assert len(kids) == 3
        union = shapely.union_all([geoms[k] for k in kids])
        assert _km2(shapely.symmetric_difference(union, geoms[parent])) < 1e-3, parent


def test_new_area_park_shares_the_new_area_outline(layers: dict[str, gpd.GeoDataFrame]) -> None:
    park = _by_id(layers["parks"])["new_area_park"]
    outline = _by_id(layers["new_area"])["new_area"]
    assert shapely.equals(park, outline)


def test_parks_do_not_overlap_except_parents(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gdf = layers["parks"]
    leaves = gdf[~gdf["id"].isin(["hitech_zone", "economic_zone"])]
    for (a, ga), (b, gb) in itertools.combinations(sorted(_by_id(leaves).items()), 2):
        if ga.intersects(gb):
            assert _km2(ga.intersection(gb)) < 0.001, f"{a} overlaps {b}"


def test_the_plan_names_six_county_parks_and_the_data_says_so(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    gdf = layers["parks"]
    county = gdf[gdf["tier"] == 8]
    assert len(county) == 6
    assert county["note"].str.contains("八个县区园区").all()
    assert county["note"].str.contains("names only six").all()


def test_park_targets_are_stated_at_system_level(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """The 2015 targets belong to the 3+8 system, never one park (no invented numbers)."""
    gdf = layers["parks"]
    with_target = gdf[gdf["targets"].str.contains("60%")]
    assert set(with_target["parent"]) == {""}
    assert with_target["targets"].str.contains("非本园区").all()
    assert with_target["targets_en"].str.contains("not this park").all()


@needs_districts
def test_parks_lie_in_their_district(
    layers: dict[str, gpd.GeoDataFrame], districts: dict[str, shapely.Geometry]
) -> None:
    gdf = layers["parks"]
    leaves = gdf[(gdf["tier"] == 8) | (gdf["parent"] != "")]
    for row in leaves.itertuples():
        assert row.geometry.difference(districts[row.district].buffer(TOL_DEG)).is_empty, row.id


# -- greening_zones and wetlands -----------------------------------------------


def test_greening_zones_classes_and_kinds(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gdf = layers["greening_zones"].set_index("id")
    assert set(gdf["green_class"]) <= GREEN_CLASSES
    assert (gdf["zone_kind"].str.strip() != "").all()
    kinds = set(gdf["zone_kind"])
    assert {
        "two_mountains_south",
        "two_mountains_north",
        "new_area_forest",
        "nature_reserve",
    } <= kinds
    for zid in ("xinglong_shan", "xujiashan", "wuquan_shan", "lanshan", "baita_shan",
                "renshou_shan", "shichuan_orchard", "tulugou"):  # fmt: skip
        assert zid in gdf.index
    # The South belt lies south of the North belt, across the valley.
    assert (
        gdf.geometry["two_mountains_south"].centroid.y
        < gdf.geometry["two_mountains_north"].centroid.y
    )


def test_new_area_forest_is_300000_mu_inside_the_new_area(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    forest = _by_id(layers["greening_zones"])["new_area_forest"]
    na = _by_id(layers["new_area"])
    assert _km2(forest) == pytest.approx(300_000 * 666.67e-6, rel=0.01)
    assert forest.difference(na["new_area"].buffer(TOL_DEG)).is_empty
    for sub in ("new_area_core", "new_area_chemical_park"):
        assert _km2(forest.intersection(na[sub])) < 0.001


def test_wetlands_classes_and_places(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gdf = layers["wetlands"].set_index("id")
    assert set(gdf["green_class"]) <= GREEN_CLASSES
    assert set(gdf.index) >= {
        "yellow_river_wetland_restoration", "yantan_wetland", "yintan_wetland_park",
        "qiantang_baihu", "qinwangchuan_wetland_park",
    }  # fmt: skip
    na = _by_id(layers["new_area"])["new_area"]
    for wid in ("qiantang_baihu", "qinwangchuan_wetland_park"):
        assert gdf.geometry[wid].within(na), wid
    # The restoration band is a band: long and thin.
    band = gdf.geometry["yellow_river_wetland_restoration"]
    assert band.length / max(band.area, 1e-12) > 100


# -- projects ------------------------------------------------------------------


def test_projects_at_least_30_with_unit_category_confidence(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    gdf = layers["projects"]
    assert len(gdf) >= 30
    assert set(gdf["category"]) == CATEGORIES  # all categories present, no others
    assert set(gdf["location_confidence"]) <= {"high", "medium", "low"}
    for col in ("unit", "unit_en", "plan_section"):
        assert (gdf[col].fillna("").str.strip() != "").all(), col
    assert gdf["plan_section"].str.match(r"^[三四]\([一二三四五]\)\d").all()
    assert gdf["industrial"].isin([True, False]).all()
    parks = set(load("parks")["id"])
    assert set(gdf["park"]) <= parks | {""}


def test_projects_have_lines_for_roads_rail_pipelines(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gdf = layers["projects"]
    lines = gdf[gdf.geom_type.isin(["LineString", "MultiLineString"])]
    assert len(lines) >= 5
    assert {"transport", "energy"} <= set(lines["category"])
    points = gdf[gdf.geom_type == "Point"]
    assert len(points) + len(lines) == len(gdf)


def test_project_units_are_printed_in_the_plan(layers: dict[str, gpd.GeoDataFrame]) -> None:
    plan = _plan_text()
    if plan is None:
        pytest.skip("shared/plan not beside the repo")
    for row in layers["projects"].itertuples():
        for unit in row.unit.split("; "):
            assert unit in plan, f"{row.id}: {unit}"


@needs_districts
def test_projects_lie_in_the_city(
    layers: dict[str, gpd.GeoDataFrame], districts: dict[str, shapely.Geometry]
) -> None:
    city = shapely.union_all(list(districts.values())).buffer(TOL_DEG)
    outside = [r.id for r in layers["projects"].itertuples() if not r.geometry.within(city)]
    assert not outside


# -- the script ----------------------------------------------------------------


@needs_districts
def test_script_check_reproduces_the_files() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "byte for byte" in done.stdout


def test_script_fails_clearly_without_districts(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--layers", str(tmp_path), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "districts.geojson not found" in done.stderr
    assert "Traceback" not in done.stderr
