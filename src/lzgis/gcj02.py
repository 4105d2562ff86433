"""GCJ-02 ("Mars coordinates") to and from WGS84.

Amap (Gaode) and most Chinese web maps publish coordinates in GCJ-02, an
obfuscated datum that is offset from WGS84 by a smooth, position-dependent
shift: about +0.0024° longitude and -0.0003° latitude (~220 m) at Lanzhou.
lzgis keeps every layer in WGS84; Amap-derived data goes through
:func:`gcj02_to_wgs84` on the way in, and maps drawn over Gaode tiles go
through :func:`wgs84_to_gcj02` on the way out.

The forward transform is the published algorithm (Krasovsky 1940 ellipsoid
constants); the inverse is solved by fixed-point iteration to better than
1e-9° (~0.1 mm), far below the data's own accuracy.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(103.8222, 36.0383)
>>> round(float(lon - 103.8222), 4), round(float(lat - 36.0383), 4)
(0.0024, -0.0003)
>>> back = gcj02_to_wgs84(lon, lat)
>>> abs(float(back[0]) - 103.8222) < 1e-9
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, overload

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = ["gcj02_to_wgs84", "geometry_gcj02_to_wgs84", "geometry_wgs84_to_gcj02", "wgs84_to_gcj02"]

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the algorithm uses it
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared

G = TypeVar("G", bound=shapely.Geometry)


def _out_of_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The GCJ-02 shift (dlon, dlat) in degrees at WGS84 points."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    outside = _out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[np.float64, np.float64]: ...
@overload
def wgs84_to_gcj02(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[object, object]:
    """Shift WGS84 longitude/latitude (degrees) into GCJ-02.

    Points outside China are returned unchanged, as the algorithm defines.

    Parameters
    ----------
    lon, lat
        WGS84 coordinates in degrees, scalars or arrays of one shape.

    Returns
    -------
    tuple
        GCJ-02 ``(lon, lat)`` of the same shape.
    """
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    dlon, dlat = _delta(x, y)
    return x + dlon, y + dlat


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[np.float64, np.float64]: ...
@overload
def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[object, object]:
    """Invert :func:`wgs84_to_gcj02` to better than 1e-9 degrees.

    Parameters
    ----------
    lon, lat
        GCJ-02 coordinates in degrees, scalars or arrays of one shape.

    Returns
    -------
    tuple
        WGS84 ``(lon, lat)`` of the same shape.
    """
    gx = np.asarray(lon, dtype=np.float64)
    gy = np.asarray(lat, dtype=np.float64)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(30):
        fx, fy = wgs84_to_gcj02(wx, wy)
        ex, ey = fx - gx, fy - gy
        wx, wy = wx - ex, wy - ey
        if np.all(np.abs(ex) < 1e-10) and np.all(np.abs(ey) < 1e-10):
            break
    return wx, wy


def _apply(geom: G, func: Callable[[ArrayLike, ArrayLike], tuple[object, object]]) -> G:
    def _xy(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([np.asarray(lon), np.asarray(lat)])

    out: G = shapely.transform(geom, _xy)
    return out


def geometry_gcj02_to_wgs84(geom: G) -> G:
    """Return ``geom`` (or an array of geometries) moved from GCJ-02 to WGS84."""
    return _apply(geom, gcj02_to_wgs84)


def geometry_wgs84_to_gcj02(geom: G) -> G:
    """Return ``geom`` (or an array of geometries) moved from WGS84 to GCJ-02."""
    return _apply(geom, wgs84_to_gcj02)
