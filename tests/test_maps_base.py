"""Map building blocks: geometry preparation, GCJ-02 shift, rounding, stable ids, basemaps."""

from __future__ import annotations

import re

import geopandas as gpd
import maps_fixtures as fx
import numpy as np
import pytest
import shapely
from shapely import LineString, Point

from lzgis._errors import LzgisError
from lzgis.areas import equal_area_crs
from lzgis.gcj02 import wgs84_to_gcj02
from lzgis.maps import MapOptions
from lzgis.maps._base import OUTLINE_COLOR, check_basemap, feature_collection, prepare
from lzgis.maps.overview import overview_map


def _wiggly_line() -> gpd.GeoDataFrame:
    # 2,001 vertices along a 0.1° line with a 5 m (~4.5e-5°) zig-zag
    x = np.linspace(103.8, 103.9, 2001)
    y = 36.0 + np.where(np.arange(2001) % 2 == 0, 0.0, 4.5e-5)
    return gpd.GeoDataFrame({"id": ["l"]}, geometry=[LineString(np.column_stack([x, y]))], crs=4326)


def test_prepare_simplifies_within_the_tolerance() -> None:
    line = _wiggly_line()
    out = prepare(line, basemap="osm", tolerance_m=30.0)
    assert shapely.get_num_coordinates(out.geometry.iloc[0]) < 10
    metric = equal_area_crs(line)
    a, b = line.to_crs(metric).geometry.iloc[0], out.to_crs(metric).geometry.iloc[0]
    assert a.hausdorff_distance(b) <= 30.0


def test_prepare_shifts_to_gcj02_only_for_gaode() -> None:
    pts = gpd.GeoDataFrame(geometry=[Point(103.83, 36.06), Point(103.60, 36.40)], crs=4326)
    osm = prepare(pts, basemap="osm")
    gaode = prepare(pts, basemap="gaode")
    assert np.allclose(
        shapely.get_coordinates(osm.geometry.values), [[103.83, 36.06], [103.60, 36.40]]
    )
    lon, lat = wgs84_to_gcj02([103.83, 103.60], [36.06, 36.40])
    assert np.allclose(
        shapely.get_coordinates(gaode.geometry.values), np.column_stack([lon, lat]), atol=1e-12
    )


def test_feature_collection_rounds_to_five_decimals_and_keeps_only_escaped_html() -> None:
    g = gpd.GeoDataFrame(
        {"name_zh": [fx.XSS], "name_en": ["A"], "secret": ["do not ship"]},
        geometry=[Point(103.123456789, 36.987654321)],
        crs=4326,
    )
    fc = feature_collection(g, styles=[{"color": "#000"}], rows=[[("甲", "A", fx.XSS)]])
    feat = fc["features"][0]
    assert feat["geometry"]["coordinates"] == [10312346, 3698765, 0]  # 1e-5 degree steps
    props = feat["properties"]
    assert set(props) == {"_p", "_n", "style", "_i"}
    assert fx.XSS not in props["_p"] and "&lt;img" in props["_p"]
    assert props["_n"] == [fx.XSS, "A"]  # plain text, set via textContent/value only
    assert "do not ship" not in str(fc)


def test_coordinates_are_steps_from_an_absolute_start() -> None:
    ring = [(103.8, 36.0), (103.80003, 36.0), (103.80003, 36.00002), (103.8, 36.0)]
    g = gpd.GeoDataFrame(geometry=[shapely.Polygon(ring)], crs=4326)
    fc = feature_collection(g, styles=[{}], rows=[[]])
    steps = fc["features"][0]["geometry"]["coordinates"][0]
    assert steps == [[10380000, 3600000, 0], [3, 0], [0, 2], [-3, -2]]
    xy = np.cumsum(np.array([s[:2] for s in steps]), axis=0) / 1e5
    assert np.allclose(xy, ring, atol=1e-12)  # what lz.ll decodes in the browser


@pytest.mark.parametrize(
    ("basemap", "key", "needle"),
    [
        ("bing", None, "`--basemap` 'bing' is unknown"),
        ("tianditu", None, "needs a Tianditu key"),
        ("tianditu", "a b<c>", "`--tianditu-key` must be"),
    ],
)
def test_bad_basemaps_are_refused_clearly(basemap: str, key: str | None, needle: str) -> None:
    with pytest.raises(LzgisError, match=re.escape(needle)):
        check_basemap(basemap, key)


def test_tianditu_key_goes_into_the_tile_url() -> None:
    page = overview_map(
        {"districts": fx.layers()["districts"]},
        options=MapOptions(basemap="tianditu", tianditu_key="abc123XYZ"),
    ).html
    assert "tianditu.gov.cn/DataServer?T=vec_w" in page and "tk=abc123XYZ" in page


def test_same_inputs_give_identical_pages_and_ids_are_counters() -> None:
    lay = fx.layers()
    a = overview_map(lay, options=MapOptions(basemap="osm", offline=False)).html
    b = overview_map(fx.layers(), options=MapOptions(basemap="osm")).html
    assert a == b
    assert re.search(r"[0-9a-f]{32}", a) is None  # no random branca ids left
    assert '<meta charset="utf-8">' in a


def test_none_basemap_has_no_tiles_and_draws_district_outlines() -> None:
    page = overview_map(fx.layers(), options=MapOptions(basemap="none")).html
    assert "L.tileLayer" not in page and f'"color": "{OUTLINE_COLOR}"' in page
    osm = overview_map(fx.layers(), options=MapOptions(basemap="osm")).html
    assert "L.tileLayer" in osm and "openstreetmap" in osm and OUTLINE_COLOR not in osm
