"""One wide zone cut into strips between the windows' columns, each strip closed along its sides.

The pass measures a zone in a window from the zone's edges in the window's
rows, *including all its edges right of the window* (each adds the window's
whole row, :mod:`lzgis.zonal._engine`). For a zone as wide as the raster,
such as the union of all zones for the bureau's total, that is every edge
once per window to its left: on 10,000 circles over 10 x 10 windows the
union's 14,000 edges cost the pass as much as 80,000 would.

Cut at the windows' column lines, the zone becomes one zone per strip, each
closed along the lines: its side on line ``x = b`` is the projection onto
the line of the zone's edges right of it, the runs of ``y`` where their
signed extents do not cancel (by Green's theorem what those edges add to a
window whose right side is ``b``). The strip left of the line takes that
side upwards, the strip right of it downwards, so each strip is the zone's
part between two lines, closed, and the strips add up to the zone in any
window, aligned with the lines or not. A strip's edges lie between its
lines, so windows left of it leave it out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lzgis.zonal._geom import Edges

__all__ = ["strips"]


def strips(
    edges: Edges, lines: NDArray[np.float64], *, crossed: NDArray[np.bool_] | None = None
) -> Edges | None:
    """``edges`` of one zone as zones 0..k, its parts between the sorted ``lines`` (pixel ``x``).

    Zone ``i`` lies between ``lines[i - 1]`` and ``lines[i]``; the sums of
    the strips are the zone's. None when the zone's sides do not come out
    as runs of one layer (a zone that covers some point twice), or when no
    line crosses it (nothing to cut). ``crossed``: whether some window
    reaches across each line (default: all). A strip takes its left side
    only on those: in a window that starts at the line the side adds
    nothing (the window's sums start there), and windows left of the line
    leave the strip out.

    Examples
    --------
    >>> from lzgis.zonal._geom import ring_edges
    >>> from affine import Affine
    >>> square = np.array([[0.0, 0], [4, 0], [4, 2], [0, 2], [0, 0]])
    >>> e = ring_edges(square, np.zeros(5, np.int64), np.array([True]), np.zeros(1, np.int64),
    ...                Affine.identity(), 1)
    >>> cut = strips(e, np.array([1.0, 3.0]))
    >>> cut.n_zones, [float(cut.x0[cut.zone == z].min()) for z in range(3)]
    (3, [0.0, 1.0, 3.0])
    """
    x0, y0, x1, y1 = edges.x0, edges.y0, edges.x1, edges.y1
    if len(x0) == 0:
        return None
    within = (lines > min(x0.min(), x1.min())) & (lines < max(x0.max(), x1.max()))
    lines = lines[within]
    crossed = np.ones(len(lines), dtype=bool) if crossed is None else crossed[within]
    if len(lines) == 0:
        return None
    # a side as tall as the zone would make the pass look at every edge in each row band (it
    # searches back by the tallest edge): sides come in pieces no taller than the zone's edges
    tallest = max(1.0, float(np.abs(y1 - y0).max()))
    px0, py0, px1, py1 = _cut(x0, y0, x1, y1, lines)
    strip = np.searchsorted(lines, (px0 + px1) / 2, side="right")
    pieces: list[tuple[NDArray[np.float64], ...]] = [(px0, py0, px1, py1)]
    zones = [strip]
    # from the right: the projection of everything right of each line, as events (y, change)
    ys = np.empty(0)
    steps = np.empty(0, dtype=np.int64)
    for j in range(len(lines) - 1, -1, -1):
        mine = (strip == j + 1) & (py0 != py1)
        up = np.where(py1[mine] > py0[mine], 1, -1)
        lo, hi = np.minimum(py0[mine], py1[mine]), np.maximum(py0[mine], py1[mine])
        ys, steps = _merged(np.r_[ys, lo, hi], np.r_[steps, up, -up])
        layer = np.cumsum(steps)
        if len(layer) and (layer[-1] != 0 or np.any(np.abs(layer) > 1)):
            return None
        run = layer[:-1] != 0
        a, b = ys[:-1][run], ys[1:][run]
        rising = layer[:-1][run] > 0
        start, end = _short(np.where(rising, a, b), np.where(rising, b, a), tallest)
        x = np.full(len(start), lines[j])
        pieces.append((x, start, x, end))  # the left strip's side
        zones.append(np.full(len(start), j))
        if crossed[j]:
            pieces.append((x, end, x, start))  # the right strip's
            zones.append(np.full(len(start), j + 1))
    zone = np.concatenate(zones)
    cx0, cy0, cx1, cy1 = (np.concatenate([p[i] for p in pieces]) for i in range(4))
    n = len(lines) + 1
    bounds = np.full((n, 4), np.nan)
    for i, (fn, a, b) in enumerate(
        (
            (np.minimum, cx0, cx1),
            (np.minimum, cy0, cy1),
            (np.maximum, cx0, cx1),
            (np.maximum, cy0, cy1),
        )
    ):
        init = np.inf if fn is np.minimum else -np.inf
        out = np.full(n, init)
        fn.at(out, zone, fn(a, b))
        bounds[:, i] = np.where(np.isfinite(out), out, np.nan)
    return Edges(
        x0=cx0, y0=cy0, x1=cx1, y1=cy1, zone=zone, bounds=bounds, sign=edges.sign, n_zones=n
    )


def _cut(
    x0: NDArray[np.float64],
    y0: NDArray[np.float64],
    x1: NDArray[np.float64],
    y1: NDArray[np.float64],
    lines: NDArray[np.float64],
) -> tuple[NDArray[np.float64], ...]:
    """The edges that cross no line, then the others cut where they cross the ``lines``
    (strictly), their pieces in order along each edge."""
    left, right = np.minimum(x0, x1), np.maximum(x0, x1)
    first = np.searchsorted(lines, left, side="right")
    # lines strictly inside (none for an edge along a line: there -1 before the clip)
    count = np.maximum(np.searchsorted(lines, right, side="left") - first, 0)
    cut = np.flatnonzero(count)
    if len(cut) == 0:
        return x0, y0, x1, y1
    whole = count == 0
    # the edges cut, each in count + 1 pieces along it
    n = count[cut] + 1
    edge = np.repeat(cut, n)
    k = np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)  # piece number along the edge
    forward = x1 >= x0

    def point(m: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The ``m``-th point along each piece's edge: 0 its start, count + 1 its end."""
        e = edge
        inner = (m > 0) & (m <= count[e])
        at = np.where(forward[e], first[e] + m - 1, first[e] + count[e] - m)
        xl = lines[np.clip(at, 0, len(lines) - 1)]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (xl - x0[e]) / (x1[e] - x0[e])
        x = np.where(inner, xl, np.where(m == 0, x0[e], x1[e]))
        y = np.where(inner, y0[e] + t * (y1[e] - y0[e]), np.where(m == 0, y0[e], y1[e]))
        return x, y

    ax, ay = point(k)
    bx, by = point(k + 1)
    return (
        np.r_[x0[whole], ax],
        np.r_[y0[whole], ay],
        np.r_[x1[whole], bx],
        np.r_[y1[whole], by],
    )


def _short(
    start: NDArray[np.float64], end: NDArray[np.float64], tallest: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vertical sides from ``start`` to ``end`` (``y``) in pieces no taller than ``tallest``."""
    n = np.maximum(np.ceil(np.abs(end - start) / tallest), 1).astype(np.int64)
    side = np.repeat(np.arange(len(n)), n)
    k = np.arange(len(side)) - np.repeat(np.cumsum(n) - n, n)
    step = (end - start)[side] / n[side]
    a = start[side] + k * step
    b = np.where(k + 1 == n[side], end[side], start[side] + (k + 1) * step)
    return a, b


def _merged(
    ys: NDArray[np.float64], steps: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Events sorted by ``y``, those at one ``y`` added up, and those that cancel left out."""
    if len(ys) == 0:
        return ys, steps
    order = np.argsort(ys, kind="stable")
    ys, steps = ys[order], steps[order]
    new = np.r_[True, ys[1:] != ys[:-1]]
    at = np.cumsum(new) - 1
    total = np.bincount(at, weights=steps).astype(np.int64)
    keep = total != 0
    return ys[new][keep], total[keep]
