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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
        # coordinates come grouped by zone, in zone order
        zone_of_coord = zone_of_part[part_of_ring[ring_of_coord]]
        counts = np.bincount(zone_of_coord, minlength=n)
        has = np.flatnonzero(counts)
        starts = (np.cumsum(counts) - counts)[has]
        bounds[has, 0] = np.minimum.reduceat(px, starts)
        bounds[has, 1] = np.minimum.reduceat(py, starts)
        bounds[has, 2] = np.maximum.reduceat(px, starts)
        bounds[has, 3] = np.maximum.reduceat(py, starts)
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


def band_edges(edges: Edges, lo: float, hi: float) -> IntArray:
    """Indices of the non-horizontal edges with a part strictly between rows ``lo`` and ``hi``."""
    y0, y1 = edges.y0, edges.y1
    keep = (y0 != y1) & (np.maximum(y0, y1) > lo) & (np.minimum(y0, y1) < hi)
    return np.flatnonzero(keep)


def piece_counts(edges: Edges, idx: IntArray, lo: float, hi: float) -> IntArray:
    """Number of row pieces each edge in ``idx`` gives between rows ``lo`` and ``hi``."""
    y0, y1 = edges.y0[idx], edges.y1[idx]
    yl = np.maximum(np.minimum(y0, y1), lo)
    yh = np.minimum(np.maximum(y0, y1), hi)
    return np.maximum(np.ceil(yh) - np.floor(yl), 1.0).astype(np.int64)


def row_pieces(
    edges: Edges, idx: IntArray, lo: float, hi: float, *, r0: int = 0, c0: int = 0
) -> RowPieces:
    """Split edges ``idx`` (from :func:`band_edges`) at whole rows, keeping ``lo <= y <= hi``.

    Rows and x of the pieces are relative to row ``r0`` and column ``c0``.
    """
    x0, y0, x1, y1 = edges.x0[idx], edges.y0[idx], edges.x1[idx], edges.y1[idx]
    yl = np.maximum(np.minimum(y0, y1), lo)
    yh = np.minimum(np.maximum(y0, y1), hi)
    kmin = np.floor(yl) + 1.0  # first row line above the edge's low end
    counts = np.maximum(np.ceil(yh) - kmin, 0.0).astype(np.int64) + 1
    starts = np.cumsum(counts) - counts
    # row line at the top of each piece: kmin, kmin + 1, ... per edge
    kb = np.repeat(kmin - starts, counts) + np.arange(int(counts.sum()), dtype=np.float64)
    ys = np.maximum(kb - 1.0, np.repeat(yl, counts))
    ye = np.minimum(kb, np.repeat(yh, counts))
    dy = y1 - y0
    slope = np.repeat((x1 - x0) / dy, counts)
    ex0 = np.repeat(x0 - c0, counts)
    ey0 = np.repeat(y0, counts)
    xs = ex0 + (ys - ey0) * slope
    xe = ex0 + (ye - ey0) * slope
    step = ye - ys
    return RowPieces(
        zone=np.repeat(edges.zone[idx], counts),
        row=(kb - (1.0 + r0)).astype(np.int64),
        xl=np.minimum(xs, xe),
        xr=np.maximum(xs, xe),
        dy=np.where(np.repeat(dy > 0, counts), step, -step),
    )


def prefix_dtype(width: int) -> type[np.integer]:
    """Integer type that holds :func:`prefix2` of a window ``width`` columns wide."""
    return np.int32 if (width + 2) * (width + 3) // 2 < 2**31 else np.int64


