"""Green coverage of zones, from green-space polygons or from a raster.

Coverage is green area ÷ zone area. From polygons the green area is the
*union* of the green polygons inside the zone, so overlapping layers (a park
inside a forest park, a wetland on a conservation zone) are never counted
twice. Areas are measured in one shared equal-area CRS (:mod:`lzgis.areas`).
From a raster the work is done by :mod:`lzgis.zonal`; this module adds the
zone names and geometry.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> zones = gpd.GeoDataFrame({"name": ["z"]}, geometry=[box(103.80, 36.0, 103.82, 36.01)], crs=4326)
>>> green = gpd.GeoDataFrame(geometry=[box(103.80, 36.0, 103.81, 36.01)], crs=4326)
>>> round(float(coverage_from_polygons(zones, green, zone_field="name")["coverage"].iloc[0]), 4)
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis._validate import require_crs, require_zone_field, validate_frame
from lzgis.areas import equal_area_crs, to_equal_area

__all__ = [
    "COVERAGE_COLUMNS",
    "coverage_from_polygons",
    "coverage_from_raster",
    "green_geometries",
]

COVERAGE_COLUMNS = ["zone", "area_km2", "data_km2", "green_km2", "coverage", "unknown"]


def _as_list(green: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame]) -> list[gpd.GeoDataFrame]:
    return [green] if isinstance(green, gpd.GeoDataFrame) else list(green)


def green_geometries(
    green: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame], *, crs: CRS
) -> np.ndarray:
    """All green polygons of one or several layers, projected to ``crs``.

    Each layer must have a CRS and valid polygon geometry; layers in other
    CRSs are reprojected (densified, via :func:`lzgis.areas.to_equal_area`).
    Returns the geometries as an array (not yet dissolved).
    """
    parts: list[np.ndarray] = []
    for i, layer in enumerate(_as_list(green)):
        name = f"green[{i}]"
        require_crs(layer, name=name)
        if len(layer) == 0:
            continue
        validate_frame(layer, path=f"`{name}`", id_field="id", geometry_type="Polygon")
        parts.append(np.asarray(to_equal_area(layer, crs=crs).geometry.values))
    return np.concatenate(parts) if parts else np.array([], dtype=object)


def _clipped_union_area(zone: shapely.Geometry, geoms: np.ndarray, tree: shapely.STRtree) -> float:
    """Area of the union of ``geoms`` inside ``zone`` (each overlap counted once)."""
    idx = tree.query(zone, predicate="intersects")
    if len(idx) == 0:
        return 0.0
    pieces = shapely.intersection(geoms[idx], zone)
    return float(shapely.area(shapely.union_all(pieces)))


def coverage_from_polygons(
    zones: gpd.GeoDataFrame,
    green: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame],
    *,
    zone_field: str,
) -> gpd.GeoDataFrame:
    """Green coverage of each zone from green-space polygons.

    Parameters
    ----------
    zones
        Zone polygons with a CRS; zones may overlap each other (each is
        measured on its own).
    green
        One layer of green polygons or a list of layers, in any CRS (they
        are reprojected to the zones' CRS; none may lack one).
    zone_field
        Column of ``zones`` naming each zone.

    Returns
    -------
    geopandas.GeoDataFrame
        Index of ``zones``; columns ``zone``, ``area_km2``, ``data_km2``
        (= ``area_km2``: polygons have no nodata), ``green_km2`` (the union
        of green inside the zone), ``coverage`` (0..1), ``unknown`` (0.0) and
        the zones' geometry in their own CRS.

    Raises
    ------
    CRSError
        A layer has no CRS.
    ValidationError
        ``zone_field`` is missing, or a geometry is invalid or not a polygon.
    """
    require_crs(zones, name="zones")
    require_zone_field(zones, zone_field)
    validate_frame(zones, path="`zones`", id_field=zone_field, geometry_type="Polygon")
    ea = equal_area_crs(zones)
    zones_ea = to_equal_area(zones, crs=ea)
    geoms = green_geometries(green, crs=ea)
    tree = shapely.STRtree(geoms)
    zone_m2 = shapely.area(zones_ea.geometry.values)
    green_m2 = np.array([_clipped_union_area(z, geoms, tree) for z in zones_ea.geometry.values])
    area_km2 = zone_m2 / 1e6
    green_km2 = np.minimum(green_m2, zone_m2) / 1e6
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(zone_m2 > 0, green_km2 / area_km2, np.nan)
    out = pd.DataFrame(
        {
            "zone": zones[zone_field].to_numpy(),
            "area_km2": area_km2,
            "data_km2": area_km2,
            "green_km2": green_km2,
            "coverage": coverage,
            "unknown": 0.0,
        },
        index=zones.index,
    )
    return gpd.GeoDataFrame(out, geometry=zones.geometry.values, crs=zones.crs)


def coverage_from_raster(
    zones: gpd.GeoDataFrame,
    raster: str,
    *,
    zone_field: str,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: str | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> gpd.GeoDataFrame:
    """Green coverage of each zone from a raster (NDVI, red + NIR, or classes).

    A thin wrapper over :func:`lzgis.zonal.raster_coverage` that adds the
    ``zone`` column and the zones' geometry. Exactly one of ``classes`` and
    ``ndvi_threshold`` is given; with ``nir`` the raster is the red band and
    NDVI = (NIR − red) / (NIR + red). ``ndvi_scale`` multiplies the raw
    values of an NDVI raster (see :func:`lzgis.zonal.raster_coverage`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``zone``, ``area_km2``, ``data_km2``, ``green_km2``,
        ``coverage`` (NaN where the zone has no data) and ``unknown`` (the
        share of the zone without data), plus geometry.
    """
    from lzgis import zonal

    require_crs(zones, name="zones")
    require_zone_field(zones, zone_field)
    table = zonal.raster_coverage(
        zones,
        raster,
        classes=list(classes) if classes is not None else None,
        ndvi_threshold=ndvi_threshold,
        nir=nir,
        band=band,
        ndvi_scale=ndvi_scale,
        progress=progress,
    )
    table = table.reindex(zones.index)
    table.insert(0, "zone", zones[zone_field].to_numpy())
    cols = COVERAGE_COLUMNS + [c for c in table.columns if c not in COVERAGE_COLUMNS]
    return gpd.GeoDataFrame(table[cols], geometry=zones.geometry.values, crs=zones.crs)
