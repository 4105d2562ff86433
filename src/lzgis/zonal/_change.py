"""Where green was gained and lost between two years on one grid, as a raster.

:func:`change_raster` writes a GeoTIFF on the two years' shared grid,
cropped to the zones' bounding box: ``1`` gain (green in the later year,
not in the earlier), ``-1`` loss, ``0`` no change, and nodata (``-128``)
where either year has no data. :func:`change_preview` gives the same
classes on a coarser copy of the grid (at most ``size`` pixels a side, read
with nearest-neighbour sampling) for a web page.

Examples
--------
>>> # change_raster(zones, {2019: "ndvi_2019.tif", 2023: "ndvi_2023.tif"}, "change.tif",
>>> #               ndvi_threshold=0.3)   # then open change.tif in QGIS
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
from numpy.typing import NDArray
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from lzgis._errors import RasterError
from lzgis.io import atomic_path
from lzgis.zonal._coverage import _check_zones
from lzgis.zonal._geom import pixel_edges
from lzgis.zonal._lockstep import (
    YearRasters,
    _open_years,
    _years,
    green_rule,
    same_grid,
    year_masks,
)
from lzgis.zonal._mosaic import project
from lzgis.zonal._raster import Win, read_band

__all__ = ["CHANGE_NODATA", "ChangePreview", "change_preview", "change_raster"]

CHANGE_NODATA = -128
GAIN, LOSS, SAME = 1, -1, 0
_ROWS = 512  # rows written per step


@dataclass(frozen=True)
class ChangePreview:
    """Change classes on a coarse copy of the grid: ``values`` (int8), its ``bounds`` and ``crs``."""

    values: NDArray[np.int8]
    bounds: tuple[float, float, float, float]  # left, bottom, right, top in ``crs``
    crs: CRS


def _classes(
    va: NDArray[np.bool_], ga: NDArray[np.bool_], vb: NDArray[np.bool_], gb: NDArray[np.bool_]
) -> NDArray[np.int8]:
    out = np.full(va.shape, CHANGE_NODATA, dtype=np.int8)
    both = va & vb
    out[both] = SAME
    out[both & gb & ~ga] = GAIN
    out[both & ga & ~gb] = LOSS
    return out


def _pair(
    stack: ExitStack,
    zones: gpd.GeoDataFrame,
    rasters: YearRasters,
    nir: YearRasters | None,
    years: tuple[int, int] | None,
    band: int,
) -> tuple[list[Any], Window]:
    """The two years (opened) and the window of their grid under the zones' bounding box."""
    _check_zones(zones)
    all_years = _years(rasters, nir)
    a, b = years if years is not None else (all_years[0], all_years[-1])
    for y in (a, b):
        if y not in all_years:
            raise RasterError(
                f"year {y} has no raster (years: {', '.join(map(str, all_years))}); "
                "fix: choose two of the given years"
            )
    if a == b:
        raise RasterError(
            f"a change needs two different years, got {a} twice; fix: give at least two years"
        )
    opened = _open_years(stack, rasters, nir, [a, b], band)
    for one in opened:
        if len(one.tiles) > 1:
            raise RasterError(
                f"year {one.year}: `{one.name}` is a collection of {len(one.tiles)} sources; a "
                "gain/loss raster needs one raster per year on one grid; fix: build one mosaic "
                "per year (`gdalwarp` the tiles onto one grid) or drop the change raster"
            )
    first, last = opened
    if not same_grid(first.sources[0], last.sources[0]):
        s0, s1 = first.sources[0], last.sources[0]
        raise RasterError(
            f"`{first.paths[0]}` ({s0.width}x{s0.height}, {tuple(s0.transform)[:6]}, {s0.crs}) and "
            f"`{last.paths[0]}` ({s1.width}x{s1.height}, {tuple(s1.transform)[:6]}, {s1.crs}) "
            f"are not on one grid, so the cells of {a} and {b} cannot be compared; "
            "fix: warp one onto the other's grid (`gdalwarp -te … -tr … -t_srs …`) or drop the change raster"
        )
    src = first.sources[0]
    geoms = np.asarray(zones.geometry.values, dtype=object)
    edges = pixel_edges(project(geoms, CRS(zones.crs), CRS(src.crs)), src.transform)
    bounds = edges.bounds[np.all(np.isfinite(edges.bounds), axis=1)]
    if len(bounds) == 0:
        raise RasterError(f"`{first.paths[0]}`: the zones are empty; fix: give zones with area")
    c0 = max(0, math.floor(bounds[:, 0].min()))
    r0 = max(0, math.floor(bounds[:, 1].min()))
    c1 = min(src.width, math.ceil(bounds[:, 2].max()))
    r1 = min(src.height, math.ceil(bounds[:, 3].max()))
    if c1 <= c0 or r1 <= r0:
        raise RasterError(
            f"`{first.paths[0]}` does not cover the zones; fix: give rasters that cover the zones"
        )
    return opened, Window(c0, r0, c1 - c0, r1 - r0)


