"""Zone edges in pixel coordinates and exact line integrals over a raster window.

The exact area-weighted sum of a per-cell indicator ``v`` over a polygon is,
by Green's theorem, the line integral ``∮ F(x) dy`` around the polygon's
rings, where ``F(x) = ∫₀ˣ v dx`` along each pixel row. ``v`` is constant per
cell, so ``F`` is piecewise linear in ``x`` within a row and the integral
along a piece of edge inside one row is ``dy`` times the mean of ``F`` over
the piece's ``x`` range: that mean comes from ``K = ∫ F dx``, whose values at
whole columns are exact half-integers (prefix sums of prefix sums of a 0/1
indicator). Edges are split only at row lines, so the work per zone is
proportional to its height in rows plus its vertex count, not to its area, and
pixels on the edge count by exactly the fraction of their area inside the zone
(as in exactextract).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from affine import Affine
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Edges:
    """Polygon edges of all zones in pixel coordinates (column, row)."""

    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    zone: IntArray  # position of the zone (0..n-1) each edge belongs to
    bounds: FloatArray  # (n, 4): xmin, ymin, xmax, ymax per zone in pixels (NaN when empty)
    sign: float  # +1/-1: orientation of the pixel frame relative to the CRS
    n_zones: int

    @property
    def ymin(self) -> FloatArray:
        return np.minimum(self.y0, self.y1)

    @property
    def ymax(self) -> FloatArray:
        return np.maximum(self.y0, self.y1)


def pixel_edges(geoms: NDArray[np.object_], transform: Affine) -> Edges:
    """Edges of polygon ``geoms`` (in the raster CRS) in the pixel frame of ``transform``.

    Exteriors are oriented counter-clockwise and holes clockwise first, so the
    signed line integrals add up to areas (holes subtract).
    """
    n = len(geoms)
    oriented = shapely.orient_polygons(geoms, exterior_cw=False)
    parts, zone_of_part = shapely.get_parts(oriented, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    inv = ~transform
    px = inv.a * coords[:, 0] + inv.b * coords[:, 1] + inv.c
    py = inv.d * coords[:, 0] + inv.e * coords[:, 1] + inv.f
    same = ring_of_coord[:-1] == ring_of_coord[1:]
    zone = zone_of_part[part_of_ring[ring_of_coord[:-1][same]]].astype(np.int64)
    bounds = np.full((n, 4), np.nan)
    if len(coords):
        zone_of_coord = zone_of_part[part_of_ring[ring_of_coord]]
        for col, (values, func) in enumerate(
            ((px, np.minimum), (py, np.minimum), (px, np.maximum), (py, np.maximum))
        ):
            init = np.inf if func is np.minimum else -np.inf
            out = np.full(n, init)
            func.at(out, zone_of_coord, values)
            bounds[:, col] = np.where(np.isfinite(out), out, np.nan)
    det = inv.a * inv.e - inv.b * inv.d
    return Edges(
        x0=px[:-1][same],
        y0=py[:-1][same],
        x1=px[1:][same],
        y1=py[1:][same],
        zone=zone,
        bounds=bounds,
        sign=1.0 if det > 0 else -1.0,
        n_zones=n,
    )


@dataclass(frozen=True)
class RowPieces:
    """Pieces of edges, each inside one pixel row."""

    zone: IntArray
    row: IntArray
    xl: FloatArray  # smaller x of the piece
    xr: FloatArray  # larger x of the piece
    dy: FloatArray  # signed y extent, in the edge's direction


def row_pieces(edges: Edges, select: NDArray[np.bool_] | None, lo: float, hi: float) -> RowPieces:
    """Split the selected edges at whole rows, keeping the parts with ``lo <= y <= hi``."""
    x0, y0, x1, y1, zone = edges.x0, edges.y0, edges.x1, edges.y1, edges.zone
    keep = y0 != y1
    if select is not None:
        keep &= select
    ymin = np.minimum(y0, y1)
    ymax = np.maximum(y0, y1)
    keep &= (ymax > lo) & (ymin < hi)
    idx = np.flatnonzero(keep)
    x0, y0, x1, y1, zone = x0[idx], y0[idx], x1[idx], y1[idx], zone[idx]
    yl = np.maximum(ymin[idx], lo)
    yh = np.minimum(ymax[idx], hi)
    kmin = np.floor(yl) + 1.0
    kmax = np.ceil(yh) - 1.0
    nbreak = np.maximum(kmax - kmin + 1.0, 0.0).astype(np.int64)
    counts = nbreak + 1
    rep = np.repeat(np.arange(len(idx)), counts)
    starts = np.cumsum(counts) - counts
    m = np.arange(len(rep)) - starts[rep]
    nb = nbreak[rep]
    kb = kmin[rep]
    ys = np.where(m == 0, yl[rep], kb + m - 1)
    ye = np.where(m == nb, yh[rep], kb + m)
    ex0, ey0 = x0[rep], y0[rep]
    slope = (x1 - x0)[rep] / (y1 - y0)[rep]
    xs = ex0 + (ys - ey0) * slope
    xe = ex0 + (ye - ey0) * slope
    direction = np.sign((y1 - y0)[rep])
    return RowPieces(
        zone=zone[rep],
        row=np.floor((ys + ye) * 0.5).astype(np.int64),
        xl=np.minimum(xs, xe),
        xr=np.maximum(xs, xe),
        dy=direction * (ye - ys),
    )


def prefix2(indicator: NDArray[np.bool_]) -> FloatArray:
    """``H`` with ``H[:, j] = Σ_{i<j} F[:, i]`` and ``F[:, j]`` = count of true cells left of column j.

    Shape (rows, cols + 2); values are exact integers in float64.
    """
    h, w = indicator.shape
    f = np.empty((h, w + 1), dtype=np.int32 if w < 2**31 - 1 else np.int64)
    f[:, 0] = 0
    np.cumsum(indicator, axis=1, dtype=f.dtype, out=f[:, 1:])
    out = np.empty((h, w + 2), dtype=np.float64)
    out[:, 0] = 0.0
    np.cumsum(f, axis=1, dtype=np.float64, out=out[:, 1:])
    return out


@dataclass(frozen=True)
class _Gather:
    """Positions of row pieces in a window, reusable for several indicator layers."""

    zone: IntArray
    weight: FloatArray  # dy * cell area of the row * orientation sign
    base: IntArray  # row offset into the flattened H
    a: FloatArray
    b: FloatArray
    ja: IntArray
    jb: IntArray
    length: FloatArray  # xr - xl (0 for vertical pieces)
    right: FloatArray  # length of the piece right of the window
    multi: NDArray[np.bool_]
    end1: FloatArray  # min(ja + 1, b)
    wrow: IntArray  # flat index of H[row, w] (for F at the right edge)


def prepare_gather(
    pieces: RowPieces, *, r0: int, c0: int, w: int, cell_area: FloatArray, sign: float
) -> _Gather:
    """Local positions of ``pieces`` in the window at (r0, c0) of width ``w``.

    ``cell_area`` is indexed by local row.
    """
    local_row = pieces.row - r0
    xl = pieces.xl - c0
    xr = pieces.xr - c0
    a = np.clip(xl, 0.0, float(w))
    b = np.clip(xr, 0.0, float(w))
    ja = np.minimum(np.floor(a), w - 1).astype(np.int64)
    jb = np.minimum(np.floor(b), w - 1).astype(np.int64)
    base = local_row * (w + 2)
    return _Gather(
        zone=pieces.zone,
        weight=pieces.dy * cell_area[local_row] * sign,
        base=base,
        a=a,
        b=b,
        ja=ja,
        jb=jb,
        length=xr - xl,
        right=np.maximum(xr - np.maximum(xl, float(w)), 0.0),
        multi=ja < jb,
        end1=np.minimum(ja + 1.0, b),
        wrow=base + w,
    )


def integrate(g: _Gather, h_flat: FloatArray, n_zones: int) -> FloatArray:
    """Per-zone ``∮ F dy`` (times cell area) for one indicator layer's flattened ``H``."""

    ia = g.base + g.ja
    h0, h1, h2 = h_flat[ia], h_flat[ia + 1], h_flat[ia + 2]
    fa0 = h1 - h0
    fa1 = h2 - h1
    # first (or only) cell: [a, end1] inside column ja
    mid1 = (g.a + g.end1) * 0.5 - g.ja
    integral = (g.end1 - g.a) * (fa0 + (fa1 - fa0) * mid1)
    if g.multi.any():
        mi = np.flatnonzero(g.multi)
        jb = g.jb[mi]
        ib = g.base[mi] + jb
        g0, g1, g2 = h_flat[ib], h_flat[ib + 1], h_flat[ib + 2]
        fb0 = g1 - g0
        fb1 = g2 - g1
        kb = (g0 + g1) * 0.5
        ka1 = (h1[mi] + h2[mi]) * 0.5
        bm = g.b[mi]
        t3 = (bm - jb) * 0.5
        integral[mi] += (kb - ka1) + (bm - jb) * (fb0 + (fb1 - fb0) * t3)
    fw = h_flat[g.wrow + 1] - h_flat[g.wrow]
    integral += fw * g.right
    mean = np.divide(integral, g.length, out=np.empty_like(integral), where=g.length > 0)
    vertical = g.length <= 0
    if vertical.any():
        # F at the piece's x (a == b); at x == w this is F[w]
        mean[vertical] = fa0[vertical] + (fa1 - fa0)[vertical] * (g.a - g.ja)[vertical]
    out = np.bincount(g.zone, weights=g.weight * mean, minlength=n_zones)
    return out.astype(np.float64, copy=False)


def zone_row_areas(edges: Edges, cell_area_of_rows: object) -> FloatArray:
    """Per-zone Σ over rows of (the zone's area in that row, in pixels) × cell area of the row.

    ``cell_area_of_rows`` maps an integer row array to cell areas (any row,
    also outside the raster). Exact for polygons: ``∮ x dy`` per row.
    """
    pieces = row_pieces(edges, None, -np.inf, np.inf)
    area = cell_area_of_rows(pieces.row)  # type: ignore[operator]
    contrib = pieces.dy * (pieces.xl + pieces.xr) * 0.5 * area * edges.sign
    out = np.bincount(pieces.zone, weights=contrib, minlength=edges.n_zones)
    return out.astype(np.float64, copy=False)
