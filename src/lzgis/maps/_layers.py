"""Adding the standard lzgis layers (and the projects as clustered markers) to a map."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
from folium.plugins import MarkerCluster

from lzgis.maps._assets import CLUSTER_CSS, CLUSTER_JS
from lzgis.maps._base import feature_collection, geojson_layer, layer_name, prepare
from lzgis.maps._styles import (
    CATEGORIES,
    LAYERS,
    LINE_KINDS,
    category_icon,
    layer_rows,
    layer_style,
)

__all__ = ["add_layer", "add_projects", "is_schematic", "with_child_flags"]


def is_schematic(gdf: gpd.GeoDataFrame) -> bool:
    """True when any feature of ``gdf`` is marked schematic."""
    return "schematic" in gdf.columns and bool(gdf["schematic"].fillna(False).astype(bool).any())


def with_child_flags(parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``parks`` with ``_has_children`` set on parents (drawn as outlines only)."""
    out = parks.copy()
    parents = set(out["parent"].fillna("").astype(str)) if "parent" in out.columns else set()
    out["_has_children"] = out["id"].astype(str).isin(parents - {""})
    return out


def add_layer(
    parent: folium.Map | folium.FeatureGroup,
    layer_id: str,
    gdf: gpd.GeoDataFrame,
    *,
    basemap: str,
    name: str | None = None,
    show: bool = True,
    extra_rows: Mapping[str, Sequence[tuple[str, str, Any]]] | None = None,
) -> folium.GeoJson:
    """Add one standard layer with its styles, escaped bilingual popups and search names.

    ``extra_rows`` adds popup rows ``(label_zh, label_en, value)`` by feature id.
    """
    extra = extra_rows or {}
    data = with_child_flags(gdf) if layer_id == "parks" else gdf
    prepared = prepare(data, basemap=basemap)
    records = [rec for _, rec in prepared.iterrows()]
    fc = feature_collection(
        prepared,
        styles=[layer_style(layer_id, rec) for rec in records],
        rows=[
            layer_rows(layer_id, rec) + list(extra.get(str(rec.get("id")), ())) for rec in records
        ],
    )
    zh, en = LAYERS.get(layer_id, (layer_id, layer_id))
    label = name or layer_name(zh, en, schematic=is_schematic(gdf))
    layer = geojson_layer(fc, name=label, show=show)
    layer.add_to(parent)
    return layer


def _cluster(name: str, *, show: bool) -> MarkerCluster:
    cluster = MarkerCluster(name=name, show=show, options={"maxClusterRadius": 40})
    cluster.default_js = [("markerclusterjs", CLUSTER_JS)]
    cluster.default_css = [
        ("markerclustercss", CLUSTER_CSS[0]),
        ("markerclusterdefaultcss", CLUSTER_CSS[1]),
    ]
    return cluster


def add_projects(
    m: folium.Map,
    projects: gpd.GeoDataFrame,
    *,
    basemap: str,
    per_category: bool,
    show: bool = True,
) -> None:
    """Add projects: points as category-icon markers in clusters, lines (roads, pipelines, rail) as paths.

    ``per_category`` gives one clustered, toggleable overlay per category;
    otherwise all points share one cluster.
    """
    prepared = prepare(projects, basemap=basemap)
    is_line = prepared.geometry.geom_type.isin(LINE_KINDS)
    points, lines = prepared[~is_line], prepared[is_line]
    schem = is_schematic(projects)
    groups: list[tuple[str, gpd.GeoDataFrame]]
    if per_category:
        cats = [c for c in CATEGORIES if c in set(points["category"].astype(str))]
        cats += sorted(set(points["category"].astype(str)) - set(CATEGORIES))
        groups = []
        for cat in cats:
            zh, en, _, _ = CATEGORIES.get(cat, ("其他", cat, "", ""))
            groups.append(
                (
                    layer_name(f"{zh}项目", f"{en} projects", schematic=schem),
                    points[points["category"].astype(str) == cat],
                )
            )
    else:
        groups = [(layer_name("规划项目(点)", "Plan projects (points)", schematic=schem), points)]
    for label, part in groups:
        if len(part) == 0:
            continue
        records = [rec for _, rec in part.iterrows()]
        fc = feature_collection(
            part,
            styles=[{} for _ in records],
            rows=[layer_rows("projects", rec) for rec in records],
            icons=[category_icon(rec.get("category"), marker_id=rec.get("id")) for rec in records],
        )
        cluster = _cluster(label, show=show)
        cluster.add_to(m)
        geojson_layer(fc, name=label, control=False).add_to(cluster)
    if len(lines):
        records = [rec for _, rec in lines.iterrows()]
        fc = feature_collection(
            lines,
            styles=[layer_style("projects", rec) for rec in records],
            rows=[layer_rows("projects", rec) for rec in records],
        )
        label = layer_name(
            "规划项目(线路、管道)", "Plan projects (roads, pipelines, rail)", schematic=schem
        )
        geojson_layer(fc, name=label, show=show).add_to(m)
