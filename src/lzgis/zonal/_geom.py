"""Zone edges in pixel coordinates and exact line integrals over a raster window.

The exact area-weighted sum of a per-cell indicator ``v`` over a polygon is,
by Green's theorem, the line integral ``∮ F(x) dy`` around the polygon's
rings, where ``F(x) = ∫₀ˣ v dx`` along each pixel row. ``v`` is constant per
cell, so ``F`` is piecewise linear in ``x`` within a row and the integral
along a piece of edge inside one row is ``dy`` times the mean of ``F`` over
the piece's ``x`` range: that mean comes from ``K = ∫ F dx``, whose values at
whole columns are exact half-integers (sums of the prefix sums of a 0/1
indicator between the piece's ends). Edges are split only at row lines, so the work per zone is
proportional to its height in rows plus its vertex count, not to its area, and
pixels on the edge count by exactly the fraction of their area inside the zone
(as in exactextract).

The inner loops (:func:`prefix1`, :func:`prefix1_pair`, :func:`integrate_edges`)
run in the compiled kernel when the install built it (:mod:`lzgis.zonal._kernel`),
with the same bits as the numpy code here, which runs otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from affine import Affine
from numpy.typing import NDArray

from lzgis._geometry import polygon_rings, ring_areas2
from lzgis.zonal import _kernel

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


def pixel_edges(geoms: NDArray[np.object_], transform: Affine, *, room: float = 0.0) -> Edges:
    """Edges of polygon ``geoms`` (in the raster CRS) in the pixel frame of ``transform``.

    Edges run counter-clockwise around exteriors and clockwise around holes
    (in the CRS), so the signed line integrals add up to areas (holes
    subtract). A ring's orientation is the sign of its area, computed from
    its first vertex, as :func:`shapely.orient_polygons` decides it; its
    edges are turned round when it runs the other way. ``room``: spare
    slots after the edges, as a share of them (see :func:`ring_edges`).
    """
    rings = polygon_rings(geoms)
    if rings is None:
        raise TypeError("pixel_edges takes polygons and multipolygons only")
    return ring_edges(
        rings.coords,
        rings.ring_of_coord,
        rings.exterior,
        rings.geom,
        transform,
        len(geoms),
        room=int(len(rings.coords) * room) + 1024 if room > 0 else 0,
    )


def ring_edges(
    coords: FloatArray,
    ring_of_coord: IntArray,
    exterior: NDArray[np.bool_],
    zone_of_ring: IntArray,
    transform: Affine,
    n: int,
    *,
    room: int = 0,
) -> Edges:
    """:func:`pixel_edges` of ``n`` zones given as closed rings (each ring's ``exterior`` and zone).

    ``room``: spare slots after the edges in their arrays (memory that is not
    touched until used), so one more zone's edges can be added without
    copying these (:func:`lzgis.zonal._mosaic.add_union_rings`, once).
    """
    inv = ~transform
    kernel = _kernel.load()
    if kernel is not None:
        (x0, y0, x1, y1), zone, bounds = kernel.edges(
            coords, ring_of_coord, exterior, zone_of_ring, tuple(inv), n, room=room
        )
    else:
        (x0, y0, x1, y1), zone, bounds = _edges(
            coords, ring_of_coord, exterior, zone_of_ring, inv, n
        )
    det = inv.a * inv.e - inv.b * inv.d
    return Edges(
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        zone=zone,
        bounds=bounds,
        sign=1.0 if det > 0 else -1.0,
        n_zones=n,
    )


def _edges(
    coords: FloatArray,
    ring_of_coord: IntArray,
    exterior: NDArray[np.bool_],
    zone_of_ring: IntArray,
    inv: Affine,
    n: int,
) -> tuple[tuple[FloatArray, FloatArray, FloatArray, FloatArray], IntArray, FloatArray]:
    """:func:`pixel_edges` in numpy: ((x0, y0, x1, y1), zone, bounds), as ``lz_edges``."""
    px = inv.a * coords[:, 0] + inv.b * coords[:, 1] + inv.c
    py = inv.d * coords[:, 0] + inv.e * coords[:, 1] + inv.f
    same = ring_of_coord[:-1] == ring_of_coord[1:]
    ring = ring_of_coord[:-1][same]
    zone = zone_of_ring[ring]
    x0, y0, x1, y1 = px[:-1][same], py[:-1][same], px[1:][same], py[1:][same]
    if len(ring):
        area2 = ring_areas2(coords, ring_of_coord, len(zone_of_ring))  # CRS units
        flip = np.where(exterior, area2 < 0, area2 > 0)[ring]
        x0, x1 = np.where(flip, x1, x0), np.where(flip, x0, x1)
        y0, y1 = np.where(flip, y1, y0), np.where(flip, y0, y1)
    bounds = np.full((n, 4), np.nan)
    if len(coords):
        # coordinates come grouped by zone, in zone order
        zone_of_coord = zone_of_ring[ring_of_coord]
        counts = np.bincount(zone_of_coord, minlength=n)
        has = np.flatnonzero(counts)
        starts = (np.cumsum(counts) - counts)[has]
        bounds[has, 0] = np.minimum.reduceat(px, starts)
        bounds[has, 1] = np.minimum.reduceat(py, starts)
        bounds[has, 2] = np.maximum.reduceat(px, starts)
        bounds[has, 3] = np.maximum.reduceat(py, starts)
    return (x0, y0, x1, y1), zone, bounds


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
    # x at ys and ye from the fraction of the edge's height (in 0..1), never from
    # the slope dx/dy, which overflows to inf for a near-horizontal edge with a
    # subnormal dy (coordinates ~5e-324) and would turn the piece into NaN
    edx = np.repeat(x1 - x0, counts)
    edy = np.repeat(dy, counts)
    ex0 = np.repeat(x0 - c0, counts)
    ey0 = np.repeat(y0, counts)
    xs = ex0 + (ys - ey0) / edy * edx
    xe = ex0 + (ye - ey0) / edy * edx
    step = ye - ys
    return RowPieces(
        zone=np.repeat(edges.zone[idx], counts),
        row=(kb - (1.0 + r0)).astype(np.int64),
        xl=np.minimum(xs, xe),
        xr=np.maximum(xs, xe),
        dy=np.where(np.repeat(dy > 0, counts), step, -step),
    )


def prefix_dtype(width: int) -> type[np.integer]:
    """Integer type that holds :func:`prefix1` of a window ``width`` columns wide."""
    return np.int32 if width < 2**31 else np.int64


def packable(width: int) -> bool:
    """Whether :func:`prefix1_pair` may pack two layers of a window ``width`` columns wide.

    The sums of ``F`` along a piece (at most ``width²``) must stay below 2**31
    in each half, so they never carry into each other.
    """
    return width * width < 2**31


def prefix1(
    indicator: NDArray[np.bool_],
    *,
    out: NDArray[np.integer] | None = None,
) -> NDArray[np.integer]:
    """``F`` with ``F[:, j]`` = count of true cells left of column line ``j`` (0..cols).

    Shape (rows, cols + 1), exact integers (int32 when they fit). ``out`` is
    an optional flat buffer of at least rows * (cols + 1) elements of
    :func:`prefix_dtype` (reused to spare the page faults of fresh arrays).
    """
    h, w = indicator.shape
    dtype = prefix_dtype(w)
    size = h * (w + 1)
    result = out[:size].reshape(h, w + 1) if out is not None else np.empty((h, w + 1), dtype=dtype)
    kernel = _kernel.load()
    if kernel is not None and dtype == np.int32:
        kernel.prefix1(indicator, result)
        return result
    result[:, 0] = 0
    np.cumsum(indicator, axis=1, dtype=dtype, out=result[:, 1:])
    return result


def prefix1_pair(
    first: NDArray[np.bool_],
    second: NDArray[np.bool_],
    *,
    out: NDArray[np.integer] | None = None,
) -> NDArray[np.integer]:
    """:func:`prefix1` of two indicators packed in one int64 array (low and high 32 bits).

    One gather then serves both layers; only for :func:`packable` widths.
    """
    h, w = first.shape
    if not packable(w):  # pragma: no cover - guarded by the caller
        raise ValueError("window too wide to pack two prefix sums")
    size = h * (w + 1)
    code = out[:size].reshape(h, w + 1) if out is not None else np.empty((h, w + 1), np.int64)
    kernel = _kernel.load()
    if kernel is not None:
        kernel.prefix1_pair(first, second, code)
        return code
    code[:, 0] = 0
    halves = code.view(np.int32).reshape(h, w + 1, 2)
    low, high = (0, 1) if np.little_endian else (1, 0)
    halves[:, 1:, low] = first
    halves[:, 1:, high] = second
    np.cumsum(code[:, 1:], axis=1, out=code[:, 1:])
    return code


@dataclass(frozen=True)
class Prefix:
    """Row prefix sums ``F`` of one layer, or of two packed by :func:`prefix1_pair`.

    ``array`` None: the layer is true in every cell of the window, so
    ``F[:, j] = j`` and nothing needs to be summed or gathered.
    """

    array: NDArray[np.integer] | None
    keys: tuple[Any, ...]  # one key, or two (low half, high half)


def _segment_sums(hf: NDArray[np.integer], start: IntArray, count: IntArray) -> IntArray:
    """``Σ_{k<count} (hf[start + k] + hf[start + k + 1])`` per piece (0 where count is 0)."""
    total = int(count.sum())
    out = np.zeros(len(start), dtype=np.int64)
    if total == 0:
        return out
    some = np.flatnonzero(count)
    c = count[some]
    offsets = np.cumsum(c) - c
    idx = np.repeat(start[some] - offsets, c) + np.arange(total, dtype=np.int64)
    values = hf.take(idx).astype(np.int64, copy=False)
    values = values + hf.take(idx + 1)
    out[some] = np.add.reduceat(values, offsets)
    return out


def integrate(
    pieces: RowPieces,
    layers: list[Prefix],
    *,
    width: int,
    cell_area: float | FloatArray,
    sign: float,
    n_zones: int,
) -> dict[Any, FloatArray]:
    """Per-zone ``∮ F dy`` times cell area, for each layer's ``F`` (:func:`prefix1`, ``_pair``).

    ``pieces`` come from :func:`row_pieces` relative to the window's first
    row and column (the window is ``width`` columns wide); ``cell_area`` is
    one number or an array indexed by row.
    """
    w = width
    local_row = pieces.row
    xl = pieces.xl
    xr = pieces.xr
    a = np.clip(xl, 0.0, float(w))
    b = np.clip(xr, 0.0, float(w))
    ja = np.minimum(a.astype(np.int64), w - 1)
    jb = np.minimum(b.astype(np.int64), w - 1)
    base = local_row * (w + 1)
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
        o_whole = np.maximum(o_jb - o_ja - 1, 0)  # whole columns between ja and jb
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
        packed = len(prefix.keys) == 2
        if prefix.array is None:  # true everywhere: F[j] = j
            fa0s = [ja.astype(np.float64)]
            fa1s = [fa0s[0] + 1.0]
            if len(odd):
                fb0s = [o_jb.astype(np.float64)]
                fb1s = [fb0s[0] + 1.0]
                fws = [np.full(len(odd), float(w))]
                # Σ_{m=ja+1}^{jb-1} (m + m + 1) = jb² - (ja + 1)²
                ks = [np.where(o_whole > 0, fb0s[0] ** 2 - (o_ja + 1.0) ** 2, 0.0)]
        else:
            hf = prefix.array.ravel()
            # F is non-decreasing in each packed half, so differences and sums
            # of packed values are packed differences and sums (no borrows)
            fa0s = unpack(hf.take(ia), packed)
            fa1s = unpack(hf.take(ia + 1), packed)
            if len(odd):
                # 2 (K(jb) - K(ja + 1)) = Σ_{m=ja+1}^{jb-1} (F[m] + F[m + 1])
                ks = unpack(_segment_sums(hf, base[odd] + o_ja + 1, o_whole), packed)
                fb0s = unpack(hf.take(o_ib), packed)
                fb1s = unpack(hf.take(o_ib + 1), packed)
                fws = unpack(hf.take(o_iw), packed)
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


def integrate_edges(
    edges: Edges,
    idx: IntArray,
    layers: list[Prefix],
    *,
    rows: tuple[int, int],
    c0: int,
    width: int,
    cell_area: float | FloatArray,
) -> dict[Any, FloatArray]:
    """Per-zone integrals of edges ``idx`` over a window's ``layers``.

    The window spans ``rows`` (first, end) and columns ``c0`` to
    ``c0 + width``; the same as ``integrate(row_pieces(edges, idx, ...))``, in
    the compiled kernel when there is one.
    """
    r0, r1 = rows
    kernel = _kernel.load()
    kinds = [_layer_kind(p) for p in layers]
    if kernel is None or None in kinds:
        pieces = row_pieces(edges, idx, float(r0), float(r1), r0=r0, c0=c0)
        return integrate(
            pieces, layers, width=width, cell_area=cell_area, sign=edges.sign, n_zones=edges.n_zones
        )
    out = {key: np.zeros(edges.n_zones) for p in layers for key in p.keys}
    kernel.integrate(
        (edges.x0, edges.y0, edges.x1, edges.y1),
        edges.zone,
        idx,
        float(r0),
        float(r1),
        r0=r0,
        c0=c0,
        width=width,
        cell_area=np.atleast_1d(np.asarray(cell_area, dtype=np.float64)),
        varies=bool(np.ndim(cell_area)),
        sign=edges.sign,
        layers=[(kind, p.array) for kind, p in zip(kinds, layers, strict=True)],  # type: ignore[misc]
        outs=[out[key] for p in layers for key in p.keys],
    )
    return out


def _layer_kind(prefix: Prefix) -> int | None:
    """The kernel's kind of a layer's prefix sums, or None when only numpy takes them."""
    if prefix.array is None:
        return _kernel.FULL
    a = prefix.array
    if not a.flags.c_contiguous:
        return None
    if a.dtype == np.int32 and len(prefix.keys) == 1:
        return _kernel.I32
    if a.dtype == np.int64 and len(prefix.keys) == 2:
        return _kernel.PAIR
    return None


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
