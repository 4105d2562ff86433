"""Geometry families and polygon rings as arrays: shared by styling (:mod:`lzgis.io`),
areas (:mod:`lzgis.areas`) and the zonal engine (:mod:`lzgis.zonal`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["Rings", "family", "polygon_rings", "ring_areas2"]


def family(geom: shapely.Geometry) -> str:
    """ "Polygon", "LineString" or "Point" for a geometry (collections by their first part)."""
    name = geom.geom_type
    if name.startswith("Multi"):
        name = name[5:]
    if name == "GeometryCollection":
        parts = [g for g in getattr(geom, "geoms", []) if not g.is_empty]
        return family(parts[0]) if parts else "Point"
    return name


@dataclass(frozen=True)
class Rings:
    """The rings of polygons as arrays: vertices, where each ring starts, what it is."""

    coords: NDArray[np.float64]  # (n, 2) x, y; each ring closed
    start: NDArray[np.int64]  # each ring's first vertex, then the number of vertices
    exterior: NDArray[np.bool_]  # per ring: an exterior (else a hole)
    geom: NDArray[np.int64]  # per ring: the geometry it belongs to

    @property
    def ring_of_coord(self) -> NDArray[np.int64]:
        """The ring of each vertex."""
        return np.repeat(np.arange(len(self.exterior), dtype=np.int64), np.diff(self.start))


def polygon_rings(geoms: NDArray[np.object_]) -> Rings | None:
    """The rings of (multi)polygons ``geoms`` in order; None when any other geometry is among them.

    Missing and empty geometries have no rings; z is left out. Polygons
    without holes are read with ``get_coordinates`` in one go (3 ms for
    10,000 circles); the others (holed, multi-part) go through
    shapely's ragged arrays, multipolygons split into their parts first
    (about twice as fast as ``get_parts``, ``get_rings`` and
    ``get_coordinates`` in turn), and the two are put back in order.

    Examples
    --------
    >>> from shapely import box
    >>> r = polygon_rings(np.array([box(0, 0, 1, 1), None, box(0, 0, 3, 3).difference(box(1, 1, 2, 2))]))
    >>> r.start.tolist(), r.exterior.tolist(), r.geom.tolist()
    ([0, 5, 10, 15], [True, True, False], [0, 2, 2])
    """
    geoms = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(geoms)
    present = types >= 0
    if not np.all(np.isin(types[present], (3, 6))):  # polygons and multipolygons only
        return None
    if not present.any():
        empty = np.empty(0, dtype=np.int64)
        return Rings(np.empty((0, 2)), np.zeros(1, dtype=np.int64), np.empty(0, bool), empty)
    # polygons without holes, and missing geometries (no rings)
    simple = ((types == 3) & (shapely.get_num_interior_rings(geoms) == 0)) | ~present
    if simple.all():
        return _simple_rings(geoms)
    if not simple.any():
        return _ragged_rings(geoms, types)
    # a few holed or multi-part zones (or the union after the zones) among plain polygons:
    # each kind read its own way, then put back in order
    some, rest = np.flatnonzero(simple), np.flatnonzero(~simple)
    return _merged(_simple_rings(geoms[some]), some, _ragged_rings(geoms[rest], types[rest]), rest)


def _simple_rings(geoms: NDArray[np.object_]) -> Rings:
    """:func:`polygon_rings` of polygons without holes: a ring each, read in one go."""
    n = shapely.get_num_coordinates(geoms).astype(np.int64)
    start = np.zeros(len(geoms) + 1, dtype=np.int64)
    np.cumsum(n, out=start[1:])
    coords = shapely.get_coordinates(geoms)
    keep = n > 0  # empty polygons have no ring
    return Rings(
        coords,
        start[np.r_[keep, True]],
        np.ones(int(keep.sum()), dtype=bool),
        np.flatnonzero(keep).astype(np.int64),
    )


def _ragged_rings(geoms: NDArray[np.object_], types: NDArray[np.integer]) -> Rings:
    """:func:`polygon_rings` through shapely's ragged arrays, multipolygons split into parts."""
    multi = types == 6
    geom_of_part = np.arange(len(geoms))
    if multi.any():
        # the parts in order, as polygons: shapely turns a mix into MultiPolygons one by one,
        # which costs ~50 ms at 10,000 zones for a single multipolygon among them
        n_parts = np.where(multi, shapely.get_num_geometries(geoms), 1)
        geom_of_part = np.repeat(geom_of_part, n_parts)
        first = np.cumsum(n_parts) - n_parts
        parts = np.empty(len(geom_of_part), dtype=object)
        parts[first[~multi]] = geoms[~multi]
        inner, owner = shapely.get_parts(geoms[multi], return_index=True)
        counts = n_parts[multi]
        rank = np.arange(len(inner)) - np.repeat(np.cumsum(counts) - counts, counts)
        parts[first[multi][owner] + rank] = inner
        geoms = parts
    if len(geoms) == 0:  # empty multipolygons only
        empty = np.empty(0, dtype=np.int64)
        return Rings(np.empty((0, 2)), np.zeros(1, dtype=np.int64), np.empty(0, bool), empty)
    _, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    start = offsets[0].astype(np.int64)
    part_start = offsets[1]
    exterior = np.zeros(len(start) - 1, dtype=bool)
    exterior[part_start[:-1][np.diff(part_start) > 0]] = True
    geom = np.repeat(geom_of_part, np.diff(part_start)).astype(np.int64)
    return Rings(np.asarray(coords, dtype=np.float64), start, exterior, geom)


