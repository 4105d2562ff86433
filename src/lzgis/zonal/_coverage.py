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
- A raster may be a collection (several files, a folder, a glob, a VRT, a
  STAC ItemCollection, http(s) URLs; :mod:`lzgis.zonal._sources`): each
  part of a zone is measured from the first source whose extent covers it
  (:mod:`lzgis.zonal._mosaic`). With ``client`` (a dask.distributed
  client) the work runs on its cluster (:mod:`lzgis.zonal._dask`).

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

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from lzgis import _validate as v
from lzgis._errors import RasterError
from lzgis.areas import area_km2
from lzgis.zonal._engine import Sums, Task, run_task
from lzgis.zonal._mosaic import Part, add_union_rings, add_zones, plan_parts, project, weights
from lzgis.zonal._raster import WINDOW_CELLS
from lzgis.zonal._rules import Rule
from lzgis.zonal._sources import RasterInput, resolve
from lzgis.zonal._union import RingsUnion

__all__ = ["EXTRA_ZONE", "class_composition", "raster_coverage", "window_count"]

_SNAP = 1e-9  # ratios within this of 0 or 1 are rounding noise


EXTRA_ZONE = "__extra__"  # the row of raster_coverage's ``extra`` zone


def _check_zones(zones: gpd.GeoDataFrame) -> None:
    v.require_crs(zones, name="zones")
    geoms = np.asarray(zones.geometry.values, dtype=object)
    id_field = "id" if "id" in zones.columns else None
    if len(geoms) and v.all_valid_polygons(geoms):
        v.raise_if_problems(v.coordinate_problems(zones, path="zones", id_field=id_field))
        return
    v.raise_if_problems(
        v.frame_problems(zones, path="zones", id_field=id_field, geometry_type="Polygon")
    )


def _named(paths: list[str]) -> str:
    """The collection's name in messages: its file, or its first file and a count."""
    return paths[0] if len(paths) == 1 else f"{paths[0]} (and {len(paths) - 1} more sources)"


def _resolve_bands(
    raster: RasterInput,
    nir: RasterInput | None,
    *,
    prefer: str,
    red_what: str,
    nir_what: str,
    context: str = "",
) -> tuple[list[str], list[str] | None]:
    """The files of ``raster`` and of ``nir`` (None without it): one NIR source per red source.

    ``red_what``/``nir_what`` name them in messages; ``context`` starts the
    message of a count mismatch (e.g. the year, "2019: ").
    """
    reds = resolve(raster, prefer=prefer, what=red_what)
    if nir is None:
        return reds, None
    nirs = resolve(nir, prefer=prefer, what=nir_what)
    if len(nirs) != len(reds):
        raise RasterError(
            f"{context}`{_named(reds)}` has {len(reds)} red sources but `{_named(nirs)}` has "
            f"{len(nirs)} NIR sources; expected one NIR source per red source, in the same "
            "order; fix: give the bands of the same tiles"
        )
    return reds, nirs


def _plan(
    zones: gpd.GeoDataFrame,
    raster: RasterInput,
    *,
    band: int,
    nir: RasterInput | None,
    prefer: str,
    window_shape: tuple[int, int] | None,
    check_overlap: bool = True,
) -> list[Part]:
    """The sources ``raster`` names and the part of each zone each one measures."""
    paths, nir_paths = _resolve_bands(
        raster, nir, prefer=prefer, red_what="raster", nir_what="NIR raster"
    )
    return _plan_on(
        zones,
        paths,
        nir_paths,
        band=band,
        window_shape=window_shape,
        check_overlap=check_overlap,
    )


def _plan_on(
    zones: gpd.GeoDataFrame,
    paths: list[str],
    nir_paths: list[str] | None,
    *,
    band: int,
    window_shape: tuple[int, int] | None,
    check_overlap: bool = True,
    room: float = 0.0,
) -> list[Part]:
    """:func:`_plan` on the sources' files (``paths``, and ``nir_paths`` or None)."""
    geoms = np.asarray(zones.geometry.values, dtype=object)
    parts = plan_parts(
        geoms,
        CRS(zones.crs),
        paths,
        nir_paths,
        band=band,
        window_shape=window_shape,
        window_cells=WINDOW_CELLS,
        room=room,
    )
    if check_overlap and not any(p.touches for p in parts):
        first = parts[0]
        zb = shapely.total_bounds(project(geoms, CRS(zones.crs), first.crs))
        v.require_overlap(
            tuple(float(x) for x in zb),  # type: ignore[arg-type]
            first.bounds,
            path=_named(paths),
            crs=first.crs,
            overlaps=False,
        )
    return parts


