"""Zones over a collection of sources: who measures which part of each zone.

Rule: each part of a zone is measured once, from the first source in order
whose extent (the outline of its grid) covers it. The zones are projected to
the first source's CRS and cut by its extent; what is left (the rest) goes
on to the next source, projected to its CRS, and so on; the last source
takes all that is left, so the parts of a zone outside every extent are
measured (as no data) there. No part is lost and none is counted twice;
nodata inside an extent stays unknown (it is not filled from later sources).

The parts are added up as on one mosaic of the sources: consecutive sources
in one CRS share their CRS's area metric (so a VRT and the list of its files
agree), and sources in different CRSs (UTM zones) are weighted by the
equal-area km² of the parts they measure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from numpy.typing import NDArray
from pyproj import CRS

from lzgis import _validate as v
from lzgis._geometry import ring_areas2
from lzgis.areas import area_km2
from lzgis.zonal._geom import Edges, pixel_edges, ring_edges, zone_row_areas
from lzgis.zonal._raster import Win, cell_area_function, plan_windows
from lzgis.zonal._sources import extent_polygon
from lzgis.zonal._strips import strips

__all__ = ["Part", "add_union_rings", "add_zones", "plan_parts", "project", "weights"]

_DENSIFY_DEG = 0.005  # ~500 m, as in lzgis.areas
_DENSIFY_M = 500.0
_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass
class Part:
    """The parts of all zones that one source measures, in its pixel frame."""

    paths: tuple[str, ...]  # the source, and its NIR partner
    crs: CRS
    geoms: NDArray[np.object_]  # the parts, in the source's CRS (empty where none)
    edges: Edges
    windows: list[Win]
    metric: NDArray[np.float64]  # the parts' areas in the source's pixel-weight metric
    touches: bool  # some part lies over the source's grid
    bounds: tuple[float, float, float, float]  # the source's extent, in its CRS
    transform: Affine  # the source's grid


def project(geoms: NDArray[np.object_], source: CRS, crs: CRS) -> NDArray[np.object_]:
    """``geoms`` from ``source`` to ``crs``, edges densified first (~500 m)."""
    if source.equals(crs):
        return geoms
    if source.is_geographic:
        step = _DENSIFY_DEG
    else:
        factor = source.axis_info[0].unit_conversion_factor if source.axis_info else 1.0
        step = _DENSIFY_M / factor
    dense = gpd.GeoSeries(shapely.segmentize(geoms, step), crs=source)
    return np.asarray(dense.to_crs(crs).values, dtype=object)


def _polygonal(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Only the polygons of each geometry (a cut may leave lines and points behind)."""
    out = geoms.copy()
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(geoms), _POLYGONAL)):
        parts = shapely.get_parts(shapely.get_parts(geoms[i]))
        polys = parts[shapely.get_type_id(parts) == 3]
        out[i] = shapely.multipolygons(polys) if len(polys) else shapely.Polygon()
    return out


def _metric(geoms: NDArray[np.object_], edges: Edges, src: Any, crs: CRS, path: str) -> Any:
    cell_area, varies = cell_area_function(src, crs, path=path)
    if not varies:
        return np.asarray(shapely.area(geoms), dtype=np.float64)
    return zone_row_areas(edges, cell_area)


def plan_parts(
    geoms: NDArray[np.object_],
    zones_crs: CRS,
    paths: list[str],
    nir_paths: list[str] | None,
    *,
    band: int,
    window_shape: tuple[int, int] | None,
    window_cells: int,
    room: float = 0.0,
) -> list[Part]:
    """Cut the zones among the sources (see the module doc) and plan each source's windows.

    ``room``: spare slots after the edges, as a share of them, for one more
    zone to come (:func:`add_union_rings`).
    """
    with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"):  # no listing of URLs' folders
        return _plan_parts(
            geoms, zones_crs, paths, nir_paths, band, window_shape, window_cells, room
        )


