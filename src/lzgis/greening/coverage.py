"""Green coverage of zones, from green-space polygons or from a raster.

Coverage is green area ÷ the zone's area with data. From polygons the green
area is the *union* of the green polygons inside the zone, so overlapping
layers (a park inside a forest park, a wetland on a conservation zone) are
never counted twice. Areas are measured in one shared equal-area CRS
(:mod:`lzgis.areas`).

No data is not 0%. Green polygons say where green is only inside the area
their source surveyed: its *extent*. The extent is the union of the
polygons given as ``extent`` (a survey's declared coverage), else the union
of each green layer's bounding box (the layer extent GIS software reports).
The part of a zone outside the extent (beyond 1 m, the drawing precision of
shared boundaries) is ``unknown``, as outside a raster; a zone wholly
outside has ``coverage`` NaN, never 0.
From a raster the work is done by :mod:`lzgis.zonal`; this module adds the
zone names and geometry.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> zones = gpd.GeoDataFrame({"name": ["z"]}, geometry=[box(103.80, 36.0, 103.82, 36.01)], crs=4326)
>>> green = gpd.GeoDataFrame(geometry=[box(103.80, 36.0, 103.81, 36.01)], crs=4326)
>>> surveyed = zones  # the green layer maps all green of the zone
>>> out = coverage_from_polygons(zones, green, zone_field="name", extent=surveyed)
>>> round(float(out["coverage"].iloc[0]), 4), float(out["unknown"].iloc[0])
(0.5, 0.0)
>>> out = coverage_from_polygons(zones, green, zone_field="name")  # extent: green's bounding box
>>> round(float(out["unknown"].iloc[0]), 2)  # the east half has no data
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis._validate import require_crs, require_zone_field, validate_frame
from lzgis.areas import equal_area_crs, to_equal_area
from lzgis.zonal._union import RingsUnion

__all__ = [
    "COVERAGE_COLUMNS",
    "coverage_from_polygons",
    "coverage_from_raster",
    "green_extent",
    "green_geometries",
]

_SNAP = 1e-9  # shares within this of 1 are rounding noise
_EDGE_M = 1.0  # a zone edge within this of the extent's edge is inside (drawing precision)
COVERAGE_COLUMNS = ["zone", "area_km2", "data_km2", "green_km2", "coverage", "unknown"]


def _as_list(green: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame]) -> list[gpd.GeoDataFrame]:
    return [green] if isinstance(green, gpd.GeoDataFrame) else list(green)


def green_geometries(
    green: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame], *, crs: CRS, name: str = "green"
) -> np.ndarray:
    """All green polygons of one or several layers, projected to ``crs``.

    Each layer must have a CRS and valid polygon geometry; layers in other
    CRSs are reprojected (densified, via :func:`lzgis.areas.to_equal_area`).
    Returns the geometries as an array (not yet dissolved).
    """
    parts: list[np.ndarray] = []
    for i, layer in enumerate(_as_list(green)):
        label = f"{name}[{i}]"
        require_crs(layer, name=label)
        if len(layer) == 0:
            continue
        validate_frame(layer, path=f"`{label}`", id_field="id", geometry_type="Polygon")
        parts.append(np.asarray(to_equal_area(layer, crs=crs).geometry.values))
    return np.concatenate(parts) if parts else np.array([], dtype=object)


def _bbox_polygons(layers: list[gpd.GeoDataFrame], *, crs: CRS) -> np.ndarray:
    """Each non-empty layer's bounding box as a polygon in ``crs`` (edges densified)."""
    boxes = []
    for layer in layers:
        if len(layer) == 0 or layer.geometry.is_empty.all():
            continue
        xmin, ymin, xmax, ymax = layer.total_bounds
        step = max(xmax - xmin, ymax - ymin) / 100 or 1.0
        frame = gpd.GeoDataFrame(
            geometry=[shapely.segmentize(shapely.box(xmin, ymin, xmax, ymax), step)],
            crs=layer.crs,
        )
        boxes.append(to_equal_area(frame, crs=crs).geometry.values[0])
    return np.asarray(boxes, dtype=object)


