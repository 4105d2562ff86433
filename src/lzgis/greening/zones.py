"""Zones as the bureau gives them: names, the boundary to measure within, overlaps.

- :func:`zone_name_notes`: one line each for zones without a name (they get
  :data:`UNNAMED` with their row number) and names shared by several zones
  (kept apart, one row each);
- :func:`clip_to_within`: each zone cut to a boundary (the built-up area
  建成区, where the standard measures greening coverage);
- :func:`zones_disjoint`: whether the zones share any interior, so the total
  for all zones is their sum, or their union must be measured;
  :func:`zones_union` answers that and builds the union in one go.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lzgis._validate import require_crs
from lzgis.zonal._union import RingsUnion, kernel_union

__all__ = [
    "UNNAMED",
    "clip_to_within",
    "missing_names",
    "zone_name_notes",
    "zones_disjoint",
    "zones_union",
]

UNNAMED = "未命名 / unnamed #{row}"


def missing_names(names: pd.Series) -> pd.Series:
    """True where a zone name is missing or blank."""
    return names.isna() | (names.astype(str).str.strip() == "")


def zone_name_notes(path: str | Path | None, zones: gpd.GeoDataFrame, zone_field: str) -> list[str]:
    """One line each for zones without a name and names shared by several zones.

    Duplicates are kept apart (one row each, with its own attributes); the
    line tells the reader once. Call on the zones *before*
    :func:`load_zones` fills placeholders, or pass the loaded zones: the
    placeholders are recognised.
    """
    names = zones[zone_field].astype(object)
    where = f"`{path}`" if path else "the zones"
    notes = []
    unnamed = missing_names(names) | names.astype(str).str.startswith(UNNAMED.split("#")[0])
    if unnamed.any():
        rows = ", ".join(str(r) for r in (np.flatnonzero(unnamed.to_numpy()) + 1)[:5])
        notes.append(
            f"警告 / warning: {where}: {int(unnamed.sum())} zone(s) have no `{zone_field}` "
            f"(rows {rows}{', …' if unnamed.sum() > 5 else ''}); shown as "
            f"“{UNNAMED.format(row='N')}”; fix: fill in `{zone_field}`"
        )
    counts = names[~unnamed].value_counts()
    shared = counts[counts > 1]
    if len(shared):
        listed = ", ".join(f"{name} ×{n}" for name, n in shared.head(5).items())
        notes.append(
            f"注意 / note: {where}: {len(shared)} name(s) are shared by several zones ({listed}"
            f"{', …' if len(shared) > 5 else ''}); each zone is kept as its own row"
        )
    return notes


def clip_to_within(zones: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each zone cut to the ``boundary`` (e.g. the built-up area 建成区); attributes unchanged.

    The boundary is reprojected to the zones' CRS and dissolved; a zone
    outside it becomes empty (measured as 0 km², no coverage).

    Examples
    --------
    >>> from shapely import box
    >>> z = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(0, 0, 2, 1)], crs=32648)
    >>> b = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=32648)
    >>> float(clip_to_within(z, b).area.iloc[0])
    1.0
    """
    require_crs(zones, name="zones")
    require_crs(boundary, name="within")
    shape = shapely.union_all(boundary.to_crs(zones.crs).geometry.values)
    cut = shapely.intersection(np.asarray(zones.geometry.values, dtype=object), shape)
    polys = [_polygonal(g) for g in cut]
    return zones.set_geometry(gpd.GeoSeries(polys, index=zones.index, crs=zones.crs))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the polygon parts of an intersection (touching edges give lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(parts) if parts else shapely.Polygon()


def _candidate_pairs(
    geoms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``i < j`` whose bounding boxes share interior (others cannot), and all the boxes."""
    left, right = shapely.STRtree(geoms).query(geoms)
    keep = left < right
    left, right = left[keep], right[keep]
    b = shapely.bounds(geoms)
    inner = (np.minimum(b[left, 2], b[right, 2]) > np.maximum(b[left, 0], b[right, 0])) & (
        np.minimum(b[left, 3], b[right, 3]) > np.maximum(b[left, 1], b[right, 1])
    )
    return left[inner], right[inner], b


def _overlap(geoms: np.ndarray, left: np.ndarray, right: np.ndarray) -> bool:
    return bool(np.any(shapely.relate_pattern(geoms[left], geoms[right], "T********")))


def _disjoint(geoms: np.ndarray, left: np.ndarray, right: np.ndarray, chunk: int) -> bool:
    if len(left) == 0:
        return True
    if _overlap(geoms, left[:chunk], right[:chunk]):
        return False
    coverage_is_valid = getattr(shapely, "coverage_is_valid", None)  # shapely 2.1, GEOS 3.12
    if coverage_is_valid is not None and bool(coverage_is_valid(geoms)):
        return True
    return not any(
        _overlap(geoms, left[s : s + chunk], right[s : s + chunk])
        for s in range(chunk, len(left), chunk)
    )


def zones_disjoint(geoms: np.ndarray, *, chunk: int = 256) -> bool:
    """True when no two geometries share any interior (touching edges are fine).

    Only pairs whose bounding boxes share interior can overlap (a grid of
    cells has none). Overlaps among the first ``chunk`` of those pairs are
    found at once; zones that tile (districts, streets) pass GEOS's fast
    coverage test; anything else is checked pair by pair, a chunk at a time.

    Examples
    --------
    >>> from shapely import box
    >>> zones_disjoint(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)]))
    True
    >>> zones_disjoint(np.array([box(0, 0, 1, 1), box(0.5, 0, 2, 1)]))
    False
    """
    left, right, _ = _candidate_pairs(geoms)
    return _disjoint(geoms, left, right, chunk)


def _covered(geoms: np.ndarray, left: np.ndarray, right: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True for each geometry covered by another single one (of equal ones, all but the first)."""
    drop = np.zeros(len(geoms), dtype=bool)
    lo, hi = b[:, :2], b[:, 2:]
    r_in_l = np.all(lo[left] <= lo[right], axis=1) & np.all(hi[left] >= hi[right], axis=1)
    l_in_r = np.all(lo[right] <= lo[left], axis=1) & np.all(hi[right] >= hi[left], axis=1)
    big, small = left[r_in_l], right[r_in_l]
    l_covers_r = np.asarray(shapely.covers(geoms[big], geoms[small]), dtype=bool)
    drop[small[l_covers_r]] = True
    big, small = right[l_in_r], left[l_in_r]
    r_covers_l = np.asarray(shapely.covers(geoms[big], geoms[small]), dtype=bool)
    # equal boxes and each covers the other (equal zones): the later one is dropped above
    both = np.zeros(len(left), dtype=bool)
    both[np.flatnonzero(r_in_l)[l_covers_r]] = True
    drop[small[r_covers_l & ~both[l_in_r]]] = True
    return drop


