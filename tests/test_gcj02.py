"""GCJ-02 <-> WGS84: published test vectors, the Lanzhou offset, round trips."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely import Polygon

from lzgis.gcj02 import (
    gcj02_to_wgs84,
    geometry_gcj02_to_wgs84,
    geometry_wgs84_to_gcj02,
    wgs84_to_gcj02,
)

_GEOD = Geod(ellps="WGS84")

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat), forward transform.
# Shanghai, Shenzhen, Beijing: googollee/eviltransform, python/test.py (TESTS, given there
# as lat, lng). The last: wandergis/coordtransform, test/app.js, wgs84togcj02(116.404, 39.915).
PUBLISHED_FORWARD = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),
]


@pytest.mark.parametrize(("lon", "lat", "glon", "glat"), PUBLISHED_FORWARD)
def test_forward_matches_published_vectors(
    lon: float, lat: float, glon: float, glat: float
) -> None:
    x, y = wgs84_to_gcj02(lon, lat)
    assert abs(x - glon) < 1e-9 and abs(y - glat) < 1e-9


@pytest.mark.parametrize(("lon", "lat", "glon", "glat"), PUBLISHED_FORWARD)
def test_inverse_recovers_published_wgs84(lon: float, lat: float, glon: float, glat: float) -> None:
    x, y = gcj02_to_wgs84(glon, glat)
    assert abs(x - lon) < 1e-8 and abs(y - lat) < 1e-8


def test_inverse_close_to_published_approximate_inverses() -> None:
    # Both libraries publish an inverse that is approximate (coordtransform: one
    # step, wgs = 2*gcj - f(gcj)); ours iterates to 1e-10. They agree to ~1 m.
    # wandergis/coordtransform test/app.js: gcj02towgs84(116.404, 39.915)
    x, y = gcj02_to_wgs84(116.404, 39.915)
    assert abs(x - 116.39775550083061) < 1e-5 and abs(y - 39.91359571849836) < 1e-5
    # hujiulong/gcoord test/unit/crs/GCJ02.spec.js: GCJ02 -> WGS84 of (123, 45), 5 decimals
    x, y = gcj02_to_wgs84(123.0, 45.0)
    assert abs(x - 122.99395597) < 5e-6 and abs(y - 44.99804071) < 5e-6


def test_offset_at_lanzhou_is_about_220_m_east_and_slightly_south() -> None:
    lon, lat = 103.84, 36.057  # central Lanzhou
    x, y = wgs84_to_gcj02(lon, lat)
    assert 0.0020 < x - lon < 0.0028  # about +0.0024 deg
    assert -0.0006 < y - lat < 0.0  # about -0.0003 deg
    metres = _GEOD.inv(lon, lat, float(x), float(y))[2]
    assert 180 < metres < 260


@pytest.mark.parametrize(
    ("lon", "lat"), [(183.0, 45.0), (-0.1276, 51.5072), (139.69, 35.69 + 21), (100.5, 0.5)]
)
def test_outside_china_unchanged(lon: float, lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_arrays_keep_their_shape() -> None:
    lon = np.array([[103.8, 103.9], [104.0, 2.0]])
    lat = np.array([[36.0, 36.1], [36.2, 48.0]])
    x, y = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert x.shape == y.shape == (2, 2)
    np.testing.assert_allclose(x, lon, atol=1e-8, rtol=0)
    np.testing.assert_allclose(y, lat, atol=1e-8, rtol=0)


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(73.0, 135.0, allow_nan=False),
    lat=st.floats(18.0, 53.0, allow_nan=False),
)
def test_round_trip_inside_china(lon: float, lat: float) -> None:
    x, y = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(x - lon) < 1e-8 and abs(y - lat) < 1e-8
    gx, gy = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert abs(gx - lon) < 1e-8 and abs(gy - lat) < 1e-8


def test_geometry_helpers_move_every_vertex() -> None:
    square = Polygon([(103.80, 36.00), (103.81, 36.00), (103.81, 36.01), (103.80, 36.01)])
    moved = geometry_wgs84_to_gcj02(square)
    xy = shapely.get_coordinates(square)
    expected = np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    np.testing.assert_array_equal(shapely.get_coordinates(moved), expected)
    back = geometry_gcj02_to_wgs84(moved)
    np.testing.assert_allclose(shapely.get_coordinates(back), xy, atol=1e-9, rtol=0)
    # arrays of geometries too
    pair = geometry_gcj02_to_wgs84(np.array([moved, moved]))
    assert len(pair) == 2 and shapely.equals_exact(pair[0], back, tolerance=0)
