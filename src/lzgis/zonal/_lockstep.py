"""Several years of rasters in lockstep: one pass over the windows for all years on a grid.

:func:`raster_trend` measures the green coverage of each zone in each year
and, between consecutive years whose rasters share a grid (same CRS,
transform and size; for collections, the same tiling), the green gained and
lost. The rasters of all years on
one grid are read together, window by window: the zones' edges are split at
a window's rows once and that work serves every year, so N years cost about
N reads of one raster, not N full runs. Years on another grid form their own
pass (no gain or loss across grids: their pixels are not the same cells).

Each year's source may be a collection (several files, a folder, a glob, a
VRT, a STAC ItemCollection: :mod:`lzgis.zonal._sources`), measured by the
mosaic rule of :func:`lzgis.zonal.raster_coverage` (each part of a zone from
the first source whose extent covers it, :mod:`lzgis.zonal._mosaic`). Years
share a grid when they share the tiling: as many sources, each on the same
grid as the other year's source in the same place of the order. Then the
parts are the same in both years and gain and loss are measured tile by
tile, cell by cell, and added up as the coverage is; otherwise they are
empty.

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
from lzgis.zonal._coverage import (
    _SNAP,
    _area_km2,
    _check_zones,
    _named,
    _ratio,
    _resolve_bands,
)
from lzgis.zonal._engine import Sums, Task
from lzgis.zonal._mosaic import Part, plan_parts, project, weights
from lzgis.zonal._raster import WINDOW_CELLS
from lzgis.zonal._sources import RasterInput
from lzgis.zonal._yearlayers import (
    GreenRule,
    TrendRule,
    green_rule,
    run_trend_task,
    year_masks,
)

__all__ = [
    "TREND_ZONAL_COLUMNS",
    "GreenRule",
    "collection_years",
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

YearRasters = Mapping[int, RasterInput]


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


def _years(rasters: YearRasters, nir: YearRasters | None) -> list[int]:
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
class _Tile:
    """One source of a year: the raster (or red and NIR), open."""

    paths: list[str]
    sources: list[Any]
    what: list[str]


@dataclass
class _Year:
    year: int
    tiles: list[_Tile]  # in order of preference (the mosaic rule)

    @property
    def name(self) -> str:
        """The year's source in messages: its file, or its first file and a count."""
        return _named([t.paths[0] for t in self.tiles])

    # the first (for a single raster: the only) source, as the change raster reads it
    @property
    def sources(self) -> list[Any]:
        return self.tiles[0].sources

    @property
    def paths(self) -> list[Path]:
        return [Path(p) for p in self.tiles[0].paths]

    @property
    def what(self) -> list[str]:
        return self.tiles[0].what


@dataclass
class _Group:
    """The years sharing a tiling, and the part of each zone each of its tiles measures."""

    years: list[_Year]
    parts: list[Part]


def _resolve_year(
    rasters: YearRasters, nir: YearRasters | None, year: int, prefer: str
) -> tuple[list[str], list[str] | None]:
    kind = "raster" if nir is None else "red raster"
    return _resolve_bands(
        rasters[year],
        nir[year] if nir is not None else None,
        prefer=prefer,
        red_what=f"{kind} of {year}",
        nir_what=f"NIR raster of {year}",
        context=f"{year}: ",
    )


def _open_years(
    stack: ExitStack,
    rasters: YearRasters,
    nir: YearRasters | None,
    years: list[int],
    band: int,
    prefer: str = "given",
) -> list[_Year]:
    out = []
    for year in years:
        reds, nirs = _resolve_year(rasters, nir, year, prefer)
        whats = (
            [f"raster of {year}"]
            if nir is None
            else [f"red raster of {year}", f"NIR raster of {year}"]
        )
        tiles = []
        for i, red in enumerate(reds):
            paths = [red] + ([nirs[i]] if nirs is not None else [])
            sources = [
                stack.enter_context(v.open_raster(p, what=w))
                for p, w in zip(paths, whats, strict=True)
            ]
            v.require_raster_crs(sources[0], path=paths[0])
            for s, p in zip(sources, paths, strict=True):
                v.require_band(s, band, path=p)
            if len(sources) == 2:
                v.require_same_grid(sources[0], sources[1], paths=(paths[0], paths[1]))
            tiles.append(_Tile(paths, sources, whats))
        out.append(_Year(year, tiles))
    return out


def _same_tiling(a: _Year, b: _Year) -> bool:
    return len(a.tiles) == len(b.tiles) and all(
        same_grid(s.sources[0], t.sources[0]) for s, t in zip(a.tiles, b.tiles, strict=True)
    )