def zones_union(
    geoms: np.ndarray, *, chunk: int = 256, rings: bool = False, threads: int | None = None
) -> shapely.Geometry | RingsUnion | None:
    """The union of the zones, or None when they share no interior (their total is the sum).

    One search for candidate pairs serves the overlap test
    (:func:`zones_disjoint`, fast for zones that tile: districts, streets)
    and the union; zones whose areas add up to more than their bounding box
    must overlap and skip it. Overlapping zones are unioned by lzgis's compiled kernel
    (:mod:`lzgis.zonal._union`): it walks each zone's boundary once and keeps
    the pieces no other zone covers (10,000 overlapping circles: 0.04 s
    on two cores, against 0.22 s below; ``benchmarks/bench_union.py``). It
    leaves to GEOS what it cannot settle exactly, such as zones that share edges.

    With GEOS, the candidate pairs serve the union too: a zone covered by
    another single zone adds nothing to the union and is left out of it (an exact
    shortcut: ``union_all`` of 10,000 random circles is about a third
    cheaper without the 40% that lie inside a larger one). Many zones are
    split into west and east halves (by their boxes' centres), unioned on
    two threads (GEOS releases the GIL), and the halves are then joined:
    the same union, about twice as fast on two cores.

    ``rings=True``: a union the kernel made comes as its rings, not yet
    assembled and checked (:class:`~lzgis.zonal._union.RingsUnion`, whose
    ``geos`` is the GEOS path below), so a raster pass can measure them
    while the polygon is checked beside it. ``threads``: the kernel's (default
    one per core, at most 8).

    Examples
    --------
    >>> from shapely import box
    >>> zones_union(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)])) is None
    True
    >>> zones_union(np.array([box(0, 0, 2, 1), box(1, 0, 3, 1), box(0.5, 0, 1, 1)])).area
    3.0
    """
    # zones that must overlap need no search for pairs before the kernel
    areas = shapely.area(geoms)
    pairs = None if _must_overlap(geoms, areas) else _candidate_pairs(geoms)
    if pairs is not None and _disjoint(geoms, pairs[0], pairs[1], chunk):
        return None
    fast = kernel_union(geoms, areas=areas, check=not rings, threads=threads)
    if fast is not None and fast.overlaps:
        if rings and fast.rings is not None:
            return replace(fast.rings, geos=partial(_geos_union, geoms, pairs))
        if fast.geometry is not None:
            return fast.geometry
    return _geos_union(geoms, pairs)


def _geos_union(
    geoms: np.ndarray, pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None
) -> shapely.Geometry:
    """The union by GEOS, without the zones another single zone covers."""
    left, right, b = pairs if pairs is not None else _candidate_pairs(geoms)
    keep = ~_covered(geoms, left, right, b)
    return _union(geoms[keep], b[keep])


def _must_overlap(geoms: np.ndarray, areas: np.ndarray) -> bool:
    """True when the zones' ``areas`` add up to more than their bounding box: some must overlap.

    >>> from shapely import box
    >>> two = np.array([box(0, 0, 2, 1), box(1, 0, 3, 1)])
    >>> bool(_must_overlap(two, shapely.area(two)))
    True
    >>> tiles = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> bool(_must_overlap(tiles, shapely.area(tiles)))
    False
    """
    if len(geoms) < 2:
        return False
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    return bool(np.sum(areas) > (xmax - xmin) * (ymax - ymin) * (1 + 1e-9))


def _union(geoms: np.ndarray, b: np.ndarray, *, split: int = 1000) -> shapely.Geometry:
    """``union_all(geoms)``; above ``split`` zones, two halves on two threads, then joined."""
    if len(geoms) <= split:
        return shapely.union_all(geoms)
    order = np.argsort(b[:, 0] + b[:, 2], kind="stable")
    halves = np.array_split(geoms[order], 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(shapely.union_all, halves))
    return shapely.union_all(np.array(parts, dtype=object))
