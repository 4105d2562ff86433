"""Several years of rasters in lockstep: one pass over the windows for all years on a grid.

:func:`raster_trend` measures the green coverage of each zone in each year
and, between consecutive years whose rasters share a grid (same CRS,
transform and size), the green gained and lost. The rasters of all years on
one grid are read together, window by window: the zones' edges are split at
a window's rows once and that work serves every year, so N years cost about
N reads of one raster, not N full runs. Years on another grid form their own
pass (no gain or loss across grids: their pixels are not the same cells).

Everything is measured by the same exact engine as
:func:`lzgis.zonal.raster_coverage` (same windows, same prefix sums, same
line integrals), so each year's coverage equals a single-year run.

Gain and loss count only cells with data in both years: ``gain`` = green in
the later year and not in the earlier, ``loss`` the reverse, and
``compared_share`` is the share of the zone with data in both. Within that
share ``gain_km2 - loss_km2`` is exactly the change of green, so wherever
both years have data on the whole zone it equals the change of ``green_km2``.

Examples
--------
>>> import numpy as np, rasterio, geopandas as gpd, tempfile, os
>>> from rasterio.transform import from_origin
>>> from shapely import box
>>> folder = tempfile.mkdtemp()
>>> def ndvi(name, green_columns):
...     arr = np.full((2, 2), 0.1, dtype="float32")
...     arr[:, :green_columns] = 0.8
...     path = os.path.join(folder, name)
...     with rasterio.open(path, "w", driver="GTiff", width=2, height=2, count=1,
...                        dtype="float32", crs="EPSG:32648",
...                        transform=from_origin(500000, 4000020, 10, 10)) as dst:
...         dst.write(arr, 1)
...     return path
>>> zones = gpd.GeoDataFrame(geometry=[box(500000, 4000000, 500020, 4000020)], crs="EPSG:32648")
>>> t = raster_trend(zones, {2023: ndvi("b.tif", 2), 2019: ndvi("a.tif", 1)}, ndvi_threshold=0.3)
>>> t[["year", "coverage", "gain_km2", "loss_km2"]].to_numpy().round(6).tolist()
[[2019.0, 0.5, nan, nan], [2023.0, 1.0, 0.0002, 0.0]]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from lzgis import _validate as v
from lzgis._errors import ValidationError
from lzgis.zonal._coverage import _SNAP, _area_km2, _check_zones, _ratio
from lzgis.zonal._engine import accumulate
from lzgis.zonal._geom import Edges, pixel_edges, zone_row_areas
from lzgis.zonal._mosaic import project
from lzgis.zonal._raster import (
    WINDOW_CELLS,
    Win,
    cell_area_function,
    plan_windows,
    scaled,
    valid_mask,
)
from lzgis.zonal._rules import _representable, ndvi_from_bands

__all__ = [
    "TREND_ZONAL_COLUMNS",
    "GreenRule",
    "green_rule",
    "raster_trend",
    "same_grid",
    "trend_window_count",
    "year_masks",
]

TREND_ZONAL_COLUMNS = [
    "year",
    "area_km2",
    "data_km2",
    "green_km2",
    "coverage",
    "unknown",
    "gain_km2",
    "loss_km2",
    "compared_share",
    "grid",
]


@dataclass(frozen=True)
class GreenRule:
    """What counts as green: class values, or NDVI at or above a threshold."""

    classes: NDArray[np.float64] | None
    threshold: float
    ndvi_scale: float | None = None  # NDVI = raw value x this (else the band's scale/offset)


def green_rule(
    classes: Sequence[int] | None,
    ndvi_threshold: float | None,
    ndvi_scale: float | None = None,
) -> GreenRule:
    """Check and hold the green rule (exactly one of ``classes`` and ``ndvi_threshold``)."""
    v.require_one_rule(classes, ndvi_threshold)
    threshold = float(ndvi_threshold) if ndvi_threshold is not None else np.nan
    if ndvi_threshold is not None:
        v.require_threshold(threshold)
    if ndvi_scale is not None and (ndvi_threshold is None or not ndvi_scale > 0):
        raise ValidationError(
            f"`ndvi_scale` is {ndvi_scale}; expected a positive factor for NDVI rasters "
            "(with `ndvi_threshold`); fix: e.g. 0.0001 for int16 × 10000"
        )
    values = np.asarray(sorted(set(classes)), dtype=np.float64) if classes else None
    return GreenRule(values, threshold, ndvi_scale)


def year_masks(
    rule: GreenRule,
    sources: Sequence[Any],
    arrays: Sequence[NDArray[Any]],
    band: int,
    win: Win,
    seen: list[float] | None = None,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(valid, green) of one year's window: one raster, or red and NIR (``sources[1]``).

    For an NDVI raster, ``seen`` (smallest, largest) is widened by the valid
    NDVI values (for :func:`lzgis._validate.require_ndvi_range`).
    """
    src, data = sources[0], arrays[0]
    valid = valid_mask(src, band, data, win)
    if rule.classes is not None:
        return valid, valid & np.isin(data, _representable(rule.classes, data.dtype))
    if len(sources) == 1:
        ndvi = data * rule.ndvi_scale if rule.ndvi_scale is not None else scaled(src, band, data)
        if seen is not None and valid.any():
            values = ndvi[valid]
            seen[0] = min(seen[0], float(values.min()))
            seen[1] = max(seen[1], float(values.max()))
        return valid, valid & (ndvi >= rule.threshold)
    valid, ndvi = ndvi_from_bands(sources, arrays, band, win, valid)
    return valid, valid & (ndvi >= rule.threshold)


