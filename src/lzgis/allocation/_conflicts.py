"""Conflicts: where a park or an industrial project overlaps protected land.

Implementation of :func:`lzgis.allocation.conflicts` (re-exported there).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis._geometry import family
from lzgis._validate import require_crs, require_distance, require_fields, require_layer_names
from lzgis.allocation._overlay import (
    M2_PER_KM2,
    RESERVED,
    RIVER_BUFFER,
    RIVER_BUFFER_M,
    check_polygons,
    leaf_mask,
    shared_crs,
    text_of,
    to_shared,
    truthy,
)
from lzgis.areas import length_km

__all__ = ["conflicts"]

_LAYER_WORDS = {
    "wetlands": (
        "wetland",
        "the plan keeps wetlands as protected non-construction land (三(四)1, 三(四)3)",
    ),
    "greening_zones": (
        "greening zone",
        "the two-mountain and ecological greening zones are regional green kept out of "
        "construction land (三(四)1-3)",
    ),
}


def _rule(kind: str, layer: str, props: pd.Series, river_buffer_m: float) -> str:
    """The rule a park or an industrial project breaks by overlapping ``layer``."""
    subject = "park" if kind == "park" else "industrial project"
    verb = "overlaps" if kind == "park" else "inside"
    cls = text_of(props, "green_class")
    cls = f" ({cls})" if cls else ""
    if layer == RIVER_BUFFER:
        width = f"{river_buffer_m:g} m"
        if kind == "park":
            return (
                f"park inside the Yellow River protection band ({width}): the plan protects the "
                "Yellow River water source and moves Xigu's petrochemicals away from it (三(一)1)"
            )
        return (
            f"industrial project inside the Yellow River protection band ({width}): the plan "
            "moves Xigu's petrochemicals to the New Area to protect the Yellow River water "
            "source (三(一)1)"
        )
    if layer in _LAYER_WORDS:
        noun, why = _LAYER_WORDS[layer]
        return f"{subject} {verb} a {noun}{cls}: {why}"
    return f"{subject} {verb} protected layer `{layer}`{cls} (user-supplied constraint)"


def conflicts(
    features: gpd.GeoDataFrame,
    protected: Mapping[str, gpd.GeoDataFrame],
    *,
    river: gpd.GeoDataFrame | None = None,
    river_buffer_m: float = RIVER_BUFFER_M,
) -> gpd.GeoDataFrame:
    """Every overlap between a park or an industrial project and a protected layer.

    Parameters
    ----------
    features
        Parks (polygons) and/or projects (points, lines), with ``id``. Polygons
        are parks; parent parks (named in some ``parent``) are skipped since
        their sub-parks carry the same overlaps. Points and lines count only
        where ``industrial`` is true (a missing column means none is).
    protected
        Named polygon layers, e.g. ``{"wetlands": ..., "greening_zones": ...}``;
        features' ``id`` (else ``<layer>:<row>``) becomes ``protected_id``.
    river, river_buffer_m
        The Yellow River; its band of ``river_buffer_m`` metres each side is
        protected layer ``river_buffer`` (``protected_id`` = the river's id).

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per overlap: ``park_or_project_id``, ``feature_kind``
        ("park"/"project"), ``name_zh``, ``name_en``, ``protected_layer``,
        ``protected_id``, ``area_km2`` (polygons; 0 for points and lines),
        ``length_km`` (lines: geodesic length inside the protected area),
        ``rule`` and the overlap geometry (polygon, point or clipped line).
        Points on a protected edge count as inside.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> plant = gpd.GeoDataFrame({"id": ["plant"], "industrial": [True]},
    ...                          geometry=[Point(103.85, 36.05)], crs=4326)
    >>> wet = gpd.GeoDataFrame({"id": ["w1"]}, geometry=[box(103.8, 36.0, 103.9, 36.1)], crs=4326)
    >>> conflicts(plant, {"wetlands": wet})[["park_or_project_id", "protected_id"]].values.tolist()
    [['plant', 'w1']]
    """
    river_buffer_m = require_distance(river_buffer_m, name="river_buffer_m")
    require_fields(features, ["id"], name="features")
    require_crs(features, name="features")
    require_layer_names(protected, reserved=RESERVED, what="protected layer")
    for name, gdf in protected.items():
        if len(gdf):
            check_polygons(gdf, name=f"protected[{name!r}]")
    if river is not None:
        require_crs(river, name="river")
    crs = shared_crs([features, *protected.values(), river])
    feats = to_shared(features, crs).reset_index(drop=True)
    fam = feats.geometry.map(family)
    polygons = fam == "Polygon"
    industrial = (
        truthy(feats["industrial"])
        if "industrial" in feats.columns
        else pd.Series(False, index=feats.index)
    )
    keep = (polygons & leaf_mask(feats)) | (~polygons & industrial)
    feats = feats[keep].reset_index(drop=True)

    prot = _protected_features(protected, river, river_buffer_m, crs)
    records: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    if len(feats) and len(prot):
        tree = shapely.STRtree(prot.geometry.values)
        left, right = tree.query(feats.geometry.values, predicate="intersects")
        for li, ri in zip(left, right, strict=True):
            feat, guard = feats.iloc[li], prot.iloc[ri]
            kind = "park" if family(feat.geometry) == "Polygon" else "project"
            geom = feat.geometry.intersection(guard.geometry)
            fam_f = family(feat.geometry)
            if fam_f == "Polygon":
                geom = _only(geom, "Polygon")
                if geom.is_empty or geom.area <= 0:
                    continue
            elif fam_f == "LineString":
                geom = _only(geom, "LineString")
                if geom.is_empty or geom.length <= 0:
                    continue
            else:
                geom = feat.geometry  # a point on the edge counts as inside
            records.append(
                {
                    "park_or_project_id": str(feat["id"]),
                    "feature_kind": kind,
                    "name_zh": text_of(feat, "name_zh"),
                    "name_en": text_of(feat, "name_en"),
                    "protected_layer": guard["_layer"],
                    "protected_id": guard["_pid"],
                    "area_km2": geom.area / M2_PER_KM2 if fam_f == "Polygon" else 0.0,
                    "rule": _rule(kind, str(guard["_layer"]), guard, river_buffer_m),
                }
            )
            geoms.append(geom)
    cols = [
        "park_or_project_id",
        "feature_kind",
        "name_zh",
        "name_en",
        "protected_layer",
        "protected_id",
        "area_km2",
        "length_km",
        "rule",
    ]
    out = gpd.GeoDataFrame(
        pd.DataFrame(records, columns=[c for c in cols if c != "length_km"]),
        geometry=gpd.GeoSeries(geoms, crs=crs),
    ).to_crs(4326)
    lengths = np.zeros(len(out))
    if len(out):
        is_line = (out.geometry.map(family) == "LineString").to_numpy()
        if is_line.any():
            lengths[is_line] = length_km(out[is_line]).to_numpy()
    out["length_km"] = lengths
    out = out.sort_values(["park_or_project_id", "protected_layer", "protected_id"], kind="stable")
    return out[[*cols, "geometry"]].reset_index(drop=True)


def _only(geom: shapely.Geometry, fam: str) -> shapely.Geometry:
    """The parts of an intersection result of one geometry family (drops touching points/edges)."""
    parts = shapely.get_parts(geom)
    keep = [p for p in parts if not p.is_empty and family(p) == fam]
    if not keep:
        return shapely.GeometryCollection()
    return shapely.union_all(keep) if len(keep) > 1 else keep[0]


def _protected_features(
    protected: Mapping[str, gpd.GeoDataFrame],
    river: gpd.GeoDataFrame | None,
    river_buffer_m: float,
    crs: CRS,
) -> gpd.GeoDataFrame:
    frames = []
    for name, gdf in protected.items():
        if not len(gdf):
            continue
        ea = to_shared(gdf, crs).reset_index(drop=True)
        ids = (
            ea["id"].astype(str)
            if "id" in ea.columns
            else pd.Series([f"{name}:{i}" for i in ea.index])
        )
        cls = ea["green_class"].astype(str) if "green_class" in ea.columns else ""
        frames.append(
            gpd.GeoDataFrame(
                {"_layer": name, "_pid": ids.values, "green_class": cls},
                geometry=ea.geometry.values,
                crs=crs,
            )
        )
    if river is not None and len(river):
        ea = to_shared(river, crs).reset_index(drop=True)
        ids = ea["id"].astype(str) if "id" in ea.columns else pd.Series(["river"] * len(ea))
        band = (
            gpd.GeoDataFrame(
                {"_pid": ids.values}, geometry=ea.geometry.buffer(river_buffer_m).values, crs=crs
            )
            .dissolve(by="_pid", as_index=False)
            .assign(_layer=RIVER_BUFFER, green_class="")
        )
        if river_buffer_m > 0:
            frames.append(band[["_layer", "_pid", "green_class", "geometry"]])
    if not frames:
        return gpd.GeoDataFrame({"_layer": [], "_pid": [], "green_class": []}, geometry=[], crs=crs)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)
