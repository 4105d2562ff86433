"""Zones as the bureau gives them: names, the boundary to measure within, overlaps.

- :func:`zone_name_notes`: one line each for zones without a name (they get
  :data:`UNNAMED` with their row number) and names shared by several zones
  (kept apart, one row each);
- :func:`clip_to_within`: each zone cut to a boundary (the built-up area
  建成区, where the standard measures greening coverage);
- :func:`zones_disjoint`: whether the zones share any interior, so the total
  for all zones is their sum, or their union must be measured.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lzgis._validate import require_crs

__all__ = ["UNNAMED", "clip_to_within", "missing_names", "zone_name_notes", "zones_disjoint"]

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


def _overlap_in(tree: shapely.STRtree, geoms: np.ndarray, start: int, chunk: int) -> bool:
    left, right = tree.query(geoms[start : start + chunk], predicate="intersects")
    left = left + start
    keep = left < right
    return bool(keep.any()) and bool(
        np.any(shapely.relate_pattern(geoms[left[keep]], geoms[right[keep]], "T********"))
    )


def zones_disjoint(geoms: np.ndarray, *, chunk: int = 512) -> bool:
    """True when no two geometries share any interior (touching edges are fine).

    Overlaps among the first ``chunk`` zones are found at once; zones that
    tile (districts, streets) pass GEOS's fast coverage test; anything else
    is checked pair by pair, a chunk at a time.

    Examples
    --------
    >>> from shapely import box
    >>> zones_disjoint(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)]))
    True
    >>> zones_disjoint(np.array([box(0, 0, 1, 1), box(0.5, 0, 2, 1)]))
    False
    """
    tree = shapely.STRtree(geoms)
    if _overlap_in(tree, geoms, 0, chunk):
        return False
    coverage_is_valid = getattr(shapely, "coverage_is_valid", None)  # shapely 2.1, GEOS 3.12
    if coverage_is_valid is not None and bool(coverage_is_valid(geoms)):
        return True
    return not any(_overlap_in(tree, geoms, s, chunk) for s in range(chunk, len(geoms), chunk))