def same_grid(a: Any, b: Any) -> bool:
    """Whether two open rasters have the same size, transform and CRS (cell for cell)."""
    return bool(
        a.width == b.width
        and a.height == b.height
        and a.transform.almost_equals(b.transform)
        and a.crs is not None
        and b.crs is not None
        and CRS(a.crs).equals(CRS(b.crs))
    )


def _years(rasters: Mapping[int, str | Path], nir: Mapping[int, str | Path] | None) -> list[int]:
    """The years, sorted, after checking they are whole numbers and match ``nir``'s."""
    if not rasters:
        raise ValidationError(
            "`rasters` is empty; expected at least one {year: raster path}; "
            "fix: pass e.g. {2019: 'ndvi_2019.tif', 2023: 'ndvi_2023.tif'}"
        )
    for year in rasters:
        if isinstance(year, bool) or not isinstance(year, int | np.integer):
            raise ValidationError(
                f"`rasters` has the key {year!r}; expected whole-number years like 2019; "
                "fix: key the rasters by year as int"
            )
    years = sorted(int(y) for y in rasters)
    if nir is not None and sorted(int(y) for y in nir) != years:
        raise ValidationError(
            f"`nir` has the years {sorted(nir)} and the red rasters {years}; expected the same "
            "years; fix: give a red and a NIR band for every year"
        )
    return years


@dataclass
class _Grid:
    """The years on one grid: their sources (in year order), the zones' edges and the windows."""

    sources: list[Any]
    paths: list[Path]
    what: list[str]
    crs: CRS
    geoms: NDArray[np.object_]
    edges: Edges
    windows: list[Win]
    cell_area: Callable[[NDArray[np.int64]], NDArray[np.float64]]
    varies: bool

    def sums(
        self,
        band: int,
        layers: Callable[[Win, list[NDArray[Any]]], dict[Any, NDArray[np.bool_]]],
        progress: Callable[[int], None] | None,
    ) -> dict[Any, NDArray[np.float64]]:
        """Every layer's per-zone sums, all years' windows read together (the zonal engine)."""
        return accumulate(
            self.sources,
            band,
            self.edges,
            self.windows,
            cell_area=self.cell_area,
            varies=self.varies,
            layers=layers,
            progress=progress,
            names=[(str(p), w) for p, w in zip(self.paths, self.what, strict=True)],
        )

    def metric(self) -> NDArray[np.float64]:
        """Each zone's area in the grid's pixel-weight metric (the units of the sums)."""
        if not self.varies:
            return np.asarray(shapely.area(self.geoms), dtype=np.float64)
        return zone_row_areas(self.edges, self.cell_area)


