"""Slope in degrees from a DEM GeoTIFF, with true metric pixel sizes.

For a DEM in a projected CRS the pixel size comes from the transform, in the
CRS's linear unit converted to metres. For a DEM in degrees (SRTM and most
global DEMs) each row gets its own east-west and north-south pixel size in
metres, measured on the WGS84 ellipsoid with :class:`pyproj.Geod` at the row's
latitude, so slopes are right at Lanzhou's 36°N (a degree of longitude is
~90 km there, not 111 km). Gradients are central differences
(:func:`numpy.gradient`); nodata pixels are NaN and so are their neighbours'
slopes where the difference needs them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS, Geod, Transformer

from lzgis._errors import RasterError
from lzgis._validate import require_path

__all__ = ["slope_at", "slope_degrees"]

_GEOD = Geod(ellps="WGS84")


def _read(path: Path) -> tuple[np.ndarray, rasterio.Affine, CRS]:
    p = require_path(path, what="DEM file")
    try:
        with rasterio.open(p) as src:
            if src.crs is None:
                raise RasterError(
                    f"{p}: the DEM has no CRS; expected one (e.g. EPSG:4326); "
                    "fix: set it with `gdal_edit.py -a_srs EPSG:4326`"
                )
            band = src.read(1, masked=True).astype(float)
            return band.filled(np.nan), src.transform, CRS.from_user_input(src.crs.to_wkt())
    except rasterio.errors.RasterioIOError as exc:
        raise RasterError(
            f"{p}: unreadable as a raster ({str(exc).splitlines()[0]}); fix: give a GeoTIFF DEM"
        ) from None


def slope_degrees(path: str | Path) -> tuple[np.ndarray, rasterio.Affine, CRS]:
    """Slope of every DEM pixel in degrees, with the DEM's transform and CRS.

    Raises
    ------
    RasterError
        Missing or unreadable file, no CRS, rotated transform, or fewer than 2x2 pixels.
    """
    z, transform, crs = _read(Path(path))
    if transform.b != 0 or transform.d != 0:
        raise RasterError(
            f"{path}: rotated DEM transforms are not supported; fix: warp it north-up"
        )
    if z.shape[0] < 2 or z.shape[1] < 2:
        raise RasterError(f"{path}: the DEM has {z.shape} pixels; expected at least 2 x 2")
    rows = np.arange(z.shape[0])
    if crs.is_geographic:
        lat = transform.f + (rows + 0.5) * transform.e
        lon0 = np.full_like(lat, transform.c)
        _, _, dx = _GEOD.inv(lon0, lat, lon0 + abs(transform.a), lat)
        _, _, dy = _GEOD.inv(lon0, lat - abs(transform.e) / 2, lon0, lat + abs(transform.e) / 2)
    else:
        to_m = crs.axis_info[0].unit_conversion_factor
        dx = np.full(z.shape[0], abs(transform.a) * to_m)
        dy = np.full(z.shape[0], abs(transform.e) * to_m)
    dz_dcol = np.gradient(z, axis=1)
    dz_drow = np.gradient(z, axis=0)
    gx = dz_dcol / np.asarray(dx)[:, None]
    gy = dz_drow / np.asarray(dy)[:, None]
    return np.degrees(np.arctan(np.hypot(gx, gy))), transform, crs


def slope_at(path: str | Path, points: np.ndarray, points_crs: object) -> np.ndarray:
    """Slope in degrees of the DEM pixel under each point; NaN outside the DEM.

    ``points`` is an array of shapely Points in ``points_crs``.
    """
    import shapely

    slope, transform, crs = slope_degrees(path)
    tr = Transformer.from_crs(CRS.from_user_input(points_crs), crs, always_xy=True)
    x, y = tr.transform(shapely.get_x(points), shapely.get_y(points))
    # north-up (checked in slope_degrees): pixel = (x - left) / width, (y - top) / -height
    col = np.floor((np.asarray(x) - transform.c) / transform.a).astype(int)
    row = np.floor((np.asarray(y) - transform.f) / transform.e).astype(int)
    ok = (row >= 0) & (row < slope.shape[0]) & (col >= 0) & (col < slope.shape[1])
    out = np.full(len(points), np.nan)
    out[ok] = slope[row[ok], col[ok]]
    return out
