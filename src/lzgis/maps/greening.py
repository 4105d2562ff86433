"""The greening map: what share of each zone is green, with verdicts only for measured green.

Zones come from :func:`lzgis.greening.embedded_report` or
:func:`lzgis.greening.configured.configured_report` (``zone``, ``zone_zh``,
``zone_en``, ``area_km2``, ``green_km2``, ``coverage``, ``unknown``,
``target``, ``passed``, ``shortfall_km2``, ``basis``).

- ``basis = "planned_zones"`` (the embedded layers, or no ``basis``): the
  green is the schematic planned greening zones, so the page shows the
  share of each zone inside them (规划绿化区占比) and no verdict: a
  planned zone is not a measurement of vegetation.
- ``basis = "measured"`` (the bureau's raster or polygons via the config):
  fill colour = coverage class; outline = the verdict (solid green: target
  met, dashed red: missed, thin grey: no target); popups give the share of
  the zone with data.

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
from lzgis.maps._layers import add_layer, add_places, is_schematic
from lzgis.maps._page import MapOptions, MapPage
from lzgis.maps._styles import COLORS, number
from lzgis.maps._text import humanize, id_names

__all__ = ["COVERAGE_BINS", "coverage_color", "greening_map", "is_measured", "verdict"]

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


def is_measured(report: pd.DataFrame) -> bool:
    """True when the report's green was measured (``basis == "measured"`` on every row)."""
    return "basis" in report.columns and bool((report["basis"] == "measured").all())


PLANNED_NOTE = (
    "规划绿化区(两山、森林公园、湿地)是依规划文本绘制的示意范围，不是实测绿地，因此不判断是否达标。"
    " / The planned greening zones are schematic areas drawn from the plan, not measured green,"
    " so no target verdict is given."
)


def _style(rec: pd.Series, *, measured: bool) -> dict[str, Any]:
    if not measured:
        return {
            "color": NO_TARGET,
            "weight": 1,
            "fillColor": coverage_color(rec.get("coverage")),
            "fillOpacity": 0.65,
        }
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


def _share(value: Any) -> str:
    """A share as a percentage; "未知 / unknown" when there is none."""
    return _pct(value) or "未知 / unknown (无数据 / no data)"


def _rows(rec: pd.Series, *, measured: bool, names: dict[str, str]) -> list[tuple[str, str, Any]]:
    common = [
        ("面积(km²)", "Area (km²)", number(rec.get("area_km2"))),
    ]
    reference = [
        ("公开数字", "Reported figure", humanize(rec.get("reference"), names)),
    ]
    if not measured:
        return [
            *common,
            ("规划绿化区(km²)", "In planned greening zones (km²)", number(rec.get("green_km2"))),
            ("规划绿化区占比", "Share in planned greening zones", _share(rec.get("coverage"))),
            *reference,
            ("说明", "Note", PLANNED_NOTE),
        ]
    unknown = pd.to_numeric(pd.Series([rec.get("unknown")]), errors="coerce").iloc[0]
    data_share = _pct(1.0 - float(unknown)) if unknown == unknown else ""
    return [
        *common,
        ("绿地(km²)", "Green (km²)", number(rec.get("green_km2"))),
        ("绿化覆盖率", "Green coverage", _share(rec.get("coverage"))),
        ("有数据部分", "Share with data", data_share or "未知 / unknown"),
        ("目标", "Target", _pct(rec.get("target"))),
        ("结果", "Result", _VERDICT_TEXT[verdict(rec.get("passed"))]),
        ("缺口(km²)", "Shortfall (km²)", number(rec.get("shortfall_km2"))),
        *reference,
        ("说明", "Note", humanize(rec.get("note"), names)),
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
    measured = is_measured(report)
    names = id_names(layers.values())
    schematic_ids: set[str] = set()
    for lid in ("parks", "greening_zones", "new_area"):
        if lid in layers and is_schematic(layers[lid]):
            schematic_ids |= set(layers[lid]["id"].astype(str))
    data = report.copy()
    data["name_zh"] = data.get("zone_zh", data["zone"])
    data["name_en"] = data.get("zone_en", data["zone"])
    data["schematic"] = data["zone"].astype(str).isin(schematic_ids)
    data["accuracy"] = "分区依规划文本绘制 / zone drawn from the plan's text"
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
                add_layer(m, lid, layers[lid], basemap=basemap, names=names)
        groups = {
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
                part,
                styles=[_style(r, measured=measured) for r in recs],
                rows=[_rows(r, measured=measured, names=names) for r in recs],
                label_zoom=9 if group == "districts" else None,
                label_class="d",
            )
            zh, en = groups[group]
            what_zh, what_en = (
                ("绿化覆盖率", "Green coverage")
                if measured
                else ("规划绿化区占比", "Share in planned greening zones")
            )
            label = layer_name(
                f"{what_zh}:{zh}", f"{what_en}: {en}", schematic=bool(part["schematic"].any())
            )
            geojson_layer(fc, name=label, show=group != "parks").add_to(m)
        entries = []
        lower = 0.0
        for upper, color in COVERAGE_BINS:
            text = f"≥ {lower:.0%}" if upper == float("inf") else f"{lower:.0%} – {upper:.0%}"
            what = "覆盖率 / coverage" if measured else "占比 / share"
            entries.append((swatch("#777777", fill=color), f"{what} {text}"))
            lower = upper
        entries.append((swatch("#777777", fill=NO_DATA), "未知(无数据) / unknown (no data)"))
        if measured:
            entries += [
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
        add_places(m, basemap=basemap)
        if measured:
            title = ("绿化覆盖率与目标(实测绿地)", "Green coverage against the targets (measured)")
            head = "绿化覆盖率 / Green coverage"
        else:
            title = ("规划绿化区占比", "Share of each zone in the planned greening zones")
            head = "规划绿化区占比 / Share in planned greening zones"
            entries.append(("", "不是实测覆盖率，不判断达标 / not measured coverage: no verdicts"))
        return finish(
            m,
            title_zh=title[0],
            title_en=title[1],
            legend=legend_html(head, entries),
            options=opts,
        )
