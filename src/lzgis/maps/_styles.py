"""Per-layer titles, colours, popup rows and project icons (fixed lzgis text, bilingual).

Examples
--------
>>> LAYERS["parks"]
('“3+8”园区', 'The 3+8 parks')
>>> category_icon("industry")
['#b91c1c', 'I']
>>> category_svg("industry").startswith("<svg")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from lzgis.maps._text import confidence, green_class_label, humanize, kind_label, tier_label

__all__ = [
    "CATEGORIES",
    "COLORS",
    "LABEL_ZOOM",
    "LAYERS",
    "LINE_KINDS",
    "category_icon",
    "category_svg",
    "layer_rows",
    "layer_style",
    "number",
]

LAYERS: dict[str, tuple[str, str]] = {
    "districts": ("区县界", "Districts and counties"),
    "new_area": ("兰州新区", "Lanzhou New Area"),
    "parks": ("“3+8”园区", "The 3+8 parks"),
    "greening_zones": ("两山及生态绿化区", "Greening zones"),
    "wetlands": ("湿地", "Wetlands"),
    "yellow_river": ("黄河", "Yellow River"),
    "projects": ("规划项目", "Plan projects"),
    "places": ("地名", "Places"),
}
# show the Chinese names as labels from this zoom on ("d": the larger district style)
LABEL_ZOOM: dict[str, tuple[int, str]] = {
    "districts": (9, "d"),
    "parks": (11, ""),
    "greening_zones": (11, ""),
}

COLORS: dict[str, str] = {
    "districts": "#555555",
    "new_area": "#e76f51",
    "park3": "#c1121f",
    "park8": "#6a4c93",
    "greening_zones": "#2a9d8f",
    "wetlands": "#3a86ff",
    "yellow_river": "#1d4ed8",
    "conflict": "#ff006e",
    "places": "#78350f",
}

# category -> (zh, en, colour, letter on the icon)
CATEGORIES: dict[str, tuple[str, str, str, str]] = {
    "industry": ("工业", "Industry", "#b91c1c", "I"),
    "energy": ("能源", "Energy", "#ea580c", "E"),
    "logistics": ("物流", "Logistics", "#7c3aed", "L"),
    "transport": ("交通", "Transport", "#2563eb", "T"),
    "environment": ("环保", "Environment", "#0f766e", "V"),
    "ecology": ("生态", "Ecology", "#16a34a", "G"),
    "services": ("服务", "Services", "#db2777", "S"),
}
_OTHER = ("其他", "Other", "#6b7280", "?")
LINE_KINDS = ("LineString", "MultiLineString")

_COMMON = (
    ("note", "说明", "Note"),
    ("source", "来源", "Source"),
    ("accuracy", "精度", "Accuracy"),
)
_ROWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "districts": (("adcode", "行政区划代码", "Adcode"), ("kind", "类型", "Kind")),
    "new_area": (
        ("kind", "类型", "Kind"),
        ("area_km2_stated", "规划面积(km²)", "Stated area (km²)"),
    ),
    "parks": (
        ("tier", "层级", "Tier"),
        ("district", "所在区县", "District"),
        ("industries", "主导产业", "Industries (zh)"),
        ("industries_en", "主导产业(英文)", "Industries"),
        ("targets", "目标", "Targets"),
        ("area_km2_stated", "规划面积(km²)", "Stated area (km²)"),
        ("plan_section", "规划条文", "Plan section"),
    ),
    "greening_zones": (
        ("green_class", "绿地类别", "Green class (CJJ/T 85)"),
        ("zone_kind", "类型", "Kind"),
        ("area_km2_stated", "规划面积(km²)", "Stated area (km²)"),
        ("plan_section", "规划条文", "Plan section"),
    ),
    "wetlands": (
        ("green_class", "绿地类别", "Green class (CJJ/T 85)"),
        ("plan_section", "规划条文", "Plan section"),
    ),
    "yellow_river": (),
    "places": (
        ("kind", "类型", "Kind"),
        ("district", "区县", "District"),
        ("location_confidence", "定位可信度", "Location confidence"),
        ("source", "来源", "Source"),
    ),
    "projects": (
        ("category", "类别", "Category"),
        ("unit", "责任单位", "Responsible unit"),
        ("unit_en", "责任单位(英文)", "Responsible unit"),
        ("park", "园区", "Park"),
        ("district", "区县", "District"),
        ("location_confidence", "定位可信度", "Location confidence"),
        ("zones", "所在分区", "Zones"),
        ("dist_river_km", "距黄河(km)", "To the Yellow River (km)"),
        ("dist_park_edge_km", "距园区边界(km)", "To the park edge (km)"),
        ("plan_section", "规划条文", "Plan section"),
    ),
}


def number(value: Any, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and no exponent; "" for missing values.

    >>> number(1744.0), number(0.12345), number(float("nan"))
    ('1744', '0.12', '')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    if v != v:
        return ""
    return f"{v:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:.0f}"


_WORDS = {
    "location_confidence": confidence,
    "tier": tier_label,
    "kind": kind_label,
    "zone_kind": kind_label,
    "green_class": green_class_label,
}


def _value(rec: pd.Series, col: str, names: Mapping[str, str]) -> Any:
    value = rec.get(col)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return number(value)
    if col == "category" and value in CATEGORIES:
        zh, en, _, _ = CATEGORIES[str(value)]
        return f"{zh} / {en}"
    if col in _WORDS:
        return _WORDS[col](value)
    if col in ("park", "district"):  # ids (or lists of them) -> names; names stay as they are
        return ", ".join(names.get(v.strip(), v.strip()) for v in str(value).split(","))
    if isinstance(value, str):
        return humanize(value, names)
    return value


def layer_rows(
    layer_id: str, rec: pd.Series, names: Mapping[str, str] | None = None
) -> list[tuple[str, str, Any]]:
    """Popup rows ``(label_zh, label_en, value)`` for one feature of ``layer_id``.

    ``names`` (id -> Chinese name) turns ids in the values into names; repository
    paths and URLs become readable citations (:func:`lzgis.maps._text.humanize`).
    """
    spec = _ROWS.get(layer_id, ()) + (() if layer_id == "places" else _COMMON)
    return [(zh, en, _value(rec, col, names or {})) for col, zh, en in spec]


def layer_style(layer_id: str, rec: pd.Series) -> dict[str, Any]:
    """Leaflet path style for one feature of ``layer_id``."""
    if layer_id == "districts":
        # a transparent fill, so that a tap anywhere in the district opens its popup
        return {"color": COLORS["districts"], "weight": 1.5, "fillOpacity": 0}
    if layer_id == "new_area":
        return {"color": COLORS["new_area"], "weight": 2, "dashArray": "6 4", "fillOpacity": 0.06}
    if layer_id == "parks":
        tier8 = str(rec.get("tier")) == "8"
        color = COLORS["park8" if tier8 else "park3"]
        if str(rec.get("parent") or "") == "" and rec.get("_has_children", False):
            return {"color": color, "weight": 2, "dashArray": "4 4", "fill": False}
        return {"color": color, "weight": 1.5, "fillColor": color, "fillOpacity": 0.3}
    if layer_id in ("greening_zones", "wetlands"):
        color = COLORS[layer_id]
        return {"color": color, "weight": 1, "fillColor": color, "fillOpacity": 0.3}
    if layer_id == "yellow_river":
        return {"color": COLORS["yellow_river"], "weight": 3, "opacity": 0.8}
    if layer_id == "places":
        return {"color": COLORS["places"]}
    if layer_id == "projects":
        _, _, color, _ = CATEGORIES.get(str(rec.get("category")), _OTHER)
        return {"color": color, "weight": 3, "opacity": 0.85, "dashArray": "8 4"}
    return {"color": "#333333", "weight": 1}


def category_icon(category: Any) -> list[str]:
    """The marker of a project category, ``[colour, letter]`` (drawn as inline SVG by the runtime)."""
    _, _, color, letter = CATEGORIES.get(str(category), _OTHER)
    return [color, letter]


def category_svg(category: Any, *, size: int = 16) -> str:
    """The category marker as inline SVG, for legends (no font icons needed)."""
    _, _, color, letter = CATEGORIES.get(str(category), _OTHER)
    return (
        f'<svg width="{size}" height="{size}" viewBox="0 0 24 24">'
        f'<circle cx="12" cy="12" r="10" fill="{color}" stroke="#fff" stroke-width="2"/>'
        f'<text x="12" y="16" text-anchor="middle" font-size="12" font-family="sans-serif" '
        f'font-weight="700" fill="#fff">{letter}</text></svg>'
    )