def change_raster(
    zones: gpd.GeoDataFrame,
    rasters: YearRasters,
    out: str | Path,
    *,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: YearRasters | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    years: tuple[int, int] | None = None,
) -> Path:
    """Write the gain (1) / loss (-1) / no change (0) / nodata (-128) GeoTIFF between two years.

    Parameters
    ----------
    zones
        The zones; the output covers their bounding box on the shared grid.
    rasters, classes, ndvi_threshold, nir, band, ndvi_scale
        As for :func:`lzgis.zonal.raster_trend`.
    out
        The GeoTIFF to write (atomically; int8, deflate, tiled).
    years
        The two years to compare; default the first and the last.

    Raises
    ------
    lzgis.RasterError
        The two years' rasters are not on one grid, or do not cover the zones;
        a year's source is a collection of several files (no single grid).
    """
    rule = green_rule(classes, ndvi_threshold, ndvi_scale)
    target = Path(out)
    with ExitStack() as stack:
        (first, last), window = _pair(stack, zones, rasters, nir, years, band)
        src = first.sources[0]
        profile = {
            "driver": "GTiff",
            "width": int(window.width),
            "height": int(window.height),
            "count": 1,
            "dtype": "int8",
            "nodata": CHANGE_NODATA,
            "crs": src.crs,
            "transform": window_transform(window, src.transform),
            "compress": "deflate",
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
        }
        c0, r0 = int(window.col_off), int(window.row_off)
        with atomic_path(target) as tmp, rasterio.open(tmp, "w", **profile) as dst:
            for top in range(0, int(window.height), _ROWS):
                h = min(_ROWS, int(window.height) - top)
                win = Win(r0 + top, r0 + top + h, c0, c0 + int(window.width))
                masks = [
                    year_masks(
                        rule,
                        y.sources,
                        [
                            read_band(s, band, win, path=p, what=w)
                            for s, p, w in zip(y.sources, y.paths, y.what, strict=True)
                        ],
                        band,
                        win,
                    )
                    for y in (first, last)
                ]
                (va, ga), (vb, gb) = masks
                dst.write(_classes(va, ga, vb, gb), 1, window=Window(0, top, profile["width"], h))
            dst.update_tags(
                1,
                meaning="1 gain, -1 loss, 0 no change, -128 no data in either year",
                years=f"{first.year}-{last.year}",
            )
    return target


def change_preview(
    zones: gpd.GeoDataFrame,
    rasters: YearRasters,
    *,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: YearRasters | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    years: tuple[int, int] | None = None,
    size: int = 800,
) -> ChangePreview:
    """The change classes of :func:`change_raster` on a grid of at most ``size`` pixels a side.

    Each preview pixel takes the two years' values of the cell nearest its
    centre (no averaging), so it shows the same classes, coarser.
    """
    rule = green_rule(classes, ndvi_threshold, ndvi_scale)
    with ExitStack() as stack:
        (first, last), window = _pair(stack, zones, rasters, nir, years, band)
        src = first.sources[0]
        w, h = int(window.width), int(window.height)
        factor = max(1.0, max(w, h) / size)
        shape = (max(1, round(h / factor)), max(1, round(w / factor)))
        win = Win(
            int(window.row_off),
            int(window.row_off) + h,
            int(window.col_off),
            int(window.col_off) + w,
        )
        masks = []
        for y in (first, last):
            arrays = [
                s.read(band, window=window, out_shape=shape, resampling=Resampling.nearest)
                for s in y.sources
            ]
            coarse = [_Coarse(s, shape) for s in y.sources]
            masks.append(year_masks(rule, coarse, arrays, band, win))
        (va, ga), (vb, gb) = masks
        left, top = src.transform @ (window.col_off, window.row_off)
        right, bottom = src.transform @ (window.col_off + w, window.row_off + h)
        bounds = (min(left, right), min(top, bottom), max(left, right), max(top, bottom))
        return ChangePreview(_classes(va, ga, vb, gb), bounds, CRS(src.crs))


class _Coarse:
    """A raster seen through a coarser read: its masks come at ``shape`` too (for ``valid_mask``)."""

    def __init__(self, src: Any, shape: tuple[int, int]) -> None:
        self._src = src
        self._shape = shape

    def __getattr__(self, name: str) -> Any:
        return getattr(self._src, name)

    def read_masks(self, band: int, *, window: Window) -> NDArray[np.uint8]:
        return np.asarray(
            self._src.read_masks(
                band, window=window, out_shape=self._shape, resampling=Resampling.nearest
            )
        )
