"""The greening map: coverage by zone against the target, the green layers under it.

Zones come from :func:`lzgis.greening.embedded_report` (``zone``, ``zone_zh``,
``zone_en``, ``area_km2``, ``green_km2``, ``coverage``, ``unknown``,
``target``, ``passed``, ``shortfall_km2``). Fill colour = coverage class;
outline = the verdict: solid green where the target is met, dashed red where
it is missed, thin grey where there is no target.

Examples
--------
>>> coverage_color(0.42), coverage_color(float("nan"))
('#41ab5d', '#bdbdbd')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

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
from lzgis.maps._escape import SCHEMATIC_NOTE
from lzgis.maps._layers import add_layer, is_schematic
from lzgis.maps._page import MapOptions, MapPage
from lzgis.maps._styles import COLORS, number

__all__ = ["COVERAGE_BINS", "coverage_color", "greening_map", "verdict"]

# upper bound of the class (fraction) -> colour
COVERAGE_BINS: tuple[tuple[float, str], ...] = (
    (0.1, "#f7fcf5"),
    (0.2, "#c7e9c0"),
    (0.3, "#a1d99b"),
    (0.4, "#74c476"),
    (0.5, "#41ab5d"),
    (float("inf"), "#006d2c"),
)
NO_DATA = "#bdbdbd"
PASS, FAIL, NO_TARGET = "#1a7f37", "#d1242f", "#6e7781"


def coverage_color(coverage: Any) -> str:
    """Fill colour of a coverage fraction (grey when unknown)."""
    try:
        c = float(coverage)
    except (TypeError, ValueError):
        return NO_DATA
    if c != c:
        return NO_DATA
    return next(color for upper, color in COVERAGE_BINS if c < upper)


def verdict(passed: Any) -> str:
    """``pass``, ``fail`` or ``none`` (no target / not decided)."""
    if passed is None or passed is pd.NA:
        return "none"
    try:
        if passed != passed:
            return "none"
    except (TypeError, ValueError):
        return "none"
    return "pass" if bool(passed) else "fail"


_VERDICT_TEXT = {
    "pass": "达标 / target met",
    "fail": "未达标 / target missed",
    "none": "无目标 / no target",
}


def _style(rec: pd.Series) -> dict[str, Any]:
    v = verdict(rec.get("passed"))
    outline = {
        "pass": {"color": PASS, "weight": 3},
        "fail": {"color": FAIL, "weight": 3, "dashArray": "6 4"},
        "none": {"color": NO_TARGET, "weight": 1},
    }[v]
    return {**outline, "fillColor": coverage_color(rec.get("coverage")), "fillOpacity": 0.65}


def _pct(value: Any) -> str:
    s = number(float(value) * 100, 1) if number(value) else ""
    return f"{s}%" if s else ""


def _rows(rec: pd.Series) -> list[tuple[str, str, Any]]:
    return [
        ("分区", "Zone", rec.get("zone")),
        ("面积(km²)", "Area (km²)", number(rec.get("area_km2"))),
        ("绿地(km²)", "Green (km²)", number(rec.get("green_km2"))),
        ("覆盖率", "Coverage", _pct(rec.get("coverage"))),
        ("目标", "Target", _pct(rec.get("target"))),
        ("结果", "Result", _VERDICT_TEXT[verdict(rec.get("passed"))]),
        ("缺口(km²)", "Shortfall (km²)", number(rec.get("shortfall_km2"))),
        ("未知", "Unknown", number(rec.get("unknown")) or rec.get("unknown")),
        ("参考", "Reference", rec.get("reference")),
        ("说明", "Note", rec.get("note")),
    ]


_KIND_GROUP = {"district": "districts", "park": "parks"}


def _group(report: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame]) -> pd.Series:
    """Which overlay each zone goes to: districts, parks or other zones.

    By ``zone_kind`` (city, district, two_mountains, park) where the report
    has it, else by matching zone ids to the districts and parks layers.
    """
    if "zone_kind" in report.columns:
        kinds = report["zone_kind"].fillna("").astype(str)
        return kinds.map(lambda k: _KIND_GROUP.get(k, "other"))
    ids = {
        lid: set(layers[lid]["id"].astype(str)) for lid in ("districts", "parks") if lid in layers
    }
    zone = report["zone"].astype(str)
    group = pd.Series("other", index=report.index)
    for lid, members in ids.items():
        group[zone.isin(members)] = lid
    return group


def greening_map(
    report: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    options: MapOptions | None = None,
) -> MapPage:
    """Build the greening page (HTML).

    Parameters
    ----------
    report
        :func:`lzgis.greening.embedded_report`'s GeoDataFrame (EPSG:4326).
    layers
        Layer id -> GeoDataFrame; ``greening_zones`` and ``wetlands`` are drawn
        under the zones, ``districts``/``parks`` group the zones.
    options
        Basemap, key and offline assets (:class:`lzgis.maps.MapOptions`; default: OSM, linked assets).

    Returns
    -------
    MapPage
        ``.html``, ``.save(path)``, and inline display in Jupyter.
    """
    schematic_ids: set[str] = set()
    for lid in ("parks", "greening_zones", "new_area"):
        if lid in layers and is_schematic(layers[lid]):
            schematic_ids |= set(layers[lid]["id"].astype(str))
    data = report.copy()
    data["name_zh"] = data.get("zone_zh", data["zone"])
    data["name_en"] = data.get("zone_en", data["zone"])
    data["schematic"] = data["zone"].astype(str).isin(schematic_ids)
    data["accuracy"] = "zone drawn from the plan's text / 依规划文本绘制"
    data["_group"] = _group(data, layers)
    data["_area"] = pd.to_numeric(data.get("area_km2"), errors="coerce").fillna(0.0)
    data = data.sort_values(["_area", "zone"], ascending=[False, True], kind="stable")
    opts = options or MapOptions()
    basemap = opts.basemap
    with stable_ids():
        outlines = base_outlines(layers, basemap=basemap)
        m = new_map(
            opts,
            extent=[prepare(data, basemap=basemap, tolerance_m=0)],
            outlines=outlines,
        )
        for lid in ("greening_zones", "wetlands"):
            if lid in layers:
                add_layer(m, lid, layers[lid], basemap=basemap)
        names = {
            "other": ("全市及两山分区", "City and two-mountain zones"),
            "districts": ("各区县", "Districts and counties"),
            "parks": ("各园区", "Parks"),
        }
        for group in ("other", "districts", "parks"):
            part = prepare(data[data["_group"] == group], basemap=basemap)
            if len(part) == 0:
                continue
            recs = [rec for _, rec in part.iterrows()]
            fc = feature_collection(
                part, styles=[_style(r) for r in recs], rows=[_rows(r) for r in recs]
            )
            zh, en = names[group]
            label = layer_name(
                f"绿化覆盖率:{zh}", f"Green coverage: {en}", schematic=bool(part["schematic"].any())
            )
            geojson_layer(fc, name=label, show=group != "parks").add_to(m)
        entries = []
        lower = 0.0
        for upper, color in COVERAGE_BINS:
            text = f"≥ {lower:.0%}" if upper == float("inf") else f"{lower:.0%} – {upper:.0%}"
            entries.append((swatch("#777777", fill=color), f"覆盖率 / coverage {text}"))
            lower = upper
        entries += [
            (swatch("#777777", fill=NO_DATA), "无数据 / no data"),
            (swatch(PASS), "实线绿边:达标 / green outline: target met"),
            (swatch(FAIL, dashed=True), "红色虚线:未达标 / red dashed: missed"),
            (swatch(NO_TARGET), "灰边:无目标 / grey: no target"),
        ]
        for lid, zh, en in (
            ("greening_zones", "两山及生态绿化区", "Greening zones"),
            ("wetlands", "湿地", "Wetlands"),
        ):
            if lid in layers:
                note = f" ({SCHEMATIC_NOTE})" if is_schematic(layers[lid]) else ""
                entries.append((swatch(COLORS[lid], fill=COLORS[lid] + "55"), f"{zh} / {en}{note}"))
        return finish(
            m,
            title_zh="绿化覆盖率与目标",
            title_en="Green coverage by zone against the targets",
            legend=legend_html("绿化覆盖率 / Green coverage", entries),
            options=opts,
        )