@dataclass
class _Year:
    year: int
    paths: list[Path]
    sources: list[Any]
    what: list[str]  # "raster of 2019", or "red/NIR raster of 2019"


@dataclass
class _Group:
    years: list[_Year]
    setup: _Grid


def _open_years(
    stack: ExitStack,
    rasters: Mapping[int, str | Path],
    nir: Mapping[int, str | Path] | None,
    years: list[int],
    band: int,
) -> list[_Year]:
    out = []
    for year in years:
        paths = [Path(rasters[year])] + ([Path(nir[year])] if nir is not None else [])
        whats = (
            [f"raster of {year}"]
            if nir is None
            else [f"red raster of {year}", f"NIR raster of {year}"]
        )
        sources = [
            stack.enter_context(v.open_raster(p, what=w)) for p, w in zip(paths, whats, strict=True)
        ]
        v.require_raster_crs(sources[0], path=paths[0])
        for s, p in zip(sources, paths, strict=True):
            v.require_band(s, band, path=p)
        if len(sources) == 2:
            v.require_same_grid(sources[0], sources[1], paths=(paths[0], paths[1]))
        out.append(_Year(year, paths, sources, whats))
    return out


def _groups(
    zones: gpd.GeoDataFrame,
    opened: list[_Year],
    band: int,
    *,
    window_shape: tuple[int, int] | None,
    check_overlap: bool,
) -> list[_Group]:
    """The years by grid (in year order of each grid's first year), each with its windows."""
    members: list[list[_Year]] = []
    for y in opened:
        for group in members:
            if same_grid(group[0].sources[0], y.sources[0]):
                group.append(y)
                break
        else:
            members.append([y])
    out = []
    for group in members:
        src = group[0].sources[0]
        crs = CRS(src.crs)
        cell_area, varies = cell_area_function(src, crs, path=group[0].paths[0])
        geoms = project(np.asarray(zones.geometry.values, dtype=object), CRS(zones.crs), crs)
        edges = pixel_edges(geoms, src.transform)
        b = edges.bounds
        with np.errstate(invalid="ignore"):
            touches = (b[:, 2] > 0) & (b[:, 0] < src.width) & (b[:, 3] > 0) & (b[:, 1] < src.height)
        if check_overlap:
            zb = shapely.total_bounds(geoms)
            for y in group:
                v.require_overlap(
                    tuple(float(x) for x in zb),  # type: ignore[arg-type]
                    tuple(y.sources[0].bounds),
                    path=y.paths[0],
                    crs=crs,
                    overlaps=bool(touches.any()),
                )
        windows = plan_windows(src, band, b, shape=window_shape, cells=WINDOW_CELLS)
        sources = [s for y in group for s in y.sources]
        paths = [p for y in group for p in y.paths]
        what = [w for y in group for w in y.what]
        setup = _Grid(sources, paths, what, crs, geoms, edges, windows, cell_area, varies)
        out.append(_Group(group, setup))
    return out


def trend_window_count(
    zones: gpd.GeoDataFrame,
    rasters: Mapping[int, str | Path],
    *,
    band: int = 1,
    _window_shape: tuple[int, int] | None = None,
) -> int:
    """Number of windows :func:`raster_trend` reads (one per window of each grid: a progress bar's length)."""
    _check_zones(zones)
    years = _years(rasters, None)
    with ExitStack() as stack:
        opened = _open_years(stack, rasters, None, years, band)
        groups = _groups(zones, opened, band, window_shape=_window_shape, check_overlap=False)
        return sum(len(g.setup.windows) for g in groups)