def _plan_parts(
    geoms: NDArray[np.object_],
    zones_crs: CRS,
    paths: list[str],
    nir_paths: list[str] | None,
    band: int,
    window_shape: tuple[int, int] | None,
    window_cells: int,
    room: float,
) -> list[Part]:
    parts = []
    rest, rest_crs = geoms, zones_crs
    for i, path in enumerate(paths):
        pair = (path,) if nir_paths is None else (path, nir_paths[i])
        with v.open_raster(path, what="raster" if nir_paths is None else "red raster") as src:
            crs = v.require_raster_crs(src, path=path)
            v.require_band(src, band, path=path)
            if nir_paths is not None:
                with v.open_raster(nir_paths[i], what="NIR raster") as nsrc:
                    v.require_band(nsrc, band, path=nir_paths[i])
                    v.require_same_grid(src, nsrc, paths=(path, nir_paths[i]))
            here = project(rest, rest_crs, crs)
            if i < len(paths) - 1:
                extent = extent_polygon(src)
                piece = _polygonal(shapely.intersection(here, extent))
                rest, rest_crs = _polygonal(shapely.difference(here, extent)), crs
            else:
                piece = here
            edges = pixel_edges(piece, src.transform, room=room)
            b = edges.bounds
            with np.errstate(invalid="ignore"):
                touches = (
                    (b[:, 2] > 0) & (b[:, 0] < src.width) & (b[:, 3] > 0) & (b[:, 1] < src.height)
                )
            windows = plan_windows(src, band, b, shape=window_shape, cells=window_cells)
            metric = _metric(piece, edges, src, crs, path)
            parts.append(
                Part(
                    pair,
                    crs,
                    piece,
                    edges,
                    windows,
                    metric,
                    bool(touches.any()),
                    tuple(src.bounds),
                    src.transform,
                )
            )
    return parts


def add_zones(
    parts: list[Part],
    more: list[Part],
    *,
    band: int,
    window_shape: tuple[int, int] | None,
    window_cells: int,
) -> list[Part]:
    """``parts`` with the zones of ``more`` (planned on the same sources) after their own.

    Each zone's parts, edges and metric depend on that zone alone, so this is
    what planning all the zones together gives; the windows are planned again
    for all of them, unless ``more``'s windows are among ``parts``' already.
    """
    out = []
    with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"):
        for a, b in zip(parts, more, strict=True):
            edges = _joined(a.edges, b.edges)
            if set(b.windows) <= set(a.windows):
                # the blocks b's zones touch are a's already: the same plan for all of them
                windows = a.windows
            else:
                with v.open_raster(a.paths[0], what="raster") as src:
                    windows = plan_windows(
                        src, band, edges.bounds, shape=window_shape, cells=window_cells
                    )
            out.append(
                replace(
                    a,
                    geoms=np.concatenate([a.geoms, b.geoms]),
                    edges=edges,
                    windows=windows,
                    metric=np.concatenate([a.metric, b.metric]),
                    touches=a.touches or b.touches,
                )
            )
    return out


def _joined(ea: Edges, eb: Edges) -> Edges:
    """The edges of ``ea``'s zones, then ``eb``'s (numbered after them)."""
    return Edges(
        x0=_extended(ea.x0, eb.x0),
        y0=_extended(ea.y0, eb.y0),
        x1=_extended(ea.x1, eb.x1),
        y1=_extended(ea.y1, eb.y1),
        zone=_extended(ea.zone, eb.zone + ea.n_zones),
        bounds=np.vstack([ea.bounds, eb.bounds]),
        sign=ea.sign,
        n_zones=ea.n_zones + eb.n_zones,
    )