def _with_row(zones: gpd.GeoDataFrame, one: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The zones' geometry and ``one``'s row after them."""
    return pd.concat([zones[[zones.geometry.name]], one])


def _one(zones: gpd.GeoDataFrame, shape: shapely.Geometry) -> gpd.GeoDataFrame:
    """``shape`` as the extra zone, in the zones' CRS and geometry column."""
    name = zones.geometry.name
    return gpd.GeoDataFrame(
        {name: [shape]}, geometry=name, crs=zones.crs, index=pd.Index([EXTRA_ZONE])
    )


def _takes_rings(parts: list[Part], zones: gpd.GeoDataFrame) -> bool:
    """Whether a union's rings can be measured as they are: one source, projected, in the
    zones' CRS (:func:`lzgis.zonal._mosaic.add_union_rings`)."""
    if len(parts) != 1 or parts[0].crs.is_geographic:
        return False
    return bool(parts[0].crs.equals(CRS(zones.crs)))


def _rings_area_km2(zones: gpd.GeoDataFrame, rings: RingsUnion) -> NDArray[np.float64]:
    """:func:`_area_km2` of the zones and the union, once its rings are checked (its
    :attr:`~lzgis.zonal._union.RingsUnion.polygon`: GEOS's union when they fail the check)."""
    return _area_km2(zones, _one(zones, rings.polygon))


def _last_from(sums: Sums, alone: Sums) -> Sums:
    """``sums`` with the last zone's sums replaced by ``alone``'s only zone's."""
    out = {key: values.copy() for key, values in sums.items()}
    for key, values in out.items():
        values[-1] = alone[key][0] if key in alone else 0.0
    return out


def _run(
    parts: list[Part],
    rule: Rule,
    *,
    client: Any,
    progress: Callable[[int], None] | None,
    task_windows: int | None,
) -> list[Sums]:
    """Per-part sums: in this process, or on ``client``'s dask cluster."""
    tasks = [Task(p.paths, rule, p.edges, tuple(p.windows)) for p in parts]
    if client is not None:
        from lzgis.zonal._dask import run_on_cluster

        return run_on_cluster(tasks, client, progress=progress, task_windows=task_windows)
    return [run_task(t, progress) if t.windows else {} for t in tasks]


def _km2(
    parts: list[Part], sums: list[Sums], zone_km2: NDArray[np.float64]
) -> dict[Any, NDArray[np.float64]]:
    """Each layer's km² per zone: the parts' sums in their metric, weighted (``_mosaic``)."""
    out: dict[Any, NDArray[np.float64]] = {}
    for w, part_sums in zip(weights(parts, zone_km2), sums, strict=True):
        for key, values in part_sums.items():
            out[key] = out.get(key, np.zeros(len(zone_km2))) + values * w
    return out


def _area_km2(zones: gpd.GeoDataFrame, one: gpd.GeoDataFrame | None = None) -> NDArray[np.float64]:
    """The zones' equal-area km², and ``one``'s after them (measured together: one CRS)."""
    return area_km2(zones if one is None else _with_row(zones, one)).to_numpy(dtype=np.float64)


def _ratio(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    r = np.where(np.abs(r) < _SNAP, 0.0, r)
    r = np.where(np.abs(r - 1.0) < _SNAP, 1.0, r)
    return np.clip(r, 0.0, 1.0)


def window_count(
    zones: gpd.GeoDataFrame,
    raster: RasterInput,
    *,
    band: int = 1,
    prefer: str = "given",
    _window_shape: tuple[int, int] | None = None,
) -> int:
    """Number of windows :func:`raster_coverage` reads for these zones (a progress bar's length).

    Examples
    --------
    >>> # with click:  with click.progressbar(length=window_count(zones, path)) as bar:
    >>> #                  raster_coverage(zones, path, classes=[1, 2], progress=bar.update)
    """
    _check_zones(zones)
    parts = _plan(
        zones,
        raster,
        band=band,
        nir=None,
        prefer=prefer,
        window_shape=_window_shape,
        check_overlap=False,
    )
    return sum(len(p.windows) for p in parts)


def raster_coverage(
    zones: gpd.GeoDataFrame,
    raster: RasterInput,
    *,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: RasterInput | None = None,
    band: int = 1,
    prefer: str = "given",
    client: Any = None,
    ndvi_scale: float | None = None,
    progress: Callable[[int], None] | None = None,
    extra: Future[shapely.Geometry | RingsUnion | None] | None = None,
    _window_shape: tuple[int, int] | None = None,
    _task_windows: int | None = None,
) -> pd.DataFrame:
    """Green share of each zone from a classified, NDVI, or red + NIR raster (or collection).

    Parameters
    ----------
    zones
        Polygons with a CRS (any; they are projected to the raster's CRS).
    raster
        A land-cover raster (with ``classes``), an NDVI raster (with
        ``ndvi_threshold``), or the RED band when ``nir`` is given. Or a
        collection: a list of files, a folder, a glob, a VRT, an http(s)
        URL (a cloud-optimised GeoTIFF) or a STAC ItemCollection JSON
        (``items.json#ASSET``). Each part of a zone is measured from the
        first source whose extent covers it.
    classes
        Class values counted as green (IGBP 1-10 for MODIS; WorldCover 10,
        20, 30, 90, 95). Exactly one of ``classes`` / ``ndvi_threshold``.
    ndvi_threshold
        Green where NDVI >= this value (-1..1).
    nir
        The NIR band on the same grid as ``raster`` (then
        NDVI = (nir - red) / (nir + red), computed per window); for a
        collection, one NIR source per red source, in the same order.
    band
        Band number (1-based) to read from ``raster`` (and ``nir``).
    prefer
        ``"given"`` (the order given) or ``"newest"`` (STAC items newest first).
    client
        A ``dask.distributed.Client``: the work runs on its cluster, split
        by source × block of windows; the result equals this process's run
        (to 1e-12). None: in this process.
    ndvi_scale
        NDVI raster only: NDVI = raw value × ``ndvi_scale`` (e.g. 0.0001 for
        int16 × 10000), instead of the band's scale/offset metadata, which
        is applied otherwise (as are red and NIR bands' scale and offset,
        before NDVI is computed from them).
    progress
        Called with the number of newly finished windows (e.g. a
        ``click.progressbar``'s ``update``); see :func:`window_count`.
    extra
        One more zone (a valid polygon in the zones' CRS), still being
        computed on another thread: the union of the zones for a total, say.
        It is awaited once the zones are checked and planned, so it is made
        while they are, and measured in the same pass; its row comes last,
        labelled :data:`EXTRA_ZONE` (no row when it comes out None). The
        union may come as the kernel's rings
        (:class:`~lzgis.zonal._union.RingsUnion`): from one projected source
        in the zones' CRS they are measured as they are, while their polygon
        is checked on a side thread (should the check fail, GEOS's union is
        measured alone after the pass); otherwise their polygon is measured.

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
    table, row = coverage_and_extra(
        zones,
        raster,
        classes=classes,
        ndvi_threshold=ndvi_threshold,
        nir=nir,
        band=band,
        prefer=prefer,
        client=client,
        ndvi_scale=ndvi_scale,
        progress=progress,
        extra=extra,
        _window_shape=_window_shape,
        _task_windows=_task_windows,
    )
    return table if row is None else pd.concat([table, row])


def coverage_and_extra(
    zones: gpd.GeoDataFrame,
    raster: RasterInput,
    *,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: RasterInput | None = None,
    band: int = 1,
    prefer: str = "given",
    client: Any = None,
    ndvi_scale: float | None = None,
    progress: Callable[[int], None] | None = None,
    extra: Future[shapely.Geometry | RingsUnion | None] | None = None,
    _window_shape: tuple[int, int] | None = None,
    _task_windows: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`raster_coverage`'s table for the zones (indexed as they are) and, apart, the
    ``extra`` zone's row (None without one): no label is added to the zones' index."""
    v.require_one_rule(classes, ndvi_threshold)
    threshold = float(ndvi_threshold) if ndvi_threshold is not None else np.nan
    if ndvi_threshold is not None:
        v.require_threshold(threshold)
    class_values = tuple(sorted({float(c) for c in classes})) if classes else ()
    if classes:
        rule = Rule("classes", band=band, classes=class_values)
    else:
        rule = Rule(
            "threshold" if nir is None else "red_nir",
            band=band,
            threshold=threshold,
            scale=ndvi_scale,
        )

    _check_zones(zones)
    paths, nir_paths = _resolve_bands(
        raster, nir, prefer=prefer, red_what="raster", nir_what="NIR raster"
    )
    has_extra = False  # whether the extra zone gets a row (after the zones' sums)
    run = partial(_run, rule=rule, client=client, progress=progress, task_windows=_task_windows)
    with ThreadPoolExecutor(max_workers=1) as side:
        # with room after the zones' edges for the union's (1/16: 10,000 circles' union has
        # 2.3% of their edges), so they are not copied to add them
        parts = _plan_on(
            zones, paths, nir_paths, band=band, window_shape=_window_shape,
            room=1 / 16 if extra is not None else 0.0,
        )  # fmt: skip
        # the extra zone, made on another thread meanwhile: planned on the same sources
        more = extra.result() if extra is not None else None
        rings, strips = None, 1
        if isinstance(more, RingsUnion):
            if _takes_rings(parts, zones):
                # measured from its rings while its polygon is checked on the side thread
                rings, more = more, None
                part, strips = add_union_rings(parts[0], rings.xy, rings.start)
                parts = [part]
                has_extra = True
            else:
                more = more.polygon
        one = None if more is None else _one(zones, more)
        if one is not None:
            planned = _plan_on(
                one, paths, nir_paths, band=band, window_shape=_window_shape, check_overlap=False
            )
            parts = add_zones(
                parts, planned, band=band, window_shape=_window_shape, window_cells=WINDOW_CELLS
            )
            has_extra = True
        # the equal-area areas, on a side thread while the raster is read (the pass leaves a
        # core partly idle; planning does not); the extra zone's with the zones' (one CRS)
        if rings is None:
            area_job = side.submit(_area_km2, zones, one)
        else:  # the rings' polygon, checked, and then the areas
            area_job = side.submit(_rings_area_km2, zones, rings)
        sums = run(parts)
        if strips > 1:  # the union's strips, added up
            n = len(zones)
            sums = [{k: np.r_[v[:n], v[n:].sum()] for k, v in s.items()} for s in sums]
            parts = [
                replace(p, geoms=p.geoms[: n + 1], metric=np.r_[p.metric[:n], p.metric[n:].sum()])
                for p in parts
            ]
        area = area_job.result()
        if rings is not None and rings.checked is None:
            # the rings failed their check (a kernel fault): GEOS's union, measured alone
            again = _plan_on(_one(zones, rings.polygon), paths, nir_paths, band=band,
                             window_shape=_window_shape, check_overlap=False)  # fmt: skip
            sums = [_last_from(s, a) for s, a in zip(sums, run(again), strict=True)]
            parts = [
                replace(p, metric=np.r_[p.metric[:-1], a.metric])
                for p, a in zip(parts, again, strict=True)
            ]
    km2 = _km2(parts, sums, area)

    n = len(zones) + has_extra
    data = km2.get("data", np.zeros(n))
    green = km2.get("green", np.zeros(n))
    share = _ratio(data, area)
    unknown = np.where(np.isnan(share), 1.0, 1.0 - share)
    coverage = _ratio(green, data)
    if classes and np.any(share > 0):
        # decided from the cells under the zones (not whole blocks read), so
        # striped and tiled files agree; zones without data are simply empty
        v.require_classes_present(
            [int(c) for c in class_values],
            found=bool(np.any(coverage > 0)),
            path=_named([p.paths[0] for p in parts]),
        )
    data_km2 = area * (1.0 - unknown)
    columns = {
        "area_km2": area,
        "data_km2": data_km2,
        "green_km2": np.where(np.isnan(coverage), 0.0, coverage * data_km2),
        "coverage": coverage,
        "unknown": unknown,
    }
    k = len(zones)
    table = pd.DataFrame({key: c[:k] for key, c in columns.items()}, index=zones.index)
    if not has_extra:
        return table, None
    return table, pd.DataFrame({key: c[k:] for key, c in columns.items()}, index=[EXTRA_ZONE])


def class_composition(
    zones: gpd.GeoDataFrame,
    raster: RasterInput,
    *,
    band: int = 1,
    prefer: str = "given",
    client: Any = None,
    progress: Callable[[int], None] | None = None,
    _window_shape: tuple[int, int] | None = None,
    _task_windows: int | None = None,
) -> pd.DataFrame:
    """Area in km² of each class value of a land-cover raster (or collection) inside each zone.

    Nodata is left out, so a row sums to the zone's ``data_km2`` of
    :func:`raster_coverage`. Columns are the class values found under the
    zones, in ascending order; the index is the zones' index. ``raster``,
    ``prefer`` and ``client`` as in :func:`raster_coverage`.

    Examples
    --------
    >>> # comp = class_composition(districts, "mcd12c1_lanzhou.tif")
    >>> # comp.div(comp.sum(axis=1), axis=0)   # shares per district
    """
    _check_zones(zones)
    with ExitStack() as stack:
        area_job = stack.enter_context(ThreadPoolExecutor(max_workers=1)).submit(_area_km2, zones)
        parts = _plan(zones, raster, band=band, nir=None, prefer=prefer, window_shape=_window_shape)
        rule = Rule("composition", band=band)
        sums = _run(parts, rule, client=client, progress=progress, task_windows=_task_windows)
        area = area_job.result()
    km2 = _km2(parts, sums, area)
    out = pd.DataFrame({key: km2[key] for key in sorted(km2)}, index=zones.index, dtype=np.float64)
    out.columns.name = "class"
    return out
