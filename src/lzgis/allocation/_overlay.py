"""Small helpers shared by :mod:`lzgis.allocation` and :mod:`lzgis.projects`.

One equal-area CRS per computation, the park hierarchy (leaves and parents),
and reading flags that may come from files as text.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis._errors import ValidationError
from lzgis._validate import frame_problems, require_crs
from lzgis.areas import equal_area_crs, to_equal_area

OUTSIDE_DISTRICTS = "outside the districts"
OUTSIDE_PARKS = "outside the parks"
ALL = "(all)"
RIVER_BUFFER = "river_buffer"
RIVER_BUFFER_M = 500.0  # the river band's default half-width (m): allocation, publish, CLI
RESERVED = frozenset({RIVER_BUFFER, "constrained", "developable", "area", "overlap"})
M2_PER_KM2 = 1e6


def is_equal_area(crs: CRS | None) -> bool:
    """True for a projected equal-area CRS in metres (LAEA, Albers, cylindrical equal-area)."""
    if crs is None:
        return False
    crs = CRS(crs)
    if not crs.is_projected or crs.axis_info[0].unit_name not in {"metre", "meter"}:
        return False
    op = crs.coordinate_operation
    return op is not None and "equal area" in op.method_name.lower()


def shared_crs(frames: Iterable[gpd.GeoDataFrame | gpd.GeoSeries | None]) -> CRS:
    """One equal-area CRS for all ``frames`` of a computation.

    When every frame is already in the same projected equal-area CRS in metres,
    that CRS is kept (nothing is reprojected, so hand-made squares stay exact);
    otherwise a LAEA CRS centred on the joint lon/lat bounds
    (:func:`lzgis.areas.equal_area_crs`). Every frame is projected to this one
    CRS, so pieces cut from different frames are measured in the same plane.
    """
    present = [f for f in frames if f is not None and len(f) > 0]
    crss = {CRS(f.crs).to_wkt() for f in present}
    if len(crss) == 1 and is_equal_area(present[0].crs):
        return CRS(present[0].crs)
    boxes = []
    for frame in present:
        bounds = frame.to_crs(4326).total_bounds
        if np.all(np.isfinite(bounds)):
            boxes.append(shapely.box(*bounds))
    return equal_area_crs(gpd.GeoSeries(boxes, crs=4326))


def to_shared(gdf: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """``gdf`` in ``crs``: unchanged if already there, else densified and projected."""
    if gdf.crs is not None and CRS(gdf.crs).equals(crs):
        return gdf.copy()
    return to_equal_area(gdf, crs=crs)


def parent_ids(parks: pd.DataFrame) -> set[str]:
    """Ids named as ``parent`` by some other park (empty when there is no column)."""
    if "parent" not in parks.columns:
        return set()
    named = {str(p) for p in parks["parent"].dropna() if str(p).strip()}
    return named & {str(i) for i in parks["id"]}


def leaf_mask(parks: pd.DataFrame) -> pd.Series:
    """True for parks that are nobody's parent: the parks that tile the plan without double counting."""
    parents = parent_ids(parks)
    return ~parks["id"].astype(str).isin(parents)


def truthy(values: pd.Series) -> pd.Series:
    """Booleans from a column that may hold bools, 0/1 or text ("true", "yes")."""
    if values.dtype == bool:
        return values
    text = values.astype(str).str.strip().str.lower()
    return text.isin({"true", "1", "yes", "y", "t"})


def check_polygons(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise when ``gdf`` has no CRS or holds anything but valid polygons."""
    require_crs(gdf, name=name)
    problems = frame_problems(gdf, path=f"`{name}`", geometry_type="Polygon")
    if problems:
        raise ValidationError(problems)


def text_of(row: pd.Series, column: str) -> str:
    """A cell as text: "" for a missing column, None or NaN."""
    value = row.get(column, "")
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
