"""Geometry and GeoJSON helpers for ``scripts/draw_plan_layers.py``.

Nothing here holds Lanzhou data: the hand-drawn vertex lists, anchors and
stated areas all live in ``draw_plan_layers.py``. These helpers turn them into
valid, deterministic WGS84 geometry and write deterministic GeoJSON text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import shapely
from pyproj import CRS, Transformer
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from lzgis.areas import area_km2, length_km

__all__ = [
    "area_checked",
    "area_of",
    "band_along",
    "circle",
    "clip",
    "dump_layer",
    "finish",
    "length_of",
    "polygon",
    "sized",
]

GRID = 1e-6  # degrees: the catalogue's rounding (about 0.1 m)
SLIVER_KM2 = 0.01  # parts of a clipped polygon smaller than this are dropped


def _laea(lon: float, lat: float) -> CRS:
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    )


def _to_local(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    local = _laea(lon, lat)
    fwd = Transformer.from_crs(4326, local, always_xy=True)
    inv = Transformer.from_crs(local, 4326, always_xy=True)
    return fwd, inv


def _project(geom: BaseGeometry, tr: Transformer) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: _xy(tr, xy))


def _xy(tr: Transformer, xy: Any) -> Any:
    import numpy as np

    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def polygon(vertices: Sequence[tuple[float, float]]) -> Polygon:
    """A polygon from (lon, lat) vertices; fails if the drawing is not valid."""
    poly = Polygon(vertices)
    if not poly.is_valid:
        raise ValueError(f"drawn polygon is invalid: {shapely.is_valid_reason(poly)}")
    return poly


def circle(lon: float, lat: float, area_km2_: float) -> Polygon:
    """A 64-gon of ``area_km2_`` centred on (lon, lat), drawn in a local LAEA."""
    _, inv = _to_local(lon, lat)
    r = math.sqrt(area_km2_ * 1e6 / math.pi)
    # A regular 64-gon of circumradius R has area 32 R^2 sin(2 pi / 64).
    r *= math.sqrt(math.pi / (32 * math.sin(2 * math.pi / 64)))
    ring = Point(0, 0).buffer(r, quad_segs=16)
    return _project(ring, inv)  # type: ignore[return-value]


def band_along(line: LineString, half_width_m: float) -> BaseGeometry:
    """A band ``half_width_m`` either side of ``line`` (flat ends), in WGS84."""
    c = line.centroid
    fwd, inv = _to_local(c.x, c.y)
    local = _project(line, fwd)
    return _project(local.buffer(half_width_m, quad_segs=8, cap_style="flat"), inv)


# One LAEA for the whole city (centred on Lanzhou): equal-area everywhere, so
# it measures drawing sizes fast; reports use lzgis.areas, which agrees to
# far better than 0.1% for these shapes.
_CITY_FWD, _ = _to_local(103.84, 36.06)


def area_of(geom: BaseGeometry) -> float:
    """Area in km² in a city-centred LAEA (fast; for sizing drawings)."""
    return float(_project(geom, _CITY_FWD).area) / 1e6


def area_checked(geom: BaseGeometry) -> float:
    """Area in km² through :func:`lzgis.areas.area_km2` (densified equal-area)."""
    return float(area_km2(gpd.GeoDataFrame(geometry=[geom], crs=4326)).iloc[0])


def length_of(geom: BaseGeometry) -> float:
    """Length in km through :func:`lzgis.areas.length_km`."""
    return float(length_km(gpd.GeoDataFrame(geometry=[geom], crs=4326)).iloc[0])


def clip(geom: BaseGeometry, mask: BaseGeometry) -> BaseGeometry:
    """``geom`` ∩ ``mask`` with polygon parts under ``SLIVER_KM2`` dropped."""
    out = shapely.intersection(geom, mask)
    if out.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        parts = [
            p
            for p in shapely.get_parts(out)
            if p.geom_type == "Polygon" and area_of(p) >= SLIVER_KM2
        ]
        out = shapely.union_all(parts) if parts else Polygon()
    return out


def sized(
    shape: BaseGeometry,
    anchor: tuple[float, float],
    target_km2: float,
    *,
    mask: BaseGeometry | None = None,
) -> BaseGeometry:
    """Scale ``shape`` about ``anchor`` so that (shape ∩ mask) has ``target_km2``.

    The drawn outline keeps its form; only its size follows the stated (or
    default) area. Bisection on the linear scale factor, 40 steps: the result
    is deterministic and within about 1e-9 of the target's scale.
    """
    lo, hi = 0.01, 20.0
    for _ in range(30):
        mid = (lo + hi) / 2
        cand = affinity.scale(shape, mid, mid, origin=Point(anchor))
        got = area_of(clip(cand, mask) if mask is not None else cand)
        if got < target_km2:
            lo = mid
        else:
            hi = mid
    out = affinity.scale(shape, hi, hi, origin=Point(anchor))
    return clip(out, mask) if mask is not None else out


def finish(geom: BaseGeometry, *, what: str) -> BaseGeometry:
    """Snap to the 1e-6° grid, orient rings (RFC 7946), and insist on validity."""
    out = shapely.set_precision(geom, GRID)
    if out.geom_type in ("Polygon", "MultiPolygon"):
        out = shapely.orient_polygons(out)
    if out.is_empty or not out.is_valid:
        reason = "empty" if out.is_empty else shapely.is_valid_reason(out)
        raise ValueError(f"{what}: geometry is not usable after drawing ({reason})")
    return out


def _fmt_pos(xy: Sequence[float]) -> str:
    return f"[{xy[0]:.6f}, {xy[1]:.6f}]"


def _fmt_coords(coords: Any, depth: int) -> str:
    if depth == 0:
        return _fmt_pos(coords)
    inner = ",\n".join(_fmt_coords(c, depth - 1) for c in coords)
    return "[\n" + inner + "\n]"


_DEPTH = {
    "Point": 0,
    "LineString": 1,
    "MultiPoint": 1,
    "Polygon": 2,
    "MultiLineString": 2,
    "MultiPolygon": 3,
}


def _geometry_text(geom: BaseGeometry) -> str:
    mapping_ = mapping(geom)
    kind = mapping_["type"]
    coords = _fmt_coords(mapping_["coordinates"], _DEPTH[kind])
    return f'{{"type": "{kind}", "coordinates": {coords}}}'


def dump_layer(name: str, records: list[dict[str, Any]], fields: Sequence[str]) -> str:
    """Deterministic GeoJSON text: features sorted by id, properties in ``fields``
    order, one position per line (diffs well), a trailing newline."""
    out = [f'{{"type": "FeatureCollection", "name": "{name}",', '"features": [']
    feats = []
    for rec in sorted(records, key=lambda r: r["id"]):
        missing = [f for f in fields if f not in rec]
        extra = [k for k in rec if k not in fields and k != "geometry"]
        if missing or extra:
            raise ValueError(f"{name}/{rec.get('id')}: missing {missing}, unexpected {extra}")
        props = json.dumps({f: rec[f] for f in fields}, ensure_ascii=False)
        feats.append(
            f'{{"type": "Feature",\n "properties": {props},\n'
            f' "geometry": {_geometry_text(rec["geometry"])}}}'
        )
    out.append(",\n".join(feats))
    out.append("]}")
    return "\n".join(out) + "\n"
