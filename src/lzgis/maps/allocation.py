"""The land allocation map: parks by tier, the protected constraints, the conflicts.

Conflicts come from :func:`lzgis.allocation.embedded_allocation` (a
GeoDataFrame with ``park_or_project_id``, ``protected_layer``,
``protected_id``, ``area_km2``, ``rule``); they are drawn last, in a
highlight colour, above the parks and constraints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from lzgis.allocation import RIVER_BUFFER_M
from lzgis.areas import equal_area_crs
from lzgis.maps._base import (
    base_outlines,
    feature_collection,
    finish,
    geojson_layer,
    layer_name,
    legend_html,
    new_map,
    prepare,
    stable_ids,
    swatch,
)
from lzgis.maps._escape import SCHEMATIC_NOTE, esc
from lzgis.maps._layers import add_layer, add_places, is_schematic
from lzgis.maps._page import MapOptions, MapPage
from lzgis.maps._styles import COLORS, LAYERS, number
from lzgis.maps._text import humanize, id_names, kind_label

__all__ = ["allocation_map", "park_rows", "river_buffer"]


def river_buffer(river: gpd.GeoDataFrame, *, distance_m: float) -> gpd.GeoDataFrame:
    """The river protection strip: ``river`` buffered by ``distance_m`` metres (one feature).

    Examples
    --------
    >>> from shapely import LineString
    >>> r = gpd.GeoDataFrame({"schematic": [False]},
    ...                      geometry=[LineString([(103.8, 36.0), (103.9, 36.0)])], crs=4326)
    >>> b = river_buffer(r, distance_m=500.0)
    >>> from lzgis.areas import area_km2
    >>> 9.7 < float(area_km2(b).iloc[0]) < 9.9  # 9.0 km x 1 km + two half discs (0.79 km²)
    True
    """
    metric = equal_area_crs(river)
    strip = river.to_crs(metric).buffer(distance_m).union_all()
    return gpd.GeoDataFrame(
        {
            "id": ["yellow_river_buffer"],
            "name_zh": [f"黄河 {distance_m:g} 米保护带"],
            "name_en": [f"Yellow River {distance_m:g} m protection strip"],
            "schematic": [is_schematic(river)],
            "accuracy": [str(river["accuracy"].iloc[0]) if "accuracy" in river.columns else ""],
        },
        geometry=[strip],
        crs=metric,
    ).to_crs(4326)


_LAYER_OF = {"river_buffer": "yellow_river"}  # conflict layer name -> layer holding the ids


def _names(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[tuple[str, str], tuple[str, str]]:
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for lid, gdf in layers.items():
        for _, rec in gdf.iterrows():
            out[(lid, str(rec.get("id")))] = (
                str(rec.get("name_zh", "")),
                str(rec.get("name_en", "")),
            )
    return out


_FEATURE_KIND = {"park": "园区 / park", "project": "项目 / project"}
_PROTECTED = {
    "greening_zones": "绿化区 / greening zone",
    "wetlands": "湿地 / wetland",
    "river_buffer": "黄河保护带 / river strip",
    "yellow_river": "黄河保护带 / river strip",
}


def _conflict_rows(rec: pd.Series, names: dict[str, str]) -> list[tuple[str, str, Any]]:
    kind = str(rec.get("feature_kind"))
    return [
        ("园区或项目", "Park or project", rec.get("_subject")),
        ("保护对象", "Protected", rec.get("_protected")),
        ("类型", "Kind", _FEATURE_KIND.get(kind, kind_label(kind))),
        ("面积(km²)", "Area (km²)", number(rec.get("area_km2"), 3)),
        (
            "长度(km)",
            "Length (km)",
            number(rec.get("length_km"), 2) if rec.get("length_km") else "",
        ),
        ("规则", "Rule", humanize(rec.get("rule"), names)),
    ]


_PARK_FIGURES = (
    ("area_km2", "面积(km²)", "Area (km²)"),
    ("constrained_km2", "受保护约束(km²)", "Protected (km²)"),
    ("developable_km2", "可开发(km²)", "Developable (km²)"),
)


def park_rows(allocation: pd.DataFrame | None) -> dict[str, list[tuple[str, str, Any]]]:
    """Popup rows per park id from the allocation table's ``park_total`` rows (if it has them)."""
    if allocation is None or not {"row_kind", "park_id"} <= set(allocation.columns):
        return {}
    totals = allocation[allocation["row_kind"].astype(str) == "park_total"]
    out: dict[str, list[tuple[str, str, Any]]] = {}
    for _, rec in totals.iterrows():
        out[str(rec["park_id"])] = [
            (zh, en, number(rec.get(col), 2))
            for col, zh, en in _PARK_FIGURES
            if col in totals.columns
        ]
    return out


