"""The union of overlapping polygons through the compiled kernel (``lz_union`` in ``_union.c``).

GEOS builds a union by overlaying the polygons pair after pair, and most
of what it builds ends up inside the result. The kernel walks each
polygon's boundary once instead and keeps the pieces no other polygon
covers; edges wholly inside another polygon it leaves out of the search
(96% of them for 10,000 circles piled four deep). On those circles
(``benchmarks/bench_union.py``) it takes 0.04 s on two threads (0.05 s on
one), where lzgis's GEOS path (covered zones left out, two halves on two
threads, then joined) takes 0.22 s and ``shapely.union_all`` 0.36 s.

It returns None when it cannot settle the polygons exactly (a vertex on
another polygon's edge, edges along one line, the union touching itself at
a point, anything inconsistent), when they crowd into a few cells, or when
lzgis was installed without a C compiler; the caller then uses GEOS. What
it returns is checked to be a valid polygon; its vertices are the
polygons' own and the crossings of their edges, as in GEOS's union.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from numpy.typing import NDArray

from lzgis._geometry import polygon_rings, ring_areas2
from lzgis.zonal import _kernel
from lzgis.zonal._engine import cores

__all__ = ["KernelUnion", "RingsUnion", "kernel_union"]


def _polygon(xy: NDArray[np.float64], start: NDArray[np.int64]) -> shapely.Geometry | None:
    """Shells (counter-clockwise) and holes (clockwise) assembled into a (multi)polygon."""
    n = len(start) - 1
    if n == 0:
        return shapely.Polygon()
    if np.diff(start).min() < 4:  # a ring of two pieces there and back: no area
        return None
    ring_of = np.repeat(np.arange(n), np.diff(start))
    rings = shapely.linearrings(xy, indices=ring_of)
    area = ring_areas2(xy, ring_of, n)
    if np.any(area == 0):
        return None
    shells, holes = np.flatnonzero(area > 0), np.flatnonzero(area < 0)
    owner = np.empty(0, dtype=np.int64)
    if len(holes):
        filled = shapely.polygons(rings[shells])
        points = shapely.points(xy[start[holes]])
        # each shell, prepared, asks which hole points it holds (10x faster than the points asking)
        shell, hole = shapely.STRtree(points).query(filled, predicate="contains")
        if not np.array_equal(np.unique(hole), np.arange(len(holes))):  # a hole in no shell
            return None
        # a hole belongs to the smallest shell around it (an island in a hole of a larger
        # shell lies inside that shell too)
        order = np.lexsort((area[shells][shell], hole))
        first = np.r_[True, hole[order][1:] != hole[order][:-1]]
        owner = shell[order][first]
    # each shell, then its holes
    polygon_of = np.r_[np.arange(len(shells)), owner]
    is_hole = np.r_[np.zeros(len(shells), dtype=bool), np.ones(len(holes), dtype=bool)]
    order = np.lexsort((is_hole, polygon_of))
    polys = shapely.polygons(rings[np.r_[shells, holes][order]], indices=polygon_of[order])
    out = polys[0] if len(polys) == 1 else shapely.multipolygons(polys)
    return out if shapely.is_valid(out) else None


@dataclass(frozen=True, eq=False)
class RingsUnion:
    """The kernel's union as closed rings, before they are assembled and checked.

    Shells run counter-clockwise, holes clockwise, so the signed ring areas
    add up to the union's area and the edges can be integrated as they
    are (a raster pass measures the union from them, while :attr:`polygon`
    is assembled and checked beside it). ``geos`` makes the same union by
    GEOS, for when the rings fail the check.
    """

    xy: NDArray[np.float64]  # the rings' vertices, each ring closed
    start: NDArray[np.int64]  # each ring's first vertex, then the number of vertices
    zone_areas: NDArray[np.float64]  # the zones' areas, for the check
    geos: Callable[[], shapely.Geometry] = field(repr=False)

    @cached_property
    def checked(self) -> shapely.Geometry | None:
        """The rings as a valid (multi)polygon no smaller than the largest zone and no larger
        than all of them together, or None (a kernel fault: then use :attr:`geos`)."""
        shape = _polygon(self.xy, self.start)
        if shape is None:
            return None
        a = self.zone_areas
        if not a.max() * (1 - 1e-9) <= shape.area <= a.sum() * (1 + 1e-9):
            return None
        return shape

    @cached_property
    def polygon(self) -> shapely.Geometry:
        """The union as a polygon: :attr:`checked`, or ``geos()`` when the rings fail the check."""
        return self.checked if self.checked is not None else self.geos()


@dataclass(frozen=True)
class KernelUnion:
    """What the kernel found: whether any zones share interior, and if so their union."""

    overlaps: bool
    # None when nothing overlaps (the union is the zones), or when not checked (see `rings`)
    geometry: shapely.Geometry | None
    inside_edges: int = 0  # zones' edges wholly inside another zone, left out of the search
    rings: RingsUnion | None = None  # the union's rings, when it overlaps


def kernel_union(
    geoms: NDArray[np.object_],
    *,
    threads: int | None = None,
    areas: NDArray[np.float64] | None = None,
    check: bool = True,
) -> KernelUnion | None:
    """``shapely.union_all(geoms)`` of polygons by the kernel, or None (then use GEOS).

    ``threads`` (default: one per core, at most 8) share the kernel's
    searches; the union does not depend on how many. ``areas``:
    ``shapely.area(geoms)``, when the caller has it already (3 ms at 10,000 circles).
    ``check=False``: the union is left as rings (``rings``; ``geometry``
    None), for a caller that checks them later (:attr:`RingsUnion.checked`);
    their ``geos`` is ``shapely.union_all``.

    Examples
    --------
    >>> from shapely import box
    >>> got = kernel_union(np.array([box(0, 0, 2, 2), box(1, 1, 3, 3)]))
    >>> got is None or (got.overlaps and round(got.geometry.area, 12) == 7.0)
    True
    """
    kernel = _kernel.load()
    if kernel is None:
        return None
    geoms = np.asarray(geoms, dtype=object)
    there = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms = geoms[there]
    if len(geoms) == 0:
        return KernelUnion(False, None)
    rings = polygon_rings(geoms)
    if rings is None:
        return None
    got = kernel.union(
        rings.coords,
        rings.start,
        rings.exterior,
        rings.geom,
        len(geoms),
        threads=threads or min(8, cores()),
    )
    if isinstance(got, int):
        return None
    if not got.overlaps:
        return KernelUnion(False, None)
    areas = shapely.area(geoms) if areas is None else np.asarray(areas)[there]
    union = RingsUnion(got.xy, got.start, areas, geos=lambda: shapely.union_all(geoms))
    if not check:
        return KernelUnion(True, None, got.inside, union)
    if union.checked is None:
        return None
    return KernelUnion(True, union.checked, got.inside, union)