def green_extent(
    green: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame],
    *,
    crs: CRS,
    extent: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame] | None = None,
) -> shapely.Geometry:
    """The area a green source covers, in ``crs``: where its polygons say green or not green.

    The union of ``extent``'s polygons when given (a survey's declared
    coverage), else the union of each green layer's bounding box. Empty when
    there is nothing (no layers, or only empty ones).
    """
    if extent is not None:
        parts = green_geometries(extent, crs=crs, name="extent")
    else:
        layers = _as_list(green)
        for i, layer in enumerate(layers):
            require_crs(layer, name=f"green[{i}]")
        parts = _bbox_polygons(layers, crs=crs)
    if len(parts) == 0:
        return shapely.Polygon()
    return shapely.union_all(parts)


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
    extent: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame] | None = None,
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
    extent
        Polygons of the area the green source covers (surveyed), in any
        CRS. Default: the union of each green layer's bounding box. Outside
        it there is no data (see the module doc).

    Returns
    -------
    geopandas.GeoDataFrame
        Index of ``zones``; columns ``zone``, ``area_km2``, ``data_km2``
        (the part inside the extent), ``green_km2`` (the union of green
        inside that part), ``coverage`` (green ÷ data, 0..1; NaN for a zone
        without data), ``unknown`` (the share outside the extent, 0..1) and
        the zones' geometry in their own CRS.

    Raises
    ------
    CRSError
        A layer has no CRS.
    ValidationError
        ``zone_field`` is missing, or a geometry is invalid or not a polygon.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> zones = gpd.GeoDataFrame({"n": ["in", "out"]}, crs=4326,
    ...     geometry=[box(103.80, 36.0, 103.82, 36.01), box(104.5, 36.0, 104.52, 36.01)])
    >>> green = gpd.GeoDataFrame(geometry=[box(103.80, 36.0, 103.81, 36.01)], crs=4326)
    >>> survey = gpd.GeoDataFrame(geometry=[box(103.7, 35.9, 104.0, 36.1)], crs=4326)
    >>> out = coverage_from_polygons(zones, green, zone_field="n", extent=survey)
    >>> out["coverage"].round(4).tolist(), out["unknown"].tolist()
    ([0.5, nan], [0.0, 1.0])
    """
    require_crs(zones, name="zones")
    require_zone_field(zones, zone_field)
    validate_frame(zones, path="`zones`", id_field=zone_field, geometry_type="Polygon")
    ea = equal_area_crs(zones)
    zones_ea = to_equal_area(zones, crs=ea)
    geoms = green_geometries(green, crs=ea)
    covered = shapely.buffer(green_extent(green, crs=ea, extent=extent), _EDGE_M)
    shapely.prepare(covered)
    zone_geoms = np.asarray(zones_ea.geometry.values, dtype=object)
    inside = shapely.covers(covered, zone_geoms)
    known = np.where(inside, zone_geoms, shapely.intersection(zone_geoms, covered))
    tree = shapely.STRtree(geoms)
    zone_m2 = shapely.area(zone_geoms)
    data_m2 = np.where(inside, zone_m2, np.minimum(shapely.area(known), zone_m2))
    green_m2 = np.array(
        [
            _clipped_union_area(k, geoms, tree) if a > 0 else 0.0
            for k, a in zip(known, data_m2, strict=True)
        ]
    )
    area_km2 = zone_m2 / 1e6
    data_km2 = data_m2 / 1e6
    green_km2 = np.minimum(green_m2, data_m2) / 1e6
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(data_m2 > 0, green_km2 / data_km2, np.nan)
        share = np.where(zone_m2 > 0, data_m2 / zone_m2, 0.0)
    unknown = np.where(np.abs(1.0 - share) < _SNAP, 0.0, 1.0 - share)
    out = pd.DataFrame(
        {
            "zone": zones[zone_field].to_numpy(),
            "area_km2": area_km2,
            "data_km2": data_km2,
            "green_km2": green_km2,
            "coverage": coverage,
            "unknown": unknown,
        },
        index=zones.index,
    )
    return gpd.GeoDataFrame(out, geometry=zones.geometry.values, crs=zones.crs)


def coverage_from_raster(
    zones: gpd.GeoDataFrame,
    raster: str | Path | Sequence[str | Path],
    *,
    zone_field: str,
    classes: Sequence[int] | None = None,
    ndvi_threshold: float | None = None,
    nir: str | Path | Sequence[str | Path] | None = None,
    band: int = 1,
    prefer: str = "given",
    client: Any = None,
    ndvi_scale: float | None = None,
    progress: Callable[[int], None] | None = None,
    extra: Future[shapely.Geometry | RingsUnion | None] | None = None,
) -> gpd.GeoDataFrame:
    """Green coverage of each zone from a raster (NDVI, red + NIR, or classes).

    A thin wrapper over :func:`lzgis.zonal.raster_coverage` that adds the
    ``zone`` column and the zones' geometry. Exactly one of ``classes`` and
    ``ndvi_threshold`` is given; with ``nir`` the raster is the red band and
    NDVI = (NIR − red) / (NIR + red). ``raster`` may be a collection and
    ``client`` a dask client (see :func:`lzgis.zonal.raster_coverage`).
    ``ndvi_scale`` multiplies the raw values of an NDVI raster. ``extra``:
    one more zone, still being computed, measured in the same pass; its row
    comes last, zone and label ``lzgis.zonal.EXTRA_ZONE`` (see
    :func:`lzgis.zonal.raster_coverage`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``zone``, ``area_km2``, ``data_km2``, ``green_km2``,
        ``coverage`` (NaN where the zone has no data) and ``unknown`` (the
        share of the zone without data), plus geometry.
    """
    from lzgis import zonal
    from lzgis.zonal._coverage import coverage_and_extra

    require_crs(zones, name="zones")
    require_zone_field(zones, zone_field)
    table, row = coverage_and_extra(
        zones,
        raster,
        classes=list(classes) if classes is not None else None,
        ndvi_threshold=ndvi_threshold,
        nir=nir,
        band=band,
        prefer=prefer,
        client=client,
        ndvi_scale=ndvi_scale,
        progress=progress,
        extra=extra,
    )
    out = zones_frame(table, zones, zone_field)
    if row is None:
        return out
    more = extra.result() if extra is not None else None
    shape = more.polygon if isinstance(more, RingsUnion) else more
    last = gpd.GeoDataFrame(
        row.assign(zone=zonal.EXTRA_ZONE)[out.columns.drop(out.geometry.name)],
        geometry=[shape],
        crs=zones.crs,
    )
    return pd.concat([out, last])


def zones_frame(table: pd.DataFrame, zones: gpd.GeoDataFrame, zone_field: str) -> gpd.GeoDataFrame:
    """A raster pass's table for ``zones`` (indexed as they are) with their names in ``zone``
    first and their geometry: the frame of :func:`coverage_from_raster`."""
    table = table.copy()
    table.insert(0, "zone", zones[zone_field].to_numpy())
    cols = COVERAGE_COLUMNS + [c for c in table.columns if c not in COVERAGE_COLUMNS]
    geometry = np.asarray(zones.geometry.values, dtype=object)
    return gpd.GeoDataFrame(table[cols], geometry=geometry, crs=zones.crs)