def prefix2(
    indicator: NDArray[np.bool_],
    *,
    out: NDArray[np.integer] | None = None,
    scratch: NDArray[np.integer] | None = None,
) -> NDArray[np.integer]:
    """``H`` with ``H[:, j] = Σ_{i<j} F[:, i]``, ``F[:, j]`` = count of true cells left of column j.

    Shape (rows, cols + 2), exact integers (int32 when they fit): the
    cumulative sum of the cumulative sum of the indicator shifted right by
    two columns. ``out`` and ``scratch`` are optional flat buffers of at
    least rows * (cols + 2) elements of :func:`prefix_dtype` (reused to spare
    the page faults of fresh arrays).
    """
    h, w = indicator.shape
    dtype = prefix_dtype(w)
    size = h * (w + 2)
    c1 = (
        scratch[:size].reshape(h, w + 2)
        if scratch is not None
        else np.empty((h, w + 2), dtype=dtype)
    )
    c1[:, :2] = 0
    np.cumsum(indicator, axis=1, dtype=dtype, out=c1[:, 2:])
    result = out[:size].reshape(h, w + 2) if out is not None else np.empty((h, w + 2), dtype=dtype)
    np.cumsum(c1, axis=1, out=result)
    return result


def prefix2_pair(
    first: NDArray[np.bool_],
    second: NDArray[np.bool_],
    *,
    out: NDArray[np.integer] | None = None,
    scratch: NDArray[np.integer] | None = None,
) -> NDArray[np.integer]:
    """:func:`prefix2` of two indicators packed in one int64 array (low and high 32 bits).

    One gather then serves both layers. Only for windows narrow enough that
    :func:`prefix_dtype` is int32 (every value < 2**31: no carries).
    """
    h, w = first.shape
    if prefix_dtype(w) is not np.int32:  # pragma: no cover - guarded by the caller
        raise ValueError("window too wide to pack two prefix sums")
    size = h * (w + 2)
    code = out[:size].reshape(h, w + 2) if out is not None else np.empty((h, w + 2), np.int64)
    tmp = (
        scratch[:size].reshape(h, w + 2) if scratch is not None else np.empty((h, w + 2), np.int64)
    )
    code[:, :2] = 0
    halves = code.view(np.int32).reshape(h, w + 2, 2)
    low, high = (0, 1) if np.little_endian else (1, 0)
    halves[:, 2:, low] = first
    halves[:, 2:, high] = second
    np.cumsum(code, axis=1, out=tmp)
    np.cumsum(tmp, axis=1, out=code)
    return code


@dataclass(frozen=True)
class Prefix:
    """Prefix sums of one layer, or of two packed by :func:`prefix2_pair`."""

    array: NDArray[np.integer]
    keys: tuple[Any, ...]  # one key, or two (low half, high half)