def _groups(
    zones: gpd.GeoDataFrame,
    opened: list[_Year],
    band: int,
    *,
    window_shape: tuple[int, int] | None,
    check_overlap: bool,
) -> list[_Group]:
    """The years by tiling (in year order of each tiling's first year), each with its parts."""
    members: list[list[_Year]] = []
    for y in opened:
        for group in members:
            if _same_tiling(group[0], y):
                group.append(y)
                break
        else:
            members.append([y])
    geoms = np.asarray(zones.geometry.values, dtype=object)
    out = []
    for group in members:
        tiles = group[0].tiles
        parts = plan_parts(
            geoms,
            CRS(zones.crs),
            [t.paths[0] for t in tiles],
            [t.paths[1] for t in tiles] if len(tiles[0].paths) == 2 else None,
            band=band,
            window_shape=window_shape,
            window_cells=WINDOW_CELLS,
        )
        if check_overlap and not any(p.touches for p in parts):
            zb = shapely.total_bounds(project(geoms, CRS(zones.crs), parts[0].crs))
            v.require_overlap(
                tuple(float(x) for x in zb),  # type: ignore[arg-type]
                parts[0].bounds,
                path=group[0].name,
                crs=parts[0].crs,
                overlaps=False,
            )
        out.append(_Group(group, parts))
    return out


def collection_years(
    rasters: YearRasters, nir: YearRasters | None = None, *, prefer: str = "given"
) -> list[int]:
    """The years whose source is a collection of more than one file (no single grid to draw a change on)."""
    years = _years(rasters, nir)
    return [y for y in years if len(_resolve_year(rasters, nir, y, prefer)[0]) > 1]


def trend_window_count(
    zones: gpd.GeoDataFrame,
    rasters: YearRasters,
    *,
    band: int = 1,
    prefer: str = "given",
    _window_shape: tuple[int, int] | None = None,
) -> int:
    """Number of windows :func:`raster_trend` reads (one per window of each tile of each tiling:
    a progress bar's length)."""
    _check_zones(zones)
    years = _years(rasters, None)
    with ExitStack() as stack:
        opened = _open_years(stack, rasters, None, years, band, prefer)
        groups = _groups(zones, opened, band, window_shape=_window_shape, check_overlap=False)
        return sum(len(p.windows) for g in groups for p in g.parts)


def _pairs(years: list[int], groups: list[_Group]) -> dict[int, tuple[int, int] | None]:
    """For each year after the first: (previous year, grid) when both share a grid, else None."""
    grid_of = {y.year: i for i, g in enumerate(groups) for y in g.years}
    return {
        b: ((a, grid_of[b]) if grid_of[a] == grid_of[b] else None)
        for a, b in itertools.pairwise(years)
    }


def _tasks(
    groups: list[_Group],
    pairs: dict[int, tuple[int, int] | None],
    rule: GreenRule,
    *,
    band: int,
    red_nir: bool,
) -> list[Task]:
    """One task per tile of each tiling: all its years' files read together."""
    classes = tuple(float(c) for c in rule.classes) if rule.classes is not None else ()
    kind = "classes" if classes else ("red_nir" if red_nir else "threshold")
    tasks = []
    for g_index, group in enumerate(groups):
        compare = tuple((b, p[0]) for b, p in pairs.items() if p is not None and p[1] == g_index)
        trend_rule = TrendRule(
            kind,
            band=band,
            threshold=rule.threshold,
            classes=classes,
            scale=rule.ndvi_scale,
            years=tuple(y.year for y in group.years),
            per_year=2 if red_nir else 1,
            compare=compare,
        )
        for i, part in enumerate(group.parts):
            paths = tuple(p for y in group.years for p in y.tiles[i].paths)
            tasks.append(Task(paths, trend_rule, part.edges, tuple(part.windows)))
    return tasks


def _run(
    tasks: list[Task],
    *,
    client: Any,
    progress: Callable[[int], None] | None,
    task_windows: int | None,
) -> list[Sums]:
    """Per-task sums: in this process, or on ``client``'s dask cluster."""
    if client is not None:
        from lzgis.zonal._dask import run_on_cluster

        return run_on_cluster(
            tasks, client, progress=progress, task_windows=task_windows, runner=run_trend_task
        )
    return [run_trend_task(t, progress) if t.windows else {} for t in tasks]


@dataclass
class _Km2:
    """Per zone, in km²: each year's data and green, each pair's gain, loss and common data."""

    data: dict[int, NDArray[np.float64]]
    green: dict[int, NDArray[np.float64]]
    pairs: dict[int, dict[str, NDArray[np.float64]]]


