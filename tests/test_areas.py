"""Equal-area areas against closed forms and against the geodesic check."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely import LineString, box

from lzgis.areas import area_km2, area_m2, equal_area_crs, geodesic_area_m2, length_km

_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)
_B = _A * (1 - _F)


def _quadrangle_m2(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Closed-form area on the WGS84 ellipsoid between two meridians and two parallels."""

    def q(lat_deg: float) -> float:
        s = math.sin(math.radians(lat_deg))
        return s / (1 - _E2 * s * s) + math.log((1 + _E * s) / (1 - _E * s)) / (2 * _E)

    return _B**2 * math.radians(lon1 - lon0) / 2 * (q(lat1) - q(lat0))


def _frame(*geoms: shapely.Geometry, crs: str | CRS = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs)


@pytest.mark.parametrize(
    "bounds",
    [(103.0, 36.0, 104.0, 37.0), (103.8, 36.0, 103.9, 36.1), (10.0, -45.0, 12.0, -44.0)],
)
def test_lonlat_box_matches_closed_form(bounds: tuple[float, float, float, float]) -> None:
    expected = _quadrangle_m2(*bounds)
    got = float(area_m2(_frame(box(*bounds))).iloc[0])
    assert got == pytest.approx(expected, rel=1e-5)


def test_one_degree_box_at_lanzhou_is_about_9980_km2() -> None:
    # 1 deg x 1 deg at 36-37 N: 111.0 km x ~89.6 km (mid-latitude) = ~9,946-9,990 km2
    assert 9_900 < float(area_km2(_frame(box(103, 36, 104, 37))).iloc[0]) < 10_050


def test_square_in_an_equal_area_crs_keeps_its_area() -> None:
    laea = CRS.from_proj4("+proj=laea +lat_0=36 +lon_0=104 +ellps=WGS84 +units=m")
    squares = _frame(box(0, 0, 1000, 1000), box(-5000, 2000, -3000, 4000), crs=laea)
    assert area_m2(squares).tolist() == pytest.approx([1e6, 4e6], rel=1e-6)


def test_meridian_degree_length_matches_closed_form() -> None:
    lat = 36.5
    s2 = math.sin(math.radians(lat)) ** 2
    meridian_radius = _A * (1 - _E2) / (1 - _E2 * s2) ** 1.5
    expected_km = meridian_radius * math.radians(1.0) / 1000
    got = float(length_km(_frame(LineString([(104, 36), (104, 37)]))).iloc[0])
    assert got == pytest.approx(expected_km, rel=1e-6)


def test_equal_area_crs_is_centred_on_the_data() -> None:
    crs = equal_area_crs(_frame(box(103, 36, 104, 37)))
    params = crs.to_dict()
    assert params["proj"] == "laea"
    assert (params["lon_0"], params["lat_0"]) == (103.5, 36.5)


def _check(geom: shapely.Geometry) -> None:
    frame = _frame(geom)
    ea = float(area_m2(frame).iloc[0])
    geodesic = float(geodesic_area_m2(frame).iloc[0])
    assert ea == pytest.approx(geodesic, rel=1e-3)


@settings(max_examples=40, deadline=None)
@given(
    lon=st.floats(102.5, 104.5),
    lat=st.floats(35.5, 37.0),
    w=st.floats(0.001, 1.0),
    h=st.floats(0.001, 1.0),
)
def test_boxes_around_lanzhou_agree_with_geodesic(
    lon: float, lat: float, w: float, h: float
) -> None:
    _check(box(lon, lat, lon + w, lat + h))


@settings(max_examples=40, deadline=None)
@given(
    lon=st.floats(-170.0, 168.0),
    lat=st.floats(-70.0, 68.0),
    w=st.floats(0.001, 1.0),
    h=st.floats(0.001, 1.0),
)
def test_boxes_anywhere_agree_with_geodesic(lon: float, lat: float, w: float, h: float) -> None:
    _check(box(lon, lat, lon + w, lat + h))


@settings(max_examples=40, deadline=None)
@given(
    lon=st.floats(-170.0, 168.0),
    lat=st.floats(-65.0, 65.0),
    pts=st.lists(
        st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)), min_size=3, max_size=12, unique=True
    ),
)
def test_random_polygons_agree_with_geodesic(
    lon: float, lat: float, pts: list[tuple[float, float]]
) -> None:
    hull = shapely.convex_hull(shapely.MultiPoint([(lon + x, lat + y) for x, y in pts]))
    if hull.geom_type != "Polygon" or hull.area < 1e-5:
        return  # degenerate (collinear) sample: no area to compare
    _check(hull)


def test_series_and_projected_input() -> None:
    series = gpd.GeoSeries([box(103.8, 36.0, 103.9, 36.1)], crs="EPSG:4326")
    utm = series.to_crs(32648)
    assert float(area_m2(series).iloc[0]) == pytest.approx(float(area_m2(utm).iloc[0]), rel=1e-6)


def test_long_diagonal_edge_is_measured_the_same_way() -> None:
    # Found by hypothesis: before geodesic_area_m2 densified its edges, this 1 deg
    # triangle at 10 N differed by 0.11% (geodesic edge vs the edge straight in lon/lat).
    tri = shapely.Polygon([(0, 10), (0, 11), (1, 10)])
    frame = _frame(tri)
    half_box = _quadrangle_m2(0, 10, 1, 11) / 2
    assert float(geodesic_area_m2(frame).iloc[0]) == pytest.approx(
        float(area_m2(frame).iloc[0]), rel=1e-5
    )
    # the diagonal is straight in lon/lat, so the triangle is close to half the box
    assert float(area_m2(frame).iloc[0]) == pytest.approx(half_box, rel=1e-2)


