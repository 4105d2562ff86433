"""Adding the standard lzgis layers (and the projects as clustered markers) to a map."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
from folium.plugins import MarkerCluster

from lzgis.layers import places
from lzgis.maps._assets import CLUSTER_CSS, CLUSTER_JS
from lzgis.maps._base import SIMPLIFY_M, feature_collection, geojson_layer, layer_name, prepare
from lzgis.maps._styles import (
    CATEGORIES,
    LABEL_ZOOM,
    LAYERS,
    LINE_KINDS,
    category_icon,
    layer_rows,
    layer_style,
)

__all__ = [
    "TOLERANCE_M",
    "add_layer",
    "add_places",
    "add_projects",
    "is_schematic",
    "with_child_flags",
]

# Simplification per layer (metres): district lines are long and drawn as thin outlines;
# 40 m is under one pixel up to zoom 11 and under two at zoom 12 (the city core).
TOLERANCE_M = {"districts": 40.0}


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
    names: Mapping[str, str] | None = None,
    labels: bool = True,
) -> folium.GeoJson:
    """Add one standard layer with its styles, escaped bilingual popups, search names and labels.

    ``extra_rows`` adds popup rows ``(label_zh, label_en, value)`` by feature id;
    ``names`` (id -> Chinese name) replaces ids in the popups by names; ``labels``
    shows the names on the map at the layer's zoom (:data:`LABEL_ZOOM`).
    """
    extra = extra_rows or {}
    data = with_child_flags(gdf) if layer_id == "parks" else gdf
    prepared = prepare(data, basemap=basemap, tolerance_m=TOLERANCE_M.get(layer_id, SIMPLIFY_M))
    records = [rec for _, rec in prepared.iterrows()]
    zoom, cls = LABEL_ZOOM.get(layer_id, (None, "")) if labels else (None, "")
    fc = feature_collection(
        prepared,
        styles=[layer_style(layer_id, rec) for rec in records],
        rows=[
            layer_rows(layer_id, rec, names) + list(extra.get(str(rec.get("id")), ()))
            for rec in records
        ],
        label_zoom=zoom,
        label_class=cls,
        names=names,
    )
    zh, en = LAYERS.get(layer_id, (layer_id, layer_id))
    label = name or layer_name(zh, en, schematic=is_schematic(gdf))
    layer = geojson_layer(fc, name=label, show=show)
    layer.add_to(parent)
    return layer


def _cluster(name: str, *, show: bool) -> MarkerCluster:
    # co-located markers spread out on click (spiderfy), never zooming in past the city
    cluster = MarkerCluster(
        name=name,
        show=show,
        options={"maxClusterRadius": 40, "spiderfyOnMaxZoom": True},
    )
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
    names: Mapping[str, str] | None = None,
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
            rows=[layer_rows("projects", rec, names) for rec in records],
            icons=[category_icon(rec.get("category")) for rec in records],
            names=names,
        )
        cluster = _cluster(label, show=show)
        cluster.add_to(m)
        geojson_layer(fc, name=label, control=False).add_to(cluster)
    if len(lines):
        records = [rec for _, rec in lines.iterrows()]
        fc = feature_collection(
            lines,
            styles=[layer_style("projects", rec) for rec in records],
            rows=[layer_rows("projects", rec, names) for rec in records],
            names=names,
        )
        label = layer_name(
            "规划项目(线路、管道)", "Plan projects (roads, pipelines, rail)", schematic=schem
        )
        geojson_layer(fc, name=label, show=show).add_to(m)


def add_places(m: folium.Map, *, basemap: str) -> None:
    """Add the named places (:func:`lzgis.layers.places`) as a hidden layer, searchable by name.

    Choosing a place in the search box switches the layer on.
    """
    add_layer(m, "places", places(), basemap=basemap, show=False)