def allocation_map(
    conflicts: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    allocation: pd.DataFrame | None = None,
    river_buffer_m: float = RIVER_BUFFER_M,
    constraints: Mapping[str, gpd.GeoDataFrame] | None = None,
    options: MapOptions | None = None,
) -> MapPage:
    """Build the land allocation page (HTML).

    Parameters
    ----------
    conflicts
        Overlaps of parks/projects with protected land (see module doc).
    layers
        Layer id -> GeoDataFrame: ``parks`` (split by tier), and the
        constraints ``greening_zones``, ``wetlands``, ``yellow_river``.
    allocation
        The allocation table; its ``park_total`` rows add area, protected and
        developable land to the parks' popups.
    river_buffer_m
        Width of the river strip drawn as a constraint (same as the analysis).
    constraints
        Your own protected layers by name (as given to the analysis), each
        drawn dashed in its own colour with its own legend entry.
    options
        Basemap, key and offline assets (:class:`lzgis.maps.MapOptions`; default: OSM, linked assets).

    Returns
    -------
    MapPage
        ``.html``, ``.save(path)``, and inline display in Jupyter.
    """
    names = _names(layers)
    readable = id_names(layers.values())
    figures = park_rows(allocation)
    opts = options or MapOptions()
    basemap = opts.basemap
    with stable_ids():
        outlines = base_outlines(layers, basemap=basemap)
        extent = [
            prepare(layers[lid], basemap=basemap, tolerance_m=0)
            for lid in ("parks",)
            if lid in layers
        ]
        m = new_map(opts, extent=extent, outlines=outlines)
        entries: list[tuple[str, str]] = []
        for lid in ("greening_zones", "wetlands"):
            if lid in layers:
                add_layer(m, lid, layers[lid], basemap=basemap, name=None, names=readable)
                zh, en = LAYERS[lid]
                note = f" ({SCHEMATIC_NOTE})" if is_schematic(layers[lid]) else ""
                entries.append(
                    (
                        swatch(COLORS[lid], fill=COLORS[lid] + "55"),
                        f"保护:{zh} / protected: {en}{note}",
                    )
                )
        entries.extend(_add_user_layers(m, constraints or {}, basemap=basemap))
        if "yellow_river" in layers:
            strip = river_buffer(layers["yellow_river"], distance_m=river_buffer_m)
            part = prepare(strip, basemap=basemap)
            style = {
                "color": COLORS["yellow_river"],
                "weight": 1,
                "fillColor": COLORS["yellow_river"],
                "fillOpacity": 0.15,
            }
            fc = feature_collection(
                part,
                styles=[style],
                rows=[[("宽度(米)", "Width each side (m)", f"{river_buffer_m:g}")]],
            )
            label = layer_name(
                f"黄河{river_buffer_m:g}米保护带",
                f"Yellow River {river_buffer_m:g} m strip",
                schematic=is_schematic(strip),
            )
            geojson_layer(fc, name=label).add_to(m)
            add_layer(m, "yellow_river", layers["yellow_river"], basemap=basemap, names=readable)
            entries.append(
                (
                    swatch(COLORS["yellow_river"], fill="#1d4ed826"),
                    f"黄河保护带 / river strip ({river_buffer_m:g} m)",
                )
            )
        if "parks" in layers:
            parks = layers["parks"]
            tier = parks["tier"].astype(str)
            for value, zh, en, color in (
                ("3", "三大园区", "3 major zones", "park3"),
                ("8", "八个县区园区", "8 county parks", "park8"),
            ):
                part = parks[tier == value]
                if len(part):
                    schem = is_schematic(part)
                    add_layer(
                        m,
                        "parks",
                        part,
                        basemap=basemap,
                        name=layer_name(zh, en, schematic=schem),
                        extra_rows=figures,
                        names=readable,
                    )
                    note = f" ({SCHEMATIC_NOTE})" if schem else ""
                    entries.append(
                        (swatch(COLORS[color], fill=COLORS[color] + "55"), f"{zh} / {en}{note}")
                    )
        data = conflicts.copy()
        data["_subject"] = [
            " / ".join(
                names.get(("parks", str(s)), names.get(("projects", str(s)), (str(s), "")))
            ).strip(" /")
            for s in data.get("park_or_project_id", pd.Series("", index=data.index))
        ]
        data["_protected"] = [
            " / ".join(
                names.get((_LAYER_OF.get(str(lay), str(lay)), str(pid)), (str(pid), ""))
            ).strip(" /")
            + f" ({_PROTECTED.get(str(lay), kind_label(lay))})"
            for lay, pid in zip(
                data.get("protected_layer", [""] * len(data)),
                data.get("protected_id", [""] * len(data)),
                strict=False,
            )
        ]
        data["name_zh"] = ["冲突:" + s for s in data["_subject"]]
        data["name_en"] = [
            "Conflict: " + str(n)
            for n in data.get("name_en", pd.Series("", index=data.index)).fillna("")
        ]
        data["schematic"] = True
        data["accuracy"] = "示意图层叠加 / overlap of schematic layers"
        part = prepare(data, basemap=basemap, tolerance_m=10.0)
        if len(part):
            recs = [rec for _, rec in part.iterrows()]
            style = {
                "color": COLORS["conflict"],
                "weight": 2,
                "fillColor": COLORS["conflict"],
                "fillOpacity": 0.6,
            }
            fc = feature_collection(
                part,
                styles=[style] * len(recs),
                rows=[_conflict_rows(r, readable) for r in recs],
            )
            geojson_layer(
                fc, name=layer_name("冲突", f"Conflicts ({len(part)})", schematic=True)
            ).add_to(m)
        entries.append(
            (
                swatch(COLORS["conflict"], fill=COLORS["conflict"] + "99"),
                f"冲突 / conflict ({SCHEMATIC_NOTE})",
            )
        )
        add_places(m, basemap=basemap)
        return finish(
            m,
            title_zh="园区用地与生态保护冲突",
            title_en="Land allocation: parks, protected land and conflicts",
            legend=legend_html("图例 / Legend", entries),
            options=opts,
        )