def test_data_in_an_equal_area_crs_is_measured_as_drawn() -> None:
    from lzgis.areas import equal_area_crs, is_equal_area

    laea = "+proj=laea +lat_0=36 +lon_0=103.8 +ellps=WGS84 +units=m +no_defs"
    square = gpd.GeoDataFrame(geometry=[box(177, 900, 356, 1000)], crs=laea)
    assert is_equal_area(laea) and not is_equal_area(32648) and not is_equal_area(4326)
    assert equal_area_crs(square).equals(square.crs)
    assert area_m2(square).iloc[0] == 179 * 100  # exact: no round trip through lon/lat


def _two_step_km2(gdf: gpd.GeoDataFrame) -> float:
    """The reference path: to lon/lat, densify to 0.005°, to the equal-area CRS."""
    geo = gdf.to_crs(4326)
    dense = geo.set_geometry(shapely.segmentize(geo.geometry.values, 0.005))
    return float(dense.to_crs(equal_area_crs(gdf)).area.iloc[0] / 1e6)


@pytest.mark.parametrize(
    ("geom", "crs", "one_transform"),
    [
        # a 200 m-segment circle in UTM 48N: densifying adds nothing, one transform does
        (shapely.Point(500_000, 4_000_000).buffer(2000, quad_segs=16), "EPSG:32648", True),
        # 1 km edges would be densified (~0.011° > 0.005°): the two-step path
        (box(500_000, 4_000_000, 501_000, 4_001_000), "EPSG:32648", False),
        # lon/lat edges shorter than 0.005°
        (box(103.8, 36.0, 103.803, 36.003), "EPSG:4326", True),
        (box(103.8, 36.0, 103.9, 36.1), "EPSG:4326", False),
        # Web Mercator is not Transverse Mercator: always the two-step path
        (box(11_560_000, 4_300_000, 11_560_100, 4_300_100), "EPSG:3857", False),
        # a line is not decided by polygon edges
        (LineString([(500_000, 4_000_000), (500_100, 4_000_000)]), "EPSG:32648", False),
    ],
)
def test_one_transform_only_when_densifying_adds_no_vertex(
    geom: shapely.Geometry, crs: str, one_transform: bool
) -> None:
    from lzgis.areas import _dense_enough

    gdf = _frame(geom, crs=crs)
    assert _dense_enough(gdf) is one_transform
    geo = gdf.to_crs(4326).geometry.values
    added = shapely.get_num_coordinates(shapely.segmentize(geo, 0.005)).sum() - (
        shapely.get_num_coordinates(geo).sum()
    )
    if one_transform:
        assert added == 0  # the shortcut is taken only when it changes no outline
    if geom.area > 0:
        assert float(area_km2(gdf).iloc[0]) == pytest.approx(_two_step_km2(gdf), rel=1e-10)


def _reprojected_m2(gdf: gpd.GeoDataFrame) -> list[float]:
    """The geometry path: reproject the polygons (``to_equal_area``), then shapely's area."""
    from lzgis.areas import to_equal_area

    return [float(a) for a in to_equal_area(gdf).geometry.area]


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(400_000, 600_000),
    y=st.floats(3_900_000, 4_100_000),
    r=st.floats(5.0, 1500.0),  # 64-gons: edges up to ~150 m
    hole=st.floats(0.0, 0.9),
    flip=st.booleans(),
)
def test_vertex_areas_equal_the_reprojected_polygons(
    x: float, y: float, r: float, hole: float, flip: bool
) -> None:
    # polygons with holes, multipolygons, either orientation, a missing and an empty geometry
    outer = shapely.Point(x, y).buffer(r, quad_segs=16)
    ring = outer.difference(shapely.Point(x, y).buffer(r * hole, quad_segs=16)) if hole else outer
    ring = shapely.reverse(ring) if flip else ring
    d = min(r, 200.0)  # edges short enough that densifying adds no vertex
    pair = shapely.MultiPolygon([box(x, y, x + d, y + d), box(x + 2 * d, y, x + 3 * d, y + d)])
    gdf = _frame(ring, pair, None, shapely.Polygon(), crs="EPSG:32648")
    from lzgis.areas import _polygon_area_m2

    assert _polygon_area_m2(gdf) is not None  # the vertex path is the one measured here
    got = area_m2(gdf).tolist()
    want = _reprojected_m2(gdf)
    for a, b in zip(got[:2], want[:2], strict=True):
        assert a == pytest.approx(b, rel=1e-12)
    assert math.isnan(got[2]) and got[3] == 0.0


def test_vertex_areas_leave_long_edges_and_lines_to_the_geometry_path() -> None:
    from lzgis.areas import _polygon_area_m2

    assert _polygon_area_m2(_frame(box(103.8, 36.0, 103.9, 36.1))) is None  # densified
    assert _polygon_area_m2(_frame(LineString([(103.8, 36.0), (103.81, 36.0)]))) is None
    assert _polygon_area_m2(_frame(box(103.8, 36.0, 103.803, 36.003))) is not None