def _km2(
    groups: list[_Group],
    tasks: list[Task],
    sums: list[Sums],
    area: NDArray[np.float64],
) -> _Km2:
    """The tasks' sums (in each tile's metric) weighted into km² as on one mosaic (``_mosaic``)."""
    n = len(area)
    zero = np.zeros(n)
    out = _Km2({}, {}, {})
    done = iter(zip(tasks, sums, strict=True))
    for group in groups:
        for part, w in zip(group.parts, weights(group.parts, area), strict=True):
            task, s = next(done)
            rule = task.rule
            assert isinstance(rule, TrendRule)
            inside = s.get("inside", zero)
            for y in rule.years:
                data = np.maximum(inside - s.get(("nodata", y), zero), 0.0)
                out.data[y] = out.data.get(y, zero) + data * w
                out.green[y] = out.green.get(y, zero) + s.get(("green", y), zero) * w
            for b, a in rule.compare:
                gain = s.get(("gain", b), zero)
                loss = (
                    gain
                    - s.get(("green", b), zero)
                    + s.get(("green", a), zero)
                    + s.get(("green_b_nodata_a", b), zero)
                    - s.get(("green_a_nodata_b", b), zero)
                )
                # rounding noise of the subtraction (far below a pixel) is no loss
                loss = np.where(loss < _SNAP * np.maximum(part.metric, 1.0), 0.0, loss)
                both = np.maximum(inside - s.get(("either", b), zero), 0.0)
                got = out.pairs.setdefault(b, {"gain": zero, "loss": zero, "both": zero})
                got["gain"] = got["gain"] + gain * w
                got["loss"] = got["loss"] + loss * w
                got["both"] = got["both"] + both * w
    return out


def raster_trend(
    zones: gpd.GeoDataFrame,
    rasters: YearRasters,
    *,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: YearRasters | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    prefer: str = "given",
    client: Any = None,
    progress: Callable[[int], None] | None = None,
    _window_shape: tuple[int, int] | None = None,
    _task_windows: int | None = None,
) -> pd.DataFrame:
    """Green coverage of each zone in each year, and the green gained and lost between years.

    Parameters
    ----------
    zones
        Polygons with a CRS (any; projected to each raster's CRS).
    rasters
        ``{year: source}``: a land-cover raster (with ``classes``), an NDVI
        raster (with ``ndvi_threshold``) or the red band (with ``nir``) per
        year; each a file or a collection as for
        :func:`lzgis.zonal.raster_coverage` (a list of files in order of
        preference, a folder, a glob, a VRT, a STAC ItemCollection JSON).
        Any order of years; the result is sorted by year.
    classes, ndvi_threshold, band, ndvi_scale
        The green rule, band and NDVI scale, as in :func:`lzgis.zonal.raster_coverage`.
    nir
        ``{year: source}`` of the NIR bands, the same years as ``rasters``
        (for a collection, one NIR source per red source, in the same order).
    prefer
        ``"given"`` or ``"newest"`` (STAC items newest first), as in
        :func:`lzgis.zonal.raster_coverage`.
    client
        A ``dask.distributed.Client``: the tiles' tasks run on its cluster;
        the result equals this process's run (to 1e-12).
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
        data in both; NaN for the first year and when the two grids or
        tilings differ), ``compared_share`` (share of the zone with data in
        both years) and ``grid`` (0, 1, ...: the years with the same number
        share a grid, or a tiling).

    Raises
    ------
    lzgis.RasterError
        A raster is missing or unreadable, covers none of the zones, or a
        red/NIR pair is not on one grid; none of ``classes`` occurs; an
        empty folder or glob.
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
    with ExitStack() as stack:
        area_job = stack.enter_context(ThreadPoolExecutor(max_workers=1)).submit(_area_km2, zones)
        opened = _open_years(stack, rasters, nir, years, band, prefer)
        groups = _groups(zones, opened, band, window_shape=_window_shape, check_overlap=True)
        pairs = _pairs(years, groups)
        names = {one.year: one.name for one in opened}
        # each task opens its own files (here or on a worker)
        tasks = _tasks(groups, pairs, rule, band=band, red_nir=nir is not None)
        sums = _run(tasks, client=client, progress=progress, task_windows=_task_windows)
        area = area_job.result()
    km2 = _km2(groups, tasks, sums, area)
    grid_of = {y.year: i for i, g in enumerate(groups) for y in g.years}

    frames = []
    n = len(zones)
    for year in years:
        share = _ratio(km2.data[year], area)
        unknown = np.where(np.isnan(share), 1.0, 1.0 - share)
        coverage = _ratio(km2.green[year], km2.data[year])
        if rule.classes is not None and np.any(share > 0):
            # as raster_coverage: decided from the cells under the zones
            v.require_classes_present(
                [int(c) if float(c).is_integer() else c for c in rule.classes],
                found=bool(np.any(coverage > 0)),
                path=names[year],
            )
        data_km2 = area * (1.0 - unknown)
        p = km2.pairs.get(year)
        nan = np.full(n, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "area_km2": area,
                    "data_km2": data_km2,
                    "green_km2": np.where(np.isnan(coverage), 0.0, coverage * data_km2),
                    "coverage": coverage,
                    "unknown": unknown,
                    "gain_km2": p["gain"] if p else nan,
                    "loss_km2": p["loss"] if p else nan,
                    "compared_share": _ratio(p["both"], area) if p else nan,
                    "grid": np.full(n, grid_of[year], dtype=np.int64),
                    "_pos": np.arange(n),
                },
                index=zones.index,
            )
        )
    table = pd.concat(frames).sort_values(["_pos", "year"], kind="stable")
    return table.drop(columns="_pos")[TREND_ZONAL_COLUMNS]
