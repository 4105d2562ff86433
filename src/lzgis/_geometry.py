"""Geometry families: the one rule, shared by styling (:mod:`lzgis.io`) and the analyses."""

from __future__ import annotations

import shapely

__all__ = ["family"]


def family(geom: shapely.Geometry) -> str:
    """ "Polygon", "LineString" or "Point" for a geometry (collections by their first part)."""
    name = geom.geom_type
    if name.startswith("Multi"):
        name = name[5:]
    if name == "GeometryCollection":
        parts = [g for g in getattr(geom, "geoms", []) if not g.is_empty]
        return family(parts[0]) if parts else "Point"
    return name