def _pairs(years: list[int], groups: list[_Group]) -> dict[int, tuple[int, int] | None]:
    """For each year after the first: (previous year, grid) when both share a grid, else None."""
    grid_of = {y.year: i for i, g in enumerate(groups) for y in g.years}
    return {
        b: ((a, grid_of[b]) if grid_of[a] == grid_of[b] else None)
        for a, b in itertools.pairwise(years)
    }


def raster_trend(
    zones: gpd.GeoDataFrame,
    rasters: Mapping[int, str | Path],
    *,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: Mapping[int, str | Path] | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    progress: Callable[[int], None] | None = None,
    _window_shape: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Green coverage of each zone in each year, and the green gained and lost between years.

    Parameters
    ----------
    zones
        Polygons with a CRS (any; projected to each raster's CRS).
    rasters
        ``{year: path}``: a land-cover raster (with ``classes``), an NDVI
        raster (with ``ndvi_threshold``) or the red band (with ``nir``) per
        year. Any order; the result is sorted by year.
    classes, ndvi_threshold, band, ndvi_scale
        The green rule, band and NDVI scale, as in :func:`lzgis.zonal.raster_coverage`.
    nir
        ``{year: path}`` of the NIR bands, the same years as ``rasters``.
    progress
        Called with the number of newly finished windows; see
        :func:`trend_window_count`.

    Returns
    -------
    pandas.DataFrame
        One row per zone and year (zones in their order, years ascending),
        indexed by the zones' index: ``year``, then ``area_km2``,
        ``data_km2``, ``green_km2``, ``coverage``, ``unknown`` exactly as
        :func:`lzgis.zonal.raster_coverage` gives them for that year alone;
        ``gain_km2``, ``loss_km2`` (since the previous year, on the cells with
        data in both; NaN for the first year and when the two grids differ),
        ``compared_share`` (share of the zone with data in both years) and
        ``grid`` (0, 1, ...: the years with the same number share a grid).

    Raises
    ------
    lzgis.RasterError
        A raster is missing or unreadable, covers none of the zones, or a
        red/NIR pair is not on one grid; none of ``classes`` occurs.
    lzgis.ValidationError
        Years not whole numbers, ``nir`` for other years, bad rule or zones.
    """
    rule = green_rule(classes, ndvi_threshold, ndvi_scale)
    if ndvi_scale is not None and nir is not None:
        raise ValidationError(
            "`ndvi_scale` applies to NDVI rasters, not to red and NIR bands (their scale and "
            "offset metadata are applied); fix: drop `ndvi_scale` / `--ndvi-scale`"
        )
    years = _years(rasters, nir)
    _check_zones(zones)
    seen = {y: [np.inf, -np.inf] for y in years}  # valid NDVI range per year
    per_year: dict[int, dict[str, NDArray[np.float64]]] = {}
    pair_sums: dict[int, dict[str, NDArray[np.float64]]] = {}
    with ExitStack() as stack:
        area_job = stack.enter_context(ThreadPoolExecutor(max_workers=1)).submit(_area_km2, zones)
        opened = _open_years(stack, rasters, nir, years, band)
        groups = _groups(zones, opened, band, window_shape=_window_shape, check_overlap=True)
        pairs = _pairs(years, groups)
        for g_index, group in enumerate(groups):
            members = group.years
            in_group = {y.year for y in members}
            compare = [b for b, p in pairs.items() if p is not None and p[1] == g_index]

            def layers(
                win: Win,
                arrays: list[NDArray[Any]],
                members: list[_Year] = members,
                compare: list[int] = compare,
            ) -> dict[Any, NDArray[np.bool_]]:
                # Layers that are empty in a window integrate to exactly 0 and are
                # left out, so the usual case (data everywhere) integrates one
                # "inside" layer, each year's green and each pair's gain: 2N layers
                # for N years, as many as N single-year runs. The rest is derived:
                # data = inside - nodata, both = inside - either, and
                # loss = gain - green_b + green_a + (green_b & nodata_a) - (green_a & nodata_b).
                out: dict[Any, NDArray[np.bool_]] = {}
                masks: dict[int, tuple[NDArray[np.bool_], NDArray[np.bool_]]] = {}

                def put(key: Any, layer: NDArray[np.bool_]) -> None:
                    if layer.any():
                        out[key] = layer

                out["inside"] = np.ones((win.r1 - win.r0, win.c1 - win.c0), dtype=bool)
                i = 0
                for y in members:
                    k = len(y.sources)
                    valid, green = year_masks(
                        rule, y.sources, arrays[i : i + k], band, win, seen[y.year]
                    )
                    i += k
                    masks[y.year] = (valid, green)
                    put(("nodata", y.year), ~valid)
                    put(("green", y.year), green)
                for b in compare:
                    prev = pairs[b]
                    assert prev is not None
                    (va, ga), (vb, gb) = masks[prev[0]], masks[b]
                    put(("gain", b), gb & ~ga & va)
                    put(("either", b), ~(va & vb))
                    put(("green_b_nodata_a", b), gb & ~va)
                    put(("green_a_nodata_b", b), ga & ~vb)
                return out

            sums = group.setup.sums(band, layers, progress)
            metric = group.setup.metric()
            n = len(zones)
            zero = np.zeros(n)
            inside = sums.get("inside", zero)
            for y in in_group:
                per_year[y] = {
                    "data": np.maximum(inside - sums.get(("nodata", y), zero), 0.0),
                    "green": sums.get(("green", y), zero),
                    "metric": metric,
                    "grid": np.full(n, float(g_index)),
                }
            for b in compare:
                a = pairs[b][0]  # type: ignore[index]
                gain = sums.get(("gain", b), zero)
                loss = (
                    gain
                    - sums.get(("green", b), zero)
                    + sums.get(("green", a), zero)
                    + sums.get(("green_b_nodata_a", b), zero)
                    - sums.get(("green_a_nodata_b", b), zero)
                )
                # rounding noise of the subtraction (far below a pixel) is no loss
                loss = np.where(loss < _SNAP * np.maximum(metric, 1.0), 0.0, loss)
                both = np.maximum(inside - sums.get(("either", b), zero), 0.0)
                pair_sums[b] = {"both": both, "gain": gain, "loss": loss}
        if rule.classes is None and nir is None:
            for one in opened:
                low, high = seen[one.year]
                v.require_ndvi_range(low, high, path=one.paths[0], scale=rule.ndvi_scale)
        area = area_job.result()
        paths_of = {one.year: one.paths[0] for one in opened}

    frames = []
    for year in years:
        s = per_year[year]
        metric = s["metric"]
        share = _ratio(s["data"], metric)
        unknown = np.where(np.isnan(share), 1.0, 1.0 - share)
        coverage = _ratio(s["green"], s["data"])
        if rule.classes is not None and np.any(share > 0):
            # as raster_coverage: decided from the cells under the zones
            v.require_classes_present(
                [int(c) if float(c).is_integer() else c for c in rule.classes],
                found=bool(np.any(coverage > 0)),
                path=paths_of[year],
            )
        data_km2 = area * (1.0 - unknown)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(metric > 0, area / np.where(metric > 0, metric, 1.0), np.nan)
        p = pair_sums.get(year)
        nan = np.full(len(zones), np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "area_km2": area,
                    "data_km2": data_km2,
                    "green_km2": np.where(np.isnan(coverage), 0.0, coverage * data_km2),
                    "coverage": coverage,
                    "unknown": unknown,
                    "gain_km2": p["gain"] * scale if p else nan,
                    "loss_km2": p["loss"] * scale if p else nan,
                    "compared_share": _ratio(p["both"], metric) if p else nan,
                    "grid": s["grid"].astype(np.int64),
                    "_pos": np.arange(len(zones)),
                },
                index=zones.index,
            )
        )
    table = pd.concat(frames).sort_values(["_pos", "year"], kind="stable")
    return table.drop(columns="_pos")[TREND_ZONAL_COLUMNS]