def _extended(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
    """``a`` then ``b``: written into the room after ``a`` in its buffer when there is enough
    (``ring_edges(room=)``: ``a`` is not copied), else a new array."""
    base, n = a.base, len(a)
    if (
        isinstance(base, np.ndarray)
        and base.ndim == 1
        and base.dtype == a.dtype
        and a.strides == base.strides
        and a.ctypes.data == base.ctypes.data
        and len(base) >= n + len(b)
    ):
        base[n : n + len(b)] = b
        return base[: n + len(b)]
    return np.concatenate([a, b])


def add_union_rings(
    part: Part, xy: NDArray[np.float64], start: NDArray[np.int64]
) -> tuple[Part, int]:
    """``part`` with one more zone after its own: the union of its zones, given as closed rings.

    For one source in a projected CRS, the zones' own (so a zone's metric is
    its area in CRS units). The rings (``xy``, ``start`` as
    :class:`lzgis.zonal._union.RingsUnion` holds them: shells
    counter-clockwise, holes clockwise) need no polygon: their edges are
    integrated as they are, and the metric is the sum of their signed areas.
    The union covers no cell that its zones do not, so the zones' windows
    serve it too. Its geometry in ``geoms`` is None: with one source no
    weight needs it. Its edges go into the room the zones' edges were
    planned with (``plan_parts(room=)``), if any, so the zones' are not
    copied: a part's room serves one union.

    The union spans the zones' windows, so it comes cut at their column
    lines into strips, one zone each (:func:`lzgis.zonal._strips.strips`),
    and is measured in each window from its strips there alone. Returns the
    part and how many zones it gained: their sums add up to the union's,
    and the first holds the union's whole metric (add them up before
    weighing them).
    """
    n = len(start) - 1
    ring_of = np.repeat(np.arange(n), np.diff(start))
    area2 = ring_areas2(xy, ring_of, n)
    edges = ring_edges(xy, ring_of, area2 > 0, np.zeros(n, dtype=np.int64), part.transform, 1)
    lines = np.unique([float(c) for w in part.windows for c in (w.c0, w.c1)])
    spans = np.array([(w.c0, w.c1) for w in part.windows], dtype=float).reshape(-1, 2)
    crossed = np.array([bool(np.any((spans[:, 0] < b) & (b < spans[:, 1]))) for b in lines])
    edges = strips(edges, lines, crossed=crossed) or edges
    added = edges.n_zones
    return (
        replace(
            part,
            geoms=np.r_[part.geoms, np.full(added, None, dtype=object)],
            edges=_joined(part.edges, edges),
            metric=np.r_[part.metric, area2.sum() / 2, np.zeros(added - 1)],
        ),
        added,
    )


def weights(parts: list[Part], zone_km2: NDArray[np.float64]) -> list[NDArray[np.float64]]:
    """km² per unit of each part's metric, per zone: a layer's km² = Σ parts' sums × weight.

    Consecutive parts in one CRS form a group measured in that CRS's metric;
    groups are weighted by the equal-area km² of their parts.
    """
    groups: list[list[int]] = []
    for i, part in enumerate(parts):
        if groups and parts[groups[-1][0]].crs.equals(part.crs):
            groups[-1].append(i)
        else:
            groups.append([i])
    out: list[NDArray[np.float64]] = [np.zeros(len(zone_km2))] * len(parts)
    if len(groups) == 1:
        shares = [np.ones(len(zone_km2))]
    else:
        km2 = [
            sum(
                (
                    area_km2(gpd.GeoSeries(parts[i].geoms, crs=parts[i].crs)).to_numpy(
                        dtype=np.float64
                    )
                    for i in group
                ),
                start=np.zeros(len(zone_km2)),
            )
            for group in groups
        ]
        total = np.sum(km2, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = [np.where(total > 0, k / np.where(total > 0, total, 1.0), 0.0) for k in km2]
    for group, share in zip(groups, shares, strict=True):
        metric = np.sum([parts[i].metric for i in group], axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(metric > 0, zone_km2 * share / np.where(metric > 0, metric, 1.0), 0.0)
        for i in group:
            out[i] = w
    return out
