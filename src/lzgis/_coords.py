"""Plausible coordinates: the one check behind "impossible for the declared CRS".

Latitudes beyond ±90, longitudes beyond ±180, metres under a degree CRS, and
values far outside a CRS's area of use (a swapped easting and northing, a
Gauss-Krüger zone prefix) are refused before any computation, so they never
reach pyproj as a traceback, an ``inf`` extent or a silent wrong overlay.
:mod:`lzgis._validate` runs :class:`CoordinateCheck` on every layer, in memory
or streamed.

Examples
--------
>>> import numpy as np
>>> check = CoordinateCheck("EPSG:4326", path="zones.shp")
>>> check.feed(["a"], np.array([[36.0, 103.8, 36.1, 103.9]]))
>>> print(check.problem())  # doctest: +ELLIPSIS
zones.shp: feature a has latitude 103.9, beyond ±90: the coordinates look swapped (lat, lon); fix: swap the axes ...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pyproj import CRS, Transformer

__all__ = ["CoordinateCheck"]

_WORLD = (-180.0, -90.0, 180.0, 90.0)
_SET_CRS = (
    "fix: set the CRS the data is really in (the .prj, `ogr2ogr -a_srs EPSG:...`, or `set_crs()`)"
)


def _limits(crs: CRS) -> tuple[float, float, float, float] | None:
    """The widest plausible box in the CRS's own units: its area of use, grown by its size."""
    area = crs.area_of_use
    if crs.is_geographic:
        if area is None or area.west > area.east:
            return _WORLD
        box = (area.west, area.south, area.east, area.north)
    else:
        if area is None:
            return None
        try:
            to_crs = Transformer.from_crs(4326, crs, always_xy=True)
            box = to_crs.transform_bounds(area.west, area.south, area.east, area.north)
        except Exception:  # pyproj raises several types; without a box there is no check
            return None
        if not np.all(np.isfinite(box)):
            return None
    dx, dy = box[2] - box[0], box[3] - box[1]
    grown = (box[0] - dx, box[1] - dy, box[2] + dx, box[3] + dy)
    if crs.is_geographic:
        grown = (max(grown[0], -180), max(grown[1], -90), min(grown[2], 180), min(grown[3], 90))
    return grown


def _with_area(crs: CRS) -> CRS:
    """``crs``, or its EPSG twin when only that one knows the area of use (CRSs read from WKT1)."""
    if crs.area_of_use is not None:
        return crs
    code = crs.to_epsg()
    return CRS.from_epsg(code) if code else crs


def _inside(bounds: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    return (
        (bounds[:, 0] >= box[0])
        & (bounds[:, 1] >= box[1])
        & (bounds[:, 2] <= box[2])
        & (bounds[:, 3] <= box[3])
    )


class CoordinateCheck:
    """Collects features whose coordinates are impossible for ``crs``; fed in batches.

    ``feed`` takes feature ids and an (n, 4) array of bounds (NaN rows for
    empty geometries are skipped); ``problem`` gives one line naming the file,
    the first bad feature, how many there are and the fix, or None.
    """

    def __init__(self, crs: Any, *, path: str) -> None:
        self.path = path
        self.crs = _with_area(CRS(crs)) if crs else None
        self.box = _limits(self.crs) if self.crs is not None else None
        self.count = 0
        self.first: tuple[Any, np.ndarray] | None = None

    def feed(self, ids: Sequence[Any], bounds: np.ndarray) -> None:
        """Check one batch of features (ids and their (minx, miny, maxx, maxy))."""
        if self.crs is None or len(bounds) == 0:
            return
        bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
        present = ~np.isnan(bounds).all(axis=1)
        finite = np.isfinite(bounds).all(axis=1)
        bad = present & ~finite
        if self.box is not None:
            bad |= present & finite & ~_inside(np.where(finite[:, None], bounds, 0.0), self.box)
        hits = np.flatnonzero(bad)
        if len(hits) == 0:
            return
        if self.first is None:
            self.first = (list(ids)[hits[0]], bounds[hits[0]])
        self.count += len(hits)

    def problem(self) -> str | None:
        """One line for all impossible features, or None."""
        if self.first is None or self.crs is None:
            return None
        fid, b = self.first
        others = f" (and {self.count - 1} more)" if self.count > 1 else ""
        where = f"{self.path}: feature {fid}{others}"
        name = self.crs.to_string()
        if not np.isfinite(b).all():
            return (
                f"{where} has non-finite coordinates (inf or NaN); fix: repair or drop the feature"
            )
        xy = f"({b[0]:.6g}, {b[1]:.6g})"
        if self.crs.is_geographic:
            if max(abs(b[1]), abs(b[3])) > 90 and max(abs(b[0]), abs(b[2])) <= 90:
                lat = b[3] if abs(b[3]) > 90 else b[1]
                return (
                    f"{where} has latitude {lat:.6g}, beyond ±90: the coordinates look swapped "
                    "(lat, lon); fix: swap the axes so x is the longitude and y the latitude "
                    "(QGIS 'Swap X and Y coordinates', or `shapely.ops.transform`)"
                )
            if max(np.abs(b)) > 360:
                return (
                    f"{where} has coordinates like {xy}, impossible in the declared CRS {name} "
                    f"(degrees): they look like metres of a projected CRS; {_SET_CRS}"
                )
        elif self.box is not None and _inside(b[[1, 0, 3, 2]].reshape(1, 4), self.box)[0]:
            return (
                f"{where} has coordinates like {xy}, far outside the area of use of {name}, "
                "but they fit with x and y exchanged; fix: swap the axes (x = easting, y = northing)"
            )
        area = self.crs.area_of_use.name if self.crs.area_of_use else "its area of use"
        return (
            f"{where} has coordinates like {xy}, impossible for the declared CRS {name} "
            f"(far outside {area.rstrip('.')}); {_SET_CRS}, or swap the axes if x and y are exchanged"
        )