def _merged(a: Rings, a_geoms: NDArray[np.intp], b: Rings, b_geoms: NDArray[np.intp]) -> Rings:
    """The rings of two sets of geometries (``a`` of ``a_geoms``, ``b`` of ``b_geoms``) in order."""
    geom = np.concatenate([a_geoms[a.geom], b_geoms[b.geom]]).astype(np.int64)
    length = np.concatenate([np.diff(a.start), np.diff(b.start)])
    exterior = np.concatenate([a.exterior, b.exterior])
    coords = np.concatenate([a.coords, b.coords])
    order = np.argsort(geom, kind="stable")
    start = np.zeros(len(geom) + 1, dtype=np.int64)
    if np.any(order != np.arange(len(order))):
        # rings of the two sets interleave: gather each ring's vertices to its place
        offset = np.concatenate([a.start[:-1], b.start[:-1] + len(a.coords)])[order]
        length = length[order]
        np.cumsum(length, out=start[1:])
        coords = coords[np.repeat(offset - start[:-1], length) + np.arange(len(coords))]
        return Rings(coords, start, exterior[order], geom[order])
    np.cumsum(length, out=start[1:])
    return Rings(coords, start, exterior, geom)


def ring_areas2(
    coords: NDArray[np.float64], ring_of_coord: NDArray[np.int64], n_rings: int
) -> NDArray[np.float64]:
    """Twice each ring's signed area (> 0 counter-clockwise), summed relative to its first vertex.

    The shoelace sum of each edge, both ends taken relative to the ring's
    first vertex (no cancellation far from the origin), in the order the
    compiled kernel adds them (``lz_edges``).

    >>> ring_areas2(np.array([[0.0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]), np.zeros(5, np.int64), 1)
    array([4.])
    """
    same = ring_of_coord[1:] == ring_of_coord[:-1]
    ring = ring_of_coord[:-1][same]
    start = np.searchsorted(ring_of_coord, np.arange(n_rings))
    origin = coords[np.minimum(start, max(len(coords) - 1, 0))[ring]]
    a, b = coords[:-1][same] - origin, coords[1:][same] - origin
    cross = a[:, 0] * b[:, 1] - b[:, 0] * a[:, 1]
    return np.bincount(ring, weights=cross, minlength=n_rings).astype(np.float64, copy=False)