_USER_COLORS = ("#111827", "#b45309", "#0891b2", "#4d7c0f")  # apart from the layers above


def _add_user_layers(
    m: Any, constraints: Mapping[str, gpd.GeoDataFrame], *, basemap: str
) -> list[tuple[str, str]]:
    """Draw each user constraint layer (dashed, own colour); return its legend entries."""
    entries: list[tuple[str, str]] = []
    for k, (name, gdf) in enumerate(constraints.items()):
        color = _USER_COLORS[k % len(_USER_COLORS)]
        data = gdf.copy()
        data["_uid"] = data["id"].astype(str) if "id" in data.columns else range(1, len(data) + 1)
        for col in ("name_zh", "name_en"):
            if col not in data.columns:
                data[col] = name
        data["schematic"] = False
        part = prepare(data, basemap=basemap)
        style = {
            "color": color,
            "weight": 2,
            "dashArray": "6 4",
            "fillColor": color,
            "fillOpacity": 0.2,
        }
        rows = [[("你的图层", "Your layer", name), ("编号", "Id", i)] for i in part["_uid"]]
        fc = feature_collection(part, styles=[style] * len(part), rows=rows)
        label = esc(name)
        geojson_layer(fc, name=f"你的保护图层:{label} / your protected layer: {label}").add_to(m)
        entries.append(
            (
                swatch(color, fill=color + "33", dashed=True),
                f"保护:你的图层 {label} / protected: your layer {label}",
            )
        )
    return entries
