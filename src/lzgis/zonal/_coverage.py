"""Exact zonal statistics of rasters: green coverage and land-cover composition per zone.

Pixels on a zone's edge count by the exact fraction of their area inside the
zone (as in exactextract), computed by Green's theorem along the zone's edges
(see :mod:`lzgis.zonal._geom`): the work per zone grows with its height in
rows, not its area, and no polygon is ever rasterised.

Conventions
-----------
- The zones are projected to the raster's CRS (edges densified first); the
  raster is never resampled. Any CRS works, also geographic CRSs without an
  EPSG code such as MODIS's Clarke-1866 lon/lat grid.
- Pixel weights: on a geographic raster each pixel weighs its ellipsoidal
  area (it shrinks towards the poles); on a projected raster all pixels of
  the grid weigh the same (a non-equal-area projection such as UTM distorts
  these weights by its scale error, under 0.1% within a UTM zone).
- ``coverage`` and ``unknown`` are ratios of those weighted areas; the km²
  columns scale them to the zone's area from :func:`lzgis.areas.area_km2`
  (equal-area), so ``data_km2 = area_km2 * (1 - unknown)`` and
  ``green_km2 = coverage * data_km2`` exactly.
- No data = the raster's nodata value, its mask, NaN in float rasters, red
  + NIR = 0 for NDVI from bands, and every part of a zone outside the raster.
  It is left out of ``data_km2`` and reported in ``unknown``; a zone without
  any data has ``coverage`` NaN (never 0) and ``green_km2`` 0.
- Large rasters are read window by window (whole blocks, about a million
  cells per window), so memory stays bounded; only windows under a zone's
  bounding box are read.

Examples
--------
>>> import numpy as np, rasterio, geopandas as gpd, tempfile, os
>>> from rasterio.transform import from_origin
>>> from shapely import box
>>> path = os.path.join(tempfile.mkdtemp(), "ndvi.tif")
>>> ndvi = np.array([[0.8, 0.1], [0.8, 0.1]], dtype="float32")  # left half green
>>> with rasterio.open(path, "w", driver="GTiff", width=2, height=2, count=1,
...                    dtype="float32", crs="EPSG:32648",
...                    transform=from_origin(500000, 4000020, 10, 10)) as dst:
...     dst.write(ndvi, 1)
>>> zones = gpd.GeoDataFrame(geometry=[box(500005, 4000000, 500020, 4000020)],
...                          crs="EPSG:32648")
>>> row = raster_coverage(zones, path, ndvi_threshold=0.3).iloc[0]
>>> round(float(row.coverage), 9), float(row.unknown)
(0.333333333, 0.0)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from rasterio.errors import RasterioError

from lzgis import _validate as v
from lzgis.areas import area_km2
from lzgis.zonal._geom import (
    Edges,
    Prefix,
    RowPieces,
    integrate,
    piece_counts,
    pixel_edges,
    prefix2,
    prefix2_pair,
    prefix_dtype,
    row_pieces,
    zone_row_areas,
)
from lzgis.zonal._raster import (
    WINDOW_CELLS,
    Win,
    cell_area_function,
    damaged,
    plan_windows,
    read_band,
    scaled,
    valid_mask,
)

__all__ = ["class_composition", "raster_coverage", "window_count"]

_SNAP = 1e-9  # ratios within this of 0 or 1 are rounding noise
_DENSIFY_DEG = 0.005  # ~500 m, as in lzgis.areas
_DENSIFY_M = 500.0
_MAX_CLASSES = 1024  # distinct values a land-cover raster may have
_CHUNK = 1 << 17  # row pieces per vectorised batch: temporaries stay in cache

Layers = Callable[[Win, list[NDArray[Any]]], dict[Any, NDArray[np.bool_]]]


@dataclass
class _Setup:
    sources: list[Any]
    paths: list[Path]
    what: list[str]
    crs: CRS
    geoms: NDArray[np.object_]
    edges: Edges
    windows: list[Win]
    cell_area: Callable[[NDArray[np.int64]], NDArray[np.float64]]
    varies: bool


def _check_zones(zones: gpd.GeoDataFrame) -> None:
    v.require_crs(zones, name="zones")
    geoms = np.asarray(zones.geometry.values, dtype=object)
    if len(geoms) and v.all_valid_polygons(geoms):
        return
    id_field = "id" if "id" in zones.columns else None
    v.raise_if_problems(
        v.frame_problems(zones, path="zones", id_field=id_field, geometry_type="Polygon")
    )


def _zones_in(zones: gpd.GeoDataFrame, crs: CRS) -> NDArray[np.object_]:
    """Zone geometries in ``crs``, edges densified first when reprojecting."""
    source = CRS(zones.crs)
    geoms = np.asarray(zones.geometry.values, dtype=object)
    if source.equals(crs):
        return geoms
    if source.is_geographic:
        step = _DENSIFY_DEG
    else:
        factor = source.axis_info[0].unit_conversion_factor if source.axis_info else 1.0
        step = _DENSIFY_M / factor
    dense = gpd.GeoSeries(shapely.segmentize(geoms, step), crs=source)
    return np.asarray(dense.to_crs(crs).values, dtype=object)


def _setup(
    stack: ExitStack,
    zones: gpd.GeoDataFrame,
    raster: str | Path,
    *,
    band: int,
    nir: str | Path | None,
    window_shape: tuple[int, int] | None,
    window_cells: int,
    check_overlap: bool = True,
) -> _Setup:
    paths = [Path(raster)] + ([Path(nir)] if nir is not None else [])
    what = ["raster"] if nir is None else ["red raster", "NIR raster"]
    sources = []
    for p, label in zip(paths, what, strict=True):
        sources.append(stack.enter_context(v.open_raster(p, what=label)))
    src = sources[0]
    crs = v.require_raster_crs(src, path=paths[0])
    for s, p in zip(sources, paths, strict=True):
        v.require_band(s, band, path=p)
    if nir is not None:
        v.require_same_grid(src, sources[1], paths=(paths[0], paths[1]))
    cell_area, varies = cell_area_function(src, crs, path=paths[0])
    geoms = _zones_in(zones, crs)
    edges = pixel_edges(geoms, src.transform)
    b = edges.bounds
    with np.errstate(invalid="ignore"):
        touches = (b[:, 2] > 0) & (b[:, 0] < src.width) & (b[:, 3] > 0) & (b[:, 1] < src.height)
    if check_overlap:
        zb = shapely.total_bounds(geoms)
        v.require_overlap(
            tuple(float(x) for x in zb),  # type: ignore[arg-type]
            tuple(src.bounds),
            path=paths[0],
            crs=crs,
            overlaps=bool(touches.any()),
        )
    windows = plan_windows(src, band, b, shape=window_shape, cells=window_cells)
    return _Setup(sources, paths, what, crs, geoms, edges, windows, cell_area, varies)


def _zone_metric_area(setup: _Setup) -> NDArray[np.float64]:
    """Each zone's area in the raster's pixel-weight metric (units of the contributions)."""
    if not setup.varies:
        return np.asarray(shapely.area(setup.geoms), dtype=np.float64)
    return zone_row_areas(setup.edges, setup.cell_area)


def _chunks(counts: NDArray[np.int64], size: int) -> list[slice]:
    """Consecutive slices of ``counts`` whose sums stay near ``size``."""
    if len(counts) == 0:
        return []
    bounds = np.searchsorted(np.cumsum(counts), np.arange(size, int(counts.sum()), size))
    cuts = [0, *sorted(set((bounds + 1).tolist())), len(counts)]
    return [slice(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _accumulate(
    setup: _Setup,
    band: int,
    layers: Layers,
    progress: Callable[[int], None] | None,
) -> dict[Any, NDArray[np.float64]]:
    """Per-zone weighted area of every indicator layer, summed over the windows.

    A reader thread reads the next window, builds its prefix sums and splits
    the zones' edges at its rows while this thread integrates the current one.
    """
    edges = setup.edges
    n = edges.n_zones
    emax_x = np.maximum(edges.x0, edges.x1)
    # edges sorted by their top row: a window's edges are a slice, in row order
    eymin, eymax = edges.ymin, edges.ymax
    order = np.argsort(eymin, kind="stable")
    sorted_ymin = eymin[order]
    tallest = float((eymax - eymin).max()) if len(order) else 0.0
    zone_xmin = np.nan_to_num(edges.bounds[:, 0], nan=np.inf)[edges.zone]
    sums: dict[Any, NDArray[np.float64]] = {}
    band_rows = (np.nan, np.nan)
    in_band = np.empty(0, dtype=np.int64)
    band_xmax = band_zxmin = np.empty(0)

    # Prefix sums go to reused buffers: two slots (the window being integrated
    # and the one being read), one buffer per layer (or pair of layers) in each.
    size = max(((w.r1 - w.r0) * (w.c1 - w.c0 + 2) for w in setup.windows), default=0)
    dtype = prefix_dtype(max((w.c1 - w.c0 for w in setup.windows), default=0))
    pack = dtype is np.int32  # two layers per int64 array: one gather serves both
    buffers: dict[tuple[int, int], NDArray[np.integer]] = {}
    scratch = np.empty(size, dtype=np.int64 if pack else dtype)

    def buffer(slot: int, n: int) -> NDArray[np.integer]:
        buf = buffers.get((slot, n))
        if buf is None:
            buf = buffers[(slot, n)] = np.empty(size, dtype=np.int64 if pack else dtype)
        return buf

    def select(win: Win) -> NDArray[np.int64]:
        """The edges with a part in ``win``'s rows, left of its right side."""
        nonlocal band_rows, in_band, band_xmax, band_zxmin
        lo, hi = float(win.r0), float(win.r1)
        if (lo, hi) != band_rows:
            # the row band's edges, shared by the windows of one block row
            band_rows = (lo, hi)
            first = np.searchsorted(sorted_ymin, lo - tallest, side="left")
            last = np.searchsorted(sorted_ymin, hi, side="left")
            in_band = order[first:last]
            in_band = in_band[(eymax[in_band] > lo) & (edges.y0[in_band] != edges.y1[in_band])]
            band_xmax, band_zxmin = emax_x[in_band], zone_xmin[in_band]
        return in_band[(band_xmax > win.c0) & (band_zxmin < win.c1)]

    def prepare(win: Win, slot: int) -> tuple[list[Prefix], list[RowPieces]]:
        """Read ``win``, build its prefix sums and split the zones' edges at its rows."""
        arrays = [
            read_band(s, band, win, path=p, what=w)
            for s, p, w in zip(setup.sources, setup.paths, setup.what, strict=True)
        ]
        try:  # masks are read here too
            found = list(layers(win, arrays).items())
        except RasterioError as exc:
            raise damaged(setup.paths[0], setup.what[0], win, exc) from None
        del arrays
        prefixes = []
        step = 2 if pack else 1
        for n, i in enumerate(range(0, len(found), step)):
            group = found[i : i + step]
            array: NDArray[np.integer]
            if len(group) == 2:
                array = prefix2_pair(group[0][1], group[1][1], out=buffer(slot, n), scratch=scratch)
            else:
                array = prefix2(
                    group[0][1],
                    out=buffer(slot, n).view(dtype),
                    scratch=scratch.view(dtype),
                )
            prefixes.append(Prefix(array, tuple(key for key, _ in group)))
        idx = select(win)
        lo, hi = float(win.r0), float(win.r1)
        pieces = [
            row_pieces(edges, idx[part], lo, hi, r0=win.r0, c0=win.c0)
            for part in _chunks(piece_counts(edges, idx, lo, hi), _CHUNK)
        ]
        return prefixes, pieces if prefixes else []

    # GDAL's block cache: each block is read once, so a few windows' worth is
    # plenty (the default, 5% of RAM, would keep the whole raster).
    largest = max(((w.r1 - w.r0) * (w.c1 - w.c0) for w in setup.windows), default=0)
    cache = max(64 << 20, 3 * largest * 8)
    with rasterio.Env(GDAL_CACHEMAX=cache), ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(prepare, setup.windows[0], 0) if setup.windows else None
        for i, win in enumerate(setup.windows):
            assert pending is not None
            prefixes, all_pieces = pending.result()
            nxt = setup.windows[i + 1] if i + 1 < len(setup.windows) else None
            pending = pool.submit(prepare, nxt, (i + 1) % 2) if nxt is not None else None
            if all_pieces:
                rows = np.arange(win.r0, win.r1, dtype=np.int64)
                area = (
                    setup.cell_area(rows) if setup.varies else float(setup.cell_area(rows[:1])[0])
                )
            for pieces in all_pieces:
                results = integrate(pieces, prefixes, cell_area=area, sign=edges.sign, n_zones=n)
                for key, res in results.items():
                    if key in sums:
                        sums[key] += res
                    else:
                        sums[key] = res
            del prefixes, all_pieces
            if progress is not None:
                progress(1)
    return sums