def integrate(
    pieces: RowPieces,
    layers: list[Prefix],
    *,
    cell_area: float | FloatArray,
    sign: float,
    n_zones: int,
) -> dict[Any, FloatArray]:
    """Per-zone ``∮ F dy`` times cell area, for each layer's ``H`` (:func:`prefix2`, ``_pair``).

    ``pieces`` come from :func:`row_pieces` relative to the window's first
    row and column; ``cell_area`` is one number or an array indexed by row.
    """
    w = layers[0].array.shape[1] - 2
    local_row = pieces.row
    xl = pieces.xl
    xr = pieces.xr
    a = np.clip(xl, 0.0, float(w))
    b = np.clip(xr, 0.0, float(w))
    ja = np.minimum(a.astype(np.int64), w - 1)
    jb = np.minimum(b.astype(np.int64), w - 1)
    base = local_row * (w + 2)
    ia = base + ja
    # Most pieces lie in one column of the window: the mean of F over them is
    # F at their midpoint (and F at x for vertical pieces, also outside the
    # window: F = 0 left of it, F[w] right of it).
    end1 = np.minimum(ja + 1.0, b)
    t1 = (a + end1) * 0.5 - ja
    # The others span several columns or stick out of the window. Their mean
    # is a weighted average over their parts (left of the window: F = 0; the
    # rest of column ja; whole columns; column jb; right of the window:
    # F = F[w]) with weights from the same numbers, so it stays exact however
    # short the piece is.
    odd = np.flatnonzero((ja < jb) | (((xl < 0.0) | (xr > float(w))) & (xr > xl)))
    if len(odd):
        o_a, o_b, o_xl, o_xr = a[odd], b[odd], xl[odd], xr[odd]
        o_ja, o_jb = ja[odd], jb[odd]
        o_span1 = end1[odd] - o_a
        o_multi = o_ja < o_jb
        o_span3 = np.where(o_multi, o_b - o_jb, 0.0)
        o_right = np.maximum(o_xr - np.maximum(o_xl, float(w)), 0.0)
        o_length = (
            np.maximum(np.minimum(o_xr, 0.0) - o_xl, 0.0)
            + o_span1
            + np.where(o_multi, o_jb - o_ja - 1.0, 0.0)
            + o_span3
            + o_right
        )
        o_ib = base[odd] + o_jb
        o_iw = base[odd] + w
    if np.ndim(cell_area):
        weight = pieces.dy * (np.asarray(cell_area)[local_row] * sign)
    else:
        weight = pieces.dy * (float(cell_area) * sign)
    out: dict[Any, FloatArray] = {}

    def unpack(values: NDArray[np.integer], packed: bool) -> list[FloatArray]:
        if not packed:
            return [values.astype(np.float64)]
        return [(values & 0xFFFFFFFF).astype(np.float64), (values >> 32).astype(np.float64)]

    for prefix in layers:
        hf = prefix.array.ravel()
        packed = len(prefix.keys) == 2
        # H is non-decreasing in each packed half, so differences of packed
        # values are packed differences (no borrows): F = H[j + 1] - H[j]
        h0, h1, h2 = hf.take(ia), hf.take(ia + 1), hf.take(ia + 2)
        fa0s = unpack(h1 - h0, packed)
        fa1s = unpack(h2 - h1, packed)
        if len(odd):
            g0, g1, g2 = hf.take(o_ib), hf.take(o_ib + 1), hf.take(o_ib + 2)
            # 2 (K(jb) - K(ja + 1)) = H[jb] + H[jb + 1] - H[ja + 1] - H[ja + 2]
            ks = unpack((g0 - h1[odd]) + (g1 - h2[odd]), packed)
            fb0s = unpack(g1 - g0, packed)
            fb1s = unpack(g2 - g1, packed)
            fws = unpack(hf.take(o_iw + 1) - hf.take(o_iw), packed)
        for n_key, key in enumerate(prefix.keys):
            fa0 = fa0s[n_key]
            mean = fa0 + (fa1s[n_key] - fa0) * t1
            if len(odd):
                fb0 = fb0s[n_key]
                # K(jb) - K(ja + 1), exact, + the last partial column [jb, b]
                middle = ks[n_key] * 0.5 + o_span3 * (fb0 + (fb1s[n_key] - fb0) * o_span3 * 0.5)
                integral = (
                    o_span1 * mean[odd] + np.where(o_multi, middle, 0.0) + fws[n_key] * o_right
                )
                mean[odd] = integral / o_length
            total = np.bincount(pieces.zone, weights=weight * mean, minlength=n_zones)
            out[key] = total.astype(np.float64, copy=False)
    return out


def zone_row_areas(
    edges: Edges, cell_area_of_rows: Callable[[IntArray], FloatArray], *, chunk: int = 1 << 17
) -> FloatArray:
    """Per-zone Σ over rows of (the zone's area in that row, in pixels) × cell area of the row.

    ``cell_area_of_rows`` maps an integer row array to cell areas (any row,
    also outside the raster). Exact for polygons: ``∮ x dy`` per row. Edges
    are taken about ``chunk`` row pieces at a time (bounded memory).
    """
    idx = band_edges(edges, -np.inf, np.inf)
    counts = piece_counts(edges, idx, -np.inf, np.inf)
    ends = np.searchsorted(np.cumsum(counts), np.arange(chunk, int(counts.sum()) + chunk, chunk))
    out = np.zeros(edges.n_zones)
    start = 0
    for end in [*np.unique(np.minimum(ends + 1, len(idx))).tolist(), len(idx)]:
        if end <= start:
            continue
        pieces = row_pieces(edges, idx[start:end], -np.inf, np.inf)
        contrib = pieces.dy * (pieces.xl + pieces.xr) * 0.5 * cell_area_of_rows(pieces.row)
        out += np.bincount(pieces.zone, weights=contrib * edges.sign, minlength=edges.n_zones)
        start = end
    return out