def _representable(values: NDArray[np.float64], dtype: np.dtype[Any]) -> NDArray[Any]:
    """The class ``values`` a raster of ``dtype`` can hold, in that dtype."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        keep = (values == np.round(values)) & (values >= info.min) & (values <= info.max)
        values = values[keep]
    return values.astype(dtype)


def _area_km2(zones: gpd.GeoDataFrame) -> NDArray[np.float64]:
    return area_km2(zones).to_numpy(dtype=np.float64)


def _ratio(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    r = np.where(np.abs(r) < _SNAP, 0.0, r)
    r = np.where(np.abs(r - 1.0) < _SNAP, 1.0, r)
    return np.clip(r, 0.0, 1.0)


def window_count(
    zones: gpd.GeoDataFrame,
    raster: str | Path,
    *,
    band: int = 1,
    _window_shape: tuple[int, int] | None = None,
) -> int:
    """Number of windows :func:`raster_coverage` reads for these zones (a progress bar's length).

    Examples
    --------
    >>> # with click:  with click.progressbar(length=window_count(zones, path)) as bar:
    >>> #                  raster_coverage(zones, path, classes=[1, 2], progress=bar.update)
    """
    _check_zones(zones)
    with ExitStack() as stack:
        setup = _setup(
            stack,
            zones,
            raster,
            band=band,
            nir=None,
            window_shape=_window_shape,
            window_cells=WINDOW_CELLS,
            check_overlap=False,
        )
        return len(setup.windows)


def raster_coverage(
    zones: gpd.GeoDataFrame,
    raster: str | Path,
    *,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: str | Path | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    progress: Callable[[int], None] | None = None,
    _window_shape: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Green share of each zone from a classified, NDVI, or red + NIR raster.

    Parameters
    ----------
    zones
        Polygons with a CRS (any; they are projected to the raster's CRS).
    raster
        A land-cover raster (with ``classes``), an NDVI raster (with
        ``ndvi_threshold``), or the RED band when ``nir`` is given.
    classes
        Class values counted as green (IGBP 1-10 for MODIS; WorldCover 10,
        20, 30, 90, 95). Exactly one of ``classes`` / ``ndvi_threshold``.
    ndvi_threshold
        Green where NDVI >= this value (-1..1).
    nir
        The NIR band on the same grid as ``raster`` (then
        NDVI = (nir - red) / (nir + red), computed per window).
    band
        Band number (1-based) to read from ``raster`` (and ``nir``).
    ndvi_scale
        NDVI raster only: NDVI = raw value × ``ndvi_scale`` (e.g. 0.0001 for
        int16 × 10000), instead of the band's scale/offset metadata, which
        is applied otherwise (as are red and NIR bands' scale and offset,
        before NDVI is computed from them).
    progress
        Called with the number of newly finished windows (e.g. a
        ``click.progressbar``'s ``update``); see :func:`window_count`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``zones``: ``area_km2`` (equal-area), ``data_km2`` (part
        over valid data), ``green_km2``, ``coverage`` = green_km2 / data_km2
        (NaN without data), ``unknown`` (share without data, 0..1).

    Raises
    ------
    lzgis.RasterError
        Unreadable raster, zones and raster do not overlap, red/NIR grids
        differ, none of ``classes`` under the zones, valid NDVI values
        outside -1..1 (a scaled raster: give ``ndvi_scale``).
    lzgis.CRSError
        Zones or raster without a CRS.
    lzgis.ValidationError
        Threshold outside -1..1, not exactly one rule, bad zone geometries.
    """
    v.require_one_rule(classes, ndvi_threshold)
    threshold = float(ndvi_threshold) if ndvi_threshold is not None else np.nan
    if ndvi_threshold is not None:
        v.require_threshold(threshold)
    class_values = np.asarray(sorted(set(classes)), dtype=np.float64) if classes else None
    seen = [np.inf, -np.inf]  # smallest and largest valid NDVI value

    _check_zones(zones)
    with ExitStack() as stack:
        # the zones' equal-area areas, on a side thread while the raster is read
        area_job = stack.enter_context(ThreadPoolExecutor(max_workers=1)).submit(_area_km2, zones)
        setup = _setup(
            stack,
            zones,
            raster,
            band=band,
            nir=nir,
            window_shape=_window_shape,
            window_cells=WINDOW_CELLS,
        )
        src = setup.sources[0]

        def layers(win: Win, arrays: list[NDArray[Any]]) -> dict[Any, NDArray[np.bool_]]:
            data = arrays[0]
            valid = valid_mask(src, band, data, win)
            if class_values is not None:
                green = valid & np.isin(data, _representable(class_values, data.dtype))
            elif nir is None:
                ndvi = data * ndvi_scale if ndvi_scale is not None else scaled(src, band, data)
                green = valid & (ndvi >= threshold)
                if valid.any():  # the range of valid values, without copying them
                    info = np.finfo if ndvi.dtype.kind == "f" else np.iinfo
                    top, bottom = info(ndvi.dtype).max, info(ndvi.dtype).min
                    seen[0] = min(seen[0], float(np.min(ndvi, where=valid, initial=top)))
                    seen[1] = max(seen[1], float(np.max(ndvi, where=valid, initial=bottom)))
            else:
                nsrc = setup.sources[1]
                valid &= valid_mask(nsrc, band, arrays[1], win)
                red = scaled(src, band, data).astype(np.float64, copy=False)
                nir_v = scaled(nsrc, band, arrays[1]).astype(np.float64, copy=False)
                total = nir_v + red
                valid &= total != 0
                with np.errstate(invalid="ignore", divide="ignore"):
                    ndvi = (nir_v - red) / np.where(valid, total, 1.0)
                green = valid & (ndvi >= threshold)
            return {"data": valid, "green": green}

        sums = _accumulate(setup, band, layers, progress)
        if ndvi_threshold is not None and nir is None:
            v.require_ndvi_range(seen[0], seen[1], path=setup.paths[0], scale=ndvi_scale)
        metric = _zone_metric_area(setup)
        area = area_job.result()

    n = len(zones)
    data = sums.get("data", np.zeros(n))
    green = sums.get("green", np.zeros(n))
    share = _ratio(data, metric)
    unknown = np.where(np.isnan(share), 1.0, 1.0 - share)
    coverage = _ratio(green, data)
    if class_values is not None and np.any(share > 0):
        # decided from the cells under the zones (not whole blocks read), so
        # striped and tiled files agree; zones without data are simply empty
        v.require_classes_present(
            [int(c) if float(c).is_integer() else c for c in class_values],
            found=bool(np.any(coverage > 0)),
            path=setup.paths[0],
        )
    data_km2 = area * (1.0 - unknown)
    return pd.DataFrame(
        {
            "area_km2": area,
            "data_km2": data_km2,
            "green_km2": np.where(np.isnan(coverage), 0.0, coverage * data_km2),
            "coverage": coverage,
            "unknown": unknown,
        },
        index=zones.index,
    )


def class_composition(
    zones: gpd.GeoDataFrame,
    raster: str | Path,
    *,
    band: int = 1,
    progress: Callable[[int], None] | None = None,
    _window_shape: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Area in km² of each class value of a land-cover raster inside each zone.

    Nodata is left out, so a row sums to the zone's ``data_km2`` of
    :func:`raster_coverage`. Columns are the class values found under the
    zones, in ascending order; the index is the zones' index.

    Examples
    --------
    >>> # comp = class_composition(districts, "mcd12c1_lanzhou.tif")
    >>> # comp.div(comp.sum(axis=1), axis=0)   # shares per district
    """
    _check_zones(zones)
    with ExitStack() as stack:
        area_job = stack.enter_context(ThreadPoolExecutor(max_workers=1)).submit(_area_km2, zones)
        setup = _setup(
            stack,
            zones,
            raster,
            band=band,
            nir=None,
            window_shape=_window_shape,
            window_cells=WINDOW_CELLS,
        )
        src = setup.sources[0]

        def layers(win: Win, arrays: list[NDArray[Any]]) -> dict[Any, NDArray[np.bool_]]:
            data = arrays[0]
            valid = valid_mask(src, band, data, win)
            values = np.unique(data[valid])
            v.require_classified(len(values), limit=_MAX_CLASSES, path=setup.paths[0])
            return {val.item(): valid & (data == val) for val in values}

        sums = _accumulate(setup, band, layers, progress)
        metric = _zone_metric_area(setup)
        area = area_job.result()

    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(metric > 0, area / np.where(metric > 0, metric, 1.0), 0.0)
    out = pd.DataFrame(
        {key: sums[key] * scale for key in sorted(sums)}, index=zones.index, dtype=np.float64
    )
    out.columns.name = "class"
    return out
